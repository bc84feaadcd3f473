"""The whole ops dashboard: every table by name (the CSV download uses the same builders)
and charts built from the tables' own rows."""

from decimal import Decimal
from typing import Any

from dashboard.selectors.capacity import capacity_findings_latest, capacity_findings_table
from dashboard.selectors.common import DashboardFilters
from dashboard.selectors.operations import (
    operations_by_day,
    operations_by_dsp,
    operations_by_market,
    operations_cells,
)
from dashboard.selectors.partner_map import partners_by_status
from dashboard.selectors.recruiting import recruiting_funnel
from dashboard.selectors.scorecards import partner_scorecards
from dashboard.tables import Table


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


OPERATIONS_TABLES = frozenset({"operations-by-day", "operations-by-market", "operations-by-dsp"})


def dashboard_tables(*, filters: DashboardFilters) -> dict[str, Table]:
    cells = operations_cells(filters)  # one query feeds the three operations tables
    return {
        name: build(filters, cells) if name in OPERATIONS_TABLES else build(filters)
        for name, build in TABLE_BUILDERS.items()
    }
