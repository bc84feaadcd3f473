"""The whole ops dashboard: every table by name (the CSV download uses the same builders)
and charts built from the tables' own rows."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.utils import timezone

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


# Every ops user's page reads the same snapshot for a minute: a month of figures takes seconds
# to build, and numbers a minute old serve a dashboard (the page says when they were built).
SNAPSHOT_SECONDS = 60


@dataclass(frozen=True)
class DashboardSnapshot:
    tables: dict[str, Table]
    built_at: datetime.datetime


def dashboard_snapshot(*, filters: DashboardFilters) -> DashboardSnapshot:
    """The dashboard's tables under these filters, built at most once a minute. A build first
    rolls up the daily facts of what changed since the last roll-up (the beat task does it
    every minute too), so the figures are never older than the snapshot says."""
    from dashboard.services import facts_refresh

    key = "dashboard:{}:{}:{}:{}".format(
        filters.date_from, filters.date_to, filters.state, filters.market_id or ""
    )
    snapshot = cache.get(key)
    if snapshot is None:
        facts_refresh()
        snapshot = DashboardSnapshot(dashboard_tables(filters=filters), timezone.now())
        cache.set(key, snapshot, SNAPSHOT_SECONDS)
    return snapshot
