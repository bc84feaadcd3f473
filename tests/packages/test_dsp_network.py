"""Issue 18: the DSP network in the ops pages. Ops admins create, edit, deactivate and
reactivate a DSP and place its stations from a ZIP (a map pin adjusts the coordinates); ops
admins and the DSP's managers invite drivers by email, move them between stations and remove
them. Every change writes a DspEvent; a deactivated DSP's drivers and keys stop working, and
so does a removed driver."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import OutboundEmail
from accounts.roles import Role
from hubdelivery.exceptions import InvalidInput
from hubdelivery.lib.zipdata import zip_lookup
from packages.models import Driver, Dsp, DspEvent, DspEventKind, Station
from packages.services import network
from tests.conftest import client_for
from tests.factories import DriverFactory, StationFactory
from tests.packages.conftest import api_client_for, api_client_with_token

OUTSIDERS_403 = ["reviewer", "dsp_driver", "partner_owner"]


def post(user, name, args=(), data=None):
    return client_for(user).post(reverse(f"packages:{name}", args=args), data or {})


def events(dsp, kind):
    return list(DspEvent.objects.filter(dsp=dsp, kind=kind))


def field_error(response, message):
    """The page answered 400 with `message` on the form."""
    assert response.status_code == 400, response.status_code
    assert message in response.content.decode()


# ------------------------------------------------------------------------------
# DSPs
# ------------------------------------------------------------------------------
def test_ops_admin_creates_a_dsp_audited(ops_admin):
    response = post(
        ops_admin,
        "dsp-create",
        data={"name": " Frontier  Last Mile ", "contact_email": "Ops@Frontier.mail.test"},
    )
    dsp = Dsp.objects.get(name="Frontier Last Mile")
    assert response.status_code == 302
    assert response["Location"] == reverse("packages:dsp", args=[dsp.pk])
    assert dsp.contact_email == "ops@frontier.mail.test" and dsp.is_active
    [event] = events(dsp, DspEventKind.DSP_CREATED)
    assert (event.actor, event.detail) == (ops_admin, "Frontier Last Mile")
    listing = client_for(ops_admin).get(reverse("packages:ops-dsps")).content.decode()
    assert "Frontier Last Mile" in listing and reverse("packages:dsp-create") in listing


@pytest.mark.parametrize("persona", [*OUTSIDERS_403, "dsp_manager"])
def test_only_ops_admins_create_a_dsp(request, persona):
    response = post(request.getfixturevalue(persona), "dsp-create", data={"name": "Sneaky"})
    assert response.status_code == 403
    assert not Dsp.objects.filter(name="Sneaky").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "  "}, "This field is required."),
        ({"name": "x" * 201}, "At most 200 characters."),
        ({"name": "Taken Inc."}, "Another DSP already has this name."),
        ({"name": "Fine", "contact_email": "not-an-email"}, "Enter a valid email address."),
    ],
)
def test_bad_dsp_input_is_refused_naming_the_field(ops_admin, data, message):
    Dsp.objects.create(name="Taken Inc.")
    field_error(post(ops_admin, "dsp-create", data=data), message)
    assert Dsp.objects.count() == 1 and not DspEvent.objects.exists()


def test_bad_input_error_sits_on_its_field(ops_admin):
    with pytest.raises(InvalidInput) as caught:
        network.dsp_create(actor=ops_admin, name="Ok", contact_email="nope")
    assert caught.value.field == "contact_email"


def test_ops_admin_edits_a_dsp_audited_with_before_and_after(ops_admin, dsp):
    old_name = dsp.name
    response = post(
        ops_admin, "dsp-edit", [dsp.pk], {"name": "Renamed", "contact_email": "a@mail.test"}
    )
    assert response.status_code == 302
    dsp.refresh_from_db()
    assert (dsp.name, dsp.contact_email) == ("Renamed", "a@mail.test")
    [event] = events(dsp, DspEventKind.DSP_EDITED)
    assert f"name: {old_name} → Renamed" in event.detail and event.actor == ops_admin
    # saving the same values again changes nothing and writes no row
    post(ops_admin, "dsp-edit", [dsp.pk], {"name": "Renamed", "contact_email": "a@mail.test"})
    assert len(events(dsp, DspEventKind.DSP_EDITED)) == 1


@pytest.mark.parametrize("persona", [*OUTSIDERS_403, "dsp_manager", "other_dsp_manager"])
def test_only_ops_admins_edit_or_deactivate_a_dsp(request, persona, dsp):
    user = request.getfixturevalue(persona)
    assert post(user, "dsp-edit", [dsp.pk], {"name": "Mine"}).status_code == 403
    assert post(user, "dsp-deactivate", [dsp.pk]).status_code == 403
    dsp.refresh_from_db()
    assert dsp.is_active and not DspEvent.objects.exists()


def test_deactivating_a_dsp_stops_its_drivers_and_keys_until_reactivated(
    ops_admin, dsp, dsp_driver, dsp_token_key
):
    driver_home = reverse("packages:driver-home")
    assert client_for(dsp_driver).get(driver_home).status_code == 200
    assert api_client_with_token(dsp_token_key).get("/api/v1/packages").status_code == 200

    response = post(ops_admin, "dsp-deactivate", [dsp.pk], {"reason": "contract ended"})

    assert response.status_code == 302
    dsp.refresh_from_db()
    assert not dsp.is_active
    [event] = events(dsp, DspEventKind.DSP_DEACTIVATED)
    assert (event.actor, event.reason) == (ops_admin, "contract ended")
    assert client_for(dsp_driver).get(driver_home).status_code == 403
    assert api_client_for(dsp_driver).get("/api/v1/packages").status_code == 403
    assert api_client_with_token(dsp_token_key).get("/api/v1/packages").status_code == 401
    page = client_for(ops_admin).get(reverse("packages:dsp", args=[dsp.pk])).content.decode()
    assert "Deactivated on" in page and "Reactivate DSP" in page
    listing = client_for(ops_admin).get(reverse("packages:ops-dsps")).content.decode()
    assert "Deactivated" in listing

    assert post(ops_admin, "dsp-reactivate", [dsp.pk]).status_code == 302
    assert len(events(dsp, DspEventKind.DSP_REACTIVATED)) == 1
    assert client_for(dsp_driver).get(driver_home).status_code == 200
    assert api_client_with_token(dsp_token_key).get("/api/v1/packages").status_code == 200


def test_deactivating_twice_writes_one_row(ops_admin, dsp):
    network.dsp_deactivate(actor=ops_admin, dsp=dsp)
    network.dsp_deactivate(actor=ops_admin, dsp=dsp)
    assert len(events(dsp, DspEventKind.DSP_DEACTIVATED)) == 1


def test_reactivate_is_post_only_and_ops_admin_only(ops_admin, dsp_manager, dsp):
    network.dsp_deactivate(actor=ops_admin, dsp=dsp)
    url = reverse("packages:dsp-reactivate", args=[dsp.pk])
    assert client_for(ops_admin).get(url).status_code == 405
    assert post(dsp_manager, "dsp-reactivate", [dsp.pk]).status_code == 403
    dsp.refresh_from_db()
    assert not dsp.is_active


# ------------------------------------------------------------------------------
# Stations
# ------------------------------------------------------------------------------
STATION = {"code": "anc1", "name": "Anchorage", "address_line": "1 Ship Creek", "zip_code": "99501"}


def test_a_station_from_a_zip_sits_at_its_centroid(ops_admin, dsp):
    response = post(ops_admin, "station-create", [dsp.pk], {**STATION})
    assert response.status_code == 302
    station = Station.objects.get(code="ANC1")
    centre = zip_lookup("99501")
    assert (station.dsp, station.latitude, station.longitude) == (
        dsp,
        centre.latitude,
        centre.longitude,
    )
    [event] = events(dsp, DspEventKind.STATION_CREATED)
    assert event.actor == ops_admin and "ANC1 Anchorage" in event.detail


def test_the_pin_adjusts_the_coordinates_and_the_edit_is_audited(ops_admin, dsp):
    station = network.station_create(actor=ops_admin, dsp=dsp, **STATION)
    url = reverse("packages:station-edit", args=[station.pk])
    form = client_for(ops_admin).get(url).content.decode()
    # the form works without the map: the fields carry the ZIP's centre
    assert f'value="{station.latitude}"' in form and "js/station_map.js" in form
    data = {**STATION, "latitude": "61.2181", "longitude": "-149.9003"}
    assert client_for(ops_admin).post(url, data).status_code == 302
    station.refresh_from_db()
    assert (station.latitude, station.longitude) == (61.2181, -149.9003)
    [event] = events(dsp, DspEventKind.STATION_EDITED)
    assert "(61.21810, -149.90030)" in event.detail


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"zip_code": "00000"}, "Enter a known 5-digit US ZIP code."),
        ({"zip_code": "9950"}, "Enter a known 5-digit US ZIP code."),
        ({"latitude": "north", "longitude": "-149"}, "Enter a number."),
        ({"latitude": "95", "longitude": "-149"}, "Enter a number between -90 and 90."),
        ({"latitude": "61", "longitude": "-200"}, "Enter a number between -180 and 180."),
        ({"code": ""}, "This field is required."),
        ({"code": "TAKEN"}, "Another station already has this code."),
    ],
)
def test_bad_station_input_is_refused_naming_the_field(ops_admin, dsp, data, message):
    StationFactory(code="TAKEN")
    stations = Station.objects.count()  # the driver's home station and TAKEN
    field_error(post(ops_admin, "station-create", [dsp.pk], {**STATION, **data}), message)
    assert Station.objects.count() == stations


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"zip_code": "abcde"}, "zip_code"),
        ({"latitude": "x", "longitude": "1"}, "latitude"),
        ({"latitude": "1", "longitude": "x"}, "longitude"),
        ({"name": ""}, "name"),
    ],
)
def test_station_refusals_name_the_field(ops_admin, dsp, data, field):
    with pytest.raises(InvalidInput) as caught:
        network.station_create(actor=ops_admin, dsp=dsp, **{**STATION, **data})
    assert caught.value.field == field


@pytest.mark.parametrize("persona", [*OUTSIDERS_403, "dsp_manager"])
def test_only_ops_admins_place_stations(request, persona, dsp):
    station = StationFactory(dsp=dsp)
    user = request.getfixturevalue(persona)
    stations = Station.objects.count()
    assert post(user, "station-create", [dsp.pk], STATION).status_code == 403
    assert post(user, "station-edit", [station.pk], STATION).status_code == 403
    assert Station.objects.count() == stations


# ------------------------------------------------------------------------------
# Drivers
# ------------------------------------------------------------------------------
def join_link(email: str) -> str:
    text = OutboundEmail.objects.get(to=email).body_text
    return re.search(r"https?://\S+/driver/join/\S+/", text)[0]


@pytest.mark.parametrize("persona", ["ops_admin", "dsp_manager"])
def test_invited_driver_sets_a_password_and_lands_on_the_driver_page(request, persona, dsp):
    station = StationFactory(dsp=dsp, code="ANC1")
    inviter = request.getfixturevalue(persona)
    response = post(
        inviter,
        "driver-invite",
        [dsp.pk],
        {"email": "Nina@mail.test", "full_name": "Nina Park", "home_station": station.pk},
    )
    assert response.status_code == 302
    driver = Driver.objects.get(user__email="nina@mail.test")
    assert (driver.dsp, driver.home_station) == (dsp, station)
    assert not driver.user.has_usable_password()
    [invited] = events(dsp, DspEventKind.DRIVER_INVITED)
    assert invited.actor == inviter and "nina@mail.test" in invited.detail
    page = client_for(inviter).get(reverse("packages:dsp", args=[dsp.pk])).content.decode()
    assert "Invited, not joined yet" in page

    path = join_link("nina@mail.test").split("://", 1)[1].split("/", 1)[1]
    client = Client()
    assert client.get(f"/{path}").status_code == 200
    answer = client.post(f"/{path}", {"password1": "a-Long-pass-1", "password2": "a-Long-pass-1"})

    assert answer.status_code == 302 and answer["Location"] == reverse("packages:driver-home")
    assert client.get(reverse("packages:driver-home")).status_code == 200
    driver.user.refresh_from_db()
    assert driver.user.check_password("a-Long-pass-1")
    [joined] = events(dsp, DspEventKind.DRIVER_JOINED)
    assert joined.actor == driver.user
    # the link works once
    assert client.get(f"/{path}").status_code == 400


@pytest.mark.parametrize(
    ("persona", "status"),
    [("other_dsp_manager", 404), ("reviewer", 403), ("dsp_driver", 403), ("partner_owner", 403)],
)
def test_driver_invite_is_refused_to_everyone_else(request, persona, status, dsp):
    data = {"email": "x@mail.test", "full_name": "X"}
    response = post(request.getfixturevalue(persona), "driver-invite", [dsp.pk], data)
    assert response.status_code == status
    assert not Driver.objects.filter(user__email="x@mail.test").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "nope"}, "Enter a valid email address."),
        ({"email": ""}, "This field is required."),
        ({"full_name": " "}, "This field is required."),
        ({"email": "opsadmin@mail.test"}, "That email belongs to an ops or DSP manager account."),
        ({"email": "driver@mail.test"}, "That person already drives for a DSP."),
        ({"home_station": "other"}, "Choose one of the DSP&#x27;s stations."),
    ],
)
def test_bad_invitation_is_refused_naming_the_field(ops_admin, dsp, data, message):
    other_station = StationFactory()
    data = {"email": "new@mail.test", "full_name": "New", **data}
    if data.get("home_station") == "other":
        data["home_station"] = other_station.pk
    field_error(post(ops_admin, "driver-invite", [dsp.pk], data), message)
    assert not DspEvent.objects.filter(kind=DspEventKind.DRIVER_INVITED).exists()


def test_a_deactivated_dsp_invites_nobody(ops_admin, dsp):
    network.dsp_deactivate(actor=ops_admin, dsp=dsp)
    data = {"email": "new@mail.test", "full_name": "New"}
    field_error(
        post(ops_admin, "driver-invite", [dsp.pk], data), "The DSP is deactivated; reactivate it"
    )


@pytest.mark.parametrize("persona", ["ops_admin", "dsp_manager"])
def test_moving_a_driver_between_stations_is_audited(request, persona, dsp, dsp_driver):
    first, second = StationFactory(dsp=dsp, code="A1"), StationFactory(dsp=dsp, code="B2")
    Driver.objects.filter(user=dsp_driver).update(home_station=first)
    actor = request.getfixturevalue(persona)
    driver = dsp_driver.driver
    response = post(actor, "driver-move", [driver.pk], {"home_station": second.pk})
    assert response.status_code == 302
    driver.refresh_from_db()
    assert driver.home_station == second
    [event] = events(dsp, DspEventKind.DRIVER_MOVED)
    assert event.actor == actor and event.detail == "driver@mail.test: A1 → B2"


def test_a_driver_moves_only_to_their_own_dsps_station(ops_admin, dsp_driver):
    elsewhere = StationFactory()
    response = post(
        ops_admin, "driver-move", [dsp_driver.driver.pk], {"home_station": elsewhere.pk}
    )
    field_error(response, "Choose one of the DSP&#x27;s stations.")


@pytest.mark.parametrize(
    ("persona", "status"),
    [("other_dsp_manager", 404), ("reviewer", 403), ("dsp_driver", 403), ("partner_owner", 403)],
)
def test_others_cannot_move_or_remove_a_driver(request, persona, status, dsp_driver):
    user = request.getfixturevalue(persona)
    driver = dsp_driver.driver
    assert post(user, "driver-move", [driver.pk], {"home_station": ""}).status_code == status
    assert post(user, "driver-remove", [driver.pk]).status_code == status
    driver.refresh_from_db()
    assert driver.removed_at is None and not DspEvent.objects.exists()


@pytest.mark.parametrize("persona", ["ops_admin", "dsp_manager"])
def test_a_removed_driver_loses_the_pages_and_the_api_but_keeps_history(
    request, persona, dsp, dsp_driver
):
    actor = request.getfixturevalue(persona)
    driver = dsp_driver.driver
    response = post(actor, "driver-remove", [driver.pk], {"reason": "left the company"})
    assert response.status_code == 302
    driver.refresh_from_db()
    assert driver.removed_at is not None  # the row stays
    dsp_driver.refresh_from_db()
    assert not dsp_driver.groups.filter(name=Role.DSP_DRIVER).exists()
    [event] = events(dsp, DspEventKind.DRIVER_REMOVED)
    assert (event.actor, event.reason) == (actor, "left the company")
    assert client_for(dsp_driver).get(reverse("packages:driver-home")).status_code == 403
    assert api_client_for(dsp_driver).get("/api/v1/packages").status_code == 403
    page = client_for(actor).get(reverse("packages:dsp", args=[dsp.pk])).content.decode()
    assert "Removed" in page


def test_a_driver_left_with_the_role_but_removed_is_still_refused(ops_admin, dsp_driver):
    """The Driver link decides, not only the group: a removed driver given the role back by
    hand still reaches nothing."""
    network.driver_remove(actor=ops_admin, driver=dsp_driver.driver)
    from accounts.services import role_grant

    role_grant(user=dsp_driver, role=Role.DSP_DRIVER)
    assert client_for(dsp_driver).get(reverse("packages:driver-home")).status_code == 403
    assert api_client_for(dsp_driver).get("/api/v1/packages").status_code == 403


def test_a_removed_driver_can_be_invited_again(ops_admin, dsp, dsp_driver):
    network.driver_remove(actor=ops_admin, driver=dsp_driver.driver)
    network.driver_invite(actor=ops_admin, dsp=dsp, email="driver@mail.test", full_name="Back")
    driver = Driver.objects.get(user=dsp_driver)
    assert driver.removed_at is None
    assert client_for(dsp_driver).get(reverse("packages:driver-home")).status_code == 200


# ------------------------------------------------------------------------------
# Query counts
# ------------------------------------------------------------------------------
def _grow(dsp, start, n):
    for i in range(start, start + n):
        station = StationFactory(dsp=dsp)
        DriverFactory(dsp=dsp, home_station=station, user__email=f"d{dsp.pk}-{i}@mail.test")


def test_the_dsp_page_and_list_read_in_constant_queries(
    ops_admin, dsp, django_assert_max_num_queries
):
    client = client_for(ops_admin)
    _grow(dsp, 0, 2)
    client.get(reverse("packages:dsp", args=[dsp.pk]))  # warm the session
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("packages:dsp", args=[dsp.pk]))
    _grow(dsp, 2, 12)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("packages:dsp", args=[dsp.pk]))
    with django_assert_max_num_queries(12):
        client.get(reverse("packages:ops-dsps"))


# ------------------------------------------------------------------------------
# Spanish
# ------------------------------------------------------------------------------
def test_the_station_form_and_its_refusals_in_spanish(spanish, ops_admin, dsp):
    client = client_for(ops_admin)
    url = reverse("packages:station-create", args=[dsp.pk])
    page = client.get(url, **spanish).content.decode()
    assert "Nueva estación" in page and "Código de estación" in page
    response = client.post(url, {**STATION, "zip_code": "00000"}, **spanish)
    assert (
        "Escriba un código postal de EE. UU. de 5 dígitos que exista." in response.content.decode()
    )


def test_the_driver_invitation_email_in_spanish(ops_admin, dsp):
    from accounts.models import User

    User.objects.create_user(email="rosa@mail.test", password=None, language="es")
    network.driver_invite(actor=ops_admin, dsp=dsp, email="rosa@mail.test", full_name="Rosa")
    email = OutboundEmail.objects.get(to="rosa@mail.test")
    assert email.subject == f"Lo invitan a ser conductor de {dsp.name}"
    assert "/driver/join/" in email.body_text


def test_place_from_zip_fills_the_coordinates_without_saving(ops_admin, dsp):
    """Without JS: the button answers the form again with the ZIP's centre in the fields."""
    url = reverse("packages:station-create", args=[dsp.pk])
    response = client_for(ops_admin).post(url, {**STATION, "locate": "1"})
    centre = zip_lookup("99501")
    page = response.content.decode()
    assert response.status_code == 200
    assert f'value="{centre.latitude}"' in page and f'value="{centre.longitude}"' in page
    assert not Station.objects.filter(code="ANC1").exists() and not DspEvent.objects.exists()
    bad = client_for(ops_admin).post(url, {**STATION, "zip_code": "00000", "locate": "1"})
    field_error(bad, "Enter a known 5-digit US ZIP code.")
