"""Issue 18: the partners a station serves drive the driver's partner list, the handoffs a
driver may open, what a driver sees and the drop-off route. A station serves the partners
taking handoffs within STATION_SERVICE_RADIUS_MILES, plus those ops added, minus those ops
removed (packages.selectors.station_partners); ops admins and the DSP's managers adjust it on
the station page, audited."""

import pytest
from django.urls import reverse

from hubdelivery.exceptions import InvalidInput, NotAllowed
from hubdelivery.lib.geo import haversine_miles
from packages import services
from packages.models import DspEvent, DspEventKind, Handoff, HandoffDirection, StationPartner
from packages.selectors import STATION_SERVICE_RADIUS_MILES, station_partners
from packages.services import network
from packages.services.station_partners import station_partner_add, station_partner_remove
from partners.models import Partner, PartnerStatus
from tests.conftest import client_for
from tests.factories import (
    DriverFactory,
    ManifestFactory,
    PackageFactory,
    PartnerFactory,
    StationFactory,
)
from tests.packages.conftest import api_client_for, new_key

# StationFactory's depot, south Boston.
STATION_LAT, STATION_LNG = 42.3374, -71.0589


def partner_at_miles(miles: float, **fields):
    """A partner due north of the station, `miles` away (great circle)."""
    latitude = STATION_LAT + miles / 69.09
    partner = PartnerFactory(latitude=latitude, longitude=STATION_LNG, **fields)
    assert abs(haversine_miles(STATION_LAT, STATION_LNG, latitude, STATION_LNG) - miles) < 0.1
    return partner


def served(station) -> set[str]:
    return {partner.trade_name for partner in station_partners(station=station)}


@pytest.fixture
def station(dsp_driver):
    return dsp_driver.driver.home_station


@pytest.fixture
def far_partner(db):
    """Worcester-ish: beyond the station's radius."""
    return partner_at_miles(STATION_SERVICE_RADIUS_MILES + 10, trade_name="Far Florist")


# ------------------------------------------------------------------------------
# The selector
# ------------------------------------------------------------------------------
def test_a_station_serves_the_partners_within_its_radius(station):
    # given partners just inside and just outside the radius
    partner_at_miles(STATION_SERVICE_RADIUS_MILES - 0.5, trade_name="Inside")
    partner_at_miles(STATION_SERVICE_RADIUS_MILES + 0.5, trade_name="Outside")
    # then only the one inside is served
    assert served(station) == {"Inside"}


def test_ops_added_partners_are_served_and_removed_ones_are_not(station, ops_admin, far_partner):
    near = partner_at_miles(3, trade_name="Near")
    # when ops add the far partner and remove the near one
    station_partner_add(actor=ops_admin, station=station, partner_id=far_partner.pk)
    station_partner_remove(actor=ops_admin, station=station, partner_id=near.pk)
    # then
    assert served(station) == {"Far Florist"}
    # and another station of the DSP nearby is unaffected by this one's choices
    neighbour = StationFactory(dsp=station.dsp)
    assert served(neighbour) == {"Near"}


@pytest.mark.parametrize("status", [PartnerStatus.PAUSED, PartnerStatus.OFFBOARDED])
def test_a_partner_not_taking_handoffs_is_served_by_no_station(station, ops_admin, status):
    # given a partner ops added, within the radius too
    partner = partner_at_miles(2, trade_name="Closing")
    StationPartner.objects.create(station=station, partner=partner, included=True)
    # when it stops taking handoffs
    partner.status = status
    partner.save()
    # then
    assert "Closing" not in served(station)


def test_an_onboarding_partner_is_served_for_its_first_handoff(station):
    partner_at_miles(2, trade_name="New Shop", status=PartnerStatus.ONBOARDING)
    assert served(station) == {"New Shop"}


# ------------------------------------------------------------------------------
# The station page: add and remove, permissions, audit, bad input
# ------------------------------------------------------------------------------
def post(user, name, station, data):
    return client_for(user).post(reverse(f"packages:{name}", args=[station.pk]), data)


def test_ops_admin_adds_a_partner_on_the_station_page_audited(ops_admin, station, far_partner):
    # when
    response = post(ops_admin, "station-partner-add", station, {"partner": far_partner.pk})
    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("packages:station", args=[station.pk])
    choice = StationPartner.objects.get(station=station, partner=far_partner)
    assert (choice.included, choice.actor) == (True, ops_admin)
    [event] = DspEvent.objects.filter(kind=DspEventKind.STATION_PARTNER_ADDED)
    assert event.actor == ops_admin and event.dsp == station.dsp
    assert event.detail == f"{station.code}: Far Florist (#{far_partner.pk}) not served → served"
    page = client_for(ops_admin).get(reverse("packages:station", args=[station.pk]))
    assert "Far Florist" in page.content.decode() and "Added by hand" in page.content.decode()
    audit = client_for(ops_admin).get(reverse("dashboard:ops-audit")).content.decode()
    assert "Partner added to a station" in audit


def test_the_dsp_manager_removes_a_partner_audited(dsp_manager, station, partner):
    # when the DSP's own manager removes the partner within the radius
    response = post(dsp_manager, "station-partner-remove", station, {"partner": partner.pk})
    # then
    assert response.status_code == 302
    assert not StationPartner.objects.get(station=station, partner=partner).included
    [event] = DspEvent.objects.filter(kind=DspEventKind.STATION_PARTNER_REMOVED)
    assert event.detail.endswith("served → not served") and event.actor == dsp_manager
    page = client_for(dsp_manager).get(reverse("packages:station", args=[station.pk]))
    assert "Removed from this station" in page.content.decode()


def test_another_dsps_manager_gets_404(other_dsp_manager, station, partner):
    client = client_for(other_dsp_manager)
    assert client.get(reverse("packages:station", args=[station.pk])).status_code == 404
    for name in ("station-partner-add", "station-partner-remove"):
        url = reverse(f"packages:{name}", args=[station.pk])
        assert client.post(url, {"partner": partner.pk}).status_code == 404
    assert not DspEvent.objects.exists()


@pytest.mark.parametrize("persona", ["reviewer", "dsp_driver", "partner_owner"])
def test_other_roles_get_403(request, persona, station, partner):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("packages:station", args=[station.pk])).status_code == 403
    url = reverse("packages:station-partner-remove", args=[station.pk])
    assert client.post(url, {"partner": partner.pk}).status_code == 403
    assert not StationPartner.objects.exists()


def test_the_service_refuses_another_dsps_manager(other_dsp_manager, station, partner):
    with pytest.raises(NotAllowed):
        station_partner_remove(actor=other_dsp_manager, station=station, partner_id=partner.pk)


def _bad_inputs(partner, far_partner):
    paused = PartnerFactory(trade_name="Paused Shop", status=PartnerStatus.PAUSED)
    return [
        ("station-partner-add", "", "Choose an active partner."),
        ("station-partner-add", "99999", "Choose an active partner."),
        ("station-partner-add", "abc", "Choose an active partner."),
        ("station-partner-add", paused.pk, "Choose an active partner."),
        ("station-partner-add", partner.pk, "Back Bay Blooms is already served by this station."),
        ("station-partner-remove", far_partner.pk, "Far Florist is not served by this station."),
    ]


def test_bad_input_is_refused_on_the_partner_field(ops_admin, station, partner, far_partner):
    for name, value, message in _bad_inputs(partner, far_partner):
        # when the page posts it
        response = post(ops_admin, name, station, {"partner": value})
        # then the form shows the message next to the field
        assert response.status_code == 400, (name, value)
        body = response.content.decode()
        assert message in body and 'id="id_partner_error"' in body, (name, value)
        # and the service names the field
        action = station_partner_add if name.endswith("add") else station_partner_remove
        with pytest.raises(InvalidInput) as refused:
            action(actor=ops_admin, station=station, partner_id=value)
        assert refused.value.field == "partner"
    assert not DspEvent.objects.exists() and not StationPartner.objects.exists()


def test_the_station_page_runs_the_same_queries_for_10_and_50_partners(
    ops_admin, station, django_assert_max_num_queries
):
    client = client_for(ops_admin)
    url = reverse("packages:station", args=[station.pk])
    for count in (10, 50):
        PartnerFactory.create_batch(count - Partner.objects.count())
        partner = partner_at_miles(40)
        station_partner_add(actor=ops_admin, station=station, partner_id=partner.pk)
        # session, user, station, served, ops' choices, addable, and the page's own reads
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200


# ------------------------------------------------------------------------------
# The driver: partner list, handoffs, packages, drop-off route
# ------------------------------------------------------------------------------
def test_the_driver_home_lists_only_the_stations_partners(dsp_driver, partner, far_partner):
    page = client_for(dsp_driver).get(reverse("packages:driver-home")).content.decode()
    assert "Back Bay Blooms" in page and "Far Florist" not in page


def test_the_driver_home_runs_the_same_queries_for_10_and_50_partners(
    dsp_driver, django_assert_max_num_queries
):
    client = client_for(dsp_driver)
    for count in (10, 50):
        PartnerFactory.create_batch(count - Partner.objects.count())
        # session, user, roles, driver with station, served partners, and the layout's reads
        with django_assert_max_num_queries(10):
            assert client.get(reverse("packages:driver-home")).status_code == 200


def test_a_driver_without_a_station_sees_a_message_not_an_error(dsp_driver, partner):
    # given a driver the DSP has not placed at a station
    dsp_driver.driver.home_station = None
    dsp_driver.driver.save()
    client = client_for(dsp_driver)
    # then each of their pages says so
    for name in ("packages:driver-home", "packages:handoff-start", "routing:driver-route"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert "You have no home station yet" in response.content.decode(), name


def _manifest_for(partner, dsp, today):
    manifest = ManifestFactory(dsp=dsp, partner=partner, service_date=today, package_count=1)
    return PackageFactory(manifest=manifest)


def test_a_driver_opens_no_handoff_outside_their_station(dsp_driver, dsp, today, far_partner):
    # given the DSP has packages for a partner the driver's station does not serve
    _manifest_for(far_partner, dsp, today)
    # then the start page does not offer it
    page = client_for(dsp_driver).get(reverse("packages:handoff-start")).content.decode()
    assert "Far Florist" not in page
    # and the page's form, the API and the service refuse it
    form = {"partner": far_partner.pk, "direction": HandoffDirection.DROP_OFF}
    form |= {"idempotency_key": new_key()}
    response = client_for(dsp_driver).post(reverse("packages:handoff-start"), form)
    assert response.status_code == 200
    assert "Far Florist is not served by your station" in response.content.decode()
    api = api_client_for(dsp_driver).post(reverse("api-handoffs"), form, format="json")
    assert api.status_code == 403
    assert "not served by your station" in api.json()["detail"]
    with pytest.raises(NotAllowed, match="not served by your station"):
        services.handoff_open(
            actor=dsp_driver,
            partner=far_partner,
            dsp=dsp,
            direction=HandoffDirection.DROP_OFF,
            idempotency_key=new_key(),
        )
    assert not Handoff.objects.exists()


def test_a_colleague_from_another_station_cannot_scan_into_the_handoff(drop_off, manifested):
    # given a driver of the same DSP whose station is far from the partner
    far_station = StationFactory(dsp=drop_off.dsp, latitude=STATION_LAT + 1, longitude=STATION_LNG)
    colleague = DriverFactory(dsp=drop_off.dsp, home_station=far_station).user
    tracking_id = manifested[0].tracking_id
    # then the page, the API and the service refuse the scan
    page = client_for(colleague).post(
        reverse("packages:handoff-scan", args=[drop_off.pk]),
        {"tracking_id": tracking_id, "idempotency_key": new_key()},
    )
    body = {"tracking_id": tracking_id, "event_type": "received", "handoff": drop_off.pk}
    body |= {"idempotency_key": new_key(), "device_time": "2026-11-25T13:05:00Z"}
    api = api_client_for(colleague).post(reverse("api-package-event-create"), body, format="json")
    assert page.status_code == api.status_code == 404
    with pytest.raises(NotAllowed):
        services.package_receive(
            actor=colleague, handoff=drop_off, tracking_id=tracking_id, idempotency_key=new_key()
        )
    # and the driver whose station serves the partner scans it
    services.package_receive(
        actor=drop_off.driver.user,
        handoff=drop_off,
        tracking_id=tracking_id,
        idempotency_key=new_key(),
    )


def test_a_driver_opens_a_handoff_at_a_partner_ops_added(
    dsp_driver, dsp, today, far_partner, ops_admin, station
):
    _manifest_for(far_partner, dsp, today)
    station_partner_add(actor=ops_admin, station=station, partner_id=far_partner.pk)
    event = services.handoff_open(
        actor=dsp_driver,
        partner=far_partner,
        dsp=dsp,
        direction=HandoffDirection.DROP_OFF,
        idempotency_key=new_key(),
    )
    assert event.handoff.partner == far_partner


def test_a_driver_sees_only_the_packages_of_their_stations_partners(
    dsp_driver, dsp, today, partner, far_partner
):
    near = _manifest_for(partner, dsp, today)
    far = _manifest_for(far_partner, dsp, today)
    client = api_client_for(dsp_driver)
    listed = client.get(reverse("api-packages")).json()["results"]
    assert [row["tracking_id"] for row in listed] == [near.tracking_id]
    assert client.get(reverse("api-package-detail", args=[far.tracking_id])).status_code == 404


def test_the_dropoff_route_visits_only_the_stations_partners(
    dsp_driver, dsp, today, partner, far_partner
):
    _manifest_for(partner, dsp, today)
    _manifest_for(far_partner, dsp, today)
    client = client_for(dsp_driver)
    url = reverse("routing:driver-route") + f"?date={today.isoformat()}"
    # when the driver plans the day's order
    assert client.post(url).status_code == 302
    # then it stops only at the station's partner
    page = client.get(url).content.decode()
    assert "Back Bay Blooms" in page and "Far Florist" not in page


def test_a_partner_removed_after_planning_drops_out_of_the_route(
    dsp_driver, dsp, today, partner, ops_admin, station
):
    _manifest_for(partner, dsp, today)
    client = client_for(dsp_driver)
    url = reverse("routing:driver-route") + f"?date={today.isoformat()}"
    client.post(url)
    station_partner_remove(actor=ops_admin, station=station, partner_id=partner.pk)
    assert "Back Bay Blooms" not in client.get(url).content.decode()


# ------------------------------------------------------------------------------
# Stopped drivers' personal tokens
# ------------------------------------------------------------------------------
def token_client(user):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


API_URLS = ("api-me", "api-packages", "api-handoffs")


def test_a_removed_drivers_token_stops_everywhere(dsp_driver, ops_admin):
    client = token_client(dsp_driver)
    assert all(client.get(reverse(name)).status_code == 200 for name in API_URLS)
    # when the driver is removed
    network.driver_remove(actor=ops_admin, driver=dsp_driver.driver)
    # then
    for name in API_URLS:
        assert client.get(reverse(name)).status_code == 401, name


def test_a_deactivated_dsps_drivers_token_stops_until_reactivated(dsp_driver, ops_admin, dsp):
    client = token_client(dsp_driver)
    network.dsp_deactivate(actor=ops_admin, dsp=dsp)
    assert [client.get(reverse(name)).status_code for name in API_URLS] == [401] * 3
    network.dsp_reactivate(actor=ops_admin, dsp=dsp)
    assert client.get(reverse("api-me")).status_code == 200


def test_a_removed_driver_now_working_for_a_partner_keeps_their_token(
    dsp_driver, ops_admin, partner
):
    from partners.models import MemberRole
    from tests.factories import PartnerMemberFactory

    network.driver_remove(actor=ops_admin, driver=dsp_driver.driver)
    PartnerMemberFactory(partner=partner, user=dsp_driver, role=MemberRole.STAFF)
    assert token_client(dsp_driver).get(reverse("api-me")).status_code == 200


def test_another_driver_of_the_dsp_keeps_working(dsp_driver, ops_admin, dsp):
    colleague = DriverFactory(dsp=dsp).user
    network.driver_remove(actor=ops_admin, driver=dsp_driver.driver)
    assert token_client(colleague).get(reverse("api-me")).status_code == 200
