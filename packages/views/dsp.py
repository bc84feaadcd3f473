"""The DSP pages: ops admins open any DSP (from the DSP list), a DSP manager their own (their
home). Each shows the DSP's stations, drivers and managers, and its API keys: issue (the key
shown once), rotate with an overlap window, revoke."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.decorators import ops_admin_required, role_required
from accounts.roles import Role
from hubdelivery.exceptions import DomainError, InvalidInput
from packages import dsp_selectors as selectors
from packages.dsp_forms import KeyIssueForm, KeyRevokeForm, KeyRotateForm, PersonInviteForm
from packages.models import Dsp, DspApiToken
from packages.services import dsp_token_create, dsp_token_revoke, dsp_token_rotate

dsp_people_required = role_required(Role.OPS_ADMIN, Role.DSP_MANAGER)


@ops_admin_required
def ops_dsp_list(request: HttpRequest) -> HttpResponse:
    dsps = selectors.dsp_list_for_ops()
    return render(request, "packages/ops_dsp_list.html", {"dsps": dsps})


@role_required(Role.DSP_MANAGER)
def dsp_home(request: HttpRequest) -> HttpResponse:
    dsp = selectors.dsp_of_manager(user=request.user)
    if dsp is None:
        raise Http404("You manage no DSP yet.")
    return redirect("packages:dsp", dsp_id=dsp.pk)


@dsp_people_required
def dsp_page(request: HttpRequest, dsp_id: int) -> HttpResponse:
    dsp = selectors.dsp_get_for(actor=request.user, dsp_id=dsp_id)
    return dsp_page_render(request, dsp)


def dsp_page_render(
    request: HttpRequest, dsp: Dsp, manager_form: PersonInviteForm | None = None
) -> HttpResponse:
    """The DSP's page; `manager_form`: the manager invitation refused, with its errors."""
    context = {
        "dsp": dsp,
        "drivers": selectors.dsp_drivers(dsp=dsp),
        "stations": selectors.dsp_stations(dsp=dsp),
        "managers": selectors.dsp_managers(dsp=dsp),
        "manager_form": manager_form or PersonInviteForm(),
        "user_is_ops_admin": request.user.has_role(Role.OPS_ADMIN),
    }
    status = 400 if manager_form is not None and manager_form.errors else 200
    return render(request, "packages/dsp_page.html", context, status=status)


def _keys_page(
    request: HttpRequest, dsp: Dsp, form: KeyIssueForm, status: int = 200
) -> HttpResponse:
    tokens = selectors.dsp_tokens(dsp=dsp)
    context = {"dsp": dsp, "tokens": tokens, "form": form}
    return render(request, "packages/dsp_keys.html", context, status=status)


def _key_shown(request: HttpRequest, token: DspApiToken, key: str) -> HttpResponse:
    """The one answer that carries a key: never stored by the browser, never shown again."""
    return render(request, "packages/dsp_key_shown.html", {"token": token, "key": key})


@dsp_people_required
def dsp_keys(request: HttpRequest, dsp_id: int) -> HttpResponse:
    dsp = selectors.dsp_get_for(actor=request.user, dsp_id=dsp_id)
    return _keys_page(request, dsp, KeyIssueForm())


@dsp_people_required
@require_POST
@never_cache
def dsp_key_issue(request: HttpRequest, dsp_id: int) -> HttpResponse:
    dsp = selectors.dsp_get_for(actor=request.user, dsp_id=dsp_id)
    form = KeyIssueForm(request.POST)
    if form.is_valid():
        try:
            token, key = dsp_token_create(
                actor=request.user, dsp=dsp, label=form.cleaned_data["label"]
            )
        except InvalidInput as error:
            form.add_error(error.field, str(error))
        else:
            return _key_shown(request, token, key)
    return _keys_page(request, dsp, form, status=400)


@dsp_people_required
def dsp_key_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    """GET: the confirmation page; POST: revoke."""
    token = selectors.dsp_token_get_for(actor=request.user, token_id=token_id)
    form = KeyRevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            dsp_token_revoke(actor=request.user, token=token, reason=form.cleaned_data["reason"])
        except InvalidInput as error:
            form.add_error(error.field, str(error))
        else:
            messages.success(request, _("Key %(name)s revoked.") % {"name": token.label})
            return redirect("packages:dsp-keys", dsp_id=token.dsp_id)
    status = 400 if form.errors else 200
    context = {"token": token, "form": form}
    return render(request, "packages/dsp_key_revoke.html", context, status=status)


@dsp_people_required
@never_cache
def dsp_key_rotate(request: HttpRequest, token_id: int) -> HttpResponse:
    """GET: choose the overlap window; POST: rotate and show the new key once."""
    token = selectors.dsp_token_get_for(actor=request.user, token_id=token_id)
    form = KeyRotateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        overlap = form.cleaned_data["overlap"]
        try:
            new_token, key = dsp_token_rotate(actor=request.user, token=token, overlap=overlap)
        except InvalidInput as error:
            form.add_error(error.field, str(error))
        except DomainError as error:
            messages.error(request, str(error))
            return redirect("packages:dsp-keys", dsp_id=token.dsp_id)
        else:
            return _key_shown(request, new_token, key)
    status = 400 if form.errors else 200
    context = {"token": token, "form": form}
    return render(request, "packages/dsp_key_rotate.html", context, status=status)
