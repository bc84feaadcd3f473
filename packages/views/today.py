"""The partner's day on a phone: the route-ordered list, delivering (label first, then
proof), attempts, undo, proof photos, and the owner's evening summary."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.decorators import partner_member_required
from hubdelivery.exceptions import DomainError, InvalidInput, NotAllowed
from hubdelivery.lib.dates import local_date
from packages import selectors, services
from packages.forms import (
    ActionForm,
    AttemptForm,
    DayCloseForm,
    DeliverForm,
    LabelForm,
    new_idempotency_key,
)
from packages.models import Package
from packages.services.deliveries import (
    delivery_is_undoable,
    package_is_deliverable,
    undo_window_text,
)
from packages.views.handoff import camera_scanner_page, is_htmx
from partners.models import PartnerMember
from partners.selectors.partners import membership_current_or_404

# The placeholder package of that panel: outbox.js puts the scanned label in its place.
OFFLINE_PACKAGE = Package(tracking_id="__TRACKING__")


def _membership(request: HttpRequest) -> PartnerMember:
    """The viewer's membership. Anyone else (a driver, another tenant) gets a 404 on the
    package URLs below, as if the package did not exist."""
    return membership_current_or_404(user=request.user)


# Every page and file below shows recipient data: never cached, as shops share devices.
@partner_member_required
@camera_scanner_page
def today_page(request: HttpRequest, close_form: DayCloseForm | None = None) -> HttpResponse:
    membership = _membership(request)
    partner = membership.partner
    today = local_date(tz_name=partner.time_zone)
    packages = list(
        selectors.package_list_for_partner_day(partner_id=partner.pk, service_date=today)
    )
    deliveries = selectors.standing_deliveries(packages=packages)
    for package in packages:
        delivery = deliveries.get(package.pk)
        package.photo_attempt_id = delivery.pk if delivery and delivery.photo else None
        # One key per undo form, so the page also works without JavaScript. None rather than
        # no attribute: a missing one costs the template four exceptions a row.
        undoable = delivery is not None and delivery_is_undoable(attempt=delivery)
        package.undo_key = new_idempotency_key() if undoable else None
        package.day_bucket = selectors.DAY_SUMMARY_BUCKETS[package.status]
        package.kept_at_day_close = package_is_deliverable(package=package)
    context = {
        "partner": partner,
        "membership": membership,
        "is_owner": membership.is_owner,
        "today": today,
        "packages": packages,
        "summary": selectors.day_summary(packages=packages),
        "still_open": selectors.day_still_open(packages=packages),
        "keep_for_return": [p for p in packages if p.kept_at_day_close],
        "outbox_buckets": selectors.day_bucket_after_outbox_actions(),
        "label_form": LabelForm(),
        "close_form": close_form or DayCloseForm(),
        # The deliver panel outbox.js shows without a connection, filled in from a row.
        "offline_package": OFFLINE_PACKAGE,
        "deliver_form": DeliverForm(),
        "attempt_form": AttemptForm(),
    }
    return render(request, "packages/today.html", context, status=400 if close_form else 200)


@partner_member_required
@require_POST
def day_close(request: HttpRequest) -> HttpResponse:
    """End of day: what is still to deliver goes to the secure storage area, queued for the
    next return handoff."""
    membership = _membership(request)
    form = DayCloseForm(request.POST)
    if not form.is_valid():
        return today_page(request, close_form=form)
    partner = membership.partner
    try:
        events = services.day_close(
            actor=request.user,
            partner=partner,
            service_date=local_date(tz_name=partner.time_zone),
            idempotency_key=form.cleaned_data["idempotency_key"],
            device_time=form.cleaned_data["device_time"],
        )
    except DomainError as error:
        messages.error(request, str(error))
    else:
        n = len(events)
        messages.success(
            request,
            ngettext(
                "%(n)d package kept for the driver's next return handoff.",
                "%(n)d packages kept for the driver's next return handoff.",
                n,
            )
            % {"n": n}
            if n
            else _("Nothing left to keep for the return: every package is delivered or queued."),
        )
    return redirect("packages:today")


def _deliver_context(membership: PartnerMember, package: Package, **forms) -> dict:
    return {
        "package": package,
        "membership": membership,
        "deliver_form": forms.get("deliver_form") or DeliverForm(),
        "attempt_form": forms.get("attempt_form") or AttemptForm(),
        "deliverable": package_is_deliverable(package=package),
    }


@login_required
def deliver_check(request: HttpRequest) -> HttpResponse:
    """The label scan: find the package among the partner's own, then show the proof form."""
    membership = _membership(request)
    form = LabelForm(request.GET)
    template = "packages/_deliver_panel.html" if is_htmx(request) else "packages/deliver.html"
    if not form.is_valid():
        return render(request, template, {"label_error": _("Scan or type the label.")}, status=200)
    tracking_id = form.cleaned_data["tracking_id"].strip()
    package = (
        Package.objects.select_related("partner")
        .filter(partner_id=membership.partner_id, tracking_id=tracking_id)
        .first()
    )
    if package is None:
        error = _("%(tracking)s is not one of your packages. Check the label and scan again.") % {
            "tracking": tracking_id
        }
        # htmx only swaps 2xx answers; a full page load gets the honest 404.
        status = 200 if is_htmx(request) else 404
        return render(request, template, {"label_error": error}, status=status)
    return render(request, template, _deliver_context(membership, package))


def _refused(
    request: HttpRequest,
    membership: PartnerMember,
    package: Package,
    error: DomainError,
    *,
    form_name: str,
    form: Form,
) -> HttpResponse:
    """The service's refusal on the deliver page: a bad value on the form's field it names
    (400), else a message (403 not allowed, 409 the package's state)."""
    context = _deliver_context(membership, package, **{form_name: form})
    if isinstance(error, InvalidInput):
        form.add_error(error.field if error.field in form.fields else None, str(error))
        return render(request, "packages/deliver.html", context, status=400)
    status = 403 if isinstance(error, NotAllowed) else 409
    messages.error(request, str(error))
    return render(request, "packages/deliver.html", context, status=status)


def _member_package(request: HttpRequest, tracking_id: str) -> tuple[PartnerMember, Package]:
    membership = _membership(request)
    package = selectors.package_get_for_member(
        partner_id=membership.partner_id, tracking_id=tracking_id
    )
    return membership, package


def _deliver_page_post(
    request: HttpRequest,
    tracking_id: str,
    *,
    form_class: type[Form],
    form_name: str,
    act: Callable[[Package, dict], None],
) -> HttpResponse:
    """A form of the deliver page: a bad form or the service's refusal shows the page again
    with everything typed; `act` runs the service and says what happened."""
    membership, package = _member_package(request, tracking_id)
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        context = _deliver_context(membership, package, **{form_name: form})
        return render(request, "packages/deliver.html", context, status=400)
    try:
        act(package, form.cleaned_data)
    except DomainError as error:
        return _refused(request, membership, package, error, form_name=form_name, form=form)
    return redirect("packages:today")


@login_required
@require_POST
def package_deliver(request: HttpRequest, tracking_id: str) -> HttpResponse:
    def deliver(package: Package, data: dict) -> None:
        services.package_deliver(
            actor=request.user,
            package=package,
            idempotency_key=data["idempotency_key"],
            recipient_name=data["recipient_name"],
            safe_place_note=data["safe_place_note"],
            photo=data["photo"],
            device_time=data["device_time"],
        )
        messages.success(
            request,
            _("Delivered %(tracking)s. Undo within %(window)s.")
            % {"tracking": package.tracking_id, "window": undo_window_text()},
        )

    return _deliver_page_post(
        request, tracking_id, form_class=DeliverForm, form_name="deliver_form", act=deliver
    )


@login_required
@require_POST
def package_attempt(request: HttpRequest, tracking_id: str) -> HttpResponse:
    def attempt(package: Package, data: dict) -> None:
        services.package_attempt(
            actor=request.user,
            package=package,
            reason=data["reason"],
            note=data["note"],
            idempotency_key=data["idempotency_key"],
            device_time=data["device_time"],
        )
        messages.warning(
            request,
            _("%(tracking)s not delivered. Ops have an incident and will decide.")
            % {"tracking": package.tracking_id},
        )

    return _deliver_page_post(
        request, tracking_id, form_class=AttemptForm, form_name="attempt_form", act=attempt
    )


@login_required
@require_POST
def package_undo(request: HttpRequest, tracking_id: str) -> HttpResponse:
    package = _member_package(request, tracking_id)[1]
    form = ActionForm(request.POST)
    if form.is_valid():
        try:
            services.package_delivery_undo(
                actor=request.user,
                package=package,
                idempotency_key=form.cleaned_data["idempotency_key"],
                device_time=form.cleaned_data["device_time"],
            )
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, _("Delivery of %(tracking)s undone.") % {"tracking": package.tracking_id}
            )
    return redirect("packages:today")


@login_required
def package_history(request: HttpRequest, tracking_id: str) -> HttpResponse:
    """One of the partner's packages: its custody timeline and delivery attempts."""
    package = _member_package(request, tracking_id)[1]
    context = {
        "package": package,
        "events": selectors.package_timeline(package=package),
        "attempts": selectors.package_attempts(package=package),
    }
    return render(request, "packages/package_history.html", context)


@login_required
def proof_photo(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """A proof photo, for the package's partner and ops only; never cached, not even by the
    shared device's browser."""
    viewer = selectors.viewer_for(user=request.user)
    attempt = selectors.attempt_get_for_photo(viewer=viewer, attempt_id=attempt_id)
    response = FileResponse(attempt.photo.open("rb"), content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    return response
