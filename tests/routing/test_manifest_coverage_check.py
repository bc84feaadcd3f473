"""The coverage check routing hands to packages' manifest ingest (packages.coverage): the
same coverage, and the same default radius, as assignment."""

import datetime

from packages.coverage import PackagePlace, places_outside_coverage
from routing import selectors
from routing.services import coverage_update
from routing.services.coverage import MANIFEST_COVERAGE_MARGIN_MILES
from tests.factories import PartnerFactory

MILE_OF_LATITUDE = 1 / 69.05  # degrees


def place_north(partner, miles: float, row: int = 1, zip_code: str = "02114") -> PackagePlace:
    return PackagePlace(
        row, zip_code, partner.latitude + miles * MILE_OF_LATITUDE, partner.longitude
    )


def assignment_view_of(partner):
    coverages = selectors.partner_coverages_for_assignment(
        service_date=datetime.date(2026, 12, 1), dsp_id=0
    )
    return next(coverage for coverage in coverages if coverage.id == partner.pk)


def test_partner_without_coverage_row_has_the_same_default_radius_as_in_assignment(db):
    # given: a bike partner with no Coverage row
    partner = PartnerFactory(delivery_modes=["bike"])
    # when
    checked = selectors.partner_coverage_get(partner=partner)
    # then: one definition of the default (bike: 3 miles)
    assert checked.radius_miles == assignment_view_of(partner).radius_miles == 3.0
    edge = 3.0 + MANIFEST_COVERAGE_MARGIN_MILES
    outside = places_outside_coverage(
        partner=partner,
        places=[place_north(partner, edge - 0.1, 1), place_north(partner, edge + 0.1, 2)],
    )
    assert [place.row for place in outside] == [2]


def test_saved_coverage_is_what_both_the_check_and_assignment_read(db, reviewer):
    # given
    partner = PartnerFactory(delivery_modes=["car"])
    coverage_update(partner=partner, actor=reviewer, zip_codes=["02139"], radius_miles=0.5)
    # when
    checked = selectors.partner_coverage_get(partner=partner)
    # then
    assigned = assignment_view_of(partner)
    assert (checked.zip_codes, checked.radius_miles) == (assigned.zip_codes, assigned.radius_miles)
    outside = places_outside_coverage(
        partner=partner,
        places=[place_north(partner, 20, 1, zip_code="02139"), place_north(partner, 2, 2)],
    )
    assert [(place.row, round(place.miles)) for place in outside] == [(2, 2)]
    assert outside[0].coverage == "ZIPs 02139; radius 0.5 mi + 1 mi margin"


def test_the_check_reads_the_coverage_once_for_any_number_of_rows(db, django_assert_num_queries):
    partner = PartnerFactory()
    places = [place_north(partner, n / 2000, n) for n in range(1, 2001)]
    with django_assert_num_queries(1):
        assert places_outside_coverage(partner=partner, places=places) == []
