"""The morning handoff pages, for the DSP's driver and the partner (one phone or two).

The scan field posts with htmx: the answer (received / not on this manifest / already
scanned) comes back with out-of-band swaps of the counters and of the one row the scan
changed, never the whole list. Without JavaScript the same form posts and redirects back.
"""

from csp.decorators import csp_update
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.decorators import handoff_people_required
from hubdelivery.exceptions import DomainError, NotAllowed
from packages import selectors, services
from packages.forms import ActionForm, HandoffOpenForm, ScanForm
from packages.models import Handoff, PackageEvent, PackageEventType
from packages.scan_outcomes import scan_outcome_table
from partners.models import Partner

# The camera scanner's fallback decoder (zxing-wasm) compiles WebAssembly: allowed on the pages
# that carry the camera, nowhere else. It does not allow JavaScript eval.
camera_scanner_page = csp_update({"script-src": ["'wasm-unsafe-eval'"]})

# The button -> the service that records the scan. "receive" at a return hands the package
# back (package_scan_in); the other buttons go to their service whatever the direction, which
# refuses them at a return with the same message the API gets.
SCAN_SERVICES = {
    "receive": services.package_scan_in,
    "damaged": services.package_mark_damaged,
    "missing": services.package_mark_missing,
}
ANSWERS = {
    PackageEventType.RECEIVED: ("ok", gettext_lazy("Received")),
    PackageEventType.RETURNED: ("ok", gettext_lazy("Handed back to the driver")),
    PackageEventType.UNEXPECTED: ("warn", gettext_lazy("Not on this manifest: put it aside")),
    PackageEventType.DAMAGED: ("warn", gettext_lazy("Marked damaged")),
    PackageEventType.MISSING: ("warn", gettext_lazy("Marked missing")),
}


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _open_choices(request: HttpRequest, viewer: selectors.Viewer) -> dict:
    """Who the viewer can open a handoff with now: partners for a driver, DSPs for a partner
    member (the rule handoff_open applies, from the same selectors)."""
    if viewer.is_driver:
        driver = selectors.driver_get_for_user(user=request.user)
        if driver is None:
            raise Http404(_("Your log-in is not linked to a DSP yet; ask your DSP's dispatcher."))
        station = driver.home_station
        partners = (
            selectors.handoff_partner_choices(dsp_id=driver.dsp_id, station=station)
            if station
            else Partner.objects.none()
        )
        return {"driver": driver, "partners": list(partners), "no_station": station is None}
    if viewer.partner_id is not None:
        partner = Partner.objects.get(pk=viewer.partner_id)
        return {"partner": partner, "dsps": list(selectors.handoff_dsp_choices(partner=partner))}
    raise Http404(_("Your log-in is not linked to a DSP or a partner yet."))


def _handoff_open(request: HttpRequest, form: HandoffOpenForm, choices: dict) -> Handoff | None:
    """Open the handoff the valid form asks for; None (with the reason on the form) if not.
    A driver chooses the partner; a partner member chooses the DSP."""
    data = form.cleaned_data
    driver = choices.get("driver")
    partner = data["partner"] if driver else choices["partner"]
    dsp = driver.dsp if driver else data["dsp"]
    if partner is None or dsp is None:
        form.add_error(None, _("Choose who you hand packages to."))
        return None
    try:
        event = services.handoff_open(
            actor=request.user,
            partner=partner,
            dsp=dsp,
            direction=data["direction"],
            idempotency_key=data["idempotency_key"],
            device_time=data["device_time"],
        )
    except DomainError as error:
        form.add_error(None, str(error))
        return None
    return event.handoff


@handoff_people_required
def handoff_start(request: HttpRequest) -> HttpResponse:
    """Open today's drop-off or return, or go back to one already open."""
    viewer = selectors.viewer_for(user=request.user)
    choices = _open_choices(request, viewer)
    form = HandoffOpenForm(request.POST or None)
    form.offer(partners=choices.get("partners"), dsps=choices.get("dsps"))
    opened = request.method == "POST" and form.is_valid() and _handoff_open(request, form, choices)
    if opened:
        return redirect("packages:handoff", handoff_id=opened.pk)
    context = {
        **choices,
        "form": form,
        "open_handoffs": selectors.handoff_open_list_for(viewer=viewer),
        "return_queue": selectors.return_queue_by_partner(viewer=viewer),
    }
    return render(request, "packages/handoff_start.html", context)


def handoff_context(*, handoff: Handoff, side: str | None) -> dict:
    items = selectors.handoff_items_with_late(handoff=handoff)
    still_expected = selectors.handoff_still_expected(handoff=handoff)
    return {
        "handoff": handoff,
        "side": side,
        "items": items,
        "still_expected": still_expected,
        "discrepancies": [i for i in items if i.outcome != "received" or i.late],
        "tallies": selectors.handoff_tallies_of(items=items, still_expected=still_expected),
    }


def _side(viewer: selectors.Viewer) -> str:
    return "driver" if viewer.is_driver else "partner"


@handoff_people_required
@camera_scanner_page
def handoff_page(request: HttpRequest, handoff_id: int) -> HttpResponse:
    viewer = selectors.viewer_for(user=request.user)
    handoff = selectors.handoff_get_for(viewer=viewer, handoff_id=handoff_id)
    context = {
        **handoff_context(handoff=handoff, side=_side(viewer)),
        "scan_form": ScanForm(),
        "confirm_form": ActionForm(),
        # What each scan does to a label's outcome, for the phone's counters (outbox.js).
        "scan_outcomes": scan_outcome_table(direction=handoff.direction),
    }
    return render(request, "packages/handoff.html", context)


def _scan_answer(event: PackageEvent) -> tuple[str, str]:
    kind, text = ANSWERS.get(event.event_type, ("ok", event.get_event_type_display()))
    if event.replayed:
        return "repeat", _("Already scanned (%(answer)s)") % {"answer": text.split(":")[0].lower()}
    return kind, str(text)


def _scan_record(
    request: HttpRequest, handoff_id: int, form: ScanForm
) -> tuple[str, str, PackageEvent | None]:
    """Record the valid scan through its service: (kind, text) of the answer for the page,
    and the event when the scan changed something. The service locks the handoff and checks
    the user's side of it once (packages.access.handoff_lock_for); its refusal of an outsider
    is a 404 here, as for every handoff url."""
    data = form.cleaned_data
    service = SCAN_SERVICES[data["action"] or "receive"]
    try:
        event = service(
            actor=request.user,
            # The service reads only the id: it locks and checks the row itself.
            handoff=Handoff(pk=handoff_id),
            tracking_id=data["tracking_id"],
            idempotency_key=data["idempotency_key"],
            device_time=data["device_time"],
        )
    except NotAllowed as refusal:
        raise Http404(str(refusal)) from refusal
    except DomainError as error:
        return "error", str(error), None
    return (*_scan_answer(event), None if event.replayed else event)


def _handoff_for(request: HttpRequest, handoff_id: int) -> Handoff:
    viewer = selectors.viewer_for(user=request.user)
    return selectors.handoff_get_for(viewer=viewer, handoff_id=handoff_id)


@handoff_people_required
@require_POST
def handoff_scan(request: HttpRequest, handoff_id: int) -> HttpResponse:
    form = ScanForm(request.POST)
    if form.is_valid():
        kind, text, event = _scan_record(request, handoff_id, form)
    else:
        _handoff_for(request, handoff_id)  # an outsider gets the 404, not the hint
        kind, text, event = "error", _("Scan or type a tracking id (at most 40 characters)."), None
    tracking_id = request.POST.get("tracking_id", "").strip()
    if not is_htmx(request):
        (messages.error if kind == "error" else messages.info)(request, f"{tracking_id}: {text}")
        return redirect("packages:handoff", handoff_id=handoff_id)
    answer = {"kind": kind, "text": text, "tracking_id": tracking_id}
    context = _scan_changed(event) if event else _scan_unchanged(request, handoff_id)
    return render(request, "packages/_scan_answer.html", {**context, "answer": answer})


def _scan_changed(event: PackageEvent) -> dict:
    """The locked handoff the service counted on (current), and the one row it changed."""
    row = selectors.handoff_scan_row(handoff=event.handoff, event=event)
    return {"handoff": event.handoff, "row": row, "tallies": row.tallies}


def _scan_unchanged(request: HttpRequest, handoff_id: int) -> dict:
    """No row changed; the counters may have (the other phone), so they come back."""
    handoff, tallies = selectors.handoff_with_tallies(handoff=_handoff_for(request, handoff_id))
    return {"handoff": handoff, "row": None, "tallies": tallies}


@handoff_people_required
@require_POST
def handoff_confirm(request: HttpRequest, handoff_id: int) -> HttpResponse:
    viewer = selectors.viewer_for(user=request.user)
    handoff = selectors.handoff_get_for(viewer=viewer, handoff_id=handoff_id)
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The form was incomplete; try again."))
        return redirect("packages:handoff", handoff_id=handoff.pk)
    try:
        event = services.handoff_confirm(
            actor=request.user,
            handoff=handoff,
            idempotency_key=form.cleaned_data["idempotency_key"],
            device_time=form.cleaned_data["device_time"],
        )
    except DomainError as error:
        messages.error(request, str(error))
    else:
        handoff.refresh_from_db(fields=["status"])
        messages.success(
            request, _confirmed_text(replayed=event.replayed, closed=not handoff.is_open)
        )
    return redirect("packages:handoff", handoff_id=handoff.pk)


def _confirmed_text(*, replayed: bool, closed: bool) -> str:
    if closed:
        return _("Both sides confirmed: the handoff is closed.")
    if replayed:
        return _("You had already confirmed. Waiting for the other side to confirm.")
    return _("Confirmed. Waiting for the other side to confirm.")
