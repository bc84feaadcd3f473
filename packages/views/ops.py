"""Ops pages for handoffs and deliveries: handoffs with their discrepancies and late scans,
the incident queue, and a package's whole custody timeline."""

import datetime
import zoneinfo

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from accounts.decorators import ops_required
from hubdelivery.exceptions import DomainError
from hubdelivery.lib.csvutil import csv_streaming_response
from packages import selectors, services
from packages.forms import (
    HandoffFilterForm,
    IncidentFilterForm,
    IncidentResolveForm,
    LabelForm,
    new_idempotency_key,
)
from packages.models import HANDOFF_COUNT_FIELDS, Handoff
from packages.views.handoff import handoff_context

HANDOFFS_PER_PAGE = 50


@ops_required
def ops_handoff_list(request: HttpRequest) -> HttpResponse:
    form = HandoffFilterForm(request.GET or None)
    handoffs = selectors.handoff_list_for_ops(**form.filters())
    page = Paginator(handoffs, HANDOFFS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "packages/ops_handoff_list.html", {"page": page, "form": form})


def handoff_csv_row(handoff: Handoff) -> list:
    driver = handoff.driver.user if handoff.driver else None
    return [
        handoff.service_date.isoformat(),
        handoff.get_direction_display(),
        handoff.partner.trade_name,
        handoff.dsp.name,
        str(driver) if driver else "",
        handoff.get_status_display(),
        *(getattr(handoff, field) for field in HANDOFF_COUNT_FIELDS),
    ]


@ops_required
def ops_handoff_list_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The handoffs the page's filters keep, every page of them, streamed."""
    handoffs = selectors.handoff_list_for_ops(**HandoffFilterForm(request.GET or None).filters())
    header = [
        _("Date"),
        _("Direction"),
        _("Partner"),
        _("DSP"),
        _("Driver"),
        _("Status"),
        pgettext("package count", "Expected"),
        pgettext("package count", "Received"),
        pgettext("package count", "Missing"),
        pgettext("package count", "Damaged"),
        pgettext("package count", "Unexpected"),
    ]
    rows = (handoff_csv_row(handoff) for handoff in handoffs.iterator(chunk_size=500))
    return csv_streaming_response(filename="handoffs.csv", header=header, rows=rows)


@ops_required
def ops_handoff_detail(request: HttpRequest, handoff_id: int) -> HttpResponse:
    viewer = selectors.viewer_for(user=request.user)
    handoff = selectors.handoff_get_for(viewer=viewer, handoff_id=handoff_id)
    context = handoff_context(handoff=handoff, side=None)
    return render(request, "packages/ops_handoff_detail.html", context)


@ops_required
def ops_late_events(request: HttpRequest) -> HttpResponse:
    """What phones recorded before their day or handoff closed and sent after: kept, applied
    or refused, for ops to follow up (issue 19)."""
    events = selectors.late_event_list_for_ops()
    page = Paginator(events, HANDOFFS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "packages/ops_late_events.html", {"page": page})


@ops_required
def ops_incident_queue(request: HttpRequest) -> HttpResponse:
    form = IncidentFilterForm(request.GET or None)
    incidents = list(selectors.incident_queue_for_ops(**form.filters()))
    for incident in incidents:  # one key per form, so the page also works without JavaScript
        incident.resolve_key = new_idempotency_key()
    context = {"incidents": incidents, "form": form}
    return render(request, "packages/ops_incident_queue.html", context)


@ops_required
def ops_incident_queue_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The open incidents the page's filter keeps, oldest first, streamed."""
    filters = IncidentFilterForm(request.GET or None).filters()
    header = [_("Package"), _("Reason"), _("Partner"), _("Address"), _("Opened"), _("By")]
    rows = (
        [
            incident.package.tracking_id,
            incident.get_reason_display(),
            incident.package.partner.trade_name,
            incident.package.address_line,
            timezone.localtime(
                incident.opened_at, zoneinfo.ZoneInfo(incident.package.partner.time_zone)
            ).isoformat(timespec="minutes"),
            str(incident.attempt.attempted_by or ""),
        ]
        for incident in selectors.incident_queue_for_ops(**filters).iterator(chunk_size=500)
    )
    return csv_streaming_response(filename="incidents.csv", header=header, rows=rows)


@ops_required
@require_POST
def ops_incident_resolve(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = selectors.incident_get_for_ops(incident_id=incident_id)
    form = IncidentResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose re-attempt or return to the DSP."))
        return redirect("packages:ops-incidents")
    data = form.cleaned_data
    try:
        services.incident_resolve(
            actor=request.user,
            incident=incident,
            resolution=data["resolution"],
            note=data["note"],
            idempotency_key=data["idempotency_key"],
        )
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("%(tracking)s: resolved.") % {"tracking": incident.package.tracking_id}
        )
    return redirect("packages:ops-incidents")


@ops_required
def ops_package_lookup(request: HttpRequest) -> HttpResponse:
    """The tracking id typed or scanned into the ops search box."""
    form = LabelForm(request.GET)
    if form.is_valid():
        return redirect(
            "packages:ops-package", tracking_id=form.cleaned_data["tracking_id"].strip()
        )
    return redirect("packages:ops-handoffs")


@ops_required
def ops_package_detail(request: HttpRequest, tracking_id: str) -> HttpResponse:
    """A package's whole custody timeline, recipient included (never cached); events sent
    from a device clock off by more than the limit are flagged."""
    package = selectors.package_get_for_ops(tracking_id=tracking_id)
    events = selectors.package_timeline_with_skew(package=package)
    context = {
        "package": package,
        "events": events,
        "attempts": selectors.package_attempts(package=package),
        "skewed_events": sum(1 for event in events if event.clock_skew_text),
        "skew_limit_minutes": selectors.DEVICE_CLOCK_SKEW_LIMIT // datetime.timedelta(minutes=1),
    }
    return render(request, "packages/ops_package_detail.html", context)
