import datetime

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from accounts.roles import Role
from hubdelivery.lib.dates import local_date
from packages.selectors import driver_get_for_user
from partners.models import Partner
from partners.selectors.partners import membership_get_for_user, partner_get_for_ops
from partners.zipdata import zip_lookup
from routing import selectors
from routing.services import dropoff_route_build, partner_route_build

ops_required = role_required(Role.OPS_REVIEWER, Role.OPS_ADMIN)
member_required = role_required(Role.PARTNER_OWNER, Role.PARTNER_STAFF)


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


@member_required
def partner_route(request: HttpRequest) -> HttpResponse:
    membership = membership_get_for_user(user=request.user)
    if membership is None:
        raise Http404("You are not a member of a partner business.")
    partner = membership.partner
    service_date = requested_date(request, partner.time_zone)
    if request.method == "POST":
        partner_route_build(partner=partner, service_date=service_date)
        messages.success(request, "Route rebuilt from the current packages.")
        return redirect(f"{request.path}?date={service_date.isoformat()}")
    context = route_context(partner, service_date) | {"rebuild_url": request.path}
    return render(request, "routing/route_detail.html", context)


@ops_required
def ops_partner_route(request: HttpRequest, partner_id: int) -> HttpResponse:
    partner = partner_get_for_ops(partner_id=partner_id)
    service_date = requested_date(request, partner.time_zone)
    context = route_context(partner, service_date) | {"rebuild_url": request.path}
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


@role_required(Role.DSP_DRIVER)
def driver_dropoff_route(request: HttpRequest) -> HttpResponse:
    driver = driver_get_for_user(user=request.user)
    if driver is None or driver.home_station is None:
        raise Http404("Your log-in has no home station; ask your DSP's dispatcher.")
    station = driver.home_station
    place = zip_lookup(station.zip_code)
    service_date = requested_date(request, place.time_zone if place else "America/New_York")
    if request.method == "POST":
        dropoff_route_build(station=station, service_date=service_date)
        messages.success(request, "Drop-off order planned from today's manifests.")
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
