import datetime
import random
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from packages.models import Package, PackageStatus
from routing.models import DropOffStop, PartnerRoute, RouteStop
from routing.services import dropoff_route_build, partner_route_build
from tests.factories import DriverFactory, PartnerFactory, StationFactory
from tests.routing.conftest import packages_for

DATE = datetime.date(2026, 12, 2)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(datetime.datetime(2026, 12, 2, 15, tzinfo=datetime.UTC)):
        yield


def scatter(partner, count: int, seed: int = 7) -> None:
    """`count` packages for DATE at random points within about 2 km of the shop."""
    packages_for(partner, DATE, count)
    rng = random.Random(seed)
    packages = list(Package.objects.filter(partner=partner, service_date=DATE))
    for package in packages:
        package.latitude = partner.latitude + rng.uniform(-0.02, 0.02)
        package.longitude = partner.longitude + rng.uniform(-0.02, 0.02)
    Package.objects.bulk_update(packages, ["latitude", "longitude"])


def test_route_visits_every_package_once_and_never_beats_address_order_backwards(partner):
    # given
    scatter(partner, 25)
    packages_for(partner, DATE, 2, status=PackageStatus.MISSING)
    # when
    route = partner_route_build(partner=partner, service_date=DATE)
    # then every deliverable package is one stop, numbered 1..n, mirrored on the package
    stops = list(RouteStop.objects.filter(route=route).select_related("package"))
    assert sorted(stop.sequence for stop in stops) == list(range(1, 26))
    assert len({stop.package_id for stop in stops}) == 25
    assert all(stop.package.route_sequence == stop.sequence for stop in stops)
    assert not Package.objects.filter(status=PackageStatus.MISSING, route_sequence__isnull=False)
    # and the route starts and ends at the shop and is no longer than the address order
    assert route.total_distance_m <= route.address_order_distance_m
    legs = sum(stop.leg_distance_m for stop in stops)
    assert 0 < legs < route.total_distance_m  # the way back to the shop is the last leg


def test_rebuilding_replaces_the_route(partner):
    scatter(partner, 8)
    first = partner_route_build(partner=partner, service_date=DATE)
    second = partner_route_build(partner=partner, service_date=DATE)
    assert first.pk == second.pk
    assert PartnerRoute.objects.count() == 1
    assert RouteStop.objects.count() == 8


def test_route_with_no_packages_is_empty(partner):
    route = partner_route_build(partner=partner, service_date=DATE)
    assert (route.total_distance_m, route.stops.count()) == (0, 0)


def test_unreachable_osrm_falls_back_to_straight_lines(partner, settings):
    settings.ROUTING_OSRM_URL = "http://127.0.0.1:9"
    settings.ROUTING_OSRM_TIMEOUT = 0.5
    scatter(partner, 3)
    route = partner_route_build(partner=partner, service_date=DATE)
    assert route.distance_source == "haversine (OSRM unreachable)"
    assert route.stops.count() == 3


def test_dropoff_route_visits_each_partner_with_the_dsps_packages(db):
    # given a station and three partners with its DSP's packages, one with another DSP's
    station = StationFactory()
    near = PartnerFactory(latitude=42.34, longitude=-71.06)
    far = PartnerFactory(latitude=42.40, longitude=-71.10)
    middle = PartnerFactory(latitude=42.37, longitude=-71.08)
    for partner, count in [(near, 3), (far, 2), (middle, 4)]:
        packages_for(partner, DATE, count)
    Package.objects.update(dsp=station.dsp)
    other = PartnerFactory()
    packages_for(other, DATE, 5)
    # when
    route = dropoff_route_build(station=station, service_date=DATE)
    # then the route is open, from the station out: near, middle, far
    stops = list(DropOffStop.objects.filter(route=route).order_by("sequence"))
    assert [stop.partner for stop in stops] == [near, middle, far]
    assert [stop.packages for stop in stops] == [3, 4, 2]
    assert route.total_distance_m == sum(stop.leg_distance_m for stop in stops)


def test_partner_sees_its_route_in_order(client, partner, partner_staff, other_partner):
    scatter(partner, 5)
    packages_for(other_partner, DATE, 3)
    partner_route_build(partner=partner, service_date=DATE)
    client.force_login(partner_staff)
    response = client.get(reverse("routing:partner-route"), {"date": "2026-12-02"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<li><strong>") == 5
    assert "route-map-data" in html
    # distances read in miles or feet, never metres
    assert len(re.findall(r"\d (mi|ft) from the previous stop", html)) == 5
    assert re.search(r"\d (mi|ft) in all from the shop and back", html)
    assert " m from" not in html
    other_tracking = Package.objects.filter(partner=other_partner).first().tracking_id
    assert other_tracking not in html


def test_partner_replans_by_post(client, partner):
    scatter(partner, 4)
    client.force_login(partner.owner)
    response = client.post(reverse("routing:partner-route"), {"date": "2026-12-02"})
    assert response.status_code == 302
    assert PartnerRoute.objects.get(partner=partner).stops.count() == 4


@pytest.mark.parametrize("count", [10, 100])
def test_route_page_is_constant_query(client, partner, django_assert_max_num_queries, count):
    scatter(partner, count)
    partner_route_build(partner=partner, service_date=DATE)
    client.force_login(partner.owner)
    # session, user, groups, membership, route, stops with packages
    with django_assert_max_num_queries(7):
        response = client.get(reverse("routing:partner-route"), {"date": "2026-12-02"})
    assert response.content.decode().count("<li><strong>") == count


def test_malformed_date_is_404(client, partner):
    client.force_login(partner.owner)
    assert client.get(reverse("routing:partner-route"), {"date": "tomorrow"}).status_code == 404


def test_ops_see_and_rebuild_any_partners_route(client, reviewer, partner):
    scatter(partner, 3)
    client.force_login(reviewer)
    url = reverse("routing:ops-partner-route", args=[partner.pk])
    assert "No route is planned" in client.get(url, {"date": "2026-12-02"}).content.decode()
    rebuild = reverse("routing:ops-partner-route-rebuild", args=[partner.pk])
    assert client.post(rebuild, {"date": "2026-12-02"}).status_code == 302
    assert PartnerRoute.objects.filter(partner=partner, service_date=DATE).exists()


def form_of(html: str, button: str) -> tuple[str, dict[str, str]]:
    """The action and hidden fields of the POST form whose button reads `button`."""
    forms = re.findall(r'<form method="post" action="([^"]+)">(.*?)</form>', html, re.S)
    action, body = next((action, body) for action, body in forms if button in body)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', body))
    return action, fields


def test_ops_plan_this_route_now_builds_the_route_and_says_so(reviewer, partner):
    # given: no route yet for the date, and a client that enforces CSRF like a browser
    scatter(partner, 3)
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer)
    page = client.get(
        reverse("routing:ops-partner-route", args=[partner.pk]), {"date": "2026-12-02"}
    )
    action, fields = form_of(page.content.decode(), "Plan this route now")
    # when: the button's form is submitted as the page renders it
    response = client.post(action, fields, follow=True)
    # then: the route is built and the page says so
    assert response.redirect_chain[-1][0].endswith("?date=2026-12-02")
    assert "Route rebuilt from the current packages." in response.content.decode()
    assert PartnerRoute.objects.get(partner=partner, service_date=DATE).stops.count() == 3


def test_ops_plan_this_route_now_needs_the_csrf_token(reviewer, partner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer)
    rebuild = reverse("routing:ops-partner-route-rebuild", args=[partner.pk])
    assert client.post(rebuild, {"date": "2026-12-02"}).status_code == 403
    assert not PartnerRoute.objects.exists()


def test_ops_route_page_answers_a_post_with_405_not_silence(client, reviewer, partner):
    client.force_login(reviewer)
    url = reverse("routing:ops-partner-route", args=[partner.pk])
    assert client.post(url, {"date": "2026-12-02"}).status_code == 405
    assert not PartnerRoute.objects.exists()


@pytest.mark.parametrize("persona", ["partner_owner", "dsp_driver", "applicant"])
def test_ops_route_pages_refuse_other_roles(client, request, persona, partner):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("routing:ops-partner-route", args=[partner.pk])).status_code == 403
    rebuild = reverse("routing:ops-partner-route-rebuild", args=[partner.pk])
    assert client.post(rebuild).status_code == 403


def test_driver_plans_and_sees_the_dropoff_order(client, db):
    station = StationFactory()
    driver = DriverFactory(dsp=station.dsp, home_station=station)
    partner = PartnerFactory(trade_name="Corner Florist")
    packages_for(partner, DATE, 3)
    Package.objects.update(dsp=station.dsp)
    client.force_login(driver.user)
    url = reverse("routing:driver-route")
    assert "not planned yet" in client.get(url).content.decode()
    client.post(url, {"date": "2026-12-02"})
    html = client.get(url, {"date": "2026-12-02"}).content.decode()
    assert "Corner Florist" in html
    assert "3 packages" in html
    assert re.search(r"\d (mi|ft) from the station to the last one", html)


def test_driver_without_station_and_other_roles(client, dsp_driver, partner):
    # a driver the DSP has not placed at a station reads why there is no order
    dsp_driver.driver.home_station = None
    dsp_driver.driver.save()
    client.force_login(dsp_driver)
    response = client.get(reverse("routing:driver-route"))
    assert response.status_code == 200
    assert "You have no home station yet" in response.content.decode()
    client.force_login(partner.owner)
    assert client.get(reverse("routing:driver-route")).status_code == 403


def test_driver_dropoff_order_in_spanish(client, db, spanish):
    station = StationFactory(name="Queens Depot")
    driver = DriverFactory(dsp=station.dsp, home_station=station)
    partner = PartnerFactory(trade_name="Corner Florist")
    packages_for(partner, DATE, 3)
    Package.objects.update(dsp=station.dsp)
    client.force_login(driver.user)
    url = reverse("routing:driver-route")
    # when the driver plans the day's order, then reads it
    planned = client.post(url, {"date": "2026-12-02"}, follow=True, **spanish)
    html = planned.content.decode()
    # then
    assert "Orden de entregas planificado con los manifiestos de hoy." in html
    assert "Orden de entregas desde Queens Depot" in html and "Drop-off order from" not in html
    assert "3 paquetes · " in html and "3 packages" not in html


def test_partner_route_in_spanish(client, partner, spanish):
    scatter(partner, 3)
    partner_route_build(partner=partner, service_date=DATE)
    client.force_login(partner.owner)
    html = client.get(reverse("routing:partner-route"), {"date": "2026-12-02"}, **spanish)
    body = html.content.decode()
    assert "3 paradas" in body and "3 stops" not in body
    assert "desde la parada anterior" in body and "from the previous stop" not in body
    assert re.search(r"\d+ (pies|mi) desde la parada anterior", body)
