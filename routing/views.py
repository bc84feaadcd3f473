from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.decorators import role_required
from accounts.roles import Role
from routing import selectors

ops_required = role_required(Role.OPS_REVIEWER, Role.OPS_ADMIN)


@ops_required
def ops_capacity(request: HttpRequest) -> HttpResponse:
    """The newest report of each time zone with its findings, and the recent reports."""
    context = {
        "findings": selectors.capacity_findings_of(reports=selectors.capacity_reports_latest()),
        "reports": selectors.capacity_reports_recent(),
    }
    return render(request, "routing/ops_capacity.html", context)


@ops_required
def ops_capacity_report(request: HttpRequest, report_id: int) -> HttpResponse:
    report = selectors.capacity_report_get(report_id=report_id)
    findings = selectors.capacity_findings_of(reports=[report])
    return render(
        request, "routing/ops_capacity_report.html", {"report": report, "findings": findings}
    )
