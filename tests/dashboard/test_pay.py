"""Pay: market rates with effective dates, statement lines, adjustments, paid weeks, payout."""

import csv
import datetime
import html
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from dashboard.models import MarketRate, StatementAdjustment, StatementLine, WeeklyStatement
from dashboard.selectors import partner_numbers
from dashboard.services import (
    market_rate_set,
    statement_adjust,
    statement_mark_paid,
    weekly_statements_compute,
)
from hubdelivery.exceptions import InvalidInput, InvalidTransition, NotAllowed
from tests.conftest import client_for
from tests.dashboard.conftest import delivered
from tests.factories import (
    PartnerFactory,
)
from tests.i18n_support import assert_spanish

MONDAY = datetime.date(2026, 11, 16)
NEXT_MONDAY = MONDAY + datetime.timedelta(days=7)
WEDNESDAY = MONDAY + datetime.timedelta(days=2)


@pytest.fixture
def market(back_bay_rate, partner):
    """Back Bay at $3.00; the partner delivers 2 on MONDAY, 1 on WEDNESDAY, 1 next Monday."""
    delivered(partner, MONDAY, 2)
    delivered(partner, WEDNESDAY)
    delivered(partner, NEXT_MONDAY)
    return back_bay_rate


@pytest.fixture
def statement(market, partner):
    weekly_statements_compute(week_start=MONDAY)
    return WeeklyStatement.objects.get(partner=partner, week_start=MONDAY)


# ------------------------------------------------------------------------------
# Rates with effective dates
# ------------------------------------------------------------------------------
def test_a_rate_change_for_next_week_leaves_this_weeks_statement_unchanged(
    statement, market, ops_admin
):
    # when ops set $4.00 from next Monday, and this week is computed again
    market_rate_set(
        actor=ops_admin,
        market=market,
        rate_per_package=Decimal("4.00"),
        effective_from=NEXT_MONDAY,
    )
    weekly_statements_compute(week_start=MONDAY)
    weekly_statements_compute(week_start=NEXT_MONDAY)
    # then this week keeps $3.00 a package; next week is paid $4.00
    statement.refresh_from_db()
    assert (statement.delivered, statement.amount) == (3, Decimal("9.00"))
    assert set(statement.lines.values_list("rate", flat=True)) == {Decimal("3.00")}
    following = WeeklyStatement.objects.get(partner=statement.partner, week_start=NEXT_MONDAY)
    assert following.amount == Decimal("4.00")
    assert list(following.lines.values_list("rate", flat=True)) == [Decimal("4.00")]


def test_each_delivery_is_priced_at_the_rate_in_force_on_its_date(market, partner, ops_admin):
    # given $5.00 from Wednesday, set before any statement of the week
    market_rate_set(
        actor=ops_admin, market=market, rate_per_package=Decimal("5.00"), effective_from=WEDNESDAY
    )
    # when
    weekly_statements_compute(week_start=MONDAY)
    # then Monday's two at $3.00, Wednesday's one at $5.00: one line per package
    statement = WeeklyStatement.objects.get(partner=partner, week_start=MONDAY)
    lines = list(statement.lines.values_list("service_date", "rate", "amount"))
    assert lines == [
        (MONDAY, Decimal("3.00"), Decimal("3.00")),
        (MONDAY, Decimal("3.00"), Decimal("3.00")),
        (WEDNESDAY, Decimal("5.00"), Decimal("5.00")),
    ]
    assert statement.amount == Decimal("11.00")


def test_recomputing_a_week_replaces_its_lines_rather_than_adding(statement):
    # when
    weekly_statements_compute(week_start=MONDAY)
    # then
    assert StatementLine.objects.filter(statement=statement).count() == 3


def test_setting_a_rate_is_audited_with_who_and_the_rate_it_replaces(market, ops_admin):
    # when
    market_rate_set(
        actor=ops_admin, market=market, rate_per_package=Decimal("3.25"), effective_from=MONDAY
    )
    # then
    rate = MarketRate.objects.get(market=market)
    assert (rate.set_by, rate.previous_rate, rate.rate_per_package) == (
        ops_admin,
        Decimal("3.00"),
        Decimal("3.25"),
    )
    assert rate.set_at is not None


def test_a_back_dated_rate_into_a_week_with_statements_is_refused(statement, market, ops_admin):
    # when / then
    with pytest.raises(InvalidInput) as refused:
        market_rate_set(
            actor=ops_admin,
            market=market,
            rate_per_package=Decimal("4.00"),
            effective_from=WEDNESDAY,
        )
    assert refused.value.field == "effective_from"
    assert not MarketRate.objects.exists()


@pytest.mark.parametrize("rate", ["0", "-1", "100.01"])
def test_a_rate_out_of_range_is_refused_naming_the_field(market, ops_admin, rate):
    with pytest.raises(InvalidInput) as refused:
        market_rate_set(
            actor=ops_admin,
            market=market,
            rate_per_package=Decimal(rate),
            effective_from=NEXT_MONDAY,
        )
    assert refused.value.field == "rate_per_package"


def test_only_ops_admins_set_rates(market, reviewer, partner_owner):
    for actor in (reviewer, partner_owner):
        with pytest.raises(NotAllowed):
            market_rate_set(
                actor=actor,
                market=market,
                rate_per_package=Decimal("4.00"),
                effective_from=NEXT_MONDAY,
            )
    url = reverse("dashboard:market-rates", args=[market.pk])
    assert client_for(reviewer).get(url).status_code == 403
    assert client_for(partner_owner).get(url).status_code == 403


def test_market_rates_page_sets_a_rate_and_names_the_field_it_refuses(statement, market, ops_admin):
    client = client_for(ops_admin)
    url = reverse("dashboard:market-rates", args=[market.pk])
    # when
    ok = client.post(url, {"rate_per_package": "3.50", "effective_from": "2026-11-23"})
    back_dated = client.post(url, {"rate_per_package": "3.50", "effective_from": "2026-11-18"})
    # then
    assert ok.status_code == 302
    assert client.get(url).status_code == 200
    assert back_dated.status_code == 400
    assert 'id="id_effective_from_error"' in back_dated.content.decode()
    assert MarketRate.objects.count() == 1


def test_partner_numbers_use_the_rate_in_force_today(market, partner, ops_admin):
    market_rate_set(
        actor=ops_admin, market=market, rate_per_package=Decimal("6.00"), effective_from=MONDAY
    )
    at = datetime.datetime(2026, 11, 19, 17, 0, tzinfo=datetime.UTC)
    assert partner_numbers(partner=partner, at=at).rate_per_package == Decimal("6.00")


# ------------------------------------------------------------------------------
# Adjustments and paid weeks
# ------------------------------------------------------------------------------
def test_an_adjustment_changes_the_total_and_is_audited(statement, ops_admin):
    # when
    statement_adjust(
        actor=ops_admin, statement=statement, amount=Decimal("5.50"), reason="Damaged van"
    )
    statement_adjust(actor=ops_admin, statement=statement, amount=Decimal("-2.00"), reason="Fee")
    # then
    statement.refresh_from_db()
    assert statement.adjustments_total == Decimal("3.50")
    assert statement.total == Decimal("12.50")
    rows = list(
        StatementAdjustment.objects.filter(statement=statement).values_list(
            "created_by", "amount", "reason"
        )
    )
    assert rows == [
        (ops_admin.pk, Decimal("5.50"), "Damaged van"),
        (ops_admin.pk, Decimal("-2.00"), "Fee"),
    ]


def test_recomputing_keeps_the_adjustments(statement, ops_admin):
    statement_adjust(actor=ops_admin, statement=statement, amount=Decimal("1.00"), reason="Tip")
    weekly_statements_compute(week_start=MONDAY)
    statement.refresh_from_db()
    assert statement.total == Decimal("10.00")


@pytest.mark.parametrize(
    ("amount", "reason", "field"),
    [("0", "x", "amount"), ("100000.01", "x", "amount"), ("1", "  ", "reason")],
)
def test_a_bad_adjustment_is_refused_naming_the_field(statement, ops_admin, amount, reason, field):
    with pytest.raises(InvalidInput) as refused:
        statement_adjust(
            actor=ops_admin, statement=statement, amount=Decimal(amount), reason=reason
        )
    assert refused.value.field == field
    assert not StatementAdjustment.objects.exists()


def test_only_ops_admins_adjust_and_mark_paid(statement, reviewer, partner_owner):
    for actor in (reviewer, partner_owner):
        with pytest.raises(NotAllowed):
            statement_adjust(actor=actor, statement=statement, amount=Decimal(1), reason="x")
        with pytest.raises(NotAllowed):
            statement_mark_paid(actor=actor, statement=statement, reference="PAY-1")
    for url, data in (
        (reverse("dashboard:ops-statement-adjust", args=[statement.pk]), {"amount": "1"}),
        (reverse("dashboard:ops-statement-paid", args=[statement.pk]), {"reference": "P"}),
    ):
        assert client_for(reviewer).post(url, {**data, "reason": "x"}).status_code == 403
        assert client_for(partner_owner).post(url, {**data, "reason": "x"}).status_code == 403
    assert not StatementAdjustment.objects.exists()


def test_marking_a_week_paid_is_audited_and_freezes_it(statement, ops_admin):
    # when
    statement_mark_paid(actor=ops_admin, statement=statement, reference=" ACH-20261123-7 ")
    # then
    statement.refresh_from_db()
    assert (statement.paid_reference, statement.paid_by) == ("ACH-20261123-7", ops_admin)
    assert statement.paid_at is not None
    with pytest.raises(InvalidTransition, match="paid"):
        statement_adjust(actor=ops_admin, statement=statement, amount=Decimal(1), reason="x")
    with pytest.raises(InvalidTransition):
        statement_mark_paid(actor=ops_admin, statement=statement, reference="again")


def test_a_paid_week_is_not_recomputed(statement, partner, ops_admin):
    statement_mark_paid(actor=ops_admin, statement=statement, reference="ACH-1")
    delivered(partner, MONDAY)
    weekly_statements_compute(week_start=MONDAY)
    statement.refresh_from_db()
    assert (statement.delivered, statement.amount) == (3, Decimal("9.00"))
    assert statement.lines.count() == 3


def test_a_blank_payment_reference_is_refused_naming_the_field(statement, ops_admin):
    with pytest.raises(InvalidInput) as refused:
        statement_mark_paid(actor=ops_admin, statement=statement, reference="  ")
    assert refused.value.field == "reference"


def test_ops_statement_page_adjusts_marks_paid_and_refuses_after(statement, ops_admin):
    client = client_for(ops_admin)
    page = reverse("dashboard:ops-statement", args=[statement.pk])
    adjust = reverse("dashboard:ops-statement-adjust", args=[statement.pk])
    paid = reverse("dashboard:ops-statement-paid", args=[statement.pk])
    # when
    bad = client.post(adjust, {"amount": "0", "reason": "x"})
    assert bad.status_code == 400 and 'id="id_amount_error"' in bad.content.decode()
    assert client.post(adjust, {"amount": "2.00", "reason": "Bonus"}).status_code == 302
    assert client.post(paid, {"reference": "ACH-9"}).status_code == 302
    late = client.post(adjust, {"amount": "1.00", "reason": "Late"})
    # then
    assert late.status_code == 400 and "can no longer change" in late.content.decode()
    body = client.get(page).content.decode()
    assert "Bonus" in body and "ACH-9" in body and "$11.00" in body


def test_owner_sees_lines_adjustments_and_payment_on_the_statement(
    statement, partner_owner, ops_admin
):
    # given
    statement_adjust(
        actor=ops_admin, statement=statement, amount=Decimal("-1.50"), reason="Late return"
    )
    statement_mark_paid(actor=ops_admin, statement=statement, reference="ACH-42")
    client = client_for(partner_owner)
    # when
    page = client.get(reverse("dashboard:partner-statement", args=[statement.pk]))
    download = client.get(reverse("dashboard:partner-statement-csv", args=[statement.pk]))
    # then
    body = page.content.decode()
    assert "Late return" in body and "$7.50" in body and "ACH-42" in body
    assert body.count("2026-11-16") >= 2  # Monday's two lines
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[0] == ["Item", "Date", "Rate per package (USD)", "Amount (USD)", "Note"]
    assert len(rows) == 1 + 3 + 1 + 1
    assert rows[4][0] == "Debit" and rows[4][3:] == ["-1.50", "Late return"]
    assert rows[5] == ["Total", "—", "—", "7.50", "Paid, reference ACH-42"]


def test_another_partners_owner_cannot_open_the_ops_statement(statement, other_partner):
    url = reverse("dashboard:ops-statement", args=[statement.pk])
    assert client_for(other_partner.owner).get(url).status_code == 403


def test_an_unknown_statement_is_404_for_ops(ops_admin, db):
    url = reverse("dashboard:ops-statement", args=[999999])
    assert client_for(ops_admin).get(url).status_code == 404


# ------------------------------------------------------------------------------
# The payout file
# ------------------------------------------------------------------------------
def payout_rows(client, week="2026-11-16"):
    response = client.get(reverse("dashboard:ops-payout-csv"), {"week": week})
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_payout_file_is_keyed_by_partner_and_formula_safe(statement, partner, ops_admin):
    # given
    partner.trade_name = "=HYPERLINK(1)"
    partner.save()
    statement_adjust(actor=ops_admin, statement=statement, amount=Decimal("1"), reason="x")
    statement_mark_paid(actor=ops_admin, statement=statement, reference="+ACH")
    # when
    rows = payout_rows(client_for(ops_admin))
    # then
    assert rows[0] == [
        "Partner id",
        "Partner",
        "Week from",
        "Deliveries",
        "Amount (USD)",
        "Adjustments (USD)",
        "Total (USD)",
        "Payment reference",
    ]
    mine = next(row for row in rows[1:] if row[0] == str(partner.pk))
    assert mine == [
        str(partner.pk),
        "'=HYPERLINK(1)",
        "2026-11-16",
        "3",
        "9.00",
        "1.00",
        "10.00",
        "'+ACH",
    ]


def test_payout_file_has_no_bank_details_column(statement, ops_admin):
    header = " ".join(payout_rows(client_for(ops_admin))[0]).lower()
    assert "bank" not in header and "account" not in header and "routing" not in header


def test_payout_file_and_page_are_ops_admin_only(statement, reviewer, partner_owner):
    for url in (reverse("dashboard:ops-payout-csv"), reverse("dashboard:ops-pay")):
        assert client_for(reviewer).get(url, {"week": "2026-11-16"}).status_code == 403
        assert client_for(partner_owner).get(url, {"week": "2026-11-16"}).status_code == 403


def test_pay_page_refuses_a_week_not_starting_on_monday(ops_admin, db):
    response = client_for(ops_admin).get(reverse("dashboard:ops-pay"), {"week": "2026-11-17"})
    assert response.status_code == 400 and "start on a Monday" in response.content.decode()


def test_payout_file_and_page_run_in_constant_queries(ops_admin, django_assert_max_num_queries, db):
    def partners_with_statements(n):
        for _ in range(n):
            delivered(PartnerFactory(), MONDAY)
        weekly_statements_compute(week_start=MONDAY)

    client = client_for(ops_admin)
    partners_with_statements(2)
    with django_assert_max_num_queries(8) as few:
        payout_rows(client)
        client.get(reverse("dashboard:ops-pay"), {"week": "2026-11-16"})
    partners_with_statements(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        rows = payout_rows(client)
        client.get(reverse("dashboard:ops-pay"), {"week": "2026-11-16"})
    assert len(rows) == 1 + 22


# ------------------------------------------------------------------------------
# Spanish
# ------------------------------------------------------------------------------
def spanish_page(user, url, spanish, data=None) -> str:
    response = client_for(user).get(url, data or {}, **spanish)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_pay_pages_in_spanish(statement, market, ops_admin, partner_owner, spanish):
    owner = spanish_page(
        partner_owner, reverse("dashboard:partner-statement", args=[statement.pk]), spanish
    )
    assert_spanish(owner, spanish="Entregas y ajustes", english="Deliveries and adjustments")
    assert_spanish(owner, spanish="Todavía sin pagar", english="Not paid yet")
    ops = spanish_page(ops_admin, reverse("dashboard:ops-statement", args=[statement.pk]), spanish)
    assert_spanish(ops, spanish="Ajustar la semana", english="Adjust the week")
    assert_spanish(ops, spanish="Referencia de pago", english="Payment reference")
    rates = spanish_page(ops_admin, reverse("dashboard:market-rates", args=[market.pk]), spanish)
    assert_spanish(rates, spanish="Historial de tarifas", english="Rate history")
    pay = spanish_page(
        ops_admin, reverse("dashboard:ops-pay"), spanish, {"week": MONDAY.isoformat()}
    )
    assert_spanish(pay, spanish="Descargar el archivo de pagos", english="Download the payout file")


def test_a_refused_back_dated_rate_is_explained_in_spanish(statement, market, ops_admin, spanish):
    response = client_for(ops_admin).post(
        reverse("dashboard:market-rates", args=[market.pk]),
        {"rate_per_package": "3.50", "effective_from": "2026-11-18"},
        **spanish,
    )
    assert response.status_code == 400
    assert "Ya hay estados de cuenta de la semana" in html.unescape(response.content.decode())
