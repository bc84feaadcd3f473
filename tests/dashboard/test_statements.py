import csv
import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from dashboard import selectors
from dashboard.models import WeeklyStatement
from dashboard.services import (
    statement_adjust,
    weekly_statements_compute,
    weekly_statements_compute_due,
)
from dashboard.tasks import weekly_statements_compute_task
from hubdelivery.celery import app
from packages.models import Package, PackageStatus
from partners.models import ApplicationStatus
from tests.conftest import client_for
from tests.factories import (
    ManifestFactory,
    MarketFactory,
    PackageFactory,
    PartnerApplicationFactory,
    PartnerFactory,
)

MONDAY = datetime.date(2026, 11, 16)
UTC = datetime.UTC


def packages(partner, day, status, n=1):
    manifest = ManifestFactory(partner=partner, service_date=day)
    return PackageFactory.create_batch(n, manifest=manifest, status=status)


@pytest.fixture
def week(partner, other_partner):
    """Back Bay Blooms (New York, market rate $3.00): in the week of MONDAY 3 delivered and
    1 attempted; one delivered the Sunday before and one the Monday after (other weeks).
    Hoboken Coffee (Los Angeles, no market: $2.50) delivered 2 in the week before."""
    market = MarketFactory(name="Back Bay", state="MA", rate_per_package=Decimal("3.00"))
    PartnerApplicationFactory(status=ApplicationStatus.APPROVED, partner=partner, market=market)
    other_partner.time_zone = "America/Los_Angeles"
    other_partner.save()
    packages(partner, MONDAY, PackageStatus.DELIVERED, 3)
    packages(partner, MONDAY + datetime.timedelta(days=2), PackageStatus.ATTEMPTED)
    packages(partner, MONDAY - datetime.timedelta(days=1), PackageStatus.DELIVERED)
    packages(partner, MONDAY + datetime.timedelta(days=7), PackageStatus.DELIVERED)
    packages(other_partner, MONDAY - datetime.timedelta(days=3), PackageStatus.DELIVERED, 2)
    return partner


def test_statement_counts_the_monday_to_sunday_week_at_the_market_rate(week):
    # when
    weekly_statements_compute(week_start=MONDAY)
    # then
    statement = WeeklyStatement.objects.get(partner=week, week_start=MONDAY)
    assert statement.week_end == datetime.date(2026, 11, 22)
    assert (statement.packages, statement.delivered) == (4, 3)
    assert statement.rate_per_package == Decimal("3.00")
    assert statement.amount == Decimal("9.00")


def test_rerunning_replaces_the_statement_never_duplicates(week):
    # given
    weekly_statements_compute(week_start=MONDAY)
    Package.objects.filter(partner=week, status=PackageStatus.ATTEMPTED).update(
        status=PackageStatus.DELIVERED
    )
    # when
    weekly_statements_compute(week_start=MONDAY)
    # then
    statements = WeeklyStatement.objects.filter(partner=week, week_start=MONDAY)
    assert statements.count() == 1
    assert statements.get().amount == Decimal("12.00")


def test_an_active_partner_without_packages_gets_a_zero_statement(db):
    # given
    idle = PartnerFactory()
    # when
    weekly_statements_compute(week_start=MONDAY)
    # then
    statement = WeeklyStatement.objects.get(partner=idle)
    assert (statement.delivered, statement.amount) == (0, Decimal("0.00"))
    assert statement.rate_per_package == Decimal("2.50")


def test_a_week_must_start_on_a_monday(db):
    with pytest.raises(ValueError):
        weekly_statements_compute(week_start=MONDAY + datetime.timedelta(days=1))


def test_each_zone_gets_the_week_that_has_ended_there(week, other_partner):
    # given 05:30 UTC on Monday Nov 23: 00:30 Monday in New York, 21:30 Sunday in Los Angeles
    at = datetime.datetime(2026, 11, 23, 5, 30, tzinfo=UTC)
    # when
    done = weekly_statements_compute_due(at=at)
    # then
    assert done == {"America/Los_Angeles": "2026-11-09", "America/New_York": "2026-11-16"}
    coffee = WeeklyStatement.objects.get(partner=other_partner)
    assert (coffee.week_start, coffee.delivered, coffee.amount) == (
        datetime.date(2026, 11, 9),
        2,
        Decimal("5.00"),
    )


def test_weekly_task_computes_each_zones_week_then_emails_its_owners_once(
    week, other_partner, django_capture_on_commit_callbacks
):
    # given 05:30 UTC on Monday Nov 23: the week has ended in New York, not yet in Los Angeles
    at = datetime.datetime(2026, 11, 23, 5, 30, tzinfo=UTC)
    # when beat's task runs twice (a retry)
    with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
        first = weekly_statements_compute_task()
        second = weekly_statements_compute_task()
    # then each owner got the statement of the week that ended in their zone, once
    assert (
        first == second == {"America/Los_Angeles": "2026-11-09", "America/New_York": "2026-11-16"}
    )
    sent = sorted((m.to[0], m.subject) for m in mail.outbox)
    assert [to for to, _ in sent] == ["other-owner@mail.test", "owner@mail.test"]
    assert "$5.00" in sent[0][1] and "$9.00" in sent[1][1]


def test_partner_numbers_today_and_this_week_in_the_partners_zone(week):
    # given Wednesday Nov 18, 23:00 in New York (04:00 UTC on the 19th)
    at = datetime.datetime(2026, 11, 19, 4, 0, tzinfo=UTC)
    # when
    numbers = selectors.partner_numbers(partner=week, at=at)
    # then
    assert numbers.today == datetime.date(2026, 11, 18)
    assert (numbers.today_packages, numbers.today_attempted) == (1, 1)
    assert (numbers.week_packages, numbers.week_delivered) == (4, 3)
    assert numbers.week_earned == Decimal("9.00")


# ------------------------------------------------------------------------------
# Pages: the owner only
# ------------------------------------------------------------------------------
def statement_urls(statement) -> list[str]:
    return [
        reverse("dashboard:partner-statement", args=[statement.pk]),
        reverse("dashboard:partner-statement-csv", args=[statement.pk]),
    ]


def test_owner_sees_and_downloads_own_statement(week, partner_owner):
    # given
    weekly_statements_compute(week_start=MONDAY)
    statement = WeeklyStatement.objects.get(partner=week)
    client = client_for(partner_owner)
    # when
    page = client.get(reverse("dashboard:partner-earnings"))
    detail = client.get(statement_urls(statement)[0])
    download = client.get(statement_urls(statement)[1])
    # then
    assert page.status_code == 200 and "$9.00" in page.content.decode()
    assert detail.status_code == 200 and "$9.00" in detail.content.decode()
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    tracking_ids = sorted(
        Package.objects.filter(
            partner=week, service_date=MONDAY, status=PackageStatus.DELIVERED
        ).values_list("tracking_id", flat=True)
    )
    assert rows[1:] == [
        *([tracking_id, "2026-11-16", "3.00", "3.00", "—"] for tracking_id in tracking_ids),
        ["Total", "—", "—", "9.00", "—"],
    ]


def test_other_partner_gets_404_and_staff_and_ops_403(week, other_partner, partner_staff, reviewer):
    # given
    weekly_statements_compute(week_start=MONDAY)
    statement = WeeklyStatement.objects.get(partner=week)
    # when / then
    for url in statement_urls(statement):
        assert client_for(other_partner.owner).get(url).status_code == 404
        assert client_for(partner_staff).get(url).status_code == 403
        assert client_for(reviewer).get(url).status_code == 403


def test_partner_home_shows_the_numbers_and_the_earnings_link_to_the_owner(
    week, partner_owner, partner_staff
):
    # when
    owner_page = client_for(partner_owner).get(reverse("partners:partner-home"))
    staff_page = client_for(partner_staff).get(reverse("partners:partner-home"))
    # then
    assert "Your numbers" in owner_page.content.decode()
    assert reverse("dashboard:partner-earnings") in owner_page.content.decode()
    assert "Your numbers" in staff_page.content.decode()
    assert reverse("dashboard:partner-earnings") not in staff_page.content.decode()


def test_ops_export_all_statements_of_a_week(week, other_partner, reviewer, partner_owner):
    # given
    weekly_statements_compute(week_start=MONDAY)
    url = reverse("dashboard:ops-statements-csv")
    # when
    response = client_for(reviewer).get(url, {"week": "2026-11-16"})
    # then
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "Partner"
    assert sorted(row[0] for row in rows[1:]) == ["Back Bay Blooms", "Hoboken Coffee"]
    assert client_for(partner_owner).get(url, {"week": "2026-11-16"}).status_code == 403


def test_ops_export_shows_each_weeks_adjustments_in_constant_queries(
    week, other_partner, reviewer, ops_admin, django_assert_max_num_queries
):
    # given Back Bay Blooms' $9.00 week with a $5.50 credit and a $1.25 debit
    weekly_statements_compute(week_start=MONDAY)
    statement = WeeklyStatement.objects.get(partner=week, week_start=MONDAY)
    statement_adjust(actor=ops_admin, statement=statement, amount=Decimal("5.50"), reason="Rain")
    statement_adjust(actor=ops_admin, statement=statement, amount=Decimal("-1.25"), reason="Fee")
    client, url = client_for(reviewer), reverse("dashboard:ops-statements-csv")
    client.get(url, {"week": MONDAY.isoformat()})  # session warm
    # when ops download the week
    with django_assert_max_num_queries(4) as few:
        response = client.get(url, {"week": MONDAY.isoformat()})
    # then each partner's row carries its adjustments' count and total, and the week's total
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][-3:] == ["Adjustments", "Adjustments (USD)", "Total (USD)"]
    by_partner = {row[0]: row[-3:] for row in rows[1:]}
    assert by_partner == {
        "Back Bay Blooms": ["2", "4.25", "13.25"],
        "Hoboken Coffee": ["0", "0.00", "0.00"],
    }
    # and twenty more partners with adjusted weeks cost no more queries
    for _ in range(20):
        extra = PartnerFactory()
        packages(extra, MONDAY, PackageStatus.DELIVERED)
    for extra in weekly_statements_compute(week_start=MONDAY):
        if extra.partner_id not in (week.pk, other_partner.pk):
            statement_adjust(actor=ops_admin, statement=extra, amount=Decimal("1"), reason="+")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url, {"week": MONDAY.isoformat()})
    assert len(response.content.decode().strip().splitlines()) == 23


def test_ops_export_rejects_a_week_not_starting_on_monday(reviewer):
    # when
    response = client_for(reviewer).get(
        reverse("dashboard:ops-statements-csv"), {"week": "2026-11-17"}, follow=True
    )
    # then
    assert "start on a Monday" in response.content.decode()


@pytest.mark.celery_worker
def test_statement_task_runs_on_a_real_worker(celery_worker_on_redis):
    # given an active partner
    partner = PartnerFactory()
    # when beat's task goes through Redis to the worker, twice
    first = app.send_task("dashboard.tasks.weekly_statements_compute_task").get(timeout=15)
    second = app.send_task("dashboard.tasks.weekly_statements_compute_task").get(timeout=15)
    # then the partner's week is computed once, and the retry replaced it
    assert first == second and partner.time_zone in first
    assert WeeklyStatement.objects.filter(partner=partner).count() == 1


def test_the_statement_names_the_calendar_days_of_its_week(week, partner_owner):
    from partners.models import HolidayDay, HolidayKind

    weekly_statements_compute(week_start=MONDAY)
    statement = WeeklyStatement.objects.get(partner=week)
    HolidayDay.objects.create(
        date=MONDAY + datetime.timedelta(days=2), name="Ice storm", kind=HolidayKind.AD_HOC,
        state=week.state,
    )  # fmt: skip
    HolidayDay.objects.create(
        date=MONDAY + datetime.timedelta(days=3), name="Elsewhere", kind=HolidayKind.AD_HOC,
        state="AK" if week.state != "AK" else "HI",
    )  # fmt: skip
    page = client_for(partner_owner).get(statement_urls(statement)[0]).content.decode()
    assert "Ice storm" in page
    assert "Elsewhere" not in page
