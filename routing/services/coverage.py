"""Where a partner delivers: the ops edit of a partner's coverage (audited), and the check
that a manifest naming a partner stays inside it."""

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from hubdelivery.lib.geo import haversine_miles
from packages.coverage import PackagePlace, PlaceOutside
from partners.events import partner_event_record
from partners.models import Partner, PartnerEventKind
from routing import selectors
from routing.models import Coverage

# A DSP may name a partner for a package a little past its radius: a ZIP centroid or a
# geocoded door is not exactly where the recipient is. Beyond this, the manifest is refused.
MANIFEST_COVERAGE_MARGIN_MILES = 1.0


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
    partner_event_record(
        partner=partner,
        actor=actor,
        kind=PartnerEventKind.COVERAGE_CHANGED,
        detail=f"{before} -> {after}",
    )
    return coverage


def manifest_places_outside_coverage(
    *, partner: Partner, places: Sequence[PackagePlace]
) -> list[PlaceOutside]:
    """The manifest rows the named partner does not cover: not in its ZIPs, and farther from
    the shop than its radius plus MANIFEST_COVERAGE_MARGIN_MILES. Registered with packages
    as its coverage check (RoutingConfig.ready); one query for any number of rows."""
    coverage = selectors.partner_coverage_get(partner=partner)
    described = coverage_describe(
        zip_codes=sorted(coverage.zip_codes), radius_miles=coverage.radius_miles
    )
    if coverage.radius_miles > 0:
        described += f" + {MANIFEST_COVERAGE_MARGIN_MILES:g} mi margin"
    outside = []
    for place in places:
        miles = haversine_miles(coverage.lat, coverage.lng, place.latitude, place.longitude)
        covered = coverage.covers(
            zip_code=place.zip_code, miles=miles, margin_miles=MANIFEST_COVERAGE_MARGIN_MILES
        )
        if not covered:
            outside.append(PlaceOutside(row=place.row, miles=miles, coverage=described))
    return outside
