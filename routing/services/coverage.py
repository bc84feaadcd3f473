"""Where a partner delivers: the ops edit of a partner's coverage, audited."""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from partners.models import Partner
from partners.services.partners import partner_event_write
from routing import selectors
from routing.models import Coverage


def coverage_describe(*, zip_codes: list[str], radius_miles: float) -> str:
    zips = ", ".join(zip_codes) or "none"
    return f"ZIPs {zips}; radius {radius_miles:g} mi"


@transaction.atomic
def coverage_update(
    *, partner: Partner, actor: User | None, zip_codes: list[str], radius_miles: float
) -> Coverage:
    """Set the partner's coverage and write a "coverage_changed" PartnerEvent saying what
    changed. Saving the same coverage again is a no-op (no event). The partner row lock
    serialises two ops saving at once, also when neither finds a coverage row yet."""
    Partner.objects.select_for_update().filter(pk=partner.pk).first()
    coverage = Coverage.objects.filter(partner=partner).first()
    zip_codes = sorted(set(zip_codes))
    if coverage is None:
        before = "default " + coverage_describe(
            zip_codes=[],
            radius_miles=selectors.default_radius(partner.delivery_modes or []),
        )
        coverage = Coverage(partner=partner)
    elif coverage.zip_codes == zip_codes and coverage.radius_miles == radius_miles:
        return coverage
    else:
        before = coverage_describe(zip_codes=coverage.zip_codes, radius_miles=coverage.radius_miles)
    coverage.zip_codes = zip_codes
    coverage.radius_miles = radius_miles
    coverage.updated_at = timezone.now()
    coverage.updated_by = actor
    coverage.full_clean()
    coverage.save()
    after = coverage_describe(zip_codes=zip_codes, radius_miles=radius_miles)
    partner_event_write(
        partner=partner, actor=actor, kind="coverage_changed", detail=f"{before} -> {after}"
    )
    return coverage
