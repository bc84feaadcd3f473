"""Routes: the partner's stop order and the DSP's drop-off order, rebuilt on demand."""

import datetime

from django.db import transaction
from django.utils import timezone

from hubdelivery.lib.distances import (
    DistanceMatrixProvider,
    HaversineMatrix,
    OsrmMatrix,
    Point,
    RoutingServiceError,
    matrix_provider_from_settings,
)
from packages.models import Package, Station
from partners.models import Partner
from routing import selectors
from routing.models import DropOffRoute, DropOffStop, PartnerRoute, RouteStop
from routing.ordering import RoutePlan, dsp_dropoff_order, stop_order


def distances_provider() -> tuple[DistanceMatrixProvider, str]:
    provider = matrix_provider_from_settings()
    return provider, "osrm" if isinstance(provider, OsrmMatrix) else "haversine"


def plan_with_fallback(
    shop: Point, points: list[Point], *, open_route: bool = False
) -> tuple[RoutePlan, str]:
    """Solve with the configured distances; if the OSRM server fails, use straight lines."""
    provider, source = distances_provider()
    solve = dsp_dropoff_order if open_route else stop_order
    try:
        return solve(shop, points, provider=provider), source
    except RoutingServiceError:
        return solve(shop, points, provider=HaversineMatrix()), "haversine (OSRM unreachable)"


@transaction.atomic
def partner_route_build(*, partner: Partner, service_date: datetime.date) -> PartnerRoute:
    """Order the partner's packages for the date from the shop and back; replaces the route
    and writes each package's `route_sequence`. The address order is the solver's input, so
    the route is never longer than it."""
    packages = list(selectors.packages_for_route(partner=partner, service_date=service_date))
    points = [(package.latitude, package.longitude) for package in packages]
    plan, source = plan_with_fallback((partner.latitude, partner.longitude), points)
    route, _ = PartnerRoute.objects.select_for_update().update_or_create(
        partner=partner,
        service_date=service_date,
        defaults={
            "total_distance_m": plan.total_distance_m,
            "address_order_distance_m": plan.input_order_distance_m,
            "distance_source": source,
            "built_at": timezone.now(),
        },
    )
    route.stops.all().delete()
    RouteStop.objects.bulk_create(
        RouteStop(route=route, package=packages[index], sequence=position,
                  leg_distance_m=plan.leg_distances_m[position - 1])
        for position, index in enumerate(plan.order, start=1)
    )  # fmt: skip
    for position, index in enumerate(plan.order, start=1):
        packages[index].route_sequence = position
    Package.objects.bulk_update(packages, ["route_sequence"])
    return route


@transaction.atomic
def dropoff_route_build(*, station: Station, service_date: datetime.date) -> DropOffRoute:
    """The order in which the station's drivers visit the partners it serves that have the
    DSP's packages on the date (an open route: it ends at the last partner)."""
    counts = selectors.dropoff_package_counts(station=station, service_date=service_date)
    partners = list(Partner.objects.filter(pk__in=counts).order_by("address_line", "id"))
    points = [(partner.latitude, partner.longitude) for partner in partners]
    plan, _ = plan_with_fallback((station.latitude, station.longitude), points, open_route=True)
    route, _ = DropOffRoute.objects.select_for_update().update_or_create(
        station=station,
        service_date=service_date,
        defaults={"total_distance_m": plan.total_distance_m, "built_at": timezone.now()},
    )
    route.stops.all().delete()
    DropOffStop.objects.bulk_create(
        DropOffStop(route=route, partner=partners[index], sequence=position,
                    leg_distance_m=plan.leg_distances_m[position - 1],
                    packages=counts[partners[index].pk])
        for position, index in enumerate(plan.order, start=1)
    )  # fmt: skip
    return route
