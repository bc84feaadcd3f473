"""Public pages: the landing page with the eligibility check by ZIP, and the waitlist."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_POST

from hubdelivery.exceptions import DomainError
from hubdelivery.lib.ratelimit import rate_limited
from partners.forms.recruiting import EligibilityForm, WaitlistForm
from partners.selectors.recruiting import eligibility_check as eligibility_for
from partners.services.recruiting import lead_join

ELIGIBLE_ZIP_SESSION_KEY = "eligible_zip"


def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "partners/landing.html", {"form": EligibilityForm()})


@rate_limited(action="eligibility_check", limit_get=True)
def eligibility_check(request: HttpRequest) -> HttpResponse:
    """One step: the ZIP's outcome. htmx swaps in the result; without JavaScript the same
    form submits to this URL and gets the whole landing page with the result."""
    form = EligibilityForm(request.GET or None)
    result = eligibility_for(zip_code=form.cleaned_data["zip_code"]) if form.is_valid() else None
    context = {"form": form, "result": result}
    if result and result.may_apply:
        request.session[ELIGIBLE_ZIP_SESSION_KEY] = result.zip_code
    if result and not result.may_apply and result.place:
        context["waitlist_form"] = WaitlistForm(initial={"zip_code": result.zip_code})
    if request.headers.get("HX-Request"):
        response = render(request, "partners/snippets/eligibility_result.html", context)
    else:
        response = render(request, "partners/landing.html", context)
    # The same URL answers a fragment or a whole page: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_POST
@rate_limited(action="waitlist_join", limit_get=False)
def waitlist_join(request: HttpRequest) -> HttpResponse:
    form = WaitlistForm(request.POST)
    if form.is_valid():
        try:
            lead_join(
                email=form.cleaned_data["email"],
                zip_code=form.cleaned_data["zip_code"],
                language=get_language(),
            )
        except DomainError as error:
            form.add_error("zip_code", str(error))
        else:
            messages.success(
                request,
                gettext("You are on the waitlist. We will email you when we open near you."),
            )
            return redirect("partners:landing")
    context = {"form": EligibilityForm(), "waitlist_form": form}
    return render(request, "partners/landing.html", context, status=400)
