"""The audit log's holiday and pay families: who, when, what, which object, before and after,
through the same filters, page and CSV as every other family."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from dashboard.selectors.audit import kind_choices
from dashboard.services import (
    market_rate_set,
    statement_adjust,
    statement_mark_paid,
    weekly_statements_compute,
)
from partners.models import HolidayDay, HolidayKind
from partners.services.holidays import federal_holiday_switch_off, holiday_add, holiday_remove
from tests.conftest import client_for
from tests.dashboard.conftest import delivered

URL = reverse("dashboard:ops-audit")
CSV_URL = reverse("dashboard:ops-audit-csv")
MONDAY = datetime.date(2026, 11, 16)
STORM_DAY = datetime.date(2026, 12, 3)


def shown(response) -> list[tuple]:
    return [
        (str(row.kind), row.subject, str(row.before), str(row.after), row.detail)
        for row in response.context["rows"]
    ]


@pytest.fixture
def holidays(ops_admin):
    """A storm day added then removed, and a federal day switched off."""
    storm = holiday_add(
        actor=ops_admin,
        date=STORM_DAY,
        kind=HolidayKind.AD_HOC,
        name="Storm",
        reason="Blizzard",
        state="AK",
    )
    holiday_remove(actor=ops_admin, holiday=storm)
    federal = HolidayDay.objects.create(
        date=datetime.date(2026, 10, 12), name="Columbus Day", kind=HolidayKind.FEDERAL
    )
    federal_holiday_switch_off(actor=ops_admin, holiday=federal, reason="Program delivers")


@pytest.fixture
def pay(ops_admin, partner, back_bay_rate):
    """Back Bay at $3.00, 3 delivered on MONDAY; a new rate, two adjustments, the week paid."""
    delivered(partner, MONDAY, 3)
    statement = weekly_statements_compute(week_start=MONDAY)[0]
    market_rate_set(
        actor=ops_admin,
        market=back_bay_rate,
        rate_per_package=Decimal("3.25"),
        effective_from=MONDAY + datetime.timedelta(days=7),
    )
    statement_adjust(actor=ops_admin, statement=statement, amount=Decimal("5.50"), reason="Rain")
    statement_adjust(actor=ops_admin, statement=statement, amount=Decimal("-1.25"), reason="Fee")
    statement_mark_paid(actor=ops_admin, statement=statement, reference="PAY-77")
    return statement


def test_holiday_changes_show_the_day_before_and_after(holidays, reviewer):
    response = client_for(reviewer).get(URL, {"kind": "holiday"})
    assert shown(response) == [
        (
            "Federal holiday switched off",
            "2026-10-12",
            "No deliveries",
            "Delivery day",
            "Columbus Day switched off: Program delivers",
        ),
        (
            "Holiday removed",
            "2026-12-03",
            "No deliveries",
            "Delivery day",
            "Storm (ad_hoc, AK) removed.",
        ),
        (
            "Holiday added",
            "2026-12-03",
            "Delivery day",
            "No deliveries",
            "Storm (ad_hoc, AK): Blizzard",
        ),
    ]
    assert {row.actor for row in response.context["rows"]} == {"opsadmin@mail.test"}


def test_pay_changes_show_the_amounts_before_and_after(pay, reviewer):
    response = client_for(reviewer).get(URL, {"actor": "opsadmin@"})
    assert shown(response) == [
        (
            "Week marked paid",
            "Back Bay Blooms 2026-11-16",
            "Unpaid",
            "Paid",
            "Payment reference PAY-77",
        ),
        ("Statement adjusted", "Back Bay Blooms 2026-11-16", "$14.50", "$13.25", "Fee"),
        ("Statement adjusted", "Back Bay Blooms 2026-11-16", "$9.00", "$14.50", "Rain"),
        ("Rate set", "Back Bay", "$3.00", "$3.25", "From 2026-11-23"),
    ]


@pytest.mark.parametrize(
    ("query", "kinds"),
    [
        ({"kind": "rate"}, ["Rate set"]),
        ({"kind": "adjustment"}, ["Statement adjusted", "Statement adjusted"]),
        ({"kind": "paid"}, ["Week marked paid"]),
        ({"kind": "holiday:removed"}, ["Holiday removed"]),
        ({"subject": "2026-12-03"}, ["Holiday removed", "Holiday added"]),
        ({"subject": "back bay blooms", "kind": "paid"}, ["Week marked paid"]),
        ({"actor": "reviewer@"}, []),
        ({"date_from": "2999-01-01"}, []),
    ],
)
def test_the_filters_narrow_the_new_families(holidays, pay, reviewer, query, kinds):
    rows = client_for(reviewer).get(URL, query).context["rows"]
    assert [str(row.kind) for row in rows] == kinds


def test_the_kind_filter_offers_each_new_family():
    keys = [key for key, _label in kind_choices()]
    assert {"holiday", "holiday:added", "rate", "adjustment", "paid"} <= set(keys)
    assert "rate:set" not in keys  # a one-kind family is its own option


def test_the_csv_carries_the_new_families(holidays, pay, reviewer):
    response = client_for(reviewer).get(CSV_URL, {"kind": "adjustment"})
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert [row[2:] for row in rows[1:]] == [
        [
            "Statement adjustments",
            "Statement adjusted",
            "Back Bay Blooms 2026-11-16",
            "$14.50",
            "$13.25",
            "Fee",
        ],
        [
            "Statement adjustments",
            "Statement adjusted",
            "Back Bay Blooms 2026-11-16",
            "$9.00",
            "$14.50",
            "Rain",
        ],
    ]


def test_a_page_of_every_family_costs_two_queries_more_or_less_alike(
    holidays, pay, ops_admin, reviewer, django_assert_max_num_queries
):
    client = client_for(reviewer)
    client.get(URL)  # session and caches warm
    with django_assert_max_num_queries(6) as few:
        client.get(URL)
    market = pay.partner.application.market
    for day in range(25):
        holiday_add(
            actor=ops_admin,
            date=STORM_DAY + datetime.timedelta(days=day),
            kind=HolidayKind.AD_HOC,
            name="Storm",
            reason="Blizzard",
            state="AK",
        )
        market_rate_set(
            actor=ops_admin,
            market=market,
            rate_per_package=Decimal("3.50"),
            effective_from=MONDAY + datetime.timedelta(days=14 + day),
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL)
    assert len(response.context["rows"]) == 50
