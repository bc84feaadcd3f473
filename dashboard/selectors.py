"""Dashboard figures. Every table is built by a fixed number of set-based queries (GROUP BY with
filtered counts), so the page's query count does not grow with the data.

Definitions (per package, over the packages whose service date is in the range):
- manifested: on a manifest;
- handed off: reached the partner (a drop-off scan, or any status past the drop-off other than
  missing);
- delivered: status delivered now; attempted: has a failed attempt that was not undone;
- returned: queued for return or returned; missing: still missing; damaged: scanned in damaged;
- first-attempt success: the first attempt (not undone) delivered, over packages attempted;
- completion: delivered over packages received in good condition (a received scan, or
  delivered), so it never passes 100% (target 98.5%);
- scanned within 30 minutes: of the packages with a drop-off scan, those scanned at most 30
  minutes after the handoff opened.
"""

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.shortcuts import get_object_or_404

from accounts.models import User
from dashboard.models import WeeklyStatement
from dashboard.services import CENTS, partner_rate, week_monday
from dashboard.tables import Column, Table, percent
from hubdelivery.lib.dates import local_date
from packages.models import (
    AttemptOutcome,
    DeliveryAttempt,
    Handoff,
    HandoffDirection,
    HandoffItem,
    HandoffOutcome,
    Package,
    PackageStatus,
)
from partners.models import (
    ApplicationStatus,
    Lead,
    Market,
    Partner,
    PartnerApplication,
    PartnerStatus,
)
from routing.models import CapacityFinding
from routing.selectors import capacity_findings_of, capacity_reports_latest

COMPLETION_TARGET = Decimal("98.5")
FAST_SCAN_MINUTES = 30
TREND_WEEKS = 4
NO_MARKET = "Outside markets"


@dataclass(frozen=True)
class DashboardFilters:
    date_from: datetime.date
    date_to: datetime.date
    state: str = ""
    market_id: int | None = None

    def days(self) -> list[datetime.date]:
        span = (self.date_to - self.date_from).days
        return [self.date_from + datetime.timedelta(days=n) for n in range(span + 1)]


# ------------------------------------------------------------------------------
# Local dates, set-based
# ------------------------------------------------------------------------------
def time_zones_in_use() -> list[str]:
    """The IANA zones of partners and applications (one query): the branches of local_date_of."""
    partner_zones = Partner.objects.order_by().values_list("time_zone", flat=True)
    application_zones = (
        PartnerApplication.objects.exclude(time_zone="")
        .order_by()
        .values_list("time_zone", flat=True)
    )
    return sorted(set(partner_zones.union(application_zones)))


def local_date_of(field: str, *, tz_field: str, zones: list[str]) -> Case:
    """The local calendar date of the datetime `field` in each row's own time zone `tz_field`.

    SQLite has no named time zones, so the conversion is one CASE branch per zone in use
    (Django converts each branch itself); rows in an unknown zone fall back to UTC."""
    return Case(
        *[When(**{tz_field: zone}, then=TruncDate(field, tzinfo=ZoneInfo(zone))) for zone in zones],
        default=TruncDate(field, tzinfo=datetime.UTC),
    )


# ------------------------------------------------------------------------------
# Operations
# ------------------------------------------------------------------------------
OPERATIONS_COLUMNS = [
    Column("manifested", "Manifested", "int"),
    Column("handed_off", "Handed off", "int"),
    Column("delivered", "Delivered", "int"),
    Column("attempted", "Attempted", "int"),
    Column("returned", "Returned", "int"),
    Column("missing", "Missing", "int"),
    Column("damaged", "Damaged", "int"),
    Column("first_attempt_rate", "First-attempt success", "pct"),
    Column("completion_rate", "Completion", "pct"),
    Column("meets_target", "Meets 98.5%", "text"),
    Column("fast_scan_rate", "Scanned in ≤30 min", "pct"),
]
COUNT_KEYS = [
    "manifested",
    "handed_off",
    "scanned",
    "received_ok",
    "delivered",
    "attempted",
    "returned",
    "missing",
    "damaged",
    "first_attempted",
    "first_delivered",
    "fast_scans",
]


def packages_in(filters: DashboardFilters) -> QuerySet[Package]:
    packages = Package.objects.filter(service_date__range=(filters.date_from, filters.date_to))
    if filters.state:
        packages = packages.filter(partner__state=filters.state)
    if filters.market_id:
        packages = packages.filter(partner__application__market_id=filters.market_id)
    return packages.order_by()


def _with_package_facts(packages: QuerySet[Package]) -> QuerySet[Package]:
    """Per-package facts as correlated subqueries (aliases: not selected, only counted)."""
    drop_off_scans = HandoffItem.objects.filter(
        package=OuterRef("pk"), handoff__direction=HandoffDirection.DROP_OFF
    )
    attempts = DeliveryAttempt.objects.filter(package=OuterRef("pk"), undone_at__isnull=True)
    first_outcome = attempts.order_by("attempted_at", "id").values("outcome")[:1]
    fast = drop_off_scans.filter(
        outcome__in=[HandoffOutcome.RECEIVED, HandoffOutcome.DAMAGED],
        scanned_at__lte=F("handoff__opened_at") + datetime.timedelta(minutes=FAST_SCAN_MINUTES),
    )
    return packages.alias(
        scanned_ok=Exists(drop_off_scans.filter(outcome=HandoffOutcome.RECEIVED)),
        scanned_damaged=Exists(drop_off_scans.filter(outcome=HandoffOutcome.DAMAGED)),
        scanned_fast=Exists(fast),
        failed_attempt=Exists(attempts.filter(outcome=AttemptOutcome.ATTEMPTED)),
        first_outcome=Subquery(first_outcome),
    )


NOT_HANDED_OFF = [PackageStatus.MANIFESTED, PackageStatus.MISSING]


def _operation_counts() -> dict[str, Count]:
    scanned = Q(scanned_ok=True) | Q(scanned_damaged=True)
    delivered = Q(status=PackageStatus.DELIVERED)
    return {
        "manifested": Count("pk"),
        "handed_off": Count("pk", filter=scanned | ~Q(status__in=NOT_HANDED_OFF)),
        "scanned": Count("pk", filter=scanned),
        "received_ok": Count("pk", filter=Q(scanned_ok=True) | delivered),
        "delivered": Count("pk", filter=delivered),
        "attempted": Count("pk", filter=Q(failed_attempt=True)),
        "returned": Count(
            "pk", filter=Q(status__in=[PackageStatus.RETURN_PENDING, PackageStatus.RETURNED])
        ),
        "missing": Count("pk", filter=Q(status=PackageStatus.MISSING)),
        "damaged": Count("pk", filter=Q(scanned_damaged=True)),
        "first_attempted": Count("pk", filter=Q(first_outcome__isnull=False)),
        "first_delivered": Count("pk", filter=Q(first_outcome=AttemptOutcome.DELIVERED)),
        "fast_scans": Count("pk", filter=Q(scanned_fast=True)),
    }


OPERATIONS_GROUPS = ("service_date", "partner__application__market__name", "dsp__name")


def operations_cells(filters: DashboardFilters) -> list[dict[str, Any]]:
    """One query: the operation counts of the filtered packages per (service date, market,
    DSP). Each operations table sums the cells it needs, so a page showing all three works
    out the per-package facts (the correlated subqueries, most of the cost) once, not three
    times."""
    packages = _with_package_facts(packages_in(filters))
    return list(packages.values(*OPERATIONS_GROUPS).annotate(**_operation_counts()).order_by())


def _operations_grouped(cells: list[dict[str, Any]], group: str) -> list[dict[str, Any]]:
    """The cells' counts summed by `group`, in its order (an empty group, None, last)."""
    sums: dict[Any, dict[str, Any]] = {}
    for cell in cells:
        row = sums.setdefault(cell[group], {group: cell[group], **dict.fromkeys(COUNT_KEYS, 0)})
        for key in COUNT_KEYS:
            row[key] += cell[key]
    return [
        sums[key] for key in sorted(sums, key=lambda key: (key is None, "" if key is None else key))
    ]


def operations_row(label: str, counts: dict[str, int]) -> dict[str, Any]:
    """The displayed row: the counts plus the rates derived from them."""
    completion = percent(counts["delivered"], counts["received_ok"])
    row: dict[str, Any] = {key: counts.get(key, 0) for key in COUNT_KEYS}
    row.update(
        label=label,
        first_attempt_rate=percent(counts["first_delivered"], counts["first_attempted"]),
        completion_rate=completion,
        meets_target=""
        if completion is None
        else ("yes" if completion >= COMPLETION_TARGET else "no"),
        fast_scan_rate=percent(counts["fast_scans"], counts["scanned"]),
    )
    return row


def _total_row(rows: list[dict[str, Any]]) -> dict[str, Any]:
    totals = {key: sum(row[key] for row in rows) for key in COUNT_KEYS}
    return {**operations_row("All", totals), "is_total": True}


def operations_by_day(filters: DashboardFilters, cells: list[dict] | None = None) -> Table:
    """Every day of the range, days without packages as zeros, then the total."""
    cells = operations_cells(filters) if cells is None else cells
    found = {r["service_date"]: r for r in _operations_grouped(cells, "service_date")}
    empty = dict.fromkeys(COUNT_KEYS, 0)
    rows = [operations_row(day.isoformat(), found.get(day, empty)) for day in filters.days()]
    rows.append(_total_row(rows))
    return Table(
        "operations-by-day",
        "Operations by service date",
        [Column("label", "Service date"), *OPERATIONS_COLUMNS],
        rows,
    )


def operations_by_market(filters: DashboardFilters, cells: list[dict] | None = None) -> Table:
    cells = operations_cells(filters) if cells is None else cells
    grouped = _operations_grouped(cells, "partner__application__market__name")
    rows = [
        operations_row(r["partner__application__market__name"] or NO_MARKET, r) for r in grouped
    ]
    if rows:
        rows.append(_total_row(rows))
    columns = [Column("label", "Market"), *OPERATIONS_COLUMNS]
    return Table("operations-by-market", "Operations by market", columns, rows)


def operations_by_dsp(filters: DashboardFilters, cells: list[dict] | None = None) -> Table:
    cells = operations_cells(filters) if cells is None else cells
    rows = [operations_row(r["dsp__name"], r) for r in _operations_grouped(cells, "dsp__name")]
    if rows:
        rows.append(_total_row(rows))
    columns = [Column("label", "DSP"), *OPERATIONS_COLUMNS]
    return Table("operations-by-dsp", "Operations by DSP", columns, rows)


# ------------------------------------------------------------------------------
# Recruiting funnel
# ------------------------------------------------------------------------------
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
    Column("state", "State"),
    Column("market", "Market"),
    Column("leads", "Leads", "int"),
    Column("applications", "Applications", "int"),
    *[Column(status.value, status.label, "int") for status in FUNNEL_STATUSES],
    Column("approval_rate", "Approval rate", "pct"),
    Column("median_review_days", "Median review (days)", "days"),
    Column("active_partners", "Active partners", "int"),
    Column("target", "Target", "int"),
    Column("target_rate", "Of target", "pct"),
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
    return Table("recruiting-funnel", "Recruiting funnel", FUNNEL_COLUMNS, rows)


def _funnel_row(key: tuple, values: dict[str, Any]) -> dict[str, Any]:
    state, market = key
    row: dict[str, Any] = {c.key: 0 for c in FUNNEL_COLUMNS if c.kind == "int"}
    row.update(values, state=state, market=market or NO_MARKET)
    decided = row[ApplicationStatus.APPROVED] + row[ApplicationStatus.REJECTED]
    row["approval_rate"] = percent(row[ApplicationStatus.APPROVED], decided)
    row["target_rate"] = percent(row["active_partners"], row["target"])
    row.setdefault("median_review_days", None)
    row["place"] = f"{state} · {row['market']}"  # the chart's label
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


# ------------------------------------------------------------------------------
# Capacity findings
# ------------------------------------------------------------------------------
def capacity_findings_latest(filters: DashboardFilters) -> list[CapacityFinding]:
    findings = capacity_findings_of(reports=capacity_reports_latest())
    if filters.state:
        findings = findings.filter(partner__state=filters.state)
    if filters.market_id:
        findings = findings.filter(partner__application__market_id=filters.market_id)
    return list(findings)


def capacity_findings_table(findings: list[CapacityFinding]) -> Table:
    columns = [
        Column("service_date", "Service date"),
        Column("partner", "Partner"),
        Column("kind", "Finding"),
        Column("packages", "Packages", "int"),
        Column("suggested_action", "Suggested action"),
    ]
    rows = [
        {
            "service_date": f.report.service_date,
            "partner": f.partner.trade_name,
            "kind": f.get_kind_display(),
            "packages": f.packages,
            "suggested_action": f.suggested_action,
            "report_id": f.report_id,
            "time_zone": f.report.time_zone,
        }
        for f in findings
    ]
    return Table("capacity-findings", "Latest capacity findings", columns, rows)


# ------------------------------------------------------------------------------
# Partner scorecards
# ------------------------------------------------------------------------------
SCORECARD_COLUMNS = [
    Column("partner", "Partner"),
    Column("state", "State"),
    Column("market", "Market"),
    Column("volume", "Volume", "int"),
    Column("delivered", "Delivered", "int"),
    Column("success_rate", "Success rate", "pct"),
    Column("on_time_rate", "On time", "pct"),
    Column("discrepancies", "Handoff discrepancies", "int"),
    Column("days_active", "Days active", "int"),
    Column("trend", "Delivered, last 4 weeks"),
]


def partner_scorecards(filters: DashboardFilters) -> Table:
    """One row per active or paused partner, plus any other partner with packages in range.

    Success: delivered over packages with an attempt. On time: delivered on or before the
    service date in the partner's time zone. Discrepancies: missing + damaged + unexpected
    scans at drop-offs. Days active: service dates with a delivery. Trend: deliveries in each
    of the 4 weeks ending on the range's last day (oldest first)."""
    zones = time_zones_in_use()
    stats = {r["partner_id"]: r for r in _partner_package_stats(filters, zones)}
    discrepancies = _partner_discrepancies(filters)
    trends = _partner_trends(filters)
    partners = _scorecard_partners(filters, set(stats))
    rows = []
    for partner in partners:
        s = stats.get(partner.pk, {})
        delivered = s.get("delivered", 0)
        market = partner.application.market if hasattr(partner, "application") else None
        rows.append(
            {
                "partner_id": partner.pk,
                "partner": partner.trade_name,
                "state": partner.state,
                "market": market.name if market else NO_MARKET,
                "volume": s.get("volume", 0),
                "delivered": delivered,
                "success_rate": percent(delivered, s.get("attempted_any", 0)),
                "on_time_rate": percent(s.get("on_time", 0), delivered),
                "discrepancies": discrepancies.get(partner.pk, 0),
                "days_active": s.get("days_active", 0),
                "trend_weeks": trends.get(partner.pk, [0] * TREND_WEEKS),
                "trend": " · ".join(str(n) for n in trends.get(partner.pk, [0] * TREND_WEEKS)),
            }
        )
    return Table("partner-scorecards", "Partner scorecards", SCORECARD_COLUMNS, rows)


def _partner_package_stats(filters: DashboardFilters, zones: list[str]) -> QuerySet:
    delivered = Q(status=PackageStatus.DELIVERED)
    packages = packages_in(filters).alias(
        delivered_on=local_date_of("status_changed_at", tz_field="partner__time_zone", zones=zones),
        attempted_any=Exists(
            DeliveryAttempt.objects.filter(package=OuterRef("pk"), undone_at__isnull=True)
        ),
    )
    return packages.values("partner_id").annotate(
        volume=Count("pk"),
        delivered=Count("pk", filter=delivered),
        attempted_any=Count("pk", filter=Q(attempted_any=True)),
        on_time=Count("pk", filter=delivered & Q(delivered_on__lte=F("service_date"))),
        days_active=Count("service_date", filter=delivered, distinct=True),
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
        packages_in(trend_filters)
        .filter(status=PackageStatus.DELIVERED)
        .annotate(week=week)
        .values("partner_id", "week")
        .annotate(n=Count("pk"))
    )
    trends: dict[int, list[int]] = defaultdict(lambda: [0] * TREND_WEEKS)
    for r in grouped:
        trends[r["partner_id"]][r["week"]] = r["n"]
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


# ------------------------------------------------------------------------------
# Partners by status: the map and its table
# ------------------------------------------------------------------------------
STATUS_COLOURS = {
    PartnerStatus.ONBOARDING: "#2f5d9e",
    PartnerStatus.ACTIVE: "#1f6f43",
    PartnerStatus.PAUSED: "#b35c00",
    PartnerStatus.OFFBOARDED: "#8a1c1c",
}


def _partners_in(filters: DashboardFilters) -> QuerySet[Partner]:
    partners = Partner.objects.order_by()
    if filters.state:
        partners = partners.filter(state=filters.state)
    if filters.market_id:
        partners = partners.filter(application__market_id=filters.market_id)
    return partners


def partners_by_status(filters: DashboardFilters) -> Table:
    """Partners in each status today (the map's legend and accessible table)."""
    counts = dict(_partners_in(filters).values_list("status").annotate(n=Count("pk")))
    rows = [
        {"status": status.label, "partners": counts.get(status.value, 0)}
        for status in PartnerStatus
    ]
    columns = [Column("status", "Status"), Column("partners", "Partners", "int")]
    return Table("partners-by-status", "Partners by status", columns, rows)


def partner_map_points(filters: DashboardFilters) -> dict[str, Any]:
    """Every filtered partner's pin, coloured by status (one query)."""
    labels = dict(PartnerStatus.choices)
    points = [
        {"lat": lat, "lng": lng, "name": name, "status": labels.get(status, status),
         "colour": STATUS_COLOURS.get(status, "#555")}
        for lat, lng, name, status in _partners_in(filters)
        .order_by("pk")
        .values_list("latitude", "longitude", "trade_name", "status")
    ]  # fmt: skip
    legend = [{"status": s.label, "colour": STATUS_COLOURS[s]} for s in PartnerStatus]
    return {"points": points, "legend": legend}


# ------------------------------------------------------------------------------
# Charts: built from the tables' own rows, so chart and table agree
# ------------------------------------------------------------------------------
def chart_data(
    table: Table, *, label: str, series: list[tuple[str, str]], kind: str = "bar"
) -> dict[str, Any]:
    rows = [row for row in table.rows if not row.get("is_total")]
    return {
        "type": kind,
        "labels": [str(row[label]) for row in rows],
        "datasets": [
            {"label": title, "data": [_number(row.get(key)) for row in rows]}
            for key, title in series
        ],
    }


def _number(value: Any) -> float | int | None:
    if isinstance(value, Decimal):
        return float(value)
    return value


# ------------------------------------------------------------------------------
# The whole dashboard
# ------------------------------------------------------------------------------
TABLE_BUILDERS = {
    "operations-by-day": operations_by_day,
    "operations-by-market": operations_by_market,
    "operations-by-dsp": operations_by_dsp,
    "recruiting-funnel": recruiting_funnel,
    "capacity-findings": lambda filters: capacity_findings_table(capacity_findings_latest(filters)),
    "partner-scorecards": partner_scorecards,
    "partners-by-status": partners_by_status,
}


def dashboard_table(*, name: str, filters: DashboardFilters) -> Table:
    """The named table (KeyError for an unknown name): the CSV download's rows."""
    return TABLE_BUILDERS[name](filters)


OPERATIONS_TABLES = frozenset({"operations-by-day", "operations-by-market", "operations-by-dsp"})


def dashboard_tables(*, filters: DashboardFilters) -> dict[str, Table]:
    cells = operations_cells(filters)  # one query feeds the three operations tables
    return {
        name: build(filters, cells) if name in OPERATIONS_TABLES else build(filters)
        for name, build in TABLE_BUILDERS.items()
    }


# ------------------------------------------------------------------------------
# The partner's own numbers and statements
# ------------------------------------------------------------------------------
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
    rate = partner_rate(partner)
    return PartnerNumbers(
        today=today,
        week_start=monday,
        rate_per_package=rate,
        week_earned=(rate * counts["week_delivered"]).quantize(CENTS),
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
    Column("partner", "Partner"),
    Column("partner_id", "Partner id", "int"),
    Column("week_start", "Week from"),
    Column("week_end", "Week to"),
    Column("packages", "Packages", "int"),
    Column("delivered", "Delivered", "int"),
    Column("rate_per_package", "Rate per package (USD)", "int"),
    Column("amount", "Amount (USD)", "int"),
]


def statements_table(statements: QuerySet[WeeklyStatement]) -> Table:
    """Statement rows for the page and the CSV (kind "int" only right-aligns the money)."""
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
        }
        for s in statements
    ]
    return Table("weekly-statements", "Weekly statements", STATEMENT_COLUMNS, rows)


def statements_of_week(*, week_start: datetime.date) -> Table:
    statements = (
        WeeklyStatement.objects.filter(week_start=week_start)
        .select_related("partner")
        .order_by("partner__trade_name", "partner_id")
    )
    return statements_table(statements)
