"""Pay reads: a market's rate history, a statement's lines and adjustments, a week's payout."""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from dashboard.models import MarketRate, StatementAdjustment, WeeklyStatement
from dashboard.pay import DEFAULT_RATE_PER_PACKAGE, RateHistory, partner_market, rate_on
from dashboard.tables import Column, Table
from hubdelivery.lib.dates import local_date
from partners.models import Market, Partner


def rate_history(*, market_ids: Iterable[int], until: datetime.date) -> RateHistory:
    """Each market's rates effective on or before `until`, newest first (one query)."""
    history: RateHistory = {}
    rates = MarketRate.objects.filter(market_id__in=set(market_ids), effective_from__lte=until)
    for market_id, day, rate in rates.order_by("market_id", "-effective_from", "-pk").values_list(
        "market_id", "effective_from", "rate_per_package"
    ):
        history.setdefault(market_id, []).append((day, rate))
    return history


def partner_rate(partner: Partner, day: datetime.date | None = None) -> Decimal:
    """The partner's rate in force on `day` (default: the partner's today)."""
    day = day or local_date(tz_name=partner.time_zone)
    market = partner_market(partner)
    if market is None:
        return DEFAULT_RATE_PER_PACKAGE
    return rate_on(market=market, history=rate_history(market_ids=[market.pk], until=day), day=day)


def market_get(*, market_id: int) -> Market:
    return get_object_or_404(Market, pk=market_id)


def market_rates(*, market: Market) -> QuerySet[MarketRate]:
    return MarketRate.objects.filter(market=market).select_related("set_by")


def statement_get_for_ops(*, statement_id: int) -> WeeklyStatement:
    return get_object_or_404(
        WeeklyStatement.objects.select_related("partner", "paid_by"), pk=statement_id
    )


def statement_adjustments(*, statement: WeeklyStatement) -> QuerySet[StatementAdjustment]:
    return statement.adjustments.select_related("created_by")


STATEMENT_DETAIL_COLUMNS = [
    Column("item", _("Item")),
    Column("day", _("Date")),
    Column("rate", _("Rate per package (USD)"), "int"),
    Column("amount", _("Amount (USD)"), "int"),
    Column("note", _("Note")),
]


def statement_detail_table(*, statement: WeeklyStatement) -> Table:
    """One row per delivered package at the rate it was priced, one per adjustment, and the
    total (two queries): the statement page and its CSV."""
    rows = [
        {
            "item": line.tracking_id,
            "day": line.service_date,
            "rate": line.rate,
            "amount": line.amount,
            "note": "",
        }
        for line in statement.lines.all()
    ]
    zone = statement.partner.time_zone
    rows += [
        {
            "item": _("Credit") if adjustment.amount > 0 else _("Debit"),
            "day": local_date(tz_name=zone, at=adjustment.created),
            "rate": None,
            "amount": adjustment.amount,
            "note": adjustment.reason,
        }
        for adjustment in statement.adjustments.all()
    ]
    rows.append(
        {
            "item": _("Total"),
            "day": None,
            "rate": None,
            "amount": statement.total,
            "note": _("Paid, reference %(reference)s") % {"reference": statement.paid_reference}
            if statement.is_paid
            else "",
        }
    )
    return Table("statement", _("Statement lines"), STATEMENT_DETAIL_COLUMNS, rows)


PAYOUT_COLUMNS = [
    Column("partner_id", _("Partner id"), "int"),
    Column("partner", _("Partner")),
    Column("week_start", _("Week from")),
    Column("delivered", _("Deliveries"), "int"),
    Column("amount", _("Amount (USD)"), "int"),
    Column("adjustments", _("Adjustments (USD)"), "int"),
    Column("total", _("Total (USD)"), "int"),
    Column("paid_reference", _("Payment reference")),
]


def week_statements(*, week_start: datetime.date) -> QuerySet[WeeklyStatement]:
    return (
        WeeklyStatement.objects.filter(week_start=week_start)
        .select_related("partner")
        .order_by("partner_id")
    )


def payout_table(*, week_start: datetime.date) -> Table:
    """Every partner's pay for the week, keyed by partner (one query whatever the number of
    partners). Bank details live with the payment provider: none are read or written here."""
    rows = [
        {
            "partner_id": s.partner_id,
            "partner": s.partner.trade_name,
            "week_start": s.week_start,
            "delivered": s.delivered,
            "amount": s.amount,
            "adjustments": s.adjustments_total,
            "total": s.total,
            "paid_reference": s.paid_reference,
            "statement_id": s.pk,
        }
        for s in week_statements(week_start=week_start)
    ]
    return Table("payout", _("Payout"), PAYOUT_COLUMNS, rows)
