"""routing.services.packages_assign: a DSP-level manifest's packages go to the nearest
covering partner with room; the rest stays with the DSP, each with a reason."""

import datetime
import itertools

import pytest
from django.db import connection

from packages.models import Manifest, Package, PackageStatus
from partners.models import Closure, HolidayDay, HolidayKind, PartnerStatus
from partners.services.holidays import federal_holidays_seed
from routing.models import Coverage
from routing.services import packages_assign
from tests.factories import DspFactory, PartnerFactory
from tests.routing.conftest import packages_for

DAY = datetime.date(2026, 12, 2)  # an ordinary Wednesday
THANKSGIVING = datetime.date(2026, 11, 26)
_tracking = itertools.count(1)

# Back Bay (the florist's shop) and the South End café, 1.1 mi apart.
BACK_BAY = (42.3492, -71.0768)
SOUTH_END = (42.3398, -71.0693)
NEAR_BACK_BAY = (42.3496, -71.0746)
FAR_AWAY = (42.4430, -71.2290)  # Lexington: outside every coverage


def dsp_packages(dsp, count, *, at=NEAR_BACK_BAY, zip_code="02116", day=DAY) -> list[Package]:
    """`count` packages of a DSP-level manifest (no partner)."""
    manifest = Manifest.objects.create(
        dsp=dsp, external_id=f"AREA-{next(_tracking)}", service_date=day, source="api"
    )
    return Package.objects.bulk_create(
        Package(
            tracking_id=f"AREA{next(_tracking):09d}", dsp=dsp, manifest=manifest,
            service_date=day, recipient_name="Recipient", address_line=f"{n} Newbury St",
            city="Boston", zip_code=zip_code, latitude=at[0], longitude=at[1],
        )
        for n in range(count)
    )  # fmt: skip


def placed(packages) -> dict[int, int | None]:
    return dict(
        Package.objects.filter(pk__in=[p.pk for p in packages]).values_list("id", "partner_id")
    )


@pytest.fixture
def florist(db):
    partner = PartnerFactory(trade_name="Florist", latitude=BACK_BAY[0], longitude=BACK_BAY[1])
    Coverage.objects.create(
        partner=partner,
        zip_codes=[],
        radius_miles=2,
        updated_at=datetime.datetime.now(datetime.UTC),
    )
    return partner


@pytest.fixture
def cafe(db):
    partner = PartnerFactory(trade_name="Cafe", latitude=SOUTH_END[0], longitude=SOUTH_END[1])
    Coverage.objects.create(
        partner=partner,
        zip_codes=[],
        radius_miles=2,
        updated_at=datetime.datetime.now(datetime.UTC),
    )
    return partner


@pytest.fixture
def dsp(db):
    return DspFactory()


def test_packages_go_to_the_nearest_covering_partner(florist, cafe, dsp):
    # given packages next to the florist
    packages = dsp_packages(dsp, 3)
    # when
    result = packages_assign(dsp=dsp, service_date=DAY)
    # then
    assert result.placed == 3 and result.unplaced == 0
    assert set(placed(packages).values()) == {florist.pk}
    package = Package.objects.get(pk=packages[0].pk)
    assert package.assigned_by_routing
    assert "nearest covering partner with room" in package.assignment_reason


def test_a_full_partner_passes_packages_to_the_next(florist, cafe, dsp):
    # given the florist has room for 2 more today (28 of 30 fixed by the DSP itself)
    packages_for(florist, DAY, 28)
    packages = dsp_packages(dsp, 5)
    # when
    packages_assign(dsp=dsp, service_date=DAY)
    # then two go to the florist, three to the café, each saying why
    partners = list(placed(packages).values())
    assert partners.count(florist.pk) == 2 and partners.count(cafe.pk) == 3
    to_cafe = Package.objects.filter(pk__in=[p.pk for p in packages], partner=cafe).first()
    assert f"nearer: {florist.trade_name} full" in to_cafe.assignment_reason


def test_storage_capacity_counts_what_the_partner_still_holds(florist, cafe, dsp):
    # given the florist still holds 39 of 40 storage places from yesterday
    packages_for(florist, DAY - datetime.timedelta(days=1), 39, status=PackageStatus.RECEIVED)
    packages = dsp_packages(dsp, 3)
    # when
    packages_assign(dsp=dsp, service_date=DAY)
    # then
    assert sorted(placed(packages).values()) == [florist.pk, cafe.pk, cafe.pk]


def test_a_closed_partner_gets_nothing(florist, cafe, dsp):
    Closure.objects.create(partner=florist, start_date=DAY, end_date=DAY, reason="Inventory")
    packages = dsp_packages(dsp, 2)
    packages_assign(dsp=dsp, service_date=DAY)
    assert set(placed(packages).values()) == {cafe.pk}
    reason = Package.objects.get(pk=packages[0].pk).assignment_reason
    assert f"nearer: {florist.trade_name} closed" in reason


def test_on_a_major_holiday_everything_stays_with_the_dsp(florist, cafe, dsp):
    federal_holidays_seed(year=THANKSGIVING.year)
    packages = dsp_packages(dsp, 2, day=THANKSGIVING)
    result = packages_assign(dsp=dsp, service_date=THANKSGIVING)
    assert result.unplaced == 2
    assert set(placed(packages).values()) == {None}
    assert "closed" in Package.objects.get(pk=packages[0].pk).assignment_reason


def test_overflow_stays_with_the_dsp_with_a_reason(florist, cafe, dsp):
    # given both partners nearly full and one package far outside every coverage
    packages_for(florist, DAY, 30)
    packages_for(cafe, DAY, 29)
    near = dsp_packages(dsp, 2)
    far = dsp_packages(dsp, 1, at=FAR_AWAY, zip_code="02421")
    # when
    result = packages_assign(dsp=dsp, service_date=DAY)
    # then one near package fits at the café; the other and the far one stay with the DSP
    assert result.placed == 1 and result.unplaced == 2
    assert sorted(placed(near).values(), key=str) == sorted([cafe.pk, None], key=str)
    far_package = Package.objects.get(pk=far[0].pk)
    assert far_package.partner_id is None and not far_package.assigned_by_routing
    assert far_package.assignment_reason.startswith(
        "no covering partner with room: stays with the DSP ("
    )
    assert "no partner serves ZIP 02421" in far_package.assignment_reason


def test_a_paused_partner_gets_nothing(florist, cafe, dsp):
    florist.status = PartnerStatus.PAUSED
    florist.save(update_fields=["status"])
    packages = dsp_packages(dsp, 2)
    packages_assign(dsp=dsp, service_date=DAY)
    assert set(placed(packages).values()) == {cafe.pk}


def test_coverage_by_zip_reaches_beyond_the_radius(florist, cafe, dsp):
    # given the café lists Lexington's ZIP though it is far outside its radius
    Coverage.objects.filter(partner=cafe).update(zip_codes=["02421"])
    far = dsp_packages(dsp, 1, at=FAR_AWAY, zip_code="02421")
    packages_assign(dsp=dsp, service_date=DAY)
    package = Package.objects.get(pk=far[0].pk)
    assert package.partner_id == cafe.pk and "serves the ZIP" in package.assignment_reason


def test_coverage_by_radius_defaults_to_the_delivery_modes(dsp, db):
    # given a walking partner and a biking partner, neither with a coverage row: a package
    # 2 mi from both is within biking (3 mi) but not walking (1 mi) distance
    walker = PartnerFactory(delivery_modes=["walk"], latitude=BACK_BAY[0], longitude=BACK_BAY[1])
    biker = PartnerFactory(delivery_modes=["bike"], latitude=BACK_BAY[0], longitude=BACK_BAY[1])
    two_miles_north = (BACK_BAY[0] + 2 / 69, BACK_BAY[1])
    packages = dsp_packages(dsp, 1, at=two_miles_north, zip_code="02129")
    packages_assign(dsp=dsp, service_date=DAY)
    assert placed(packages)[packages[0].pk] == biker.pk
    assert "within its 3 mi radius" in Package.objects.get(pk=packages[0].pk).assignment_reason
    assert walker.pk not in placed(packages).values()


def test_rerun_gives_the_same_result(florist, cafe, dsp):
    # given an assignment that needed both partners
    packages_for(florist, DAY, 25)
    packages = dsp_packages(dsp, 12)
    packages_assign(dsp=dsp, service_date=DAY)
    first = placed(packages)
    reasons = list(Package.objects.order_by("id").values_list("assignment_reason", flat=True))
    # when it runs again
    packages_assign(dsp=dsp, service_date=DAY)
    # then nothing moved: its own earlier choices do not count against the partners' room
    assert placed(packages) == first
    assert list(Package.objects.order_by("id").values_list("assignment_reason", flat=True)) == (
        reasons
    )


def test_a_handed_off_package_is_never_moved(florist, cafe, dsp):
    # given a package assigned to the florist and then scanned in there
    packages = dsp_packages(dsp, 2)
    packages_assign(dsp=dsp, service_date=DAY)
    Package.objects.filter(pk=packages[0].pk).update(status=PackageStatus.RECEIVED)
    # when the florist closes and the assignment runs again
    Closure.objects.create(partner=florist, start_date=DAY, end_date=DAY, reason="Flood")
    packages_assign(dsp=dsp, service_date=DAY)
    # then the received package stays; the manifested one moves to the café
    assert placed(packages) == {packages[0].pk: florist.pk, packages[1].pk: cafe.pk}


def test_packages_the_dsp_placed_itself_are_left_alone(florist, cafe, dsp):
    # given the DSP named the café for its own manifest
    packages_for(cafe, DAY, 2)
    own = list(Package.objects.filter(partner=cafe))
    # when
    packages_assign(dsp=own[0].dsp, service_date=DAY)
    # then
    assert set(placed(own).values()) == {cafe.pk}
    assert not Package.objects.filter(assigned_by_routing=True).exists()


@pytest.mark.parametrize(
    ("partner_count", "package_count"),
    [
        (10, 150),
        (100, 150),
        # SQLite's 999-parameter limit splits bulk_update every 199 rows; PostgreSQL does not
        pytest.param(100, 1000, marks=pytest.mark.skipif(
            connection.vendor != "postgresql", reason="one UPDATE on PostgreSQL only")),
    ],
)  # fmt: skip
def test_query_count_does_not_grow_with_partners_or_packages(
    partner_count, package_count, dsp, db, django_assert_num_queries
):
    # given partners around Back Bay (some with coverage rows, some closed, some with load)
    # and a DSP-level manifest
    for n in range(partner_count):
        partner = PartnerFactory(latitude=BACK_BAY[0] + n / 5000, longitude=BACK_BAY[1])
        if n % 3 == 0:
            Coverage.objects.create(
                partner=partner, zip_codes=["02116"], radius_miles=1,
                updated_at=datetime.datetime.now(datetime.UTC),
            )  # fmt: skip
        if n % 7 == 0:
            Closure.objects.create(partner=partner, start_date=DAY, end_date=DAY, reason="x")
        if n % 5 == 0:
            packages_for(partner, DAY, 3)
    dsp_packages(dsp, package_count)
    # then: savepoint, lock the packages, partner loads, closures, the calendar's day (no
    # holiday: the partners' scopes are not read), partners with coverage, one bulk_update,
    # release savepoint
    with django_assert_num_queries(8):
        result = packages_assign(dsp=dsp, service_date=DAY)
    assert result.placed + result.unplaced == package_count


def test_a_state_day_of_the_calendar_closes_only_that_states_partners(florist, cafe, dsp):
    # given a storm day in Massachusetts, where only the florist is
    cafe.state = "NH"
    cafe.save(update_fields=["state"])
    HolidayDay.objects.create(date=DAY, name="Storm", kind=HolidayKind.AD_HOC, state="MA")
    packages = dsp_packages(dsp, 2)
    # when
    packages_assign(dsp=dsp, service_date=DAY)
    # then the café takes them
    assert set(placed(packages).values()) == {cafe.pk}


def test_a_switched_off_federal_day_is_a_working_day(florist, cafe, dsp):
    federal_holidays_seed(year=THANKSGIVING.year)
    HolidayDay.objects.filter(date=THANKSGIVING).update(switched_off_reason="Peak season")
    dsp_packages(dsp, 2, day=THANKSGIVING)
    result = packages_assign(dsp=dsp, service_date=THANKSGIVING)
    assert result.placed == 2
