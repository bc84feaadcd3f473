from django.core.management import call_command
from django.urls import reverse

from packages.models import Manifest, Package, PackageEvent, PackageEventType
from partners.models import PartnerEvent
from routing.models import Coverage


def test_seed_demo_spreads_the_area_manifest_over_the_boston_partners(db, settings):
    # given
    settings.DEBUG = True
    # when
    call_command("seed_demo", verbosity=0)
    # then the DSP-level manifest's packages went to both Boston partners, two stay with the DSP
    manifest = Manifest.objects.get(external_id__startswith="DEMO-AREA-")
    assert manifest.partner is None
    by_partner = {}
    for package in Package.objects.filter(manifest=manifest).select_related("partner"):
        name = package.partner.trade_name if package.partner else None
        by_partner[name] = by_partner.get(name, 0) + 1
        assert package.assignment_reason
    assert set(by_partner) == {"Back Bay Blooms", "South End Coffee", None}
    assert by_partner[None] == 2 and sum(by_partner.values()) == 20
    # and the two partners have coverage, audited
    assert (
        Coverage.objects.filter(
            partner__trade_name__in=["Back Bay Blooms", "South End Coffee"]
        ).count()
        == 2
    )
    assert PartnerEvent.objects.filter(kind="coverage_changed").count() == 2


def test_seed_demo_applies_the_florists_over_capacity_finding(db, settings, client):
    # given
    settings.DEBUG = True
    # when
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)  # a second seed applies nothing more
    # then the finding's ZIPs went to the café, and the report shows the move with its Undo
    from routing.models import ZipMove

    move = ZipMove.objects.select_related("partner_from", "partner_to", "applied_by").get()
    assert (move.partner_from.trade_name, move.partner_to.trade_name) == (
        "Back Bay Blooms",
        "South End Coffee",
    )
    assert move.zip_codes and move.packages.count() > 0
    client.force_login(move.applied_by)
    html = client.get(reverse("routing:ops-capacity-report", args=[move.report_id])).content
    assert b"Undo move" in html and b"Applied by Riley Reviewer" in html


def test_seed_demo_closes_the_cafe_on_a_day_it_had_packages_and_they_move(db, settings):
    # given
    settings.DEBUG = True
    # when
    call_command("seed_demo", verbosity=0)
    # then the café's packages of its closed day went to the florist or stay with the DSP,
    # each with one move event naming the closure
    packages = list(
        Package.objects.filter(manifest__external_id__startswith="DEMO-CLOSED-").select_related(
            "partner"
        )
    )
    holders = {p.partner.trade_name if p.partner else None for p in packages}
    assert holders == {"Back Bay Blooms", None}
    events = PackageEvent.objects.filter(
        event_type=PackageEventType.REASSIGNED, package__in=packages
    )
    assert events.count() == len(packages)
    assert {e.detail["reason"] for e in events} == {"Espresso machine repair"}
    assert all("South End Coffee closed" in p.assignment_reason for p in packages)
