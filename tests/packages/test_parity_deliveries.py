"""Page and API parity for the delivery-side package actions (issue 14): for each action both
the pages and `POST /api/v1/...` offer, the same bad input gets the same refusal, in the
service's words, because both paths call the same service and neither restates its rules.

PARITY_ACTIONS names the actions covered here; the handoff side (scan, confirm) keeps its own
list in tests/packages/test_parity_handoffs.py.
"""

import html

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from packages import services
from packages.models import PackageStatus
from packages.services.deliveries import UNDO_WINDOW, UNDO_WINDOW_TEXT
from partners.models import BackgroundCheck, PartnerMember
from tests.conftest import client_for
from tests.packages.conftest import api_client_for, new_key

PARITY_ACTIONS = ("deliver", "attempt", "undo", "queue_for_return", "incident_resolve")
# (action, the bad input both paths get): one test below for each.
PARITY_CASES = (
    ("deliver", "an already delivered package"),
    ("deliver", "no proof at all"),
    ("deliver", "a file that is not a photo"),
    ("deliver", "staff whose background check is not clear"),
    ("deliver", "another partner's package"),
    ("attempt", "no reason"),
    ("attempt", "an already attempted package"),
    ("attempt", "another partner's package"),
    ("undo", "after the undo window"),
    ("undo", "a package that is not delivered"),
    ("undo", "another partner's package"),
    ("queue_for_return", "an idempotency key another person already used"),
    ("queue_for_return", "another partner's package"),
    ("incident_resolve", "an incident already resolved the other way"),
)
EVENTS_URL = "api-package-event-create"
PAGE_ACTIONS = {
    "delivered": "packages:package-deliver",
    "attempted": "packages:package-attempt",
    "delivery_undone": "packages:package-undo",
}


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def by_page(user, package, event_type, **form):
    """The page's form for the action; redirects followed, so a flash message shows."""
    return client_for(user).post(
        reverse(PAGE_ACTIONS[event_type], args=[package.tracking_id]),
        {"idempotency_key": new_key(), **form},
        follow=True,
    )


def by_api(user, package, event_type, format="json", **body):
    return api_client_for(user).post(
        reverse(EVENTS_URL),
        {
            "tracking_id": package.tracking_id,
            "event_type": event_type,
            "idempotency_key": new_key(),
            "device_time": timezone.now().isoformat(),
            **body,
        },
        format=format,
    )


def assert_same_refusal(page, api, message: str, *, api_status: int, field: str = "") -> None:
    """The page shows the service's message; the API answers it as `detail` (a state or
    permission refusal) or on the field it names (bad input)."""
    assert message in text_of(page)
    assert api.status_code == api_status
    if field:
        assert api.json() == {field: [message]}
    else:
        assert api.json()["detail"] == message


def test_every_action_offered_by_both_paths_has_a_case():
    assert {action for action, _ in PARITY_CASES} == set(PARITY_ACTIONS)


# ------------------------------------------------------------------------------
# deliver
# ------------------------------------------------------------------------------
def test_deliver_an_already_delivered_package(partner_owner, received):
    # given
    services.package_deliver(
        actor=partner_owner, package=received, idempotency_key=new_key(), recipient_name="Ana"
    )
    # when
    page = by_page(partner_owner, received, "delivered", recipient_name="Ana")
    api = by_api(partner_owner, received, "delivered", recipient_name="Ana")
    # then
    assert page.status_code == 409
    message = f"Package {received.tracking_id} is already delivered."
    assert_same_refusal(page, api, message, api_status=409)


def test_deliver_without_any_proof(partner_owner, received):
    page = by_page(partner_owner, received, "delivered")
    api = by_api(partner_owner, received, "delivered")
    assert page.status_code == 400
    message = "Give a proof of delivery: a photo, the recipient's name or where you left it."
    assert_same_refusal(page, api, message, api_status=400, field="recipient_name")
    received.refresh_from_db()
    assert received.status == PackageStatus.RECEIVED


def test_deliver_with_a_file_that_is_not_a_photo(partner_owner, received):
    def fake():
        return SimpleUploadedFile("door.jpg", b"%PDF-1.4 a document", content_type="image/jpeg")

    page = by_page(partner_owner, received, "delivered", photo=fake())
    api = by_api(partner_owner, received, "delivered", format="multipart", photo=fake())
    assert page.status_code == 400
    message = "The photo must be a JPEG, PNG, WebP or HEIC image."
    assert_same_refusal(page, api, message, api_status=400, field="photo")


def test_deliver_by_staff_whose_background_check_is_not_clear(partner_staff, received):
    PartnerMember.objects.filter(user=partner_staff).update(
        background_check=BackgroundCheck.NOT_CLEAR
    )
    page = by_page(partner_staff, received, "delivered", recipient_name="Ana")
    api = by_api(partner_staff, received, "delivered", recipient_name="Ana")
    assert page.status_code == 403
    message = (
        "Your background check is not clear yet, so you cannot deliver packages. "
        "Ask the owner or ops about its status."
    )
    assert_same_refusal(page, api, message, api_status=403)


@pytest.mark.parametrize(
    "event_type, form",
    [
        ("delivered", {"recipient_name": "Ana"}),
        ("attempted", {"reason": "unsafe"}),
        ("delivery_undone", {}),
    ],
)
def test_another_partners_package_is_not_found_on_either_path(
    other_partner, received, event_type, form
):
    # when another partner's owner acts on this partner's package
    page = by_page(other_partner.owner, received, event_type, **form)
    api = by_api(other_partner.owner, received, event_type, **form)
    # then neither path admits it exists, and it is untouched
    assert page.status_code == api.status_code == 404
    received.refresh_from_db()
    assert received.status == PackageStatus.RECEIVED


# ------------------------------------------------------------------------------
# attempt
# ------------------------------------------------------------------------------
def test_attempt_without_a_reason(partner_owner, received):
    page = by_page(partner_owner, received, "attempted", note="Gate locked")
    api = by_api(partner_owner, received, "attempted", note="Gate locked")
    assert page.status_code == 400
    message = "Say why the package was not delivered."
    assert_same_refusal(page, api, message, api_status=400, field="reason")
    received.refresh_from_db()
    assert received.status == PackageStatus.RECEIVED


def test_attempt_an_already_attempted_package(partner_owner, received):
    services.package_attempt(
        actor=partner_owner, package=received, reason="unsafe", idempotency_key=new_key()
    )
    page = by_page(partner_owner, received, "attempted", reason="no_access")
    api = by_api(partner_owner, received, "attempted", reason="no_access")
    assert page.status_code == 409
    message = f"Package {received.tracking_id} was already attempted; its incident is with ops."
    assert_same_refusal(page, api, message, api_status=409)


# ------------------------------------------------------------------------------
# undo
# ------------------------------------------------------------------------------
def test_undo_after_the_window(partner_owner, received):
    services.package_deliver(
        actor=partner_owner, package=received, idempotency_key=new_key(), recipient_name="Ana"
    )
    with time_machine.travel(timezone.now() + UNDO_WINDOW + UNDO_WINDOW / 15):
        page = by_page(partner_owner, received, "delivery_undone")
        api = by_api(partner_owner, received, "delivery_undone")
    message = f"A delivery can only be undone within {UNDO_WINDOW_TEXT}; ask ops to correct it."
    assert_same_refusal(page, api, message, api_status=409)
    received.refresh_from_db()
    assert received.status == PackageStatus.DELIVERED


def test_undo_a_package_that_is_not_delivered(partner_owner, received):
    page = by_page(partner_owner, received, "delivery_undone")
    api = by_api(partner_owner, received, "delivery_undone")
    message = f"Package {received.tracking_id} is not delivered; nothing to undo."
    assert_same_refusal(page, api, message, api_status=409)


# ------------------------------------------------------------------------------
# queue for return: the page closes the day (every package still held), the API keeps one
# package; both go through package_queue_for_return.
# ------------------------------------------------------------------------------
def close_day(user, key):
    return client_for(user).post(
        reverse("packages:day-close"), {"idempotency_key": key, "kept_safe": "on"}, follow=True
    )


def test_queue_for_return_with_a_key_another_person_already_used(
    partner_owner, partner_staff, received
):
    # given the owner closed the day: the package is kept under a key derived from theirs
    key = new_key()
    close_day(partner_owner, key)
    derived_key = f"{key}:{received.pk}"
    assert received.events.filter(idempotency_key=derived_key).exists()
    # when staff send the owner's keys again, on the page and through the API
    page = close_day(partner_staff, key)
    api = api_client_for(partner_staff).post(
        reverse(EVENTS_URL),
        {
            "tracking_id": received.tracking_id,
            "event_type": "queued_for_return",
            "idempotency_key": derived_key,
            "device_time": timezone.now().isoformat(),
        },
        format="json",
    )
    # then both refuse to hand another person's result back, in the same words
    message = (
        "This idempotency key was already used for another request; "
        "generate a new key for each new action."
    )
    assert_same_refusal(page, api, message, api_status=409)


def test_queue_for_return_never_reaches_another_partners_package(other_partner, received):
    # when another partner's owner closes their day, and asks the API to keep this package
    close_day(other_partner.owner, new_key())
    api = by_api(other_partner.owner, received, "queued_for_return")
    # then the API does not find it and the page never touched it
    assert api.status_code == 404
    received.refresh_from_db()
    assert received.status == PackageStatus.RECEIVED


# ------------------------------------------------------------------------------
# incident resolve (ops)
# ------------------------------------------------------------------------------
def test_resolve_an_incident_already_resolved_the_other_way(partner_owner, reviewer, received):
    # given ops resolved the incident with a re-attempt
    services.package_attempt(
        actor=partner_owner, package=received, reason="unsafe", idempotency_key=new_key()
    )
    incident = received.incidents.get()
    services.incident_resolve(
        actor=reviewer, incident=incident, resolution="re_attempt", idempotency_key=new_key()
    )
    # when it is resolved again as a return, on the page and through the API
    body = {"resolution": "return_to_dsp"}
    page = client_for(reviewer).post(
        reverse("packages:ops-incident-resolve", args=[incident.pk]),
        {"idempotency_key": new_key(), **body},
        follow=True,
    )
    api = api_client_for(reviewer).post(
        reverse("api-incident-resolve", args=[incident.pk]),
        {"idempotency_key": new_key(), **body},
        format="json",
    )
    # then
    message = "The incident was already resolved: Re-attempt the next day."
    assert_same_refusal(page, api, message, api_status=409)
