from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.decorators import ops_required
from partners.models import PartnerStatus
from partners.selectors import partners as selectors


@ops_required
def ops_home(request: HttpRequest) -> HttpResponse:
    counts = selectors.partner_counts_by_status()
    rows = [(status.value, status.label, counts.get(status.value, 0)) for status in PartnerStatus]
    return render(request, "partners/ops_home.html", {"partner_counts": rows})
