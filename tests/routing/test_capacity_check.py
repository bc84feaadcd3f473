import datetime
import json

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from packages.models import PackageStatus
from partners.models import Closure, HolidayDay, HolidayKind, PartnerStatus
from partners.services.holidays import federal_holidays_seed
from routing import selectors
from routing.models import CapacityFinding, CapacityReport
from routing.services import capacity_check_run, capacity_checks_due
from routing.services.capacity import target_service_date
from tests.factories import MarketFactory, PartnerApplicationFactory, PartnerFactory
from tests.routing.conftest import open_handoff, packages_for

NY = "America/New_York"
ANCHORAGE = "America/Anchorage"
DATE = datetime.date(2026, 12, 2)  # a Wednesday, no holiday
NOW = datetime.datetime(2026, 12, 2, 1, 30, tzinfo=datetime.UTC)  # Dec 1 evening in New York


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW):
        yield


def boston(**fields):
    activated = datetime.datetime(2026, 10, 1, tzinfo=datetime.UTC)
    return PartnerFactory(activated_at=activated, **fields)


def findings_by_kind(report: CapacityReport) -> dict[str, list[CapacityFinding]]:
    result: dict[str, list[CapacityFinding]] = {}
    for finding in report.findings.select_related("partner"):
        result.setdefault(finding.kind, []).append(finding)
    return result


def test_over_capacity_names_a_neighbour_with_room(db):
    # given a partner with 34 packages for capacity 30 and a neighbour a few blocks away
    busy = boston(trade_name="Busy Florist")
    helper = boston(trade_name="Helpful Cafe", latitude=42.3440, longitude=-71.0700)
    packages_for(busy, DATE, 30, zip_code="02116")
    packages_for(busy, DATE, 4, zip_code="02118")
    packages_for(helper, DATE, 20)
    # when
    report = capacity_check_run(service_date=DATE, time_zone=NY)
    # then
    [finding] = findings_by_kind(report)["over_daily_capacity"]
    assert finding.partner == busy
    assert finding.neighbour == helper
    assert finding.zip_codes == ["02118"]
    assert finding.suggested_action.startswith("Move 4 packages (ZIP 02118) to Helpful Cafe")
    assert (report.partners_checked, report.packages_assigned) == (2, 54)


def test_each_kind_of_finding_from_real_rows(db):
    # given
    closed = boston(trade_name="Closed Shop")
    Closure.objects.create(partner=closed, start_date=DATE, end_date=DATE, reason="Inventory")
    packages_for(closed, DATE, 5)
    storage = boston(
        trade_name="Small Storage", storage_capacity=10, latitude=40.0, longitude=-75.0
    )
    packages_for(storage, DATE, 8)
    packages_for(storage, DATE - datetime.timedelta(days=1), 4, status=PackageStatus.RECEIVED)
    stale = boston(trade_name="Stale Keeper", latitude=41.0, longitude=-73.0)
    packages_for(stale, DATE - datetime.timedelta(days=3), 2, status=PackageStatus.RECEIVED)
    open_handoff(stale, DATE - datetime.timedelta(days=1))
    weak = boston(trade_name="Weak Deliverer", latitude=41.5, longitude=-73.5)
    for offset in range(1, 11):
        day = DATE - datetime.timedelta(days=offset)
        packages_for(weak, day, 3, status=PackageStatus.DELIVERED)
        packages_for(weak, day, 1, status=PackageStatus.RETURN_PENDING)
    # when
    report = capacity_check_run(service_date=DATE, time_zone=NY)
    # then
    found = {
        kind: sorted(f.partner.trade_name for f in rows)
        for kind, rows in findings_by_kind(report).items()
    }
    assert found["closed"] == ["Closed Shop"]
    assert found["over_storage"] == ["Small Storage"]
    assert found["stale_packages"] == ["Stale Keeper"]
    assert found["handoff_not_closed"] == ["Stale Keeper"]
    assert found["low_success"] == ["Weak Deliverer"]
    assert "Weak Deliverer" in found["under_used"]


def test_major_holiday_flags_packages_on_thanksgiving(db):
    thanksgiving = datetime.date(2026, 11, 26)
    federal_holidays_seed(year=2026)
    partner = boston()
    packages_for(partner, thanksgiving, 12)
    report = capacity_check_run(service_date=thanksgiving, time_zone=NY)
    assert report.holiday_name == "Thanksgiving Day"
    [finding] = findings_by_kind(report)["holiday"]
    assert finding.packages == 12


def test_rerun_replaces_the_report_and_never_duplicates(db, django_capture_on_commit_callbacks):
    partner = boston()
    packages_for(partner, DATE, 40)
    with django_capture_on_commit_callbacks(execute=True):
        first = capacity_check_run(service_date=DATE, time_zone=NY)
        second = capacity_check_run(service_date=DATE, time_zone=NY)
    assert first.pk == second.pk
    assert CapacityReport.objects.count() == 1
    assert CapacityFinding.objects.filter(kind="over_daily_capacity").count() == 1
    assert len(mail.outbox) == 2  # one per run that was asked for


def test_guard_run_skips_a_night_that_already_finished(db, django_capture_on_commit_callbacks):
    packages_for(boston(), DATE, 40)
    with django_capture_on_commit_callbacks(execute=True):
        capacity_check_run(service_date=DATE, time_zone=NY)
        capacity_check_run(service_date=DATE, time_zone=NY, force=False)
    assert len(mail.outbox) == 1


def test_paused_and_offboarded_partners(db):
    paused = boston(status=PartnerStatus.PAUSED)
    boston(status=PartnerStatus.OFFBOARDED)
    packages_for(paused, DATE, 3)
    report = capacity_check_run(service_date=DATE, time_zone=NY)
    assert report.partners_checked == 1
    assert [f.partner for f in findings_by_kind(report)["closed"]] == [paused]


@pytest.mark.parametrize("partners", [10, 100])
def test_check_query_count_does_not_grow(db, django_assert_max_num_queries, partners):
    # (partners newly active, so only the overflow findings: SQLite splits a bulk insert
    # every ~120 rows, PostgreSQL never)
    for n in range(partners):
        partner = PartnerFactory(latitude=42.3 + n * 0.001, activated_at=None)
        packages_for(partner, DATE, 35 if n % 3 == 0 else 10)
    # the check's savepoint, report get-or-create (4 with its savepoint) + lock, four fact
    # queries (partners, package counts with the date's ZIPs, handoffs, closures), the holiday
    # calendar (nationwide and per partner: one read each), delete and insert findings, save
    # the report, the ops email row, release: 17 whatever the number of partners
    with django_assert_max_num_queries(17):
        report = capacity_check_run(service_date=DATE, time_zone=NY)
    assert report.partners_checked == partners


def test_partner_days_count_the_dates_packages_per_zip_and_every_window_fact(db):
    # given a partner with the date's packages in two ZIPs, history in a third, and
    # packages still held from two days ago in the first
    partner = boston()
    packages_for(partner, DATE, 4, zip_code="02116")
    packages_for(partner, DATE, 2, zip_code="02118")
    packages_for(partner, DATE - datetime.timedelta(days=3), 5, zip_code="02115",
                 status=PackageStatus.DELIVERED)  # fmt: skip
    packages_for(partner, DATE - datetime.timedelta(days=2), 3, zip_code="02116",
                 status=PackageStatus.RECEIVED)  # fmt: skip
    # when
    [day] = selectors.partner_days_for_check(service_date=DATE, time_zone=NY, history_days=14)
    # then the ZIPs are the date's only, and each count adds up over the partner's rows
    assert day.zip_counts == {"02116": 4, "02118": 2}
    assert (day.assigned, day.held_before, day.stale) == (6, 3, 3)
    assert (day.history_volume, day.history_handled, day.history_delivered) == (8, 8, 5)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner statistics")
def test_the_fact_query_sizes_its_grouping_from_the_partner_zip_statistics(db):
    # given 30 partners, each with the date's packages and history in one of 15 ZIPs
    for n in range(30):
        partner = boston(latitude=42.3 + n * 0.001)
        packages_for(partner, DATE, 40, zip_code=f"021{n % 15:02d}")
        packages_for(partner, DATE - datetime.timedelta(days=2), 30, zip_code=f"021{n % 15:02d}",
                     status=PackageStatus.DELIVERED)  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE partners_partner, packages_package")
    # when PostgreSQL plans the check's grouped scan
    rows = selectors.package_counts_by_partner_zip(time_zone=NY, service_date=DATE, history_days=14)
    [plan] = json.loads(rows.explain(format="json"))
    # then it expects about the 30 groups there are; without the statistics it multiplies
    # 30 partners by 15 ZIPs (capped at a tenth of the 2,100 rows), and a guess that far
    # off made it sort on disk instead of hashing at 30,000 partners
    assert len(rows) == 30
    assert plan["Plan"]["Plan Rows"] <= 60


def test_alaska_and_new_york_get_their_own_next_service_date(db):
    # at 04:30 UTC on Dec 2: 23:30 Dec 1 in New York, 19:30 Dec 1 in Anchorage
    at = datetime.datetime(2026, 12, 2, 4, 30, tzinfo=datetime.UTC)
    assert target_service_date(now=at, time_zone=NY) == datetime.date(2026, 12, 2)
    assert target_service_date(now=at, time_zone=ANCHORAGE) == datetime.date(2026, 12, 1)
    # an hour and a half later Anchorage's evening has started too
    later = at + datetime.timedelta(hours=1, minutes=30)
    assert target_service_date(now=later, time_zone=ANCHORAGE) == datetime.date(2026, 12, 2)


def test_guard_runs_each_time_zone_once_per_local_date(db):
    boston()
    PartnerFactory(time_zone=ANCHORAGE, state="AK", zip_code="99501")
    at = datetime.datetime(2026, 12, 2, 5, 30, tzinfo=datetime.UTC)
    due = capacity_checks_due(now=at)
    assert due == [(datetime.date(2026, 12, 2), ANCHORAGE), (datetime.date(2026, 12, 2), NY)]
    for service_date, zone in due:
        capacity_check_run(service_date=service_date, time_zone=zone)
    assert capacity_checks_due(now=at) == []
    assert capacity_checks_due(now=at + datetime.timedelta(hours=3)) == []


def test_a_missed_night_is_caught_up_next_morning(db):
    boston()
    # 09:00 in New York on Dec 2 and no report for Dec 2: the guard runs it now
    at = datetime.datetime(2026, 12, 2, 14, 0, tzinfo=datetime.UTC)
    assert capacity_checks_due(now=at) == [(datetime.date(2026, 12, 2), NY)]


def test_management_command_runs_every_time_zone(db, capsys):
    boston()
    PartnerFactory(time_zone=ANCHORAGE, state="AK", zip_code="99501")
    call_command("capacity_check", "--date", "2026-12-02")
    assert CapacityReport.objects.filter(service_date=DATE).count() == 2
    assert "America/Anchorage: 1 partners" in capsys.readouterr().out


def test_management_command_rejects_a_bad_date(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("capacity_check", "--date", "12/02/2026")


def test_ops_capacity_pages(client, reviewer, django_assert_max_num_queries):
    packages_for(boston(trade_name="Busy Florist"), DATE, 40)
    report = capacity_check_run(service_date=DATE, time_zone=NY)
    client.force_login(reviewer)
    with django_assert_max_num_queries(8):
        html = client.get(reverse("routing:ops-capacity")).content.decode()
    assert "Busy Florist" in html
    assert "More packages than the daily capacity" in html
    detail = client.get(reverse("routing:ops-capacity-report", args=[report.pk]))
    assert "Keep 10 packages with the DSP." in detail.content.decode()


@pytest.mark.parametrize("persona", ["partner_owner", "dsp_driver", "applicant"])
def test_capacity_pages_are_ops_only(client, request, persona, db):
    report = CapacityReport.objects.create(service_date=DATE, time_zone=NY, started_at=NOW)
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("routing:ops-capacity")).status_code == 403
    assert client.get(reverse("routing:ops-capacity-report", args=[report.pk])).status_code == 403


def test_copy_text_format_escapes_what_copy_would_misread():
    from routing.services.capacity import copy_value

    assert copy_value(None) == "\\N"
    assert copy_value('a\tb\\c\nd "e"') == 'a\\tb\\\\c\\nd "e"'


def test_findings_with_odd_characters_round_trip(db):
    partner = boston(trade_name="Tab\tand \\ backslash\nShop")
    packages_for(partner, DATE, 35)
    report = capacity_check_run(service_date=DATE, time_zone=NY)
    [finding] = findings_by_kind(report)["over_daily_capacity"]
    assert finding.zip_codes == ["02116"]
    assert finding.message == "35 packages assigned, daily capacity 30."


def test_a_deleted_report_takes_its_findings_with_it(db):
    # (the findings' keys have no database constraint: Django's on_delete keeps them tidy)
    for n in range(3):
        packages_for(PartnerFactory(latitude=42.3 + n * 0.001, activated_at=None), DATE, 35)
    report = capacity_check_run(service_date=DATE, time_zone=NY)
    assert CapacityFinding.objects.filter(report=report).exists()
    report.delete()
    assert not CapacityFinding.objects.exists()


def test_a_market_day_of_the_calendar_closes_the_markets_partners(db):
    # given an outage in the market the partner was approved in
    partner = boston()
    market = MarketFactory(state="MA")
    PartnerApplicationFactory(partner=partner, market=market, status="approved")
    HolidayDay.objects.create(date=DATE, name="Outage", kind=HolidayKind.AD_HOC, market=market)
    packages_for(partner, DATE, 5)
    # when
    report = capacity_check_run(service_date=DATE, time_zone=NY)
    # then the partner is closed that day, and it is not a nationwide holiday
    assert "closed" in findings_by_kind(report)
    assert report.is_holiday is False
