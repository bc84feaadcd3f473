"""Pages and files with recipient data are never cached (issue 14, finding 8): shops share
devices, so the next person on the phone must not get the last one's recipients from the
browser's cache. Every such URL of the partner's day and the ops package page answers with
`Cache-Control: no-store`."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from packages.models import DeliveryAttempt
from tests.conftest import client_for
from tests.packages.conftest import new_key


@pytest.fixture
def delivered_with_photo(partner_owner, received):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 20, 30)).save(buffer, format="JPEG")
    photo = SimpleUploadedFile("door.jpg", buffer.getvalue(), content_type="image/jpeg")
    client_for(partner_owner).post(
        reverse("packages:package-deliver", args=[received.tracking_id]),
        {"idempotency_key": new_key(), "photo": photo},
    )
    return DeliveryAttempt.objects.get(package=received)


def urls(attempt) -> dict[str, tuple[str, str, dict]]:
    """name -> (persona, url, query): every GET in scope that shows recipient data."""
    tracking_id = attempt.package.tracking_id
    return {
        "today": ("partner_owner", reverse("packages:today"), {}),
        "deliver-check": (
            "partner_owner",
            reverse("packages:deliver-check"),
            {"tracking_id": tracking_id},
        ),
        "package-history": (
            "partner_owner",
            reverse("packages:package-history", args=[tracking_id]),
            {},
        ),
        "proof-photo": ("partner_owner", reverse("packages:proof-photo", args=[attempt.pk]), {}),
        "ops-package": ("reviewer", reverse("packages:ops-package", args=[tracking_id]), {}),
        "ops-incidents": ("reviewer", reverse("packages:ops-incidents"), {}),
    }


@pytest.mark.parametrize(
    "name",
    ["today", "deliver-check", "package-history", "proof-photo", "ops-package", "ops-incidents"],
)
def test_pages_and_photos_with_recipient_data_are_never_stored(request, name, delivered_with_photo):
    persona, url, query = urls(delivered_with_photo)[name]
    response = client_for(request.getfixturevalue(persona)).get(url, query)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "max-age=3600" not in response["Cache-Control"]


@pytest.mark.parametrize("url_name", ["package-deliver", "package-attempt"])
def test_a_refused_action_that_shows_the_package_again_is_never_stored(
    partner_owner, received, url_name
):
    # when the deliver page comes back with a refusal, recipient name and address on it
    response = client_for(partner_owner).post(
        reverse(f"packages:{url_name}", args=[received.tracking_id]),
        {"idempotency_key": new_key()},
    )
    assert response.status_code == 400
    assert received.recipient_name in response.content.decode()
    assert "no-store" in response["Cache-Control"]
