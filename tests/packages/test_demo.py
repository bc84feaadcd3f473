from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import User
from packages.demo import DEMO_SYSTEM_LABEL
from packages.models import (
    DspApiToken,
    Handoff,
    HandoffStatus,
    Incident,
    IncidentStatus,
    LateEvent,
    Manifest,
    Package,
    PackageEvent,
    PackageEventType,
    PackageStatus,
)
from packages.selectors import event_clock_skew
from tests.i18n_words import in_spanish


def test_seed_demo_gives_a_day_of_work(db, settings, capsys):
    settings.DEBUG = True
    # when
    call_command("seed_demo")
    # then
    assert DspApiToken.objects.filter(label=DEMO_SYSTEM_LABEL, revoked_at__isnull=True).count() == 1
    # Back Bay Blooms today and tomorrow; Mission Street Coffee today (issue 6: an open
    # drop-off being scanned). Routing's demo adds rows of its own elsewhere: count ours.
    assert Manifest.objects.filter(external_id__startswith="HARBOR-").count() == 3
    handoffs = Handoff.objects.filter(
        partner__trade_name__in=["Back Bay Blooms", "Mission Street Coffee"]
    )
    assert set(handoffs.values_list("direction", "status")) == {
        ("drop_off", HandoffStatus.CLOSED),
        ("drop_off", HandoffStatus.OPEN),
        ("return", HandoffStatus.OPEN),
    }
    ours = Package.objects.filter(manifest__external_id__startswith="HARBOR-")
    assert ours.filter(status=PackageStatus.DELIVERED).count() == 5
    assert ours.filter(status=PackageStatus.ATTEMPTED).count() == 1
    assert Incident.objects.get().status == IncidentStatus.OPEN
    # and no key is printed
    out = capsys.readouterr().out
    assert all(token.key_prefix not in out for token in DspApiToken.objects.all())


def test_demo_staff_can_close_the_day_with_what_is_still_held(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    client = Client()
    client.force_login(User.objects.get(email="staff@demo.hub"))
    # four of today's packages are received and not delivered: the end-of-day action offers
    # them (in Spanish: the demo's staff member reads the portal in Spanish)
    keep_four = in_spanish("Keep %(n)s for the return") % {"n": 4}
    assert keep_four in client.get(reverse("packages:today")).content.decode()


def test_demo_ops_package_page_flags_the_phone_with_a_skewed_clock(db, settings, reviewer):
    settings.DEBUG = True
    call_command("seed_demo")
    # given the demo's one delivery sent from a phone three hours slow
    skewed = [
        event
        for event in PackageEvent.objects.filter(
            event_type=PackageEventType.DELIVERED, device_time__isnull=False
        )
        if event_clock_skew(event=event) is not None
    ]
    assert len(skewed) == 1
    # when ops open that package
    client = Client()
    client.force_login(reviewer)
    page = client.get(reverse("packages:ops-package", args=[skewed[0].tracking_id]))
    # then the page flags the device clock
    body = page.content.decode()
    assert "Clock skew" in body and "Device clock 3 hours behind the server" in body


def test_demo_dsp_has_a_second_station_and_an_invited_driver_and_manager(db, settings):
    from packages.demo import DEMO_INVITED_DRIVER, DEMO_INVITED_MANAGER
    from packages.models import Driver, DspEvent, DspEventKind, DspManager, Station

    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")  # a second run adds nothing
    invited = Driver.objects.get(user__email=DEMO_INVITED_DRIVER)
    assert invited.home_station.code == "CAM1"
    assert not invited.user.has_usable_password()
    assert Station.objects.filter(dsp=invited.dsp).count() == 3  # Boston, Cambridge, SF
    assert DspEvent.objects.filter(kind=DspEventKind.DRIVER_INVITED).count() == 1
    client = Client()
    client.force_login(User.objects.get(email="dspmanager@demo.hub"))
    page = client.get(reverse("packages:dsp", args=[invited.dsp_id])).content.decode()
    assert "Invited, not joined yet" in page and "CAM1" in page
    manager = DspManager.objects.select_related("user").get(user__email=DEMO_INVITED_MANAGER)
    assert manager.dsp_id == invited.dsp_id and not manager.user.has_usable_password()
    assert DspManager.objects.filter(dsp=manager.dsp_id).count() == 2
    assert DspEvent.objects.filter(kind=DspEventKind.MANAGER_INVITED).count() == 1
    assert DEMO_INVITED_MANAGER in page


def test_demo_ops_see_a_scan_sent_after_its_drop_off_closed(db, settings, reviewer):
    settings.DEBUG = True
    # when the seed runs twice (it is idempotent)
    call_command("seed_demo")
    call_command("seed_demo")
    # then one late scan, refused because the drop-off had closed, is on the ops page
    late = LateEvent.objects.get()
    assert (late.event_type, late.outcome, late.code) == ("received", "refused", "handoff_closed")
    client = Client()
    client.force_login(reviewer)
    body = client.get(reverse("packages:ops-late-events")).content.decode()
    assert late.tracking_id in body and "Back Bay Blooms" in body


def test_demo_stations_serve_their_partners_with_one_ops_removal(db, settings):
    from packages.models import DspEvent, DspEventKind, Station
    from packages.selectors import station_partners

    # given the demo, seeded twice
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    # then each station serves the partners near it, and ops' one removal holds
    served = {
        station.code: {p.trade_name for p in station_partners(station=station)}
        for station in Station.objects.all()
    }
    assert "Back Bay Blooms" in served["BOS1"]
    assert "Back Bay Blooms" not in served["CAM1"]
    assert served["SFO1"] == {"Mission Street Coffee"}
    assert DspEvent.objects.filter(kind=DspEventKind.STATION_PARTNER_REMOVED).count() == 1
    # and the drivers see their own station's partners
    client = Client()
    client.force_login(User.objects.get(email="driver2@demo.hub"))
    page = client.get(reverse("packages:driver-home")).content.decode()
    assert "Mission Street Coffee" in page and "Back Bay Blooms" not in page
