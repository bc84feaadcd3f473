"""Partner scorecards: volume, completion, discrepancies and a weekly trend per partner."""

import datetime
from collections import defaultdict

from django.db.models import (
    Case,
    Count,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dashboard.selectors.common import (
    NO_MARKET,
    TREND_WEEKS,
    DashboardFilters,
)
from dashboard.selectors.facts import facts_in
from dashboard.tables import Column, Table, percent
from packages.models import (
    Handoff,
    HandoffDirection,
)
from partners.models import (
    Partner,
    PartnerStatus,
)

SCORECARD_COLUMNS = [
    Column("partner", _("Partner")),
    Column("state", pgettext_lazy("US state", "State")),
    Column("market", _("Market")),
    Column("volume", _("Volume"), "int"),
    Column("delivered", pgettext_lazy("package count", "Delivered"), "int"),
    Column("success_rate", _("Success rate"), "pct"),
    Column("on_time_rate", _("On time"), "pct"),
    Column("discrepancies", _("Handoff discrepancies"), "int"),
    Column("days_active", _("Days active"), "int"),
    Column("trend", _("Delivered, last 4 weeks")),
]


def partner_scorecards(filters: DashboardFilters) -> Table:
    """One row per active or paused partner, plus any other partner with packages in range.

    Success: delivered over packages that reached the partner, as the capacity check's "low
    delivery success" counts it (packages.selectors.delivery_success_counts). On time:
    delivered on or before the service date in the partner's time zone. Discrepancies:
    missing + damaged + unexpected scans at drop-offs. Days active: service dates with a
    delivery. Trend: deliveries in each of the 4 weeks ending on the range's last day (oldest
    first)."""
    stats = {r["partner_id"]: r for r in _partner_package_stats(filters)}
    discrepancies = _partner_discrepancies(filters)
    trends = _partner_trends(filters)
    partners = _scorecard_partners(filters, set(stats))
    rows = []
    for partner in partners:
        s = stats.get(partner.pk, {})
        delivered = s.get("delivered_sum", 0)
        market = partner.application.market if hasattr(partner, "application") else None
        rows.append(
            {
                "partner_id": partner.pk,
                "partner": partner.trade_name,
                "state": partner.state,
                "market": market.name if market else NO_MARKET,
                "volume": s.get("volume", 0),
                "delivered": delivered,
                "success_rate": percent(
                    s.get("success_delivered_sum", 0), s.get("success_handled_sum", 0)
                ),
                "on_time_rate": percent(s.get("on_time_sum", 0), delivered),
                "discrepancies": discrepancies.get(partner.pk, 0),
                "days_active": s.get("days_active", 0),
                "trend_weeks": trends.get(partner.pk, [0] * TREND_WEEKS),
                "trend": " · ".join(str(n) for n in trends.get(partner.pk, [0] * TREND_WEEKS)),
            }
        )
    return Table("partner-scorecards", _("Partner scorecards"), SCORECARD_COLUMNS, rows)


def _partner_package_stats(filters: DashboardFilters) -> QuerySet:
    return (
        facts_in(filters)
        .filter(partner__isnull=False)
        .values("partner_id")
        .annotate(
            volume=Sum("manifested"),
            delivered_sum=Sum("delivered"),
            success_handled_sum=Sum("success_handled"),
            success_delivered_sum=Sum("success_delivered"),
            on_time_sum=Sum("on_time"),
            days_active=Count("service_date", filter=Q(delivered__gt=0), distinct=True),
        )
    )


def _partner_discrepancies(filters: DashboardFilters) -> dict[int, int]:
    handoffs = Handoff.objects.filter(
        direction=HandoffDirection.DROP_OFF,
        service_date__range=(filters.date_from, filters.date_to),
    )
    if filters.state:
        handoffs = handoffs.filter(partner__state=filters.state)
    if filters.market_id:
        handoffs = handoffs.filter(partner__application__market_id=filters.market_id)
    grouped = (
        handoffs.order_by()
        .values("partner_id")
        .annotate(n=Sum(F("missing") + F("damaged") + F("unexpected")))
    )
    return {r["partner_id"]: r["n"] or 0 for r in grouped}


def _partner_trends(filters: DashboardFilters) -> dict[int, list[int]]:
    first = filters.date_to - datetime.timedelta(days=7 * TREND_WEEKS - 1)
    week = Case(
        *[
            When(
                service_date__gte=first + datetime.timedelta(days=7 * n),
                service_date__lt=first + datetime.timedelta(days=7 * (n + 1)),
                then=Value(n),
            )
            for n in range(TREND_WEEKS)
        ]
    )
    trend_filters = DashboardFilters(first, filters.date_to, filters.state, filters.market_id)
    grouped = (
        facts_in(trend_filters)
        .filter(partner__isnull=False)
        .annotate(week=week)
        .values("partner_id", "week")
        .annotate(n=Sum("delivered"))
    )
    trends: dict[int, list[int]] = defaultdict(lambda: [0] * TREND_WEEKS)
    for r in grouped:
        trends[r["partner_id"]][r["week"]] = r["n"] or 0
    return dict(trends)


def _scorecard_partners(filters: DashboardFilters, with_packages: set[int]) -> QuerySet[Partner]:
    partners = Partner.objects.filter(
        Q(status__in=[PartnerStatus.ACTIVE, PartnerStatus.PAUSED]) | Q(pk__in=with_packages)
    )
    if filters.state:
        partners = partners.filter(state=filters.state)
    if filters.market_id:
        partners = partners.filter(application__market_id=filters.market_id)
    return partners.select_related("application__market").order_by("trade_name", "pk")
