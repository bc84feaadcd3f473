"""Demo DSP with three stations (Boston, Cambridge, San Francisco), two drivers (and one
invited who has not joined yet) and an API token; each station serves the partners near it,
and ops removed Back Bay Blooms from Cambridge (Boston's drivers bring its packages). A day
of work at Back Bay Blooms:
today's manifest handed off (a closed drop-off with a damaged and a missing package), some
packages delivered (one from a phone whose clock is three hours off, flagged for ops), a scan
a phone sent after the drop-off closed (a late event for ops), one
attempted with an open incident, an open return handoff, and tomorrow's manifest waiting.
Every write goes through the services with fixed idempotency keys, so running the seed again
the same day changes nothing."""

import datetime

from django.utils import timezone

from accounts.demo import demo_user_ensure
from accounts.models import User
from accounts.roles import Role
from hubdelivery.lib.dates import local_date
from packages import selectors, services
from packages.models import (
    AttemptReason,
    Driver,
    Dsp,
    DspApiToken,
    DspManager,
    Handoff,
    HandoffDirection,
    Package,
    Station,
    StationPartner,
    SyncEventType,
)
from packages.services.network import driver_invite, dsp_manager_invite
from packages.services.station_partners import station_partner_remove
from packages.services.sync import SyncEvent, events_sync
from packages.services.tokens import RotationOverlap
from partners.models import Partner

DEMO_SYSTEM_LABEL = "Demo dispatch system"
DEMO_PLANNER_LABEL = "Route planner"
DEMO_ROTATED_LABEL = "Warehouse scanner"
DEMO_INVITED_DRIVER = "invited-driver@demo.hub"
DEMO_INVITED_MANAGER = "invited-manager@demo.hub"
SKEWED_PHONE_CLOCK = datetime.timedelta(hours=3)
RECIPIENTS = [
    "Avery Chen", "Blake Murphy", "Casey Rivera", "Devon Patel", "Emerson Brooks",
    "Finley Nguyen", "Gray Thompson", "Harper Diaz", "Indigo Walsh", "Jordan Kim",
    "Kai Robinson", "Logan Shah",
]  # fmt: skip
STREETS = [
    ("Commonwealth Ave", "02116"), ("Marlborough St", "02116"), ("Beacon St", "02116"),
    ("Boylston St", "02116"), ("Tremont St", "02118"), ("Huntington Ave", "02115"),
]  # fmt: skip


# The demo DSP's stations by code: name, street, ZIP and where the pin stands.
DEMO_STATIONS = {
    "BOS1": ("Boston South Station depot", "1 Widett Cir", "02118", 42.3374, -71.0589),
    # Cambridge: the station's own ZIP centre, pinned a little off it as ops would drag it.
    "CAM1": ("Cambridge depot", "101 Binney St", "02142", 42.3662, -71.0825),
    # Mission Bay, two miles from Mission Street Coffee: its drivers serve the coffee shop.
    "SFO1": ("Mission Bay depot", "600 16th St", "94107", 37.7621, -122.3971),
}


def demo_dsp_ensure() -> tuple[Dsp, Station]:
    dsp, _ = Dsp.objects.get_or_create(
        name="Harbor Last Mile Inc.", defaults={"contact_email": "dispatch@harbor.example"}
    )
    return dsp, demo_station_ensure(dsp=dsp, code="BOS1")


def demo_station_ensure(*, dsp: Dsp, code: str) -> Station:
    name, address_line, zip_code, latitude, longitude = DEMO_STATIONS[code]
    station, _ = Station.objects.get_or_create(
        code=code,
        defaults={
            "dsp": dsp,
            "name": name,
            "address_line": address_line,
            "zip_code": zip_code,
            "latitude": latitude,
            "longitude": longitude,
        },
    )
    return station


def demo_station_partner_removal_ensure(*, cambridge: Station) -> None:
    """Ops' adjustment: Back Bay Blooms lies within Cambridge's radius too, but Boston's
    drivers bring its packages, so ops removed it from Cambridge (audited)."""
    florist = Partner.objects.get(trade_name="Back Bay Blooms")
    if StationPartner.objects.filter(station=cambridge, partner=florist).exists():
        return
    station_partner_remove(
        actor=User.objects.get(email="opsadmin@demo.hub"),
        station=cambridge,
        partner_id=florist.pk,
    )


def demo_invited_driver_ensure(*, dsp: Dsp, station: Station) -> None:
    """A driver the DSP's manager invited who has not set a password yet (audited, emailed)."""
    if Driver.objects.filter(user__email=DEMO_INVITED_DRIVER).exists():
        return
    driver_invite(
        actor=User.objects.get(email="dspmanager@demo.hub"),
        dsp=dsp,
        email=DEMO_INVITED_DRIVER,
        full_name="Ines Invited",
        home_station_id=station.pk,
    )


def demo_invited_manager_ensure(*, dsp: Dsp) -> None:
    """A second manager the first one invited, who has not set a password yet."""
    if DspManager.objects.filter(user__email=DEMO_INVITED_MANAGER).exists():
        return
    dsp_manager_invite(
        actor=User.objects.get(email="dspmanager@demo.hub"),
        dsp=dsp,
        email=DEMO_INVITED_MANAGER,
        full_name="Marta Manager",
    )


def demo_token_ensure(*, dsp: Dsp) -> DspApiToken:
    """A token exists for the demo DSP; its key is thrown away (ops admins issue real keys)."""
    token = DspApiToken.objects.filter(dsp=dsp, label=DEMO_SYSTEM_LABEL).first()
    if token is None:
        token, _ = services.dsp_token_create(actor=None, dsp=dsp, label=DEMO_SYSTEM_LABEL)
    return token


def demo_manager_keys_ensure(*, dsp: Dsp) -> None:
    """The DSP's manager, with an active key and a rotated one still in its 7-day window."""
    manager = User.objects.get(email="dspmanager@demo.hub")
    DspManager.objects.get_or_create(user=manager, defaults={"dsp": dsp})
    if not DspApiToken.objects.filter(dsp=dsp, label=DEMO_PLANNER_LABEL).exists():
        services.dsp_token_create(actor=manager, dsp=dsp, label=DEMO_PLANNER_LABEL)
    if not DspApiToken.objects.filter(dsp=dsp, label=DEMO_ROTATED_LABEL).exists():
        token, _ = services.dsp_token_create(actor=manager, dsp=dsp, label=DEMO_ROTATED_LABEL)
        services.dsp_token_rotate(actor=manager, token=token, overlap=RotationOverlap.WEEK)


def demo_rows(day: datetime.date, count: int) -> list[dict[str, str]]:
    rows = []
    for n in range(count):
        street, zip_code = STREETS[n % len(STREETS)]
        rows.append(
            {
                "tracking_id": f"DEMO{day:%Y%m%d}{n + 1:03d}",
                "recipient_name": RECIPIENTS[n % len(RECIPIENTS)],
                "address_line": f"{10 + 12 * n} {street}",
                "zip_code": zip_code,
                "size": ("small", "medium", "large")[n % 3],
            }
        )
    return rows


def demo_day_run(*, florist: Partner, dsp: Dsp, driver: User, staff: User, day: datetime.date):
    """Today's drop-off, deliveries, an attempt and the open return handoff."""
    key = f"demo-{florist.pk}-{day:%Y%m%d}"
    opened = services.handoff_open(
        actor=driver,
        partner=florist,
        dsp=dsp,
        direction=HandoffDirection.DROP_OFF,
        service_date=day,
        idempotency_key=f"{key}-drop-off",
    )
    handoff = opened.handoff
    packages = list(Package.objects.filter(partner=florist, service_date=day).order_by("pk"))
    for package in packages[:-2]:
        services.package_receive(
            actor=driver,
            handoff=handoff,
            tracking_id=package.tracking_id,
            idempotency_key=f"{key}-receive-{package.tracking_id}",
        )
    services.package_mark_damaged(
        actor=staff,
        handoff=handoff,
        tracking_id=packages[-2].tracking_id,
        note="Box crushed on one corner.",
        idempotency_key=f"{key}-damaged",
    )
    services.handoff_confirm(actor=driver, handoff=handoff, idempotency_key=f"{key}-confirm-d")
    services.handoff_confirm(actor=staff, handoff=handoff, idempotency_key=f"{key}-confirm-p")
    demo_late_scan_run(driver=driver, handoff=handoff, tracking_id=packages[-1].tracking_id)
    for n, package in enumerate(packages[:5]):
        services.package_deliver(
            actor=staff,
            package=package,
            recipient_name=package.recipient_name.split()[0],
            idempotency_key=f"{key}-deliver-{package.tracking_id}",
            # The first phone's clock is three hours behind: ops see it flagged on the package.
            device_time=timezone.now() - SKEWED_PHONE_CLOCK if n == 0 else timezone.now(),
        )
    services.package_attempt(
        actor=staff,
        package=packages[5],
        reason=AttemptReason.RECIPIENT_UNAVAILABLE,
        note="Buzzed twice, no answer.",
        idempotency_key=f"{key}-attempt",
    )
    services.handoff_open(
        actor=driver,
        partner=florist,
        dsp=dsp,
        direction=HandoffDirection.RETURN,
        service_date=day,
        idempotency_key=f"{key}-return",
    )


def demo_late_scan_run(*, driver: User, handoff: Handoff, tracking_id: str) -> None:
    """The driver's phone scanned the last package without a connection before the drop-off
    closed, and sent it after: refused, kept for ops at /ops/late-events/."""
    late_scan = SyncEvent(
        client_id=f"demo-late-scan-{handoff.pk}",
        type=SyncEventType.RECEIVED,
        device_time=handoff.opened_at + datetime.timedelta(minutes=12),
        tracking_id=tracking_id,
        handoff_id=handoff.pk,
    )
    events_sync(viewer=selectors.viewer_for(user=driver), events=[late_scan])


def seed() -> None:
    dsp, station = demo_dsp_ensure()
    demo_token_ensure(dsp=dsp)
    demo_manager_keys_ensure(dsp=dsp)
    demo_invited_manager_ensure(dsp=dsp)
    cambridge = demo_station_ensure(dsp=dsp, code="CAM1")
    demo_invited_driver_ensure(dsp=dsp, station=cambridge)
    demo_station_partner_removal_ensure(cambridge=cambridge)
    drivers = [
        User.objects.get(email="driver@demo.hub"),
        demo_user_ensure(
            email="driver2@demo.hub", full_name="Drew Driver", roles=[Role.DSP_DRIVER]
        ),
    ]
    homes = [station, demo_station_ensure(dsp=dsp, code="SFO1")]
    for user, home in zip(drivers, homes, strict=True):
        # update: a demo seeded before San Francisco had a station kept Drew at Boston
        Driver.objects.update_or_create(user=user, defaults={"dsp": dsp, "home_station": home})
    florist = Partner.objects.get(trade_name="Back Bay Blooms")
    token = DspApiToken.objects.get(dsp=dsp, label=DEMO_SYSTEM_LABEL)
    today = local_date(tz_name=florist.time_zone)
    for day, count in ((today, 12), (today + datetime.timedelta(days=1), 10)):
        services.manifest_ingest(
            dsp=dsp,
            partner=florist,
            service_date=day,
            external_id=f"HARBOR-{day:%Y%m%d}-BBB",
            rows=demo_rows(day, count),
            source="api",
            created_by_token=token,
        )
    demo_day_run(
        florist=florist,
        dsp=dsp,
        driver=drivers[0],
        staff=User.objects.get(email="staff@demo.hub"),
        day=today,
    )
    demo_open_drop_off_run(dsp=dsp, token=token, driver=drivers[1])


def demo_open_drop_off_run(*, dsp: Dsp, token: DspApiToken, driver: User) -> None:
    """A drop-off still being scanned at Mission Street Coffee (its first, during onboarding):
    half the manifest received, one label that is not on it, the rest still to scan."""
    coffee = Partner.objects.get(trade_name="Mission Street Coffee")
    day = local_date(tz_name=coffee.time_zone)
    rows = [
        {
            "tracking_id": f"DEMOSF{day:%Y%m%d}{n + 1:03d}",
            "recipient_name": RECIPIENTS[(n + 3) % len(RECIPIENTS)],
            "address_line": f"{2700 + 20 * n} Mission St",
            "zip_code": "94110",
            "size": ("small", "medium", "large")[n % 3],
        }
        for n in range(8)
    ]
    services.manifest_ingest(
        dsp=dsp,
        partner=coffee,
        service_date=day,
        external_id=f"HARBOR-{day:%Y%m%d}-MSC",
        rows=rows,
        source="api",
        created_by_token=token,
    )
    key = f"demo-{coffee.pk}-{day:%Y%m%d}"
    handoff = services.handoff_open(
        actor=driver,
        partner=coffee,
        dsp=dsp,
        direction=HandoffDirection.DROP_OFF,
        service_date=day,
        idempotency_key=f"{key}-drop-off",
    ).handoff
    for tracking_id in [row["tracking_id"] for row in rows[:4]] + [f"STRAY{day:%Y%m%d}"]:
        services.package_receive(
            actor=driver,
            handoff=handoff,
            tracking_id=tracking_id,
            idempotency_key=f"{key}-receive-{tracking_id}",
        )
