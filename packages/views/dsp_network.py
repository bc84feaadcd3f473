"""The DSP network pages: ops admins create, edit, deactivate and reactivate a DSP and place
its stations; ops admins and the DSP's managers invite, move and remove its drivers and invite
and remove its managers. The invited driver or manager sets their password from the email's
link (one join page for both). Rules live in
packages/services/network.py; a refusal's field is shown on the form."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import ops_admin_required, role_required
from accounts.roles import Role
from hubdelivery.exceptions import DomainError, InvalidInput
from packages import dsp_selectors as selectors
from packages.dsp_forms import (
    DriverInviteForm,
    DriverMoveForm,
    DspDeactivateForm,
    DspForm,
    PersonInviteForm,
    PersonRemoveForm,
    StationForm,
    StationPartnerForm,
)
from packages.models import DspEventKind, Station
from packages.services import network, station_partners
from packages.views.dsp import dsp_page_render
from partners.forms.partners import StaffJoinForm
from partners.views.partner import invited_user_or_none

dsp_people_required = role_required(Role.OPS_ADMIN, Role.DSP_MANAGER)


def _run(form: forms.Form, action) -> object | None:
    """Call `action()`; a refusal lands on the form (its field, or the whole form)."""
    try:
        return action()
    except InvalidInput as error:
        form.add_error(error.field if error.field in form.fields else None, str(error))
    except DomainError as error:
        form.add_error(None, str(error))
    return None


def _form_page(request: HttpRequest, template: str, form: forms.Form, **context) -> HttpResponse:
    status = 400 if form.errors else 200
    return render(request, template, {"form": form, **context}, status=status)


@ops_admin_required
def dsp_create(request: HttpRequest) -> HttpResponse:
    form = DspForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        dsp = _run(form, lambda: network.dsp_create(actor=request.user, **form.cleaned_data))
        if dsp is not None:
            messages.success(request, _("DSP %(name)s created.") % {"name": dsp})
            return redirect("packages:dsp", dsp_id=dsp.pk)
    return _form_page(request, "packages/dsp_form.html", form, dsp=None)


@ops_admin_required
def dsp_edit(request: HttpRequest, dsp_id: int) -> HttpResponse:
    dsp = selectors.dsp_get_for(actor=request.user, dsp_id=dsp_id)
    initial = {"name": dsp.name, "contact_email": dsp.contact_email}
    form = DspForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = _run(
            form, lambda: network.dsp_update(actor=request.user, dsp=dsp, **form.cleaned_data)
        )
        if done is not None:
            messages.success(request, _("DSP saved."))
            return redirect("packages:dsp", dsp_id=dsp.pk)
    return _form_page(request, "packages/dsp_form.html", form, dsp=dsp)


@ops_admin_required
def dsp_deactivate(request: HttpRequest, dsp_id: int) -> HttpResponse:
    """GET: the confirmation page; POST: deactivate."""
    dsp = selectors.dsp_get_for(actor=request.user, dsp_id=dsp_id)
    form = DspDeactivateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        done = _run(
            form, lambda: network.dsp_deactivate(actor=request.user, dsp=dsp, reason=reason)
        )
        if done is not None:
            messages.success(request, _("DSP deactivated: its drivers and API keys are stopped."))
            return redirect("packages:dsp", dsp_id=dsp.pk)
    return _form_page(request, "packages/dsp_deactivate.html", form, dsp=dsp)


@ops_admin_required
@require_POST
def dsp_reactivate(request: HttpRequest, dsp_id: int) -> HttpResponse:
    dsp = selectors.dsp_get_for(actor=request.user, dsp_id=dsp_id)
    network.dsp_reactivate(actor=request.user, dsp=dsp)
    messages.success(request, _("DSP reactivated."))
    return redirect("packages:dsp", dsp_id=dsp.pk)


def _station_page(request: HttpRequest, form: StationForm, **context) -> HttpResponse:
    return _form_page(
        request,
        "packages/station_form.html",
        form,
        map_tile_url=getattr(settings, "MAP_TILE_URL", ""),
        map_attribution=getattr(settings, "MAP_TILE_ATTRIBUTION", ""),
        **context,
    )


def _station_form_locate(form: StationForm) -> StationForm:
    """ "Place from ZIP" (works without JS): the form again, its coordinates at the ZIP's
    centre, nothing saved."""
    located = _run(
        form, lambda: network.station_coordinates(zip_code=form.cleaned_data["zip_code"])
    )
    if located is None:
        return form
    data = form.data.copy()
    data["zip_code"], data["latitude"], data["longitude"] = located
    return StationForm(data)


@ops_admin_required
def station_create(request: HttpRequest, dsp_id: int) -> HttpResponse:
    dsp = selectors.dsp_get_for(actor=request.user, dsp_id=dsp_id)
    form = StationForm(request.POST or None)
    if request.method == "POST" and "locate" in request.POST and form.is_valid():
        return _station_page(request, _station_form_locate(form), dsp=dsp, station=None)
    if request.method == "POST" and form.is_valid():
        station = _run(
            form,
            lambda: network.station_create(actor=request.user, dsp=dsp, **form.cleaned_data),
        )
        if station is not None:
            messages.success(request, _("Station %(station)s created.") % {"station": station})
            return redirect("packages:dsp", dsp_id=dsp.pk)
    return _station_page(request, form, dsp=dsp, station=None)


@ops_admin_required
def station_edit(request: HttpRequest, station_id: int) -> HttpResponse:
    station = selectors.station_get_for(actor=request.user, station_id=station_id)
    fields = ("code", "name", "address_line", "zip_code", "latitude", "longitude")
    form = StationForm(request.POST or None, initial={f: getattr(station, f) for f in fields})
    if request.method == "POST" and form.is_valid():
        done = _run(
            form,
            lambda: network.station_update(
                actor=request.user, station=station, **form.cleaned_data
            ),
        )
        if done is not None:
            messages.success(request, _("Station saved."))
            return redirect("packages:dsp", dsp_id=station.dsp_id)
    return _station_page(request, form, dsp=station.dsp, station=station)


def _station_page_render(
    request: HttpRequest, station: Station, form: StationPartnerForm | None = None
) -> HttpResponse:
    lists = selectors.station_page_partners(station=station)
    form = form or StationPartnerForm()
    form.partners_offer(lists["addable"])
    context = {"station": station, "dsp": station.dsp, **lists}
    return _form_page(request, "packages/station_detail.html", form, **context)


@dsp_people_required
def station_page(request: HttpRequest, station_id: int) -> HttpResponse:
    """The partners the station serves, with ops' additions and removals."""
    station = selectors.station_get_for(actor=request.user, station_id=station_id)
    return _station_page_render(request, station)


def _station_partner_change(request: HttpRequest, station_id: int, *, action, done: str):
    station = selectors.station_get_for(actor=request.user, station_id=station_id)
    form = StationPartnerForm(request.POST)
    form.is_valid()  # a plain CharField: the service judges the partner
    partner_id = form.cleaned_data.get("partner", "")
    changed = _run(form, lambda: action(actor=request.user, station=station, partner_id=partner_id))
    if changed is None:
        return _station_page_render(request, station, form)
    messages.success(request, done % {"partner": changed.partner})
    return redirect("packages:station", station_id=station.pk)


@require_POST
@dsp_people_required
def station_partner_add(request: HttpRequest, station_id: int) -> HttpResponse:
    return _station_partner_change(
        request,
        station_id,
        action=station_partners.station_partner_add,
        done=_("%(partner)s added to the station."),
    )


@require_POST
@dsp_people_required
def station_partner_remove(request: HttpRequest, station_id: int) -> HttpResponse:
    return _station_partner_change(
        request,
        station_id,
        action=station_partners.station_partner_remove,
        done=_("%(partner)s removed from the station."),
    )


@dsp_people_required
def driver_invite(request: HttpRequest, dsp_id: int) -> HttpResponse:
    dsp = selectors.dsp_get_for(actor=request.user, dsp_id=dsp_id)
    stations = selectors.dsp_stations(dsp=dsp)
    form = DriverInviteForm(request.POST or None, stations=stations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        driver = _run(
            form,
            lambda: network.driver_invite(
                actor=request.user,
                dsp=dsp,
                email=data["email"],
                full_name=data["full_name"],
                home_station_id=data["home_station"],
            ),
        )
        if driver is not None:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": driver.user.email}
            )
            return redirect("packages:dsp", dsp_id=dsp.pk)
    return _form_page(request, "packages/driver_invite.html", form, dsp=dsp)


@dsp_people_required
def driver_move(request: HttpRequest, driver_id: int) -> HttpResponse:
    driver = selectors.driver_get_for(actor=request.user, driver_id=driver_id)
    stations = selectors.dsp_stations(dsp=driver.dsp)
    initial = {"home_station": driver.home_station_id or ""}
    form = DriverMoveForm(request.POST or None, stations=stations, initial=initial)
    if request.method == "POST" and form.is_valid():
        station_id = form.cleaned_data["home_station"]
        done = _run(
            form,
            lambda: network.driver_move(
                actor=request.user, driver=driver, home_station_id=station_id
            ),
        )
        if done is not None:
            messages.success(request, _("Home station saved."))
            return redirect("packages:dsp", dsp_id=driver.dsp_id)
    return _form_page(request, "packages/driver_move.html", form, driver=driver)


@dsp_people_required
def driver_remove(request: HttpRequest, driver_id: int) -> HttpResponse:
    """GET: the confirmation page; POST: remove."""
    driver = selectors.driver_get_for(actor=request.user, driver_id=driver_id)
    form = PersonRemoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        done = _run(
            form, lambda: network.driver_remove(actor=request.user, driver=driver, reason=reason)
        )
        if done is not None:
            messages.success(request, _("Driver removed."))
            return redirect("packages:dsp", dsp_id=driver.dsp_id)
    return _form_page(request, "packages/driver_remove.html", form, driver=driver)


def _invitation_join(
    request: HttpRequest, uidb64: str, token: str, *, joined_kind: DspEventKind, **page
) -> HttpResponse:
    """The invited person sets a password; the link works once (the token covers it).
    `page`: the `template` and the `home` URL name they land on."""
    user = invited_user_or_none(uidb64, token)
    if user is None:
        return render(request, "partners/staff_join_invalid.html", status=400)
    form = StaffJoinForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        network.invitation_accept(
            user=user, password=form.cleaned_data["password1"], joined_kind=joined_kind
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome! Your account is ready."))
        return redirect(page["home"])
    return render(request, page["template"], {"form": form, "invited": user})


def driver_join(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    return _invitation_join(
        request,
        uidb64,
        token,
        joined_kind=DspEventKind.DRIVER_JOINED,
        template="packages/driver_join.html",
        home="packages:driver-home",
    )


def dsp_manager_join(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    return _invitation_join(
        request,
        uidb64,
        token,
        joined_kind=DspEventKind.MANAGER_JOINED,
        template="packages/dsp_manager_join.html",
        home="packages:dsp-home",
    )


@require_POST
@dsp_people_required
def dsp_manager_invite(request: HttpRequest, dsp_id: int) -> HttpResponse:
    """The form sits on the DSP's page; a refusal shows that page again with its errors."""
    dsp = selectors.dsp_get_for(actor=request.user, dsp_id=dsp_id)
    form = PersonInviteForm(request.POST)
    form.is_valid()  # plain CharFields: the service judges them
    data = form.cleaned_data
    manager = _run(
        form,
        lambda: network.dsp_manager_invite(
            actor=request.user, dsp=dsp, email=data["email"], full_name=data["full_name"]
        ),
    )
    if manager is None:
        return dsp_page_render(request, dsp, manager_form=form)
    messages.success(request, _("Invitation sent to %(email)s.") % {"email": manager.user.email})
    return redirect("packages:dsp", dsp_id=dsp.pk)


@dsp_people_required
def dsp_manager_remove(request: HttpRequest, manager_id: int) -> HttpResponse:
    """GET: the confirmation page; POST: remove. A manager who removed themself leaves."""
    manager = selectors.dsp_manager_get_for(actor=request.user, manager_id=manager_id)
    form = PersonRemoveForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        done = _run(
            form,
            lambda: network.dsp_manager_remove(actor=request.user, manager=manager, reason=reason),
        )
        if done is not None:
            messages.success(request, _("DSP manager removed."))
            if manager.user == request.user:
                return redirect("accounts:home")
            return redirect("packages:dsp", dsp_id=manager.dsp_id)
    return _form_page(request, "packages/dsp_manager_remove.html", form, manager=manager)
