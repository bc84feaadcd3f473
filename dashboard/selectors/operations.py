"""Operations by day, market and DSP. Every dashboard table is built by a fixed number of
set-based queries (GROUP BY with filtered counts), so the page's query count does not grow
with the data.

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
from typing import Any

from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)

from dashboard.selectors.common import (
    COMPLETION_TARGET,
    FAST_SCAN_MINUTES,
    NO_MARKET,
    DashboardFilters,
)
from dashboard.tables import Column, Table, percent
from packages.models import (
    AttemptOutcome,
    DeliveryAttempt,
    HandoffDirection,
    HandoffItem,
    HandoffOutcome,
    Package,
    PackageStatus,
)

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
