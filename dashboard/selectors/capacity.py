"""The latest nightly capacity findings, as a dashboard table."""

from django.utils.translation import gettext_lazy as _

from dashboard.selectors.common import DashboardFilters
from dashboard.tables import Column, Table
from routing.models import CapacityFinding, FindingKind
from routing.selectors import capacity_findings_of, capacity_reports_latest


def capacity_findings_latest(filters: DashboardFilters) -> list[CapacityFinding]:
    findings = capacity_findings_of(reports=capacity_reports_latest())
    if filters.state:
        findings = findings.filter(partner__state=filters.state)
    if filters.market_id:
        findings = findings.filter(partner__application__market_id=filters.market_id)
    return list(findings)


def capacity_findings_table(findings: list[CapacityFinding]) -> Table:
    columns = [
        Column("service_date", _("Service date")),
        Column("partner", _("Partner")),
        Column("kind", _("Finding")),
        Column("packages", _("Packages"), "int"),
        Column("suggested_action", _("Suggested action")),
    ]
    rows = [
        {
            "service_date": f.report.service_date,
            "partner": f.partner.trade_name,
            "kind": FindingKind(f.kind).label,
            "packages": f.packages,
            "suggested_action": f.suggested_action,
            "report_id": f.report_id,
            "time_zone": f.report.time_zone,
        }
        for f in findings
    ]
    return Table("capacity-findings", _("Latest capacity findings"), columns, rows)
