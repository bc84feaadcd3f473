"""DSP-level manifests: no partner named; routing assigns each package
(routing/services/assignment.py). Packages left with the DSP (partner NULL) must not disturb
the partner, driver and handoff pages and services."""

import datetime

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from packages import services
from packages.models import HandoffDirection, Manifest, ManifestUpload, Package
from packages.selectors import handoff_partner_choices
from routing.services import packages_assign
from tests.conftest import client_for
from tests.packages.conftest import api_client_with_token, new_key
from tests.packages.test_api_manifests import URL

FAR_AWAY = {"zip_code": "02421", "latitude": 42.443, "longitude": -71.229}  # Lexington


def area_rows(count=3, **extra):
    return [
        {
            "tracking_id": f"AREA{n:08d}",
            "recipient_name": "Jo Recipient",
            "address_line": f"{n} Newbury St",
            "zip_code": "02116",
            **extra,
        }
        for n in range(count)
    ]


def area_payload(day, rows=None, external_id="AREA-1"):
    return {
        "external_id": external_id,
        "service_date": day.isoformat(),
        "packages": rows or area_rows(),
    }


# ------------------------------------------------------------------------------
# API
# ------------------------------------------------------------------------------
def test_api_accepts_a_manifest_without_partner(dsp, today, dsp_token_key, partner):
    # when
    response = api_client_with_token(dsp_token_key).post(URL, area_payload(today), format="json")
    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["partner"] is None and body["partner_name"] is None
    manifest = Manifest.objects.get()
    assert manifest.partner is None and manifest.package_count == 3
    assert set(Package.objects.values_list("partner_id", "assigned_by_routing")) == {(None, False)}
    # and the manifest reads back, as does its package list
    detail = api_client_with_token(dsp_token_key).get(f"{URL}/{manifest.pk}")
    assert detail.status_code == 200 and detail.json()["partner"] is None
    packages = api_client_with_token(dsp_token_key).get(reverse("api-packages"))
    assert {row["partner"] for row in packages.json()["results"]} == {None}


def test_api_accepts_an_explicit_null_partner(today, dsp_token_key, partner):
    body = area_payload(today) | {"partner": None}
    response = api_client_with_token(dsp_token_key).post(URL, body, format="json")
    assert response.status_code == 201, response.json()


def test_api_without_partner_still_lists_every_bad_row(today, dsp_token_key, partner):
    rows = area_rows()
    rows[0]["zip_code"] = "99999"
    rows[2].pop("recipient_name")
    rows.append(dict(rows[1]))
    # when
    response = api_client_with_token(dsp_token_key).post(
        URL, area_payload(today, rows), format="json"
    )
    # then
    assert response.status_code == 400
    assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [
        (1, "zip_code"),
        (3, "recipient_name"),
        (4, "tracking_id"),
    ]
    assert not Manifest.objects.exists() and not Package.objects.exists()


def test_without_partner_the_date_follows_the_first_packages_zip(dsp_token_key, partner):
    # given 06:00 UTC on Nov 26: Nov 26 in New York, still Nov 25 in Anchorage
    with time_machine.travel(datetime.datetime(2026, 11, 26, 6, tzinfo=datetime.UTC)):
        client = api_client_with_token(dsp_token_key)
        nov_25 = datetime.date(2026, 11, 25)
        anchorage = area_rows(1)
        anchorage[0]["zip_code"] = "99501"
        # when a manifest for Nov 25 starts with a Boston package
        boston = client.post(URL, area_payload(nov_25, external_id="A"), format="json")
        # then the date is in the past there
        assert boston.status_code == 400
        assert boston.json()["errors"] == [
            {"row": 0, "field": "service_date", "message": "is in the past for the first "
             "package's ZIP"}
        ]  # fmt: skip
        # when it starts with an Anchorage package: still today there
        alaska = client.post(URL, area_payload(nov_25, anchorage, "B"), format="json")
        assert alaska.status_code == 201, alaska.json()


def test_with_partner_nothing_changed(partner, today, dsp_token_key):
    body = area_payload(today) | {"partner": partner.pk}
    response = api_client_with_token(dsp_token_key).post(URL, body, format="json")
    assert response.status_code == 201
    assert set(Package.objects.values_list("partner_id", "assigned_by_routing")) == {
        (partner.pk, False)
    }


# ------------------------------------------------------------------------------
# CSV upload
# ------------------------------------------------------------------------------
def test_csv_upload_without_partner(reviewer, dsp, today, partner):
    client = client_for(reviewer)
    content = b"tracking_id,recipient_name,address_line,zip_code\nTBA0001,Jo,1 Main St,02116\n"
    response = client.post(
        reverse("packages:ops-manifest-upload"),
        {
            "dsp": dsp.pk,
            "partner": "",
            "service_date": today.isoformat(),
            "external_id": "CSV-AREA",
            "file": SimpleUploadedFile("m.csv", content, content_type="text/csv"),
        },
    )
    staged = ManifestUpload.objects.get()
    assert staged.partner is None and staged.errors == []
    assert b"routing assigns each package" in client.get(response.url).content
    client.post(reverse("packages:ops-manifest-upload-confirm", args=[staged.pk]))
    assert Manifest.objects.get().partner is None
    assert Package.objects.get().partner is None


# ------------------------------------------------------------------------------
# Unplaced packages elsewhere
# ------------------------------------------------------------------------------
def ingest_and_assign(dsp, partner, day):
    """Two packages near the partner (placed) and one far away (left with the DSP)."""
    rows = [*area_rows(2), {**area_rows(1)[0], "tracking_id": "FAR00001", **FAR_AWAY}]
    services.manifest_ingest(
        dsp=dsp, partner=None, service_date=day, external_id="AREA", rows=rows, source="api"
    )
    packages_assign(dsp=dsp, service_date=day)
    return Package.objects.get(tracking_id="FAR00001")


def test_drop_off_only_sees_the_partners_packages(partner, dsp, dsp_driver, today):
    # given
    far = ingest_and_assign(dsp, partner, today)
    assert far.partner_id is None
    # when the driver opens the partner's drop-off
    handoff = services.handoff_open(
        actor=dsp_driver, partner=partner, dsp=dsp, direction=HandoffDirection.DROP_OFF,
        service_date=today, idempotency_key=new_key(),
    ).handoff  # fmt: skip
    # then it expects the two assigned packages, not the one left with the DSP
    assert handoff.expected == 2
    assert [p.pk for p in handoff_partner_choices(dsp_id=dsp.pk)] == [partner.pk]


def test_partner_driver_and_ops_pages_work_with_unplaced_packages(
    partner, partner_owner, dsp, dsp_driver, reviewer, today
):
    far = ingest_and_assign(dsp, partner, today)
    owner = client_for(partner_owner)
    assert owner.get(reverse("packages:today")).status_code == 200
    assert owner.get(reverse("routing:partner-route")).status_code == 200
    driver = client_for(dsp_driver)
    assert driver.get(reverse("packages:handoff-start")).status_code == 200
    assert driver.get(reverse("packages:driver-home")).status_code == 200
    ops = client_for(reviewer)
    page = ops.get(reverse("packages:ops-package", args=[far.tracking_id]))
    assert page.status_code == 200
    assert b"None: with the DSP" in page.content and b"no covering partner" in page.content
