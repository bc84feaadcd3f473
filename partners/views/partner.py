from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.decorators import role_required
from accounts.roles import Role
from partners.selectors import partners as selectors


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
