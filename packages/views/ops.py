"""Ops pages for handoffs and deliveries: handoffs with their discrepancies and late scans,
the incident queue, and a package's whole custody timeline."""

import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import ops_required
from hubdelivery.exceptions import DomainError
from packages import selectors, services
from packages.forms import IncidentResolveForm, LabelForm, new_idempotency_key
from packages.models import Handoff
from packages.views.handoff import handoff_context

HANDOFFS_PER_PAGE = 50


@ops_required
def ops_handoff_list(request: HttpRequest) -> HttpResponse:
    handoffs = Handoff.objects.select_related("partner", "dsp", "driver__user").order_by(
        "-service_date", "-opened_at", "-id"
    )
    page = Paginator(handoffs, HANDOFFS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "packages/ops_handoff_list.html", {"page": page})


@ops_required
def ops_handoff_detail(request: HttpRequest, handoff_id: int) -> HttpResponse:
    viewer = selectors.viewer_for(user=request.user)
    handoff = selectors.handoff_get_for(viewer=viewer, handoff_id=handoff_id)
    context = handoff_context(handoff=handoff, side=None)
    return render(request, "packages/ops_handoff_detail.html", context)


@ops_required
def ops_incident_queue(request: HttpRequest) -> HttpResponse:
    incidents = list(selectors.incident_queue_for_ops())
    for incident in incidents:  # one key per form, so the page also works without JavaScript
        incident.resolve_key = new_idempotency_key()
    return render(request, "packages/ops_incident_queue.html", {"incidents": incidents})


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
