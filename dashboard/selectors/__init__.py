"""Dashboard reads: every table by a fixed number of set-based queries, the charts built from
the tables, and the partner's own numbers and statements. One module per part of the board."""

from dashboard.selectors.board import (
    TABLE_BUILDERS,
    chart_data,
    dashboard_tables,
)
from dashboard.selectors.capacity import capacity_findings_latest, capacity_findings_table
from dashboard.selectors.common import DashboardFilters
from dashboard.selectors.operations import (
    operations_by_day,
    operations_by_dsp,
    operations_by_market,
)
from dashboard.selectors.partner_map import partner_map_points, partners_by_status
from dashboard.selectors.recruiting import recruiting_funnel
from dashboard.selectors.scorecards import partner_scorecards
from dashboard.selectors.statements import (
    PartnerNumbers,
    partner_numbers,
    statement_get_for_owner,
    statements_for_partner,
    statements_of_week,
    statements_table,
)

__all__ = [
    "TABLE_BUILDERS",
    "DashboardFilters",
    "PartnerNumbers",
    "capacity_findings_latest",
    "capacity_findings_table",
    "chart_data",
    "dashboard_tables",
    "operations_by_day",
    "operations_by_dsp",
    "operations_by_market",
    "partner_map_points",
    "partner_numbers",
    "partner_scorecards",
    "partners_by_status",
    "recruiting_funnel",
    "statement_get_for_owner",
    "statements_for_partner",
    "statements_of_week",
    "statements_table",
]
