"""Handoff actions offered by both the pages and the API reach the same service with the same
rules: the same bad input gets the same refusal (the service's message) on both paths, and
the same repeat is the same no-op.

`ACTIONS_COVERED` names the actions this module proves; the deliveries' parity module keeps
its own list, and the two together are the issue's list.
"""

import datetime

import pytest
from django.urls import reverse

from packages import services
from packages.models import (
    Handoff,
    HandoffDirection,
    PackageEvent,
    PackageEventType,
    PackageStatus,
)
from partners.models import PartnerStatus
from tests.conftest import client_for
from tests.factories import ManifestFactory, PackageFactory
from tests.packages.conftest import api_client_for, new_key

ACTIONS_COVERED = [
    "handoff open",
    "scan (receive at a drop-off)",
    "mark damaged",
    "mark missing",
    "scan (hand back at a return)",
    "handoff confirm",
]

HTMX = {"HTTP_HX_REQUEST": "true"}
EVENTS_URL = reverse("api-package-event-create")
# The page's scan buttons and the API's event types for the same action.
PAGE_ACTION = {
    "received": "receive",
    "returned": "receive",
    "damaged": "damaged",
    "missing": "missing",
}


# ------------------------------------------------------------------------------
# The two paths
# ------------------------------------------------------------------------------
def page_scan(user, handoff, tracking_id, event_type) -> dict:
    """The scan form's answer: {kind, text, tracking_id}."""
    response = client_for(user).post(
        reverse("packages:handoff-scan", args=[handoff.pk]),
        {
            "tracking_id": tracking_id,
            "action": PAGE_ACTION[event_type],
            "idempotency_key": new_key(),
        },
        **HTMX,
    )
    assert response.status_code == 200
    return response.context["answer"]


def api_scan(user, handoff, tracking_id, event_type):
    body = {
        "tracking_id": tracking_id,
        "event_type": event_type,
        "handoff": handoff.pk,
        "idempotency_key": new_key(),
        "device_time": "2026-11-25T13:05:00Z",
    }
    return api_client_for(user).post(EVENTS_URL, body, format="json")


def page_open(user, direction, **choice) -> str:
    response = client_for(user).post(
        reverse("packages:handoff-start"),
        {"direction": direction, "idempotency_key": new_key(), **choice},
    )
    assert response.status_code == 200, "refused: the start page again, with the reason"
    return " ".join(response.context["form"].non_field_errors())


def api_open(user, direction, **choice):
    body = {"direction": direction, "idempotency_key": new_key(), **choice}
    return api_client_for(user).post(reverse("api-handoffs"), body, format="json")


def page_confirm(user, handoff) -> list[str]:
    response = client_for(user).post(
        reverse("packages:handoff-confirm", args=[handoff.pk]),
        {"idempotency_key": new_key()},
        follow=True,
    )
    return [str(message) for message in response.context["messages"]]


def api_confirm(user, handoff):
    url = reverse("api-handoff-confirm", args=[handoff.pk])
    return api_client_for(user).post(url, {"idempotency_key": new_key()}, format="json")


def assert_same_refusal(page_answer: dict, api_response) -> str:
    assert page_answer["kind"] == "error"
    assert api_response.status_code in (403, 409), api_response.content
    assert page_answer["text"] == api_response.json()["detail"]
    return page_answer["text"]


def close(handoff, driver, owner) -> None:
    for actor in (driver, owner):
        services.handoff_confirm(actor=actor, handoff=handoff, idempotency_key=new_key())


# ------------------------------------------------------------------------------
# Scans at a drop-off
# ------------------------------------------------------------------------------
@pytest.mark.parametrize("event_type", ["damaged", "missing"])
def test_marking_an_unknown_label_is_refused_alike(drop_off, dsp_driver, event_type):
    # given an open drop-off; when a label not on its manifests is marked, page then API
    page = page_scan(dsp_driver, drop_off, "NOT-OURS-1", event_type)
    api = api_scan(dsp_driver, drop_off, "NOT-OURS-1", event_type)
    # then the same refusal, and nothing recorded
    assert "not on this partner's manifests" in assert_same_refusal(page, api)
    assert not drop_off.items.exists()


def test_an_unknown_label_scanned_in_is_recorded_as_unexpected_on_both_paths_once(
    drop_off, dsp_driver, partner_owner
):
    # when: one stray label through the page, another through the API
    page = page_scan(dsp_driver, drop_off, "STRAY-1", "received")
    api = api_scan(partner_owner, drop_off, "STRAY-2", "received")
    # then: both recorded as unexpected
    assert page["kind"] == "warn" and "Not on this manifest" in page["text"]
    assert (api.status_code, api.json()["event_type"]) == (201, PackageEventType.UNEXPECTED)
    # and each label scanned again on the other path is a repeat, counted once
    assert page_scan(dsp_driver, drop_off, "STRAY-2", "received")["kind"] == "repeat"
    again = api_scan(partner_owner, drop_off, "STRAY-1", "received")
    assert (again.status_code, again.json()["replayed"]) == (200, True)
    drop_off.refresh_from_db()
    assert drop_off.unexpected == 2


def test_a_scan_after_close_is_refused_alike(drop_off, dsp_driver, partner_owner, manifested):
    # given the drop-off closed
    close(drop_off, dsp_driver, partner_owner)
    # when a package is scanned in, page then API
    label = manifested[0].tracking_id
    page = page_scan(dsp_driver, drop_off, label, "received")
    api = api_scan(dsp_driver, drop_off, label, "received")
    # then
    assert "closed" in assert_same_refusal(page, api)


def test_marking_a_received_package_missing_is_refused_alike(drop_off, dsp_driver, received):
    page = page_scan(dsp_driver, drop_off, received.tracking_id, "missing")
    api = api_scan(dsp_driver, drop_off, received.tracking_id, "missing")
    assert "cannot become missing" in assert_same_refusal(page, api)
    received.refresh_from_db()
    assert received.status == PackageStatus.RECEIVED


def test_an_outsiders_scan_is_refused_alike(drop_off, other_dsp_driver, manifested):
    # another DSP's driver does not find the handoff on either path
    response = client_for(other_dsp_driver).post(
        reverse("packages:handoff-scan", args=[drop_off.pk]),
        {"tracking_id": manifested[0].tracking_id, "idempotency_key": new_key()},
        **HTMX,
    )
    api = api_scan(other_dsp_driver, drop_off, manifested[0].tracking_id, "received")
    assert response.status_code == api.status_code == 404


# ------------------------------------------------------------------------------
# Scans at a return
# ------------------------------------------------------------------------------
@pytest.fixture
def queued(partner, dsp, today):
    """A package of yesterday queued for return, and one with an open incident."""
    manifest = ManifestFactory(
        dsp=dsp, partner=partner, service_date=today - datetime.timedelta(days=1)
    )
    return {
        "queued": PackageFactory(manifest=manifest, status=PackageStatus.RETURN_PENDING),
        "attempted": PackageFactory(manifest=manifest, status=PackageStatus.ATTEMPTED),
    }


@pytest.fixture
def open_return(partner, dsp, dsp_driver, queued) -> Handoff:
    return services.handoff_open(
        actor=dsp_driver,
        partner=partner,
        dsp=dsp,
        direction=HandoffDirection.RETURN,
        idempotency_key=new_key(),
    ).handoff


@pytest.mark.parametrize("event_type", ["damaged", "missing", "received"])
def test_drop_off_scans_at_a_return_are_refused_alike(open_return, dsp_driver, queued, event_type):
    # "received" on the page is the return's own button (hand back), so only the API sends it
    label = queued["queued"].tracking_id
    api = api_scan(dsp_driver, open_return, label, event_type)
    if event_type == "received":
        assert api.status_code == 409 and "return" in api.json()["detail"]
        return
    page = page_scan(dsp_driver, open_return, label, event_type)
    assert "at a drop-off" in assert_same_refusal(page, api)
    queued["queued"].refresh_from_db()
    assert queued["queued"].status == PackageStatus.RETURN_PENDING


def test_handing_back_a_package_with_an_open_incident_is_refused_alike(
    open_return, dsp_driver, queued
):
    label = queued["attempted"].tracking_id
    page = page_scan(dsp_driver, open_return, label, "returned")
    api = api_scan(dsp_driver, open_return, label, "returned")
    assert "open incident" in assert_same_refusal(page, api)


def test_handing_back_at_a_drop_off_is_refused_over_the_api_by_the_service(
    drop_off, dsp_driver, received
):
    # the page's drop-off has no hand-back button; the API's event type reaches the service
    api = api_scan(dsp_driver, drop_off, received.tracking_id, "returned")
    assert api.status_code == 409 and "return handoff" in api.json()["detail"]


# ------------------------------------------------------------------------------
# Opening
# ------------------------------------------------------------------------------
def test_opening_at_a_partner_without_packages_is_refused_alike(
    other_dsp_driver, partner, manifested
):
    page = page_open(other_dsp_driver, "drop_off", partner=partner.pk)
    api = api_open(other_dsp_driver, "drop_off", partner=partner.pk)
    assert api.status_code == 409
    assert page == api.json()["detail"]
    assert not Handoff.objects.exists()


def test_opening_a_return_with_nothing_queued_is_refused_alike(dsp_driver, partner, manifested):
    page = page_open(dsp_driver, "return", partner=partner.pk)
    api = api_open(dsp_driver, "return", partner=partner.pk)
    assert api.status_code == 409 and page == api.json()["detail"]


def test_opening_at_a_busy_partner_is_refused_alike(other_dsp_driver, partner, dsp, drop_off):
    # given: the first DSP's drop-off is open; the second DSP has packages there too
    other_dsp = other_dsp_driver.driver.dsp
    PackageFactory(manifest=ManifestFactory(dsp=other_dsp, partner=partner))
    page = page_open(other_dsp_driver, "drop_off", partner=partner.pk)
    api = api_open(other_dsp_driver, "drop_off", partner=partner.pk)
    assert api.status_code == 409 and page == api.json()["detail"]
    assert dsp.name not in page


def test_opening_at_a_paused_partner_is_refused_alike(dsp_driver, partner, manifested):
    partner.status = PartnerStatus.PAUSED
    partner.save(update_fields=["status"])
    page = page_open(dsp_driver, "drop_off", partner=partner.pk)
    api = api_open(dsp_driver, "drop_off", partner=partner.pk)
    assert api.status_code == 409 and page == api.json()["detail"]
    assert "paused" in page


# ------------------------------------------------------------------------------
# Confirming
# ------------------------------------------------------------------------------
def confirmations(handoff, side: str) -> int:
    return PackageEvent.objects.filter(
        handoff=handoff, event_type=PackageEventType.HANDOFF_CONFIRMED, detail__side=side
    ).count()


def test_confirming_twice_by_the_same_side_is_a_no_op_on_both_paths(
    drop_off, dsp_driver, partner_owner
):
    # given: the driver confirmed on the page
    assert page_confirm(dsp_driver, drop_off) == [
        "Confirmed. Waiting for the other side to confirm."
    ]
    # when: the driver confirms again over the API, and once more on the page
    again = api_confirm(dsp_driver, drop_off)
    page_again = page_confirm(dsp_driver, drop_off)
    # then: both answer with the first confirmation; one event, still open
    assert (again.status_code, again.json()["replayed"]) == (200, True)
    assert page_again == ["You had already confirmed. Waiting for the other side to confirm."]
    assert confirmations(drop_off, "driver") == 1
    drop_off.refresh_from_db()
    assert drop_off.is_open


def test_confirming_after_close_is_a_no_op_on_both_paths(drop_off, dsp_driver, partner_owner):
    # given: both sides confirmed over the API: closed
    api_confirm(dsp_driver, drop_off)
    assert api_confirm(partner_owner, drop_off).status_code == 201
    # when: each side confirms again on the other path
    page_again = page_confirm(dsp_driver, drop_off)
    api_again = api_confirm(partner_owner, drop_off)
    # then: nothing new
    assert page_again == ["Both sides confirmed: the handoff is closed."]
    assert api_again.status_code == 200 and api_again.json()["replayed"]
    assert confirmations(drop_off, "driver") == confirmations(drop_off, "partner") == 1


def test_an_outsiders_confirmation_is_refused_alike(drop_off, other_partner):
    page = client_for(other_partner.owner).post(
        reverse("packages:handoff-confirm", args=[drop_off.pk]), {"idempotency_key": new_key()}
    )
    api = api_confirm(other_partner.owner, drop_off)
    assert page.status_code == api.status_code == 404
    assert not PackageEvent.objects.filter(event_type=PackageEventType.HANDOFF_CONFIRMED).exists()
