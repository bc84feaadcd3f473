from django.core.management import call_command

from packages.models import Manifest, Package
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
