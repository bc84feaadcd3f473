import datetime

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.decorators import driver_required, ops_required, partner_member_required
from hubdelivery.lib.dates import local_date
from hubdelivery.lib.geo import METRES_PER_MILE
from hubdelivery.lib.zipdata import zip_lookup
from packages.selectors import driver_get_for_user
from partners.models import Partner
from partners.selectors.partners import (
    membership_current_or_404,
    partner_get_for_ops,
)
from routing import selectors
from routing.forms import CoverageForm
from routing.services import coverage_update, dropoff_route_build, partner_route_build


@ops_required
def ops_capacity(request: HttpRequest) -> HttpResponse:
    """The newest report of each time zone with its findings, and the recent reports."""
    context = {
        "findings": selectors.capacity_findings_of(reports=selectors.capacity_reports_latest()),
        "reports": selectors.capacity_reports_recent(),
    }
    return render(request, "routing/ops_capacity.html", context)


@ops_required
def ops_capacity_report(request: HttpRequest, report_id: int) -> HttpResponse:
    report = selectors.capacity_report_get(report_id=report_id)
    findings = selectors.capacity_findings_of(reports=[report])
    return render(
        request, "routing/ops_capacity_report.html", {"report": report, "findings": findings}
    )


def requested_date(request: HttpRequest, tz_name: str) -> datetime.date:
    """?date=YYYY-MM-DD, or today in the given time zone; a malformed date is a 404."""
    raw = request.GET.get("date") or request.POST.get("date")
    if not raw:
        return local_date(tz_name=tz_name)
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError as error:
        raise Http404("Dates look like 2026-11-25.") from error


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
    messages.success(request, "Route rebuilt from the current packages.")
    url = reverse("routing:ops-partner-route", args=[partner.pk])
    return redirect(f"{url}?date={service_date.isoformat()}")


@driver_required
def driver_dropoff_route(request: HttpRequest) -> HttpResponse:
    driver = driver_get_for_user(user=request.user)
    if driver is None or driver.home_station is None:
        raise Http404(_("Your log-in has no home station; ask your DSP's dispatcher."))
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
        messages.success(request, "Coverage saved.")
        return redirect("routing:ops-partner-coverage", partner_id=partner.pk)
    context = {
        "partner": partner,
        "form": form,
        "is_default": is_default,
        "map_data": coverage_map_data(partner, zip_codes, radius),
        **map_settings(),
    }
    return render(request, "routing/ops_coverage.html", context)


@ops_required
def ops_assignment(request: HttpRequest) -> HttpResponse:
    """A date's packages that routing placed or left with the DSP, with the reasons
    (default: tomorrow in UTC, the date the evening's assignment is for)."""
    if request.GET.get("date"):
        service_date = requested_date(request, settings.TIME_ZONE)
    else:
        service_date = local_date(tz_name="UTC") + datetime.timedelta(days=1)
    packages = list(selectors.assignment_packages_for_date(service_date=service_date))
    context = {
        "service_date": service_date,
        "next_date": service_date + datetime.timedelta(days=1),
        "previous_date": service_date - datetime.timedelta(days=1),
        "packages": packages,
        "unplaced": sum(1 for package in packages if package.partner_id is None),
    }
    return render(request, "routing/ops_assignment.html", context)
