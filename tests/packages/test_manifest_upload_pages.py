import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from packages.models import DspApiToken, Manifest, ManifestUpload, Package
from tests.conftest import client_for

UPLOAD_URL = reverse("packages:ops-manifest-upload")
HEADER = "tracking_id,recipient_name,address_line,zip_code,size\n"


def upload(client, dsp, partner, today, content: bytes, external_id="CSV-1"):
    return client.post(
        UPLOAD_URL,
        {
            "dsp": dsp.pk,
            "partner": partner.pk,
            "service_date": today.isoformat(),
            "external_id": external_id,
            "file": SimpleUploadedFile("manifest.csv", content, content_type="text/csv"),
        },
    )


def test_valid_csv_previews_then_saves_on_confirm(reviewer, dsp, partner, today):
    client = client_for(reviewer)
    content = (HEADER + "TBA0001,Jo,1 Main St,02116,small\nTBA0002,Al,2 Main St,02116,\n").encode()
    # when: uploaded
    response = upload(client, dsp, partner, today, content)
    # then: a preview, and nothing saved yet
    staged = ManifestUpload.objects.get()
    assert response.url == reverse("packages:ops-manifest-upload-preview", args=[staged.pk])
    page = client.get(response.url)
    assert b"No problems found" in page.content and b"TBA0001" in page.content
    assert not Package.objects.exists()
    # when: confirmed (twice: a double click)
    confirm_url = reverse("packages:ops-manifest-upload-confirm", args=[staged.pk])
    client.post(confirm_url)
    client.post(confirm_url)
    # then
    manifest = Manifest.objects.get()
    assert (manifest.source, manifest.created_by, manifest.package_count) == ("csv", reviewer, 2)
    assert Package.objects.count() == 2


def test_bad_rows_are_listed_and_cannot_be_saved(reviewer, dsp, partner, today):
    client = client_for(reviewer)
    content = (HEADER + "TBA0001,Jo,1 Main St,99999,small\nTBA0001,,2 Main St,02116,\n").encode()
    response = upload(client, dsp, partner, today, content)
    page = client.get(response.url)
    assert b"3 problems" in page.content
    assert b"zip_code" in page.content and b"repeats row 1" in page.content
    client.post(
        reverse("packages:ops-manifest-upload-confirm", args=[ManifestUpload.objects.get().pk])
    )
    assert not Manifest.objects.exists()


def test_non_utf8_file_is_a_clear_form_error(reviewer, dsp, partner, today):
    content = (HEADER + "TBA0001,José,1 Main St,02116,small\n").encode("cp1252")
    response = upload(client_for(reviewer), dsp, partner, today, content)
    assert response.status_code == 200
    assert b"not UTF-8" in response.content
    assert not ManifestUpload.objects.exists()


def test_partners_and_drivers_cannot_upload(partner_owner, dsp_driver):
    for user in (partner_owner, dsp_driver):
        assert client_for(user).get(UPLOAD_URL).status_code == 403


def test_other_roles_cannot_see_a_staged_upload(reviewer, partner_owner, dsp, partner, today):
    upload(
        client_for(reviewer), dsp, partner, today, (HEADER + "TBA0001,Jo,1 Main,02116,\n").encode()
    )
    url = reverse("packages:ops-manifest-upload-preview", args=[ManifestUpload.objects.get().pk])
    assert client_for(partner_owner).get(url).status_code == 403


def test_ops_admin_creates_a_token_in_the_admin_and_sees_the_key_once(ops_admin, dsp):
    client = client_for(ops_admin)
    response = client.post(
        reverse("admin:packages_dspapitoken_add"), {"dsp": dsp.pk, "label": "dispatch"}, follow=True
    )
    token = DspApiToken.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    assert any("copy it now" in message for message in shown)
    key = next(m for m in shown if "copy it now" in m).split(": ")[1].split(" ")[0]
    assert token.key_prefix == key[:8] and key not in token.key_hash
    # revoke through the admin action
    client.post(
        reverse("admin:packages_dspapitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_confirm_refused_when_the_dsp_sent_the_manifest_meanwhile(reviewer, dsp, partner, today):
    from tests.factories import ManifestFactory

    client = client_for(reviewer)
    response = upload(client, dsp, partner, today, (HEADER + "TBA0001,Jo,1 Main,02116,\n").encode())
    ManifestFactory(dsp=dsp, partner=partner, external_id="CSV-1")
    page = client.post(
        reverse("packages:ops-manifest-upload-confirm", args=[ManifestUpload.objects.get().pk]),
        follow=True,
    )
    assert b"already has manifest CSV-1" in page.content
    assert not Package.objects.exists() and ManifestUpload.objects.get().manifest is None
    assert response.status_code == 302


def test_row_outside_the_partners_coverage_is_listed_and_nothing_is_saved(
    reviewer, dsp, partner, today
):
    client = client_for(reviewer)
    # given: a Boston shop and, in row 2, a New York package
    content = (
        HEADER + "TBA0001,Jo,1 Main St,02116,small\nTBA0002,Al,5 W 31st St,10001,\n"
    ).encode()
    # when: uploaded, previewed and confirmed anyway
    page = client.get(upload(client, dsp, partner, today, content).url)
    confirm = client.post(
        reverse("packages:ops-manifest-upload-confirm", args=[ManifestUpload.objects.get().pk]),
        follow=True,
    )
    # then: the preview names the row, the partner and the distance; nothing is stored
    text = page.content.decode()
    assert "1 problem:" in text
    assert re.search(r"row 2: 1\d\d mi from Back Bay Blooms, outside its coverage", text)
    assert "this upload has errors" in confirm.content.decode().lower()
    assert not Manifest.objects.exists() and not Package.objects.exists()
