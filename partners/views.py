from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.decorators import role_required
from accounts.roles import Role
from partners import selectors
from partners.models import PartnerStatus


def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "partners/landing.html")


@role_required(Role.APPLICANT)
def applicant_home(request: HttpRequest) -> HttpResponse:
    return render(request, "partners/applicant_home.html")


@role_required(Role.PARTNER_OWNER, Role.PARTNER_STAFF)
def partner_home(request: HttpRequest) -> HttpResponse:
    membership = selectors.membership_get_for_user(user=request.user)
    if membership is None:
        raise Http404("You are not a member of a partner business.")
    context = {
        "membership": membership,
        "partner": membership.partner,
        "members": selectors.partner_members(partner=membership.partner),
    }
    return render(request, "partners/partner_home.html", context)


@role_required(Role.OPS_REVIEWER, Role.OPS_ADMIN)
def ops_home(request: HttpRequest) -> HttpResponse:
    counts = selectors.partner_counts_by_status()
    rows = [(status.label, counts.get(status.value, 0)) for status in PartnerStatus]
    return render(request, "partners/ops_home.html", {"partner_counts": rows})
