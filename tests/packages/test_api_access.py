"""Every object URL and endpoint against every role that must not reach it.

The world: `partner`'s package, received at a drop-off by `dsp_driver` of `dsp`, attempted
(an open incident), on a manifest sent by `dsp`'s system. Other tenants get 404, roles
without any packages 403, anonymous callers 401.
"""

import pytest
from django.conf import settings
from django.middleware.csrf import CSRF_SECRET_LENGTH
from django.urls import reverse
from django.utils.crypto import get_random_string
from rest_framework.test import APIClient

from accounts.roles import Role
from packages import services
from packages.models import AttemptReason, Incident, Manifest, PackageStatus
from tests.factories import PackageFactory, UserFactory
from tests.packages.conftest import api_client_for, api_client_with_token, new_key


@pytest.fixture
def world(received, partner_owner, drop_off):
    services.package_attempt(
        actor=partner_owner,
        package=received,
        reason=AttemptReason.UNSAFE,
        idempotency_key=new_key(),
    )
    return {
        "package": received,
        "handoff": drop_off,
        "incident": Incident.objects.get(),
        "manifest": Manifest.objects.get(),
    }


def urls(world) -> dict[str, tuple[str, str]]:
    tracking_id = world["package"].tracking_id
    return {
        "manifest": ("get", reverse("api-manifest-detail", args=[world["manifest"].pk])),
        "package": ("get", reverse("api-package-detail", args=[tracking_id])),
        "package events": ("get", reverse("api-package-events", args=[tracking_id])),
        "handoff": ("get", reverse("api-handoff-detail", args=[world["handoff"].pk])),
        "handoff confirm": ("post", reverse("api-handoff-confirm", args=[world["handoff"].pk])),
        "incident resolve": ("post", reverse("api-incident-resolve", args=[world["incident"].pk])),
        "package event": ("post", reverse("api-package-event-create")),
        "handoff open": ("post", reverse("api-handoffs")),
    }


def call(client, method, url, world=None):
    """GET, or POST a body that would succeed for an insider (deliver the package, open a
    return handoff for the partner with the DSP, resolve the incident, confirm)."""
    if method == "get":
        return client.get(url)
    body = {"idempotency_key": new_key(), "resolution": "re_attempt"}
    if world is not None:
        body |= {
            "tracking_id": world["package"].tracking_id,
            "event_type": "delivered",
            "recipient_name": "Jo",
            "device_time": "2026-11-25T13:00:00Z",
            "partner": world["handoff"].partner_id,
            "dsp": world["handoff"].dsp_id,
            "direction": "return",
        }
    return client.post(url, body, format="json")


NAMES = [
    "manifest",
    "package",
    "package events",
    "handoff",
    "handoff confirm",
    "incident resolve",
    "package event",
    "handoff open",
]
# What each outsider gets on each URL.
EXPECTED = {
    "other_partner": {
        "manifest": 404,
        "package": 404,
        "package events": 404,
        "handoff": 404,
        "handoff confirm": 404,
        "incident resolve": 403,
        "package event": 404,
        "handoff open": 403,
    },
    "other_dsp_driver": {
        "manifest": 404,
        "package": 404,
        "package events": 404,
        "handoff": 404,
        "handoff confirm": 404,
        "incident resolve": 403,
        "package event": 404,
        "handoff open": 403,
    },
    "other_dsp_token": {
        "manifest": 404,
        "package": 404,
        "package events": 404,
        "handoff": 404,
        "handoff confirm": 403,
        "incident resolve": 403,
        "package event": 403,
        "handoff open": 403,
    },
    "applicant": dict.fromkeys(NAMES, 403),
    "anonymous": dict.fromkeys(NAMES, 401),
}
# Manifests are looked up in the caller's scope only: for an applicant it is empty.
EXPECTED["applicant"]["manifest"] = 404


@pytest.fixture
def outsiders(other_partner, other_dsp_driver, other_dsp_token_key, applicant):
    return {
        "other_partner": api_client_for(other_partner.owner),
        "other_dsp_driver": api_client_for(other_dsp_driver),
        "other_dsp_token": api_client_with_token(other_dsp_token_key),
        "applicant": api_client_for(applicant),
        "anonymous": APIClient(),
    }


@pytest.mark.parametrize("who", list(EXPECTED))
def test_outsiders_cannot_reach_any_object(world, outsiders, who):
    for name, (method, url) in urls(world).items():
        response = call(outsiders[who], method, url, world)
        assert response.status_code == EXPECTED[who][name], (who, name, response.content)


LISTS = ["api-manifests", "api-packages", "api-handoffs", "api-incidents"]


@pytest.mark.parametrize("who", list(EXPECTED))
def test_outsiders_lists_hold_nothing_of_the_partner(world, outsiders, who):
    for url_name in LISTS:
        response = outsiders[who].get(reverse(url_name))
        if response.status_code == 200:
            assert response.json()["count"] == 0, (who, url_name)
        else:
            assert response.status_code in (401, 403), (who, url_name)


def test_insiders_reach_their_objects(world, partner_owner, dsp_driver, dsp_token_key, reviewer):
    allowed = {
        "partner": (api_client_for(partner_owner), {"package", "package events", "handoff"}),
        "driver": (api_client_for(dsp_driver), {"package", "package events", "handoff"}),
        "token": (api_client_with_token(dsp_token_key), {"manifest", "package", "handoff"}),
        "ops": (api_client_for(reviewer), {"manifest", "package", "package events", "handoff"}),
    }
    for who, (client, names) in allowed.items():
        for name in names:
            method, url = urls(world)[name]
            assert call(client, method, url, world).status_code == 200, (who, name)


def test_recipient_details_only_for_the_partner_and_ops(
    world, partner_owner, dsp_driver, dsp_token_key, reviewer
):
    url = reverse("api-package-detail", args=[world["package"].tracking_id])
    personal = {"recipient_name", "address_line", "latitude", "longitude"}
    for client, sees in [
        (api_client_for(partner_owner), True),
        (api_client_for(reviewer), True),
        (api_client_for(dsp_driver), False),
        (api_client_with_token(dsp_token_key), False),
    ]:
        body = client.get(url).json()
        assert personal <= set(body) if sees else not personal & set(body)
        assert body["zip_code"] == "02116"


def test_driver_cannot_resolve_and_partner_cannot_read_manifests(world, dsp_driver, partner_owner):
    resolve_url = reverse("api-incident-resolve", args=[world["incident"].pk])
    body = {"idempotency_key": new_key(), "resolution": "re_attempt"}
    assert api_client_for(dsp_driver).post(resolve_url, body, format="json").status_code == 403
    assert api_client_for(partner_owner).post(resolve_url, body, format="json").status_code == 403
    assert api_client_for(partner_owner).get(reverse("api-manifests")).status_code == 403
    assert api_client_for(dsp_driver).get(reverse("api-incidents")).status_code == 403


def test_user_without_any_role_is_refused_lists(db):
    client = api_client_for(UserFactory())
    assert client.get(reverse("api-packages")).status_code == 403


def test_the_same_posts_succeed_for_insiders(world, partner_owner, dsp_driver):
    # given: the incident resolved for a re-attempt, so the package can be delivered again
    services.incident_resolve(
        actor=UserFactory(roles=[Role.OPS_ADMIN]),
        incident=world["incident"],
        resolution="re_attempt",
        idempotency_key=new_key(),
    )
    # and a package of the DSP queued for return there, so a return can open
    PackageFactory(manifest=world["manifest"], status=PackageStatus.RETURN_PENDING)
    # then: the bodies the outsiders sent work for the package's partner and the DSP's driver
    event_url = urls(world)["package event"][1]
    assert call(api_client_for(partner_owner), "post", event_url, world).status_code == 201
    open_url = urls(world)["handoff open"][1]
    assert call(api_client_for(dsp_driver), "post", open_url, world).status_code == 201


def test_a_session_post_needs_the_csrf_token(partner_owner, dsp, manifested):
    # given: a partner's logged-in browser, held to CSRF as a real one is
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(partner_owner)
    body = {"dsp": dsp.pk, "direction": "drop_off", "idempotency_key": new_key()}
    # when: it posts without the token
    refused = browser.post(reverse("api-handoffs"), body, format="json")
    # then: a documented 403 in JSON; with the token (cookie and header) the same post works
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith("CSRF Failed")
    browser.cookies[settings.CSRF_COOKIE_NAME] = token = get_random_string(CSRF_SECRET_LENGTH)
    opened = browser.post(reverse("api-handoffs"), body, format="json", HTTP_X_CSRFTOKEN=token)
    assert opened.status_code == 201
