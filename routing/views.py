import datetime

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from accounts.decorators import driver_required, ops_required, partner_member_required
from accounts.views import safe_next_url
from hubdelivery.exceptions import DomainError
from hubdelivery.lib.csvutil import csv_streaming_response
from hubdelivery.lib.dates import local_date
from hubdelivery.lib.geo import METRES_PER_MILE
from hubdelivery.lib.zipdata import zip_lookup
from packages.selectors import driver_get_for_user
from partners.models import DeliveryMode, Partner
from partners.selectors.partners import (
    membership_current_or_404,
    partner_get_for_ops,
)
from routing import selectors
from routing.forms import CoverageForm, FindingFilterForm
from routing.models import CapacityFinding, CapacityReport, ZipMove
from routing.services import (
    coverage_update,
    dropoff_route_build,
    finding_apply,
    partner_route_build,
    zip_move_undo,
    zip_moves_mark_undoable,
)


def findings_with_moves(
    reports: list[CapacityReport], kind: str
) -> tuple[list[CapacityFinding], list[ZipMove]]:
    """The reports' findings, each with `zip_move` (its newest ZIP move, or None), and all
    the reports' moves with `can_undo`: three queries at most."""
    findings = list(selectors.capacity_findings_of(reports=reports, kind=kind))
    moves = zip_moves_mark_undoable(moves=selectors.zip_moves_of_reports(reports=reports))
    newest = {(m.report_id, m.partner_from_id, m.finding_kind): m for m in moves}
    for finding in findings:
        finding.zip_move = newest.get((finding.report_id, finding.partner_id, finding.kind))
    return findings, moves


@ops_required
def ops_capacity(request: HttpRequest) -> HttpResponse:
    """The newest report of each time zone with its findings, and the recent reports."""
    form = FindingFilterForm(request.GET or None)
    latest = list(selectors.capacity_reports_latest())
    findings, _moves = findings_with_moves(latest, form.kind_or_all())
    context = {"form": form, "findings": findings, "reports": selectors.capacity_reports_recent()}
    return render(request, "routing/ops_capacity.html", context)


@ops_required
def ops_capacity_report(request: HttpRequest, report_id: int) -> HttpResponse:
    report = selectors.capacity_report_get(report_id=report_id)
    form = FindingFilterForm(request.GET or None)
    findings, moves = findings_with_moves([report], form.kind_or_all())
    context = {"report": report, "findings": findings, "form": form, "zip_moves": moves}
    return render(request, "routing/ops_capacity_report.html", context)


def back_to_report(request: HttpRequest, report_id: int) -> HttpResponse:
    """To the page the form was on (its `next`), else the report's page."""
    next_url = request.POST.get("next", "")
    if not next_url:
        return redirect("routing:ops-capacity-report", report_id=report_id)
    return redirect(safe_next_url(request, next_url))


@require_POST
@ops_required
def ops_finding_apply(request: HttpRequest, finding_id: int) -> HttpResponse:
    """Move the finding's ZIPs to its neighbour for its date (routing.services.finding_apply)."""
    finding = selectors.capacity_finding_get(finding_id=finding_id)
    try:
        move = finding_apply(finding=finding, actor=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        count = move.moved.count()
        messages.success(
            request,
            ngettext(
                "%(count)d package moved to %(name)s.",
                "%(count)d packages moved to %(name)s.",
                count,
            )
            % {"count": count, "name": move.partner_to.trade_name},
        )
    return back_to_report(request, finding.report_id)


@require_POST
@ops_required
def ops_zip_move_undo(request: HttpRequest, move_id: int) -> HttpResponse:
    move = selectors.zip_move_get(move_id=move_id)
    try:
        zip_move_undo(move=move, actor=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("ZIP move undone: the packages are back with %(name)s.")
            % {"name": move.partner_from.trade_name},
        )
    return back_to_report(request, move.report_id)


def findings_csv(findings, filename: str) -> StreamingHttpResponse:
    header = [
        _("Service date"),
        _("Time zone"),
        _("Partner"),
        _("Finding"),
        _("Details"),
        _("Suggested action"),
        _("Neighbour"),
    ]
    rows = (
        [
            finding.report.service_date.isoformat(),
            finding.report.time_zone,
            finding.partner.trade_name,
            finding.get_kind_display(),
            finding.message,
            finding.suggested_action,
            finding.neighbour.trade_name if finding.neighbour else "",
        ]
        for finding in findings.iterator(chunk_size=2000)
    )
    return csv_streaming_response(filename=filename, header=header, rows=rows)


@ops_required
def ops_capacity_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The latest findings the page's filter keeps (a night writes thousands), streamed."""
    kind = FindingFilterForm(request.GET or None).kind_or_all()
    latest = selectors.capacity_reports_latest()
    findings = selectors.capacity_findings_of(reports=latest, kind=kind)
    return findings_csv(findings, "capacity-findings.csv")


@ops_required
def ops_capacity_report_csv(request: HttpRequest, report_id: int) -> StreamingHttpResponse:
    report = selectors.capacity_report_get(report_id=report_id)
    kind = FindingFilterForm(request.GET or None).kind_or_all()
    findings = selectors.capacity_findings_of(reports=[report], kind=kind)
    return findings_csv(findings, f"capacity-findings-{report.service_date}.csv")


def requested_date(request: HttpRequest, tz_name: str) -> datetime.date:
    """?date=YYYY-MM-DD, or today in the given time zone; a malformed date is a 404."""
    raw = request.GET.get("date") or request.POST.get("date")
    if not raw:
        return local_date(tz_name=tz_name)
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError as error:
        raise Http404(_("Dates look like 2026-11-25.")) from error


def map_settings() -> dict:
    return {
        "map_tile_url": getattr(settings, "MAP_TILE_URL", ""),
        "map_attribution": getattr(settings, "MAP_TILE_ATTRIBUTION", ""),
    }


def route_context(partner: Partner, service_date: datetime.date) -> dict:
    route = selectors.partner_route_get(partner_id=partner.pk, service_date=service_date)
    stops = list(selectors.route_stops(route=route)) if route else []
    points = [
        {"lat": stop.package.latitude, "lng": stop.package.longitude, "label": str(stop.sequence)}
        for stop in stops
    ]
    return {
        "partner": partner,
        "service_date": service_date,
        "next_date": service_date + datetime.timedelta(days=1),
        "previous_date": service_date - datetime.timedelta(days=1),
        "route": route,
        "stops": stops,
        "map_data": {"shop": {"lat": partner.latitude, "lng": partner.longitude}, "stops": points},
        **map_settings(),
    }


@partner_member_required
def partner_route(request: HttpRequest) -> HttpResponse:
    partner = membership_current_or_404(user=request.user).partner
    service_date = requested_date(request, partner.time_zone)
    if request.method == "POST":
        partner_route_build(partner=partner, service_date=service_date)
        messages.success(request, _("Route rebuilt from the current packages."))
        return redirect(f"{request.path}?date={service_date.isoformat()}")
    context = route_context(partner, service_date) | {"rebuild_url": request.path}
    return render(request, "routing/route_detail.html", context)


@require_safe
@ops_required
def ops_partner_route(request: HttpRequest, partner_id: int) -> HttpResponse:
    """The partner's route for a date. Its "Plan this route now" form posts to
    ops_partner_route_rebuild; this page only reads (a POST here is a 405, never ignored)."""
    partner = partner_get_for_ops(partner_id=partner_id)
    service_date = requested_date(request, partner.time_zone)
    context = route_context(partner, service_date) | {
        "rebuild_url": reverse("routing:ops-partner-route-rebuild", args=[partner.pk]),
        "coverage_url": reverse("routing:ops-partner-coverage", args=[partner.pk]),
    }
    return render(request, "routing/route_detail.html", context)


@require_POST
@ops_required
def ops_partner_route_rebuild(request: HttpRequest, partner_id: int) -> HttpResponse:
    partner = partner_get_for_ops(partner_id=partner_id)
    service_date = requested_date(request, partner.time_zone)
    partner_route_build(partner=partner, service_date=service_date)
    messages.success(request, _("Route rebuilt from the current packages."))
    url = reverse("routing:ops-partner-route", args=[partner.pk])
    return redirect(f"{url}?date={service_date.isoformat()}")


@driver_required
def driver_dropoff_route(request: HttpRequest) -> HttpResponse:
    driver = driver_get_for_user(user=request.user)
    if driver is None:
        raise Http404(_("Your log-in is not linked to a DSP yet; ask your DSP's dispatcher."))
    if driver.home_station is None:
        return render(request, "routing/dropoff_route.html", {"station": None})
    station = driver.home_station
    place = zip_lookup(station.zip_code)
    service_date = requested_date(request, place.time_zone if place else "America/New_York")
    if request.method == "POST":
        dropoff_route_build(station=station, service_date=service_date)
        messages.success(request, _("Drop-off order planned from today's manifests."))
        return redirect(f"{request.path}?date={service_date.isoformat()}")
    route = selectors.dropoff_route_get(station_id=station.pk, service_date=service_date)
    stops = list(selectors.dropoff_stops(route=route)) if route else []
    points = [
        {"lat": stop.partner.latitude, "lng": stop.partner.longitude, "label": str(stop.sequence)}
        for stop in stops
    ]
    context = {
        "station": station,
        "service_date": service_date,
        "route": route,
        "stops": stops,
        "map_data": {"shop": {"lat": station.latitude, "lng": station.longitude}, "stops": points},
        **map_settings(),
    }
    return render(request, "routing/dropoff_route.html", context)


def coverage_map_data(partner: Partner, zip_codes: list[str], radius_miles: float) -> dict:
    """The shop, the radius and each ZIP's centre, for static/js/coverage_map.js."""
    places = [place for place in (zip_lookup(code) for code in zip_codes) if place]
    return {
        "shop": {"lat": partner.latitude, "lng": partner.longitude},
        "radius_m": round(radius_miles * METRES_PER_MILE),
        "zips": [{"lat": p.latitude, "lng": p.longitude, "label": p.zip_code} for p in places],
    }


@ops_required
def ops_partner_coverage(request: HttpRequest, partner_id: int) -> HttpResponse:
    """Edit where the partner delivers; every saved change is audited (coverage_update)."""
    partner = partner_get_for_ops(partner_id=partner_id)
    zip_codes, radius, is_default = selectors.coverage_for_partner(partner=partner)
    initial = {"zip_codes": ", ".join(zip_codes), "radius_miles": radius}
    form = CoverageForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        coverage_update(partner=partner, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Coverage saved."))
        return redirect("routing:ops-partner-coverage", partner_id=partner.pk)
    labels = dict(DeliveryMode.choices)
    context = {
        "partner": partner,
        "delivery_modes": ", ".join(str(labels.get(m, m)) for m in partner.delivery_modes or []),
        "form": form,
        "is_default": is_default,
        "map_data": coverage_map_data(partner, zip_codes, radius),
        **map_settings(),
    }
    return render(request, "routing/ops_coverage.html", context)


def assignment_date(request: HttpRequest) -> datetime.date:
    """?date=, or tomorrow in UTC (the date the evening's assignment is for)."""
    if request.GET.get("date"):
        return requested_date(request, settings.TIME_ZONE)
    return local_date(tz_name="UTC") + datetime.timedelta(days=1)


@ops_required
def ops_assignment_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The page's date's packages, each with its partner and why, streamed."""
    service_date = assignment_date(request)
    header = [
        _("Package"),
        _("Recipient"),
        _("Address"),
        _("ZIP code"),
        "DSP",
        _("Partner"),
        _("Status"),
        _("Why"),
    ]
    packages = selectors.assignment_packages_for_date(service_date=service_date)
    rows = (
        [
            package.tracking_id,
            package.recipient_name,
            package.address_line,
            package.zip_code,
            package.dsp.name,
            package.partner.trade_name if package.partner else _("With the DSP"),
            package.get_status_display(),
            package.assignment_reason,
        ]
        for package in packages.iterator(chunk_size=2000)
    )
    return csv_streaming_response(
        filename=f"assignment-{service_date}.csv", header=header, rows=rows
    )


@ops_required
def ops_assignment(request: HttpRequest) -> HttpResponse:
    """A date's packages that routing placed or left with the DSP, with the reasons
    (default: tomorrow in UTC, the date the evening's assignment is for)."""
    service_date = assignment_date(request)
    packages = list(selectors.assignment_packages_for_date(service_date=service_date))
    context = {
        "service_date": service_date,
        "next_date": service_date + datetime.timedelta(days=1),
        "previous_date": service_date - datetime.timedelta(days=1),
        "packages": packages,
        "unplaced": sum(1 for package in packages if package.partner_id is None),
    }
    return render(request, "routing/ops_assignment.html", context)
