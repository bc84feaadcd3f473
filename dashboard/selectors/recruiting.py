"""The recruiting funnel: applications by state and market against market targets."""

import statistics
from collections import defaultdict
from typing import Any

from django.db.models import (
    Count,
    Min,
    Q,
    QuerySet,
)
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dashboard.selectors.common import (
    NO_MARKET,
    DashboardFilters,
    local_date_of,
    time_zones_in_use,
)
from dashboard.tables import Column, Table, percent
from partners.models import (
    ApplicationStatus,
    Lead,
    Market,
    Partner,
    PartnerApplication,
    PartnerStatus,
)

FUNNEL_STATUSES = [s for s in ApplicationStatus if s != ApplicationStatus.DRAFT]
DECIDED_STATUSES = [ApplicationStatus.APPROVED, ApplicationStatus.REJECTED]


def _applications_in(filters: DashboardFilters, zones: list[str]) -> QuerySet[PartnerApplication]:
    """Applications submitted in the range, by the date in the applicant's own time zone."""
    applications = (
        PartnerApplication.objects.exclude(status=ApplicationStatus.DRAFT)
        .filter(submitted_at__isnull=False)
        .alias(submitted_on=local_date_of("submitted_at", tz_field="time_zone", zones=zones))
        .filter(submitted_on__range=(filters.date_from, filters.date_to))
    )
    if filters.state:
        applications = applications.filter(state=filters.state)
    if filters.market_id:
        applications = applications.filter(market_id=filters.market_id)
    return applications.order_by()


def _review_days(applications: QuerySet[PartnerApplication]) -> dict[tuple, list[float]]:
    """Days from the first submission to the first decision, from ApplicationEvent rows."""
    timed = (
        applications.filter(status__in=DECIDED_STATUSES)
        .annotate(
            submitted_event=Min(
                "events__created", filter=Q(events__to_status=ApplicationStatus.SUBMITTED)
            ),
            decided_event=Min("events__created", filter=Q(events__to_status__in=DECIDED_STATUSES)),
        )
        .filter(submitted_event__isnull=False, decided_event__isnull=False)
        .values_list("state", "market__name", "submitted_event", "decided_event")
    )
    days: dict[tuple, list[float]] = defaultdict(list)
    for state, market, submitted, decided in timed:
        days[(state, market)].append((decided - submitted).total_seconds() / 86400)
    return days


FUNNEL_COLUMNS = [
    Column("state", pgettext_lazy("US state", "State")),
    Column("market", _("Market")),
    Column("leads", _("Leads"), "int"),
    Column("applications", _("Applications"), "int"),
    *[Column(status.value, status.label, "int") for status in FUNNEL_STATUSES],
    Column("approval_rate", _("Approval rate"), "pct"),
    Column("median_review_days", _("Median review (days)"), "days"),
    Column("active_partners", _("Active partners"), "int"),
    Column("target", _("Target"), "int"),
    Column("target_rate", _("Of target"), "pct"),
]


def recruiting_funnel(filters: DashboardFilters) -> Table:
    """Per state and market. Leads (waitlist sign-ups, created in the range by the UTC date)
    have no market. Active partners and targets are today's, whatever the range."""
    zones = time_zones_in_use()
    applications = _applications_in(filters, zones)
    counts = {f"n_{s.value}": Count("pk", filter=Q(status=s)) for s in FUNNEL_STATUSES}
    by_key: dict[tuple, dict[str, Any]] = defaultdict(dict)
    for r in applications.values("state", "market__name").annotate(total=Count("pk"), **counts):
        by_key[(r["state"], r["market__name"])].update(
            applications=r["total"], **{s.value: r[f"n_{s.value}"] for s in FUNNEL_STATUSES}
        )
    for key, days in _review_days(applications).items():
        by_key[key]["median_review_days"] = statistics.median(days)
    for r in _leads_by_state(filters):
        by_key[(r["state"], None)]["leads"] = r["n"]
    for r in _active_partners(filters):
        by_key[(r["state"], r["application__market__name"])]["active_partners"] = r["n"]
    for market in _markets(filters):
        by_key[(market.state, market.name)]["target"] = market.active_partner_target
    rows = [_funnel_row(key, values) for key, values in by_key.items()]
    rows.sort(key=lambda row: (row["state"], row["market"] == NO_MARKET, row["market"]))
    return Table("recruiting-funnel", _("Recruiting funnel"), FUNNEL_COLUMNS, rows)


def _funnel_row(key: tuple, values: dict[str, Any]) -> dict[str, Any]:
    state, market = key
    row: dict[str, Any] = {c.key: 0 for c in FUNNEL_COLUMNS if c.kind == "int"}
    row.update(values, state=state, market=market or NO_MARKET)
    decided = row[ApplicationStatus.APPROVED] + row[ApplicationStatus.REJECTED]
    row["approval_rate"] = percent(row[ApplicationStatus.APPROVED], decided)
    row["target_rate"] = percent(row["active_partners"], row["target"])
    row.setdefault("median_review_days", None)
    row["place"] = format_lazy("{} · {}", state, row["market"])  # the chart's label
    return row


def _leads_by_state(filters: DashboardFilters) -> QuerySet:
    if filters.market_id:  # leads are outside every market
        return Lead.objects.none()
    leads = Lead.objects.filter(created__date__range=(filters.date_from, filters.date_to))
    if filters.state:
        leads = leads.filter(state=filters.state)
    return leads.order_by().values("state").annotate(n=Count("pk"))


def _active_partners(filters: DashboardFilters) -> QuerySet:
    partners = Partner.objects.filter(status=PartnerStatus.ACTIVE)
    if filters.state:
        partners = partners.filter(state=filters.state)
    if filters.market_id:
        partners = partners.filter(application__market_id=filters.market_id)
    return partners.order_by().values("state", "application__market__name").annotate(n=Count("pk"))


def _markets(filters: DashboardFilters) -> QuerySet[Market]:
    markets = Market.objects.filter(is_active=True)
    if filters.state:
        markets = markets.filter(state=filters.state)
    if filters.market_id:
        markets = markets.filter(pk=filters.market_id)
    return markets.only("name", "state", "active_partner_target")
