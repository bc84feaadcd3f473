"""Issue 14, finding 8: shops share devices, so nothing personal stays in a browser's cache.

hubdelivery.middleware.NoStoreMiddleware sends `Cache-Control: no-store` on every response
to a signed-in user and on every API response; the public landing page and static files
stay cacheable. One test per kind of URL."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from packages.models import DeliveryAttempt, ManifestUpload
from tests.conftest import client_for
from tests.packages.conftest import api_client_with_token
from tests.packages.test_manifest_upload_pages import HEADER, upload
from tests.packages.test_today_pages import deliver, jpeg_upload


def assert_no_store(response) -> None:
    assert response.status_code == 200, response.status_code
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert "no-store" in directives, response["Cache-Control"]
    assert "max-age=0" in directives and "private" in directives


# ------------------------------------------------------------------------------
# The API: every response, whoever asks
# ------------------------------------------------------------------------------
def test_api_answers_to_a_partner_token_are_not_stored(partner_owner, received):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=partner_owner)}")
    assert_no_store(client.get("/api/v1/packages"))


def test_api_answers_to_a_dsp_key_are_not_stored(dsp_token_key, received):
    assert_no_store(api_client_with_token(dsp_token_key).get("/api/v1/packages"))


def test_api_refusals_are_not_stored_either(db):
    response = APIClient().get("/api/v1/packages")
    assert response.status_code == 401 and "no-store" in response["Cache-Control"]


# ------------------------------------------------------------------------------
# Ops pages and CSV downloads with recipients
# ------------------------------------------------------------------------------
def test_ops_package_page_is_not_stored(reviewer, received):
    url = reverse("packages:ops-package", args=[received.tracking_id])
    assert_no_store(client_for(reviewer).get(url))


def test_manifest_upload_preview_is_not_stored(reviewer, dsp, partner, today):
    # given a staged upload with recipients' names and addresses
    client = client_for(reviewer)
    upload(client, dsp, partner, today, (HEADER + "TBA0001,Jo,1 Main St,02116,small\n").encode())
    staged = ManifestUpload.objects.get()
    # when / then
    url = reverse("packages:ops-manifest-upload-preview", args=[staged.pk])
    assert_no_store(client.get(url))


def test_ops_assignment_page_is_not_stored(reviewer):
    assert_no_store(client_for(reviewer).get(reverse("routing:ops-assignment")))


def test_dashboard_csv_is_not_stored(reviewer):
    url = reverse("dashboard:ops-dashboard-csv", args=["operations-by-day"])
    assert_no_store(client_for(reviewer).get(url))


# ------------------------------------------------------------------------------
# Partner and driver pages, and the proof photo
# ------------------------------------------------------------------------------
def test_partner_today_page_is_not_stored(partner_owner, received):
    assert_no_store(client_for(partner_owner).get(reverse("packages:today")))


def test_handoff_page_is_not_stored(dsp_driver, drop_off):
    assert_no_store(client_for(dsp_driver).get(reverse("packages:handoff", args=[drop_off.pk])))


def test_proof_photo_is_not_stored_whatever_the_view_asked(partner_owner, received):
    # given a delivery with a proof photo (the view asks for `private, max-age=3600`)
    client = client_for(partner_owner)
    deliver(client, received, photo=jpeg_upload(width=400, height=300))
    attempt = DeliveryAttempt.objects.get(package=received)
    # when / then the photo is not kept
    response = client.get(reverse("packages:proof-photo", args=[attempt.pk]))
    assert_no_store(response)
    assert "max-age=3600" not in response["Cache-Control"]


# ------------------------------------------------------------------------------
# What stays cacheable
# ------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_public_landing_page_stays_cacheable(client):
    response = client.get(reverse("partners:landing"))
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


@override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True)
def test_static_files_stay_cacheable_even_for_a_signed_in_user(partner_owner):
    # given a signed-in user (a fresh client, so WhiteNoise reads the settings above)
    client = Client()
    client.force_login(partner_owner)
    # when they load the stylesheet
    response = client.get("/static/css/portal.css")
    # then it may be cached
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
