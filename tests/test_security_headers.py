"""Browser security headers on every response: a strict Content-Security-Policy (no inline
script anywhere), Permissions-Policy (the camera on our own pages only), Referrer-Policy."""

import pytest
from django.urls import reverse

from hubdelivery.lib.dates import local_date
from hubdelivery.settings.base import tile_origin
from packages import services as package_services
from packages.forms import new_idempotency_key
from packages.models import HandoffDirection
from tests.factories import ManifestFactory, PackageFactory


def directives(header: str) -> dict[str, list[str]]:
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parts}


@pytest.mark.django_db
def test_pages_carry_the_strict_policy_and_the_permission_headers(client):
    # when anyone opens the landing page
    response = client.get(reverse("partners:landing"))
    # then scripts and styles come only from our origin; the tile host may serve images
    policy = directives(response.headers["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert "https://tile.openstreetmap.org" in policy["img-src"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert response.headers["Permissions-Policy"].startswith("camera=(self)")
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_api_docs_allow_inline_styles_but_never_inline_scripts(client, partner_owner):
    # given a logged-in partner
    client.force_login(partner_owner)
    # when they open Swagger UI
    response = client.get(reverse("api-docs"))
    # then only its style policy is relaxed, and its script is a separate file
    policy = directives(response.headers["Content-Security-Policy"])
    assert "'unsafe-inline'" in policy["style-src"]
    assert policy["script-src"] == ["'self'"]
    assert "<script>" not in response.content.decode().replace(" ", "")


@pytest.mark.django_db
def test_only_the_camera_pages_may_compile_webassembly(client, partner, partner_owner, dsp_driver):
    # given a partner with a handoff open this morning (for its packages of the day)
    PackageFactory(manifest=ManifestFactory(dsp=dsp_driver.driver.dsp, partner=partner))
    handoff = package_services.handoff_open(
        actor=dsp_driver,
        partner=partner,
        dsp=dsp_driver.driver.dsp,
        direction=HandoffDirection.DROP_OFF,
        service_date=local_date(tz_name=partner.time_zone),
        idempotency_key=new_idempotency_key(),
    ).handoff
    client.force_login(partner_owner)
    # when they open the two pages with the camera scanner, and their home
    camera_pages = [reverse("packages:today"), reverse("packages:handoff", args=[handoff.pk])]
    # then the camera decoder may compile WebAssembly there, and nowhere else
    for url in camera_pages:
        response = client.get(url)
        assert response.status_code == 200
        policy = directives(response.headers["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'", "'wasm-unsafe-eval'"], url
    home = client.get(reverse("partners:partner-home"))
    assert directives(home.headers["Content-Security-Policy"])["script-src"] == ["'self'"]


def test_tile_origin_turns_a_subdomain_placeholder_into_a_wildcard():
    assert tile_origin("https://{s}.tile.example.com/{z}/{x}/{y}.png") == (
        "https://*.tile.example.com"
    )
    assert tile_origin("") == ""
