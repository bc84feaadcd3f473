"""Operations by day, market and DSP, from the daily facts (dashboard.selectors.facts has
the definition of every count): one grouped query over a few thousand facts rows feeds all
three tables, however many days and packages the range holds."""

from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dashboard.selectors.common import (
    COMPLETION_TARGET,
    NO_MARKET,
    DashboardFilters,
)
from dashboard.selectors.facts import FACTS_COUNTS, facts_in
from dashboard.tables import Column, Table, percent

OPERATIONS_COLUMNS = [
    Column("manifested", pgettext_lazy("package count", "Manifested"), "int"),
    Column("handed_off", pgettext_lazy("package count", "Handed off"), "int"),
    Column("delivered", pgettext_lazy("package count", "Delivered"), "int"),
    Column("attempted", pgettext_lazy("package count", "Attempted"), "int"),
    Column("returned", pgettext_lazy("package count", "Returned"), "int"),
    Column("missing", pgettext_lazy("package count", "Missing"), "int"),
    Column("damaged", pgettext_lazy("package count", "Damaged"), "int"),
    Column("first_attempt_rate", _("First-attempt success"), "pct"),
    Column("completion_rate", _("Completion"), "pct"),
    Column("meets_target", _("Meets 98.5%"), "text"),
    Column("fast_scan_rate", _("Scanned in ≤30 min"), "pct"),
]
# The operations tables sum these facts; the success rate's and the scorecards' own counts
# (the facts after "fast_scans") are read elsewhere.
COUNT_KEYS = list(FACTS_COUNTS[: FACTS_COUNTS.index("fast_scans") + 1])


OPERATIONS_GROUPS = ("service_date", "partner__application__market__name", "dsp__name")


def operations_cells(filters: DashboardFilters) -> list[dict[str, Any]]:
    """One query: the operation counts of the filtered facts per (service date, market, DSP).
    Each operations table sums the cells it needs."""
    grouped = (
        facts_in(filters)
        .values(*OPERATIONS_GROUPS)
        .annotate(**{f"sum_{key}": Sum(key) for key in COUNT_KEYS})
        .order_by()
    )
    return [
        {
            **{group: cell[group] for group in OPERATIONS_GROUPS},
            **{key: cell[f"sum_{key}"] for key in COUNT_KEYS},
        }
        for cell in grouped
    ]


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
        else (_("yes") if completion >= COMPLETION_TARGET else _("no")),
        fast_scan_rate=percent(counts["fast_scans"], counts["scanned"]),
    )
    return row


def _total_row(rows: list[dict[str, Any]]) -> dict[str, Any]:
    totals = {key: sum(row[key] for row in rows) for key in COUNT_KEYS}
    return {**operations_row(_("All"), totals), "is_total": True}


def operations_by_day(filters: DashboardFilters, cells: list[dict] | None = None) -> Table:
    """Every day of the range, days without packages as zeros, then the total."""
    cells = operations_cells(filters) if cells is None else cells
    found = {r["service_date"]: r for r in _operations_grouped(cells, "service_date")}
    empty = dict.fromkeys(COUNT_KEYS, 0)
    rows = [operations_row(day.isoformat(), found.get(day, empty)) for day in filters.days()]
    rows.append(_total_row(rows))
    return Table(
        "operations-by-day",
        _("Operations by service date"),
        [Column("label", _("Service date")), *OPERATIONS_COLUMNS],
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
    columns = [Column("label", _("Market")), *OPERATIONS_COLUMNS]
    return Table("operations-by-market", _("Operations by market"), columns, rows)


def operations_by_dsp(filters: DashboardFilters, cells: list[dict] | None = None) -> Table:
    cells = operations_cells(filters) if cells is None else cells
    rows = [operations_row(r["dsp__name"], r) for r in _operations_grouped(cells, "dsp__name")]
    if rows:
        rows.append(_total_row(rows))
    columns = [Column("label", "DSP"), *OPERATIONS_COLUMNS]
    return Table("operations-by-dsp", _("Operations by DSP"), columns, rows)
