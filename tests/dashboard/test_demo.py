import datetime
from decimal import Decimal

from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from dashboard import selectors
from dashboard.models import (
    DailyFacts,
    MarketRate,
    StatementAdjustment,
    StatementLine,
    WeeklyStatement,
)
from dashboard.selectors import DashboardFilters
from dashboard.selectors.audit import FAMILIES
from hubdelivery.lib.dates import local_date
from partners.models import NetworkEvent, Partner
from tests.conftest import client_for


def test_seed_demo_gives_every_chart_and_scorecard_real_numbers(db, settings):
    # given
    settings.DEBUG = True
    # when
    call_command("seed_demo", verbosity=0)
    # then the daily facts are rolled up (the page reads them) ...
    assert DailyFacts.objects.filter(partner__trade_name="Midnight Sun Florist", delivered__gt=0)
    # ... four weeks of deliveries for both florists, in their own time zones
    today = local_date(tz_name="America/New_York")
    filters = DashboardFilters(today - datetime.timedelta(days=27), today)
    days = selectors.operations_by_day(filters).rows
    assert sum(1 for row in days[:-1] if row["delivered"]) >= 27
    total = days[-1]
    assert total["completion_rate"] is not None and total["first_attempt_rate"] is not None
    assert total["fast_scan_rate"] is not None
    cards = {row["partner"]: row for row in selectors.partner_scorecards(filters).rows}
    for name in ["Back Bay Blooms", "Midnight Sun Florist"]:
        assert all(cards[name]["trend_weeks"]), cards[name]["trend"]
        assert cards[name]["on_time_rate"] is not None
    assert selectors.recruiting_funnel(filters).rows
    assert selectors.capacity_findings_latest(filters)
    weeks = set(WeeklyStatement.objects.values_list("week_start", flat=True))
    assert len(weeks) == 4
    assert WeeklyStatement.objects.filter(partner__trade_name="Back Bay Blooms", delivered__gt=0)


def test_seed_demo_shows_a_rate_change_an_adjustment_and_a_paid_week(db, settings):
    # given
    settings.DEBUG = True
    # when seeded twice
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)
    # then
    today = local_date(tz_name="America/New_York")
    rates = MarketRate.objects.filter(market__name="Boston")
    assert rates.count() == 1 and rates.get().effective_from > today
    assert rates.get().effective_from.weekday() == 0
    statements = WeeklyStatement.objects.filter(partner__trade_name="Back Bay Blooms")
    assert StatementAdjustment.objects.filter(statement__in=statements).count() == 1
    assert statements.filter(paid_at__isnull=False).count() == 1


def test_seed_demo_shows_rows_of_every_audit_family_on_the_audit_page(db, settings):
    """The demo families test: an ops reviewer filtering the page by each family sees a row."""
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)  # twice: the same rows
    client = client_for(User.objects.get(email="reviewer@demo.hub"))
    empty = [
        key
        for key in FAMILIES
        if not client.get(reverse("dashboard:ops-audit"), {"kind": key}).context["rows"]
    ]
    assert empty == []
    # Hoboken widened, Colorado added and taken out, three markets opened: once each
    assert NetworkEvent.objects.count() == 6


def test_every_demo_partner_works_in_a_market_whose_rate_prices_its_statements(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)  # twice: no second application, market or rate
    # then each demo partner came from an approved application in the market around its shop
    partners = Partner.objects.filter(owner__email__endswith="@demo.hub")
    markets = dict(partners.values_list("trade_name", "application__market__name"))
    assert None not in markets.values()
    assert (
        markets
        | {
            "Back Bay Blooms": "Boston",
            "Mission Street Coffee": "San Francisco",
            "Lakeview Bodega": "Chicago",
            "Old Town Salon": "Seattle",
            "Midnight Sun Florist": "Anchorage",
        }
        == markets
    )
    assert MarketRate.objects.filter(market__name="Anchorage").count() == 1
    # ... and Anchorage's $3.00 prices Midnight Sun's statements, on the owner's pages too
    statements = WeeklyStatement.objects.filter(partner__trade_name="Midnight Sun Florist")
    assert set(statements.values_list("rate_per_package", flat=True)) == {Decimal("3.00")}
    assert set(
        StatementLine.objects.filter(statement__in=statements).values_list("rate", flat=True)
    ) == {Decimal("3.00")}
    owner = client_for(User.objects.get(email="owner-alaska@demo.hub"))
    page = owner.get(reverse("dashboard:partner-earnings")).content.decode()
    assert "earns $3.00 per delivered package" in page
    boston = client_for(User.objects.get(email="owner@demo.hub"))
    assert (
        "earns $2.50 per delivered package"
        in boston.get(reverse("dashboard:partner-earnings")).content.decode()
    )
