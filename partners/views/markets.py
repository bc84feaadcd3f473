"""Ops admins open, edit and close markets and target states."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import ops_admin_required
from hubdelivery.exceptions import DomainError
from partners.forms.recruiting import MarketForm, TargetStateForm
from partners.selectors import recruiting as selectors
from partners.services import recruiting as services


@ops_admin_required
def market_list(request: HttpRequest) -> HttpResponse:
    context = {"markets": selectors.market_list()}
    return render(request, "partners/market_list.html", context)


@ops_admin_required
def market_create(request: HttpRequest) -> HttpResponse:
    form = MarketForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            market = services.market_create(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The %(name)s market is open.") % {"name": market.name})
            return redirect("partners:market-list")
    status = 400 if form.errors else 200
    return render(request, "partners/market_form.html", {"form": form}, status=status)


@ops_admin_required
def market_edit(request: HttpRequest, pk: int) -> HttpResponse:
    market = selectors.market_get(pk=pk)
    initial = {"name": market.name, "center_zip": market.center_zip}
    form = MarketForm(
        request.POST or None, initial={**initial, "radius_miles": market.radius_miles}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.market_update(actor=request.user, market=market, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Market saved."))
            return redirect("partners:market-list")
    status = 400 if form.errors else 200
    context = {"form": form, "market": market}
    return render(request, "partners/market_form.html", context, status=status)


@require_POST
@ops_admin_required
def market_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    market = selectors.market_get(pk=pk)
    if request.POST.get("active") == "1":
        services.market_activate(actor=request.user, market=market)
        messages.success(request, _("%(name)s is open.") % {"name": market.name})
    else:
        services.market_deactivate(actor=request.user, market=market)
        messages.success(
            request, _("%(name)s is closed to new applications.") % {"name": market.name}
        )
    return redirect("partners:market-list")


@ops_admin_required
def target_state_list(request: HttpRequest) -> HttpResponse:
    form = TargetStateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            target_state = services.target_state_add(
                actor=request.user, code=form.cleaned_data["code"]
            )
        except DomainError as error:
            form.add_error("code", str(error))
        else:
            messages.success(
                request, _("%(name)s is a target state.") % {"name": target_state.name}
            )
            return redirect("partners:target-state-list")
    context = {"form": form, "target_states": selectors.target_state_list()}
    status = 400 if form.errors else 200
    return render(request, "partners/target_state_list.html", context, status=status)


@require_POST
@ops_admin_required
def target_state_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    target_state = selectors.target_state_get(pk=pk)
    if request.POST.get("active") == "1":
        services.target_state_activate(actor=request.user, target_state=target_state)
        messages.success(request, _("%(name)s is active.") % {"name": target_state.name})
    else:
        services.target_state_deactivate(actor=request.user, target_state=target_state)
        messages.success(
            request, _("%(name)s is no longer a target state.") % {"name": target_state.name}
        )
    return redirect("partners:target-state-list")
