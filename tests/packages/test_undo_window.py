"""The undo window (issue 14, finding 10) has one definition, in packages.services.deliveries
(UNDO_WINDOW, `delivery_is_undoable`): the today page offers "Undo" exactly when the service
allows it, and the messages name the same window."""

import datetime
import html
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from packages.models import DeliveryAttempt, PackageStatus
from packages.services.deliveries import (
    UNDO_WINDOW,
    UNDO_WINDOW_TEXT,
    delivery_is_undoable,
    delivery_undo_deadline,
)
from tests.conftest import client_for
from tests.packages.conftest import api_client_for, new_key

JUST_INSIDE = datetime.timedelta(minutes=14, seconds=59)
JUST_OUTSIDE = datetime.timedelta(minutes=15, seconds=1)


@pytest.fixture
def delivered_at(partner, today) -> datetime.datetime:
    """Noon of the package's day in the partner's time zone: the today page lists it then."""
    return datetime.datetime.combine(today, datetime.time(12), tzinfo=ZoneInfo(partner.time_zone))


@pytest.fixture
def delivered(partner_owner, received, delivered_at):
    """Delivered through the page at `delivered_at` (server time); the flash names the window."""
    with time_machine.travel(delivered_at, tick=False):
        response = client_for(partner_owner).post(
            reverse("packages:package-deliver", args=[received.tracking_id]),
            {"idempotency_key": new_key(), "recipient_name": "Ana Diaz"},
            follow=True,
        )
    assert f"Undo within {UNDO_WINDOW_TEXT}." in response.content.decode()
    return received


def test_the_deadline_is_the_servers_receipt_plus_the_window(delivered, delivered_at):
    attempt = DeliveryAttempt.objects.get(package=delivered)
    assert delivery_undo_deadline(attempt=attempt) == delivered_at + UNDO_WINDOW


@pytest.mark.parametrize("after, undoable", [(JUST_INSIDE, True), (JUST_OUTSIDE, False)])
def test_the_page_offers_undo_exactly_when_the_service_allows_it(
    after, undoable, partner_owner, delivered, delivered_at
):
    attempt = DeliveryAttempt.objects.get(package=delivered)
    client = client_for(partner_owner)
    with time_machine.travel(delivered_at + after, tick=False):
        # given the service's verdict at 14:59 (or 15:01) after the delivery
        assert delivery_is_undoable(attempt=attempt) is undoable
        # when the owner opens the today page
        page = client.get(reverse("packages:today")).content.decode()
        # then the page offers undo exactly then
        assert (f"Undo delivery of {delivered.tracking_id}" in page) is undoable
        # and pressing it does what the page promised
        response = client.post(
            reverse("packages:package-undo", args=[delivered.tracking_id]),
            {"idempotency_key": new_key()},
            follow=True,
        )
    delivered.refresh_from_db()
    if undoable:
        assert delivered.status == PackageStatus.RECEIVED
    else:
        assert delivered.status == PackageStatus.DELIVERED
        refusal = f"A delivery can only be undone within {UNDO_WINDOW_TEXT}"
        assert refusal in html.unescape(response.content.decode())


@pytest.mark.parametrize("after, code", [(JUST_INSIDE, 201), (JUST_OUTSIDE, 409)])
def test_the_api_undoes_in_the_same_window(after, code, partner_owner, delivered, delivered_at):
    body = {
        "tracking_id": delivered.tracking_id,
        "event_type": "delivery_undone",
        "idempotency_key": new_key(),
        "device_time": "2026-11-25T15:10:00Z",
    }
    with time_machine.travel(delivered_at + after, tick=False):
        response = api_client_for(partner_owner).post(
            reverse("api-package-event-create"), body, format="json"
        )
    assert response.status_code == code


def test_the_training_page_states_the_undo_window_the_service_applies(partner_owner):
    # given: the partners' training page, which cannot import the packages app
    # when
    page = client_for(partner_owner).get(reverse("partners:partner-training"))
    # then: its words come from the one definition
    assert page.status_code == 200
    assert f"undo a delivery within {UNDO_WINDOW_TEXT}." in page.content.decode()
