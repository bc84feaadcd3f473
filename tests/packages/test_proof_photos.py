"""Proof photos (issue 14, finding 1): whichever path delivers (the page or
`POST /api/v1/package-events`), `package_deliver` stores a photo re-encoded, without its EXIF
data (GPS position, camera model) or its original file name, and refuses one with too many
pixels with a message naming the `photo` field."""

import html
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image

from packages.models import DeliveryAttempt, PackageStatus
from tests.conftest import client_for
from tests.packages.conftest import api_client_for, new_key

ORIGINAL_NAME = "IMG_20261129_ana-diaz-front-door.jpg"
CAMERA_MODEL = "Pixel 9 Pro"
TOO_MANY_PIXELS = "The photo has too many pixels"


def phone_photo() -> SimpleUploadedFile:
    """A JPEG as a phone takes it: camera make and model, and the GPS position in its EXIF."""
    image = Image.new("RGB", (2400, 1800), (200, 120, 40))
    exif = image.getexif()
    exif[ExifTags.Base.Make] = "Google"
    exif[ExifTags.Base.Model] = CAMERA_MODEL
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (40.0, 44.0, 30.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (73.0, 59.0, 10.0)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    data = buffer.getvalue()
    # the upload really carries what must not be kept
    with Image.open(io.BytesIO(data)) as uploaded:
        assert uploaded.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    return SimpleUploadedFile(ORIGINAL_NAME, data, content_type="image/jpeg")


def png_of_144_megapixels() -> SimpleUploadedFile:
    """12,000 x 12,000 pixels: a few kilobytes as a file, half a gigabyte once decoded."""
    buffer = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(buffer, format="PNG")
    return SimpleUploadedFile("huge.png", buffer.getvalue(), content_type="image/png")


def deliver_by_page(user, package, photo):
    return client_for(user).post(
        reverse("packages:package-deliver", args=[package.tracking_id]),
        {"idempotency_key": new_key(), "photo": photo},
    )


def deliver_by_api(user, package, photo):
    body = {
        "tracking_id": package.tracking_id,
        "event_type": "delivered",
        "idempotency_key": new_key(),
        "device_time": "2026-11-25T13:05:00Z",
        "photo": photo,
    }
    return api_client_for(user).post(reverse("api-package-event-create"), body, format="multipart")


PATHS = {"page": deliver_by_page, "api": deliver_by_api}


def served_photo(user, attempt):
    response = client_for(user).get(reverse("packages:proof-photo", args=[attempt.pk]))
    assert response.status_code == 200
    return response, b"".join(response.streaming_content)


@pytest.mark.parametrize("path", PATHS)
def test_a_delivered_photo_is_served_without_gps_camera_or_original_name(
    path, partner_owner, reviewer, received
):
    # given a phone photo with its GPS position and camera model in the EXIF
    # when the partner delivers with it through the page or the API
    response = PATHS[path](partner_owner, received, phone_photo())
    assert response.status_code in (201, 302)
    # then what is served back is a re-encoded JPEG with no EXIF at all
    attempt = DeliveryAttempt.objects.get(package=received)
    served, data = served_photo(reviewer, attempt)
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG" and max(image.size) == 1600
        assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert ExifTags.Base.Model not in image.getexif()
    assert b"Exif" not in data and CAMERA_MODEL.encode() not in data
    # and the original file name is gone from the storage and from the answer's headers
    assert "ana-diaz" not in attempt.photo.name and attempt.photo.name.endswith(".jpg")
    assert "ana-diaz" not in served.get("Content-Disposition", "")


def test_the_api_refuses_a_144_megapixel_png_naming_the_photo_field(partner_owner, received):
    # when
    response = deliver_by_api(partner_owner, received, png_of_144_megapixels())
    # then
    assert response.status_code == 400
    assert list(response.json()) == ["photo"]
    assert response.json()["photo"][0].startswith(TOO_MANY_PIXELS)
    received.refresh_from_db()
    assert received.status == PackageStatus.RECEIVED
    assert not DeliveryAttempt.objects.exists()


def test_the_page_refuses_a_144_megapixel_png_on_the_photo_field(partner_owner, received):
    # when
    response = deliver_by_page(partner_owner, received, png_of_144_megapixels())
    # then the form comes back with the message on its photo field
    assert response.status_code == 400
    form = response.context["deliver_form"]
    assert form.errors["photo"][0].startswith(TOO_MANY_PIXELS)
    assert TOO_MANY_PIXELS in html.unescape(response.content.decode())
    received.refresh_from_db()
    assert received.status == PackageStatus.RECEIVED
    assert not DeliveryAttempt.objects.exists()


@pytest.mark.parametrize("path", PATHS)
def test_a_file_that_is_not_an_image_is_refused_naming_the_photo_field(
    path, partner_owner, received
):
    fake = SimpleUploadedFile("door.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    response = PATHS[path](partner_owner, received, fake)
    assert response.status_code == 400
    if path == "api":
        assert response.json() == {"photo": ["The photo must be a JPEG, PNG, WebP or HEIC image."]}
    else:
        assert "must be a JPEG" in response.context["deliver_form"].errors["photo"][0]
    received.refresh_from_db()
    assert received.status == PackageStatus.RECEIVED
