import re

import pytest
from django.urls import reverse

from packages.models import DspApiToken, Manifest, Package
from packages.services import dsp_token_revoke
from packages.services.manifests import MAX_MANIFEST_ROWS
from tests.factories import ManifestFactory
from tests.packages.conftest import api_client_for, api_client_with_token

URL = reverse("api-manifests")


def payload(partner, today, rows=None, external_id="M-1"):
    rows = rows or [
        {
            "tracking_id": f"TBA{n:09d}",
            "recipient_name": "Jo Recipient",
            "address_line": f"{n} Newbury St",
            "zip_code": "02116",
        }
        for n in range(3)
    ]
    return {
        "external_id": external_id,
        "partner": partner.pk,
        "service_date": today.isoformat(),
        "packages": rows,
    }


def test_dsp_system_posts_a_manifest(partner, dsp, today, dsp_token_key):
    # when
    response = api_client_with_token(dsp_token_key).post(
        URL, payload(partner, today), format="json"
    )
    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["package_count"] == 3 and body["dsp"] == dsp.pk
    manifest = Manifest.objects.get()
    assert manifest.created_by_token == DspApiToken.objects.get()
    assert Package.objects.filter(dsp=dsp, partner=partner).count() == 3


def test_resending_answers_200_with_the_first_result(partner, today, dsp_token_key):
    client = api_client_with_token(dsp_token_key)
    first = client.post(URL, payload(partner, today), format="json")
    # when
    again = client.post(URL, payload(partner, today), format="json")
    # then
    assert again.status_code == 200
    assert again.json() == first.json()
    assert Package.objects.count() == 3


def test_bad_rows_are_all_listed_in_one_400(partner, today, dsp_token_key):
    rows = payload(partner, today)["packages"]
    rows[0]["zip_code"] = "99999"
    rows[2].pop("recipient_name")
    rows.append(dict(rows[1]))
    # when
    response = api_client_with_token(dsp_token_key).post(
        URL, payload(partner, today, rows), format="json"
    )
    # then
    assert response.status_code == 400
    assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [
        (1, "zip_code"),
        (3, "recipient_name"),
        (4, "tracking_id"),
    ]
    assert "nothing was saved" in response.json()["detail"]
    assert not Package.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"partner": 999999}, "partner"),
        ({"partner": "abc"}, "partner"),
        ({"service_date": "25/11/2026"}, "service_date"),
        ({"packages": "all of them"}, "packages"),
        ({"packages": []}, "packages"),
        ({"external_id": ""}, "external_id"),
    ],
)
def test_bad_manifest_fields_are_named(partner, today, dsp_token_key, change, field):
    body = {**payload(partner, today), **change}
    response = api_client_with_token(dsp_token_key).post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Manifest.objects.exists()


def test_missing_fields_are_named(dsp_token_key):
    response = api_client_with_token(dsp_token_key).post(URL, {}, format="json")
    assert response.status_code == 400
    # partner is optional: without it the manifest is DSP-level (routing assigns)
    assert set(response.json()) == {"external_id", "service_date", "packages"}


def test_over_5000_packages_is_a_400(partner, today, dsp_token_key):
    rows = [{"tracking_id": f"T{n:08d}"} for n in range(MAX_MANIFEST_ROWS + 1)]
    response = api_client_with_token(dsp_token_key).post(
        URL, payload(partner, today, rows), format="json"
    )
    assert response.status_code == 400 and "packages" in response.json()


def test_malformed_json_is_a_400_not_a_500(dsp_token_key):
    response = api_client_with_token(dsp_token_key).post(
        URL, "{not json", content_type="application/json"
    )
    assert response.status_code == 400


def test_ops_must_name_the_dsp(reviewer, partner, dsp, today):
    client = api_client_for(reviewer)
    response = client.post(URL, payload(partner, today), format="json")
    assert response.status_code == 400 and "dsp" in response.json()
    response = client.post(URL, {**payload(partner, today), "dsp": dsp.pk}, format="json")
    assert response.status_code == 201
    assert Manifest.objects.get().created_by == reviewer


def test_revoked_token_is_refused(partner, today, dsp_token_key, ops_admin):
    dsp_token_revoke(actor=ops_admin, token=DspApiToken.objects.get())
    response = api_client_with_token(dsp_token_key).get(URL)
    assert response.status_code == 401


def test_token_lists_only_its_dsps_manifests(
    dsp, partner, dsp_token_key, django_assert_num_queries
):
    ManifestFactory(partner=partner)  # another DSP's
    client = api_client_with_token(dsp_token_key)
    client.get(URL)  # stamps the token's last use
    for count in (10, 100):
        ManifestFactory.create_batch(count - (10 if count == 100 else 0), dsp=dsp, partner=partner)
        # token, count, page (DSP and partner joined): the same for 10 and 100 manifests
        with django_assert_num_queries(3):
            response = client.get(URL)
        assert response.json()["count"] == count


def test_manifest_detail_of_another_dsp_is_404(partner, dsp, dsp_token_key, other_dsp_token_key):
    manifest = ManifestFactory(dsp=dsp, partner=partner)
    url = reverse("api-manifest-detail", args=[manifest.pk])
    assert api_client_with_token(dsp_token_key).get(url).status_code == 200
    assert api_client_with_token(other_dsp_token_key).get(url).status_code == 404


def test_rows_that_are_not_objects_are_reported_by_row(partner, today, dsp_token_key):
    rows = payload(partner, today)["packages"]
    response = api_client_with_token(dsp_token_key).post(
        URL, payload(partner, today, [rows[0], None, ["a", "b"]]), format="json"
    )
    assert response.status_code == 400
    assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(2, "row"), (3, "row")]


def test_a_body_over_the_field_limit_is_a_400_json_not_html(dsp_token_key, settings):
    # Found by schemathesis: a multipart body with more parts than Django reads answered
    # Django's HTML 400 page.
    # given
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    client = api_client_with_token(dsp_token_key)
    # when
    response = client.post(URL, {"packages": [str(n) for n in range(11)]}, format="multipart")
    # then
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "The request body is too large or has too many fields."}
    assert not Manifest.objects.exists()


def test_row_outside_the_partners_coverage_is_a_400_naming_row_partner_and_miles(
    partner, today, dsp_token_key
):
    # given: a Boston shop and, in row 2, a New York package
    rows = payload(partner, today)["packages"]
    rows[1]["zip_code"] = "10001"
    # when
    response = api_client_with_token(dsp_token_key).post(
        URL, payload(partner, today, rows), format="json"
    )
    # then
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["row"], error["field"]) == (2, "zip_code")
    assert re.match(r"row 2: 1\d\d mi from Back Bay Blooms, outside", error["message"])
    assert not Manifest.objects.exists() and not Package.objects.exists()
