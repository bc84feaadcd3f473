import datetime
from decimal import Decimal

from dashboard import selectors
from dashboard.selectors import DashboardFilters
from partners.models import PartnerStatus
from tests.dashboard.conftest import DAY
from tests.factories import PartnerFactory

NEXT_DAY = DAY + datetime.timedelta(days=1)
TWO_DAYS = DashboardFilters(DAY, NEXT_DAY)


def rows_by_label(table):
    return {row["label"]: row for row in table.rows}


def test_operations_by_day_match_the_hand_count_and_show_the_empty_day(ops_day):
    # when
    table = selectors.operations_by_day(TWO_DAYS)
    # then
    rows = rows_by_label(table)
    day = rows[DAY.isoformat()]
    assert [day[k] for k in ["manifested", "handed_off", "delivered", "attempted"]] == [6, 5, 3, 2]
    assert [day[k] for k in ["returned", "missing", "damaged"]] == [0, 1, 1]
    assert day["first_attempt_rate"] == Decimal("50.0")  # p1, p6 of p1, p2, p3, p6
    assert day["completion_rate"] == Decimal("75.0")  # 3 delivered of 4 received whole
    assert day["meets_target"] == "no"
    assert day["fast_scan_rate"] == Decimal("80.0")  # p1, p3, p5, p6 of 5 scanned in
    empty = rows[NEXT_DAY.isoformat()]
    assert empty["manifested"] == 0
    assert empty["completion_rate"] is None and empty["meets_target"] == ""
    assert rows["All"]["manifested"] == 6


def test_operations_by_market_and_by_dsp(ops_day):
    # when
    markets = rows_by_label(selectors.operations_by_market(TWO_DAYS))
    dsps = rows_by_label(selectors.operations_by_dsp(TWO_DAYS))
    # then
    assert markets["Back Bay"]["manifested"] == 5
    assert markets["Back Bay"]["completion_rate"] == Decimal("66.7")
    assert markets["Back Bay"]["first_attempt_rate"] == Decimal("33.3")
    assert markets["Back Bay"]["fast_scan_rate"] == Decimal("75.0")
    assert markets["Outside markets"]["completion_rate"] == Decimal("100.0")
    assert markets["Outside markets"]["meets_target"] == "yes"
    assert dsps["Alpha"]["damaged"] == 1 and dsps["Beta"]["delivered"] == 1
    assert dsps["All"]["delivered"] == 3


def test_filters_by_state_and_market(ops_day, boston):
    # when
    california = selectors.operations_by_day(DashboardFilters(DAY, DAY, state="CA"))
    boston_only = selectors.operations_by_day(DashboardFilters(DAY, DAY, market_id=boston.pk))
    # then
    assert rows_by_label(california)["All"]["manifested"] == 1
    assert rows_by_label(boston_only)["All"]["manifested"] == 5


def test_scorecards_count_on_time_in_each_partners_time_zone(ops_day):
    # when
    table = selectors.partner_scorecards(TWO_DAYS)
    # then
    rows = {row["partner"]: row for row in table.rows}
    blooms, coffee = rows["Back Bay Blooms"], rows["Hoboken Coffee"]
    assert (blooms["volume"], blooms["delivered"]) == (5, 2)
    assert blooms["success_rate"] == Decimal("66.7")  # 2 delivered of the 3 that reached it
    assert blooms["on_time_rate"] == Decimal("50.0")  # p2 came two days late
    assert blooms["discrepancies"] == 2  # one missing, one damaged
    assert blooms["days_active"] == 1
    assert blooms["trend"] == "0 · 0 · 0 · 2"
    assert blooms["market"] == "Back Bay"
    # delivered 06:00 UTC the next day is still the service date in Los Angeles
    assert coffee["on_time_rate"] == Decimal("100.0")
    assert coffee["discrepancies"] == 0


def test_scorecards_list_active_partners_without_packages_as_zeros(ops_day):
    # when
    table = selectors.partner_scorecards(DashboardFilters(NEXT_DAY, NEXT_DAY))
    # then
    rows = {row["partner"]: row for row in table.rows}
    assert rows["Back Bay Blooms"]["volume"] == 0
    assert rows["Back Bay Blooms"]["success_rate"] is None


def test_recruiting_funnel_per_state_and_market(funnel):
    # when
    table = selectors.recruiting_funnel(DashboardFilters(DAY, DAY))
    # then
    rows = {(row["state"], row["market"]): row for row in table.rows}
    boston = rows[("MA", "Back Bay")]
    assert boston["applications"] == 3
    assert (boston["approved"], boston["rejected"], boston["submitted"]) == (1, 1, 1)
    assert boston["approval_rate"] == Decimal("50.0")
    assert boston["median_review_days"] == 3.0  # 2 and 4 days
    assert (boston["active_partners"], boston["target"]) == (1, 3)
    assert boston["target_rate"] == Decimal("33.3")
    assert rows[("MA", "Outside markets")]["leads"] == 2
    assert rows[("CA", "Outside markets")]["active_partners"] == 1


def test_recruiting_funnel_is_empty_outside_the_range(funnel):
    # when
    table = selectors.recruiting_funnel(DashboardFilters(NEXT_DAY, NEXT_DAY))
    # then
    rows = {(row["state"], row["market"]): row for row in table.rows}
    assert rows[("MA", "Back Bay")]["applications"] == 0
    assert rows[("MA", "Back Bay")]["median_review_days"] is None


def test_partners_by_status_and_their_map_pins(ops_day):
    # given one paused partner more
    PartnerFactory(status=PartnerStatus.PAUSED, trade_name="Resting Shop", state="CA")
    # when
    table = selectors.partners_by_status(DashboardFilters(DAY, DAY))
    pins = selectors.partner_map_points(DashboardFilters(DAY, DAY, state="CA"))
    # then
    counts = {row["status"]: row["partners"] for row in table.rows}
    assert counts == {"Onboarding": 0, "Active": 2, "Paused": 1, "Offboarded": 0}
    assert sorted((p["name"], p["status"]) for p in pins["points"]) == [
        ("Hoboken Coffee", "Active"),
        ("Resting Shop", "Paused"),
    ]
    assert {p["colour"] for p in pins["points"]} == {"#1f6f43", "#b35c00"}
