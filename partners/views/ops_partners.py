"""Ops pages for partners: list, detail with checklist, staff checks, closures and lifecycle."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.decorators import ops_admin_required, ops_required
from accounts.roles import Role
from hubdelivery.exceptions import DomainError, InvalidInput
from hubdelivery.lib.csvutil import csv_streaming_response
from hubdelivery.lib.dates import local_date
from partners.forms.holidays import ClosureOverrideForm
from partners.forms.partners import BackgroundResultForm, PartnerFilterForm, PauseForm, ReasonForm
from partners.models import DeliveryMode, Partner
from partners.selectors import partners as selectors
from partners.services import closures, partners, staff
from partners.views.actions import run_action

PARTNERS_PER_PAGE = 50


def requested_partners(request: HttpRequest) -> tuple[PartnerFilterForm, QuerySet[Partner]]:
    form = PartnerFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    partner_rows = selectors.partner_list_for_ops(
        status=filters.get("status", ""), state=filters.get("state", "")
    )
    return form, partner_rows


@ops_required
def ops_partner_list(request: HttpRequest) -> HttpResponse:
    form, partner_rows = requested_partners(request)
    page = Paginator(partner_rows, PARTNERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "partners/ops_partner_list.html", {"form": form, "page": page})


@ops_required
def ops_partner_list_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The partners the page's filters keep, every page of them, streamed."""
    _form, partner_rows = requested_partners(request)
    header = [
        _("Business"),
        _("Legal name"),
        _("City"),
        _("State"),
        _("ZIP code"),
        _("Status"),
        _("Per day"),
        _("People"),
        _("Checks waiting"),
    ]
    rows = (
        [
            partner.trade_name,
            partner.legal_name,
            partner.city,
            partner.state,
            partner.zip_code,
            partner.get_status_display(),
            partner.daily_capacity,
            partner.member_count,
            partner.checks_waiting,
        ]
        for partner in partner_rows.iterator(chunk_size=500)
    )
    return csv_streaming_response(filename="partners.csv", header=header, rows=rows)


def delivery_modes_text(modes: list[str]) -> str:
    """The modes' labels in the active language ("On foot, Bike"), not their stored values."""
    labels = dict(DeliveryMode.choices)
    return ", ".join(str(labels.get(mode, mode)) for mode in modes)


def detail_context(partner_id: int, **forms) -> dict:
    partner = selectors.partner_get_for_ops(partner_id=partner_id)
    today = local_date(tz_name=partner.time_zone)
    return {
        "partner": partner,
        "delivery_modes": delivery_modes_text(partner.delivery_modes or []),
        "checklist": partners.checklist_items(partner),
        "members": selectors.partner_members(partner=partner),
        "closures": selectors.partner_closures_from(partner=partner, day=today),
        "allowance": selectors.closure_allowance(partner=partner, year=today.year),
        "override_form": ClosureOverrideForm(prefix="override"),
        "may_override": False,
        "events": selectors.partner_events_recent(partner=partner),
        "pause_form": PauseForm(prefix="pause"),
        "offboard_form": ReasonForm(prefix="offboard"),
        "result_form": BackgroundResultForm(),
        **forms,
    }


@ops_required
def ops_partner_detail(request: HttpRequest, partner_id: int) -> HttpResponse:
    context = detail_context(partner_id)
    context["may_override"] = request.user.has_role(Role.OPS_ADMIN)
    return render(request, "partners/ops_partner_detail.html", context)


@require_POST
@ops_admin_required
def ops_partner_closure_override(request: HttpRequest, partner_id: int) -> HttpResponse:
    partner = selectors.partner_get_for_ops(partner_id=partner_id)
    form = ClosureOverrideForm(request.POST, prefix="override")
    if form.is_valid():
        try:
            closures.closure_declare_beyond_allowance(
                partner=partner, actor=request.user, **form.cleaned_data
            )
        except InvalidInput as error:
            form.add_error(error.field, str(error))
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Closure saved past the allowance."))
            return back_to_detail(partner_id)
    context = detail_context(partner_id, override_form=form)
    context["may_override"] = True
    return render(request, "partners/ops_partner_detail.html", context, status=400)


def back_to_detail(partner_id: int) -> HttpResponse:
    return redirect("partners:ops-partner-detail", partner_id=partner_id)


def partner_action(service, success: str):
    """A POST-only ops view that runs `service(partner=..., actor=...)` on one partner and
    returns to its page with the outcome as a message."""

    @require_POST
    @ops_required
    def view(request: HttpRequest, partner_id: int) -> HttpResponse:
        partner = selectors.partner_get_for_ops(partner_id=partner_id)
        run_action(request, lambda: service(partner=partner, actor=request.user), success)
        return back_to_detail(partner_id)

    return view


ops_partner_storage_verify = partner_action(
    partners.partner_storage_verify, gettext_lazy("Storage area marked as verified.")
)
ops_partner_first_handoff = partner_action(
    partners.partner_first_handoff_record, gettext_lazy("First handoff marked as done.")
)
ops_partner_resume = partner_action(partners.partner_resume, gettext_lazy("Partner resumed."))


@require_POST
@ops_required
def ops_partner_pause(request: HttpRequest, partner_id: int) -> HttpResponse:
    partner = selectors.partner_get_for_ops(partner_id=partner_id)
    form = PauseForm(request.POST, prefix="pause")
    if not form.is_valid():
        return ops_partner_form_error(request, partner_id, "pause_form", form)
    run_action(
        request,
        lambda: partners.partner_pause(partner=partner, actor=request.user, **form.cleaned_data),
        _("Partner paused."),
    )
    return back_to_detail(partner_id)


@require_POST
@ops_required
def ops_partner_offboard(request: HttpRequest, partner_id: int) -> HttpResponse:
    partner = selectors.partner_get_for_ops(partner_id=partner_id)
    form = ReasonForm(request.POST, prefix="offboard")
    if not form.is_valid():
        return ops_partner_form_error(request, partner_id, "offboard_form", form)
    run_action(
        request,
        lambda: partners.partner_offboard(
            partner=partner, actor=request.user, reason=form.cleaned_data["reason"]
        ),
        _("Partner offboarded."),
    )
    return back_to_detail(partner_id)


@require_POST
@ops_required
def ops_member_background_result(request: HttpRequest, member_id: int) -> HttpResponse:
    member = selectors.member_get_for_ops(member_id=member_id)
    form = BackgroundResultForm(request.POST)
    if not form.is_valid():
        return ops_partner_form_error(request, member.partner_id, "result_form", form)
    run_action(
        request,
        lambda: staff.background_result_record(
            member=member, actor=request.user, result=form.cleaned_data["result"]
        ),
        _("Background check result recorded for %(person)s.") % {"person": member.user},
    )
    return back_to_detail(member.partner_id)


def ops_partner_form_error(request: HttpRequest, partner_id: int, name: str, form) -> HttpResponse:
    """Re-render the detail page with the invalid form in place, keeping what was typed."""
    context = detail_context(partner_id, **{name: form})
    return render(request, "partners/ops_partner_detail.html", context, status=400)
