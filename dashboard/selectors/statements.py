"""The partner's own numbers and weekly statements."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    Q,
    QuerySet,
)
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import User
from dashboard.models import WeeklyStatement
from dashboard.pay import amount_earned, week_monday
from dashboard.selectors.pay import partner_rate
from dashboard.tables import Column, Table
from hubdelivery.lib.dates import local_date
from packages.models import (
    Package,
    PackageStatus,
)
from partners.models import (
    Partner,
)


@dataclass(frozen=True)
class PartnerNumbers:
    today: datetime.date
    week_start: datetime.date
    today_packages: int
    today_delivered: int
    today_attempted: int
    week_packages: int
    week_delivered: int
    rate_per_package: Decimal
    week_earned: Decimal


def partner_numbers(*, partner: Partner, at: datetime.datetime | None = None) -> PartnerNumbers:
    """Today's and this week's (Monday to today) figures in the partner's time zone, one query
    for the counts (plus the market's rate, usually already loaded)."""
    today = local_date(tz_name=partner.time_zone, at=at)
    monday = week_monday(today)
    delivered, attempted = Q(status=PackageStatus.DELIVERED), Q(status=PackageStatus.ATTEMPTED)
    is_today = Q(service_date=today)
    counts = Package.objects.filter(partner=partner, service_date__range=(monday, today)).aggregate(
        today_packages=Count("pk", filter=is_today),
        today_delivered=Count("pk", filter=is_today & delivered),
        today_attempted=Count("pk", filter=is_today & attempted),
        week_packages=Count("pk"),
        week_delivered=Count("pk", filter=delivered),
    )
    rate = partner_rate(partner, today)
    return PartnerNumbers(
        today=today,
        week_start=monday,
        rate_per_package=rate,
        week_earned=amount_earned(rate=rate, delivered=counts["week_delivered"]),
        **counts,
    )


def statements_for_partner(*, partner: Partner) -> QuerySet[WeeklyStatement]:
    return WeeklyStatement.objects.filter(partner=partner).order_by("-week_start")


def statement_get_for_owner(*, user: User, statement_id: int) -> WeeklyStatement:
    """The statement if `user` owns its partner; 404 otherwise (staff are stopped earlier)."""
    return get_object_or_404(
        WeeklyStatement.objects.select_related("partner"),
        pk=statement_id,
        partner__owner=user,
    )


STATEMENT_COLUMNS = [
    Column("partner", _("Partner")),
    Column("partner_id", _("Partner id"), "int"),
    Column("week_start", _("Week from")),
    Column("week_end", _("Week to")),
    Column("packages", _("Packages"), "int"),
    Column("delivered", pgettext_lazy("package count", "Delivered"), "int"),
    Column("rate_per_package", _("Rate per package (USD)"), "int"),
    Column("amount", _("Amount (USD)"), "int"),
    Column("adjustment_count", _("Adjustments"), "int"),
    Column("adjustments_total", _("Adjustments (USD)"), "int"),
    Column("total", _("Total (USD)"), "int"),
]


def statements_table(statements: QuerySet[WeeklyStatement]) -> Table:
    """Statement rows for the page and the CSV (kind "int" only right-aligns the money), with
    each week's adjustments counted in the same query."""
    statements = statements.annotate(adjustment_count=Count("adjustments"))
    rows = [
        {
            "partner": s.partner.trade_name,
            "partner_id": s.partner_id,
            "week_start": s.week_start,
            "week_end": s.week_end,
            "packages": s.packages,
            "delivered": s.delivered,
            "rate_per_package": s.rate_per_package,
            "amount": s.amount,
            "adjustment_count": s.adjustment_count,
            "adjustments_total": s.adjustments_total,
            "total": s.total,
        }
        for s in statements
    ]
    return Table("weekly-statements", _("Weekly statements"), STATEMENT_COLUMNS, rows)


def statements_of_week(*, week_start: datetime.date) -> Table:
    statements = (
        WeeklyStatement.objects.filter(week_start=week_start)
        .select_related("partner")
        .order_by("partner__trade_name", "partner_id")
    )
    return statements_table(statements)
