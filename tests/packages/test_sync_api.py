"""POST /api/v1/sync: a phone's outbox applied in order, once each (issue 19)."""

import base64
import datetime
import io

import pytest
from django.utils import timezone
from PIL import Image

from packages.models import DeliveryAttempt, HandoffStatus, PackageEvent, PackageStatus
from tests.factories import ManifestFactory, PackageFactory
from tests.packages.conftest import api_client_for, new_key
from tests.packages.sync_helpers import results_of, sync_as, sync_event, sync_post


def jpeg_data_url() -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "JPEG")
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode()


# ------------------------------------------------------------------------------
# Applied, already applied, order and times
# ------------------------------------------------------------------------------
def test_a_handoff_scanned_offline_is_applied_in_device_order(dsp_driver, drop_off, manifested):
    # given three scans made offline a second apart, then the driver's confirmation
    start = timezone.now() - datetime.timedelta(minutes=5)
    events = [
        sync_event(
            "received",
            start + datetime.timedelta(seconds=i),
            handoff=drop_off.pk,
            tracking_id=package.tracking_id,
        )
        for i, package in enumerate(manifested)
    ]
    events.append(
        sync_event("handoff_confirm", start + datetime.timedelta(seconds=9), handoff=drop_off.pk)
    )
    # when
    results = results_of(sync_as(dsp_driver, *events))
    # then: one result each, same order, all applied, nothing late
    assert [r["client_id"] for r in results] == [e["client_id"] for e in events]
    assert {(r["outcome"], r["code"], r["late"]) for r in results} == {("applied", "", False)}
    stored = PackageEvent.objects.filter(idempotency_key__in=[e["client_id"] for e in events])
    by_key = {event.idempotency_key: event for event in stored}
    assert [by_key[e["client_id"]].device_time for e in events] == [
        datetime.datetime.fromisoformat(e["device_time"]) for e in events
    ]
    # the server applied them in the device's order, each with its own receipt time
    received_at = [by_key[e["client_id"]].received_at for e in events]
    assert received_at == sorted(received_at)
    assert all(at > start for at in received_at)
    for package in manifested:
        package.refresh_from_db()
        assert package.status == PackageStatus.RECEIVED


def test_the_same_client_id_twice_in_one_batch_is_applied_once(partner_owner, received):
    # given
    delivered = sync_event("delivered", tracking_id=received.tracking_id, recipient_name="Ana")
    # when
    results = results_of(sync_as(partner_owner, delivered, dict(delivered)))
    # then
    assert [r["outcome"] for r in results] == ["applied", "already_applied"]
    assert PackageEvent.objects.filter(idempotency_key=delivered["client_id"]).count() == 1
    assert DeliveryAttempt.objects.filter(package=received).count() == 1


def test_a_batch_sent_again_is_already_applied_and_writes_nothing(partner_owner, received):
    # given a batch applied once, its answer lost on the way (a cut request)
    events = [
        sync_event("delivered", tracking_id=received.tracking_id, safe_place_note="Porch"),
        sync_event("delivery_undone", tracking_id=received.tracking_id),
    ]
    assert [r["outcome"] for r in results_of(sync_as(partner_owner, *events))] == [
        "applied",
        "applied",
    ]
    count = PackageEvent.objects.count()
    # when the phone sends it again (a retry, or a second tab)
    results = results_of(sync_as(partner_owner, *events))
    # then
    assert [r["outcome"] for r in results] == ["already_applied", "already_applied"]
    assert PackageEvent.objects.count() == count
    received.refresh_from_db()
    assert received.status == PackageStatus.RECEIVED


def test_one_refusal_undoes_nothing_else(partner_owner, received, manifested):
    # given the delivery of a package never scanned in, after a good one
    other = manifested[1]
    events = [
        sync_event("delivered", tracking_id=received.tracking_id, recipient_name="Ana"),
        sync_event("delivered", tracking_id=other.tracking_id, recipient_name="Bo"),
        sync_event("attempted", tracking_id=received.tracking_id, reason="unsafe"),
    ]
    # when
    results = results_of(sync_as(partner_owner, *events))
    # then: the second is refused, the first stands, the third meets the first's delivery
    assert [r["outcome"] for r in results] == ["applied", "refused", "refused"]
    assert results[1]["code"] == "conflict"
    assert "scan it in at the handoff first" in results[1]["message"]
    assert results[2]["code"] == "conflict"
    assert "already delivered" in results[2]["message"]
    received.refresh_from_db()
    assert received.status == PackageStatus.DELIVERED


def test_an_invalid_value_refuses_that_event_naming_the_field(partner_owner, received):
    # when: no reason for a failed attempt, no proof for a delivery
    results = results_of(
        sync_as(
            partner_owner,
            sync_event("attempted", tracking_id=received.tracking_id, reason=""),
            sync_event("attempted", tracking_id=received.tracking_id, reason="aliens"),
            sync_event("delivered", tracking_id=received.tracking_id),
        )
    )
    # then: in the service's words, with the field it names
    assert [(r["outcome"], r["code"], r["field"]) for r in results] == [
        ("refused", "invalid", "reason"),
        ("refused", "invalid", "reason"),
        ("refused", "invalid", "recipient_name"),
    ]
    assert results[0]["message"] == "Say why the package was not delivered."
    assert all(r["what_to_do"] for r in results)


def test_a_failed_attempt_opens_an_incident_and_keeps_the_place(partner_owner, received):
    # when
    event = sync_event(
        "attempted",
        tracking_id=received.tracking_id,
        reason="no_access",
        note="Gate locked",
        latitude=42.35,
        longitude=-71.07,
    )
    results = results_of(sync_as(partner_owner, event))
    # then
    assert results[0]["outcome"] == "applied"
    stored = PackageEvent.objects.get(idempotency_key=event["client_id"])
    assert (stored.latitude, stored.longitude) == (42.35, -71.07)
    assert received.incidents.count() == 1


def test_day_close_keeps_what_is_left_for_the_return(partner_owner, received):
    # when
    results = results_of(sync_as(partner_owner, sync_event("day_close")))
    # then
    assert results[0]["outcome"] == "applied"
    received.refresh_from_db()
    assert received.status == PackageStatus.RETURN_PENDING
    # and sent again it changes nothing
    assert results_of(sync_as(partner_owner, sync_event("day_close")))[0]["outcome"] in (
        "applied",
        "already_applied",
    )


def test_both_sides_confirm_through_the_batch_and_the_handoff_closes(
    dsp_driver, partner_owner, drop_off, received
):
    # when
    results_of(sync_as(dsp_driver, sync_event("handoff_confirm", handoff=drop_off.pk)))
    results = results_of(sync_as(partner_owner, sync_event("handoff_confirm", handoff=drop_off.pk)))
    # then
    assert results[0]["outcome"] == "applied"
    drop_off.refresh_from_db()
    assert drop_off.status == HandoffStatus.CLOSED


# ------------------------------------------------------------------------------
# Photos as data URLs
# ------------------------------------------------------------------------------
def test_a_delivery_with_a_photo_data_url_stores_the_re_encoded_photo(partner_owner, received):
    # when
    event = sync_event("delivered", tracking_id=received.tracking_id, photo=jpeg_data_url())
    results = results_of(sync_as(partner_owner, event))
    # then
    assert results[0]["outcome"] == "applied"
    attempt = DeliveryAttempt.objects.get(event__idempotency_key=event["client_id"])
    assert attempt.photo.name.endswith(".jpg")


@pytest.mark.parametrize(
    "photo",
    ["not a data url", "data:image/jpeg;base64,@@@not-base64@@@", "data:text/plain;base64,aGk="],
)
def test_a_malformed_photo_is_a_400_naming_the_field(partner_owner, received, photo):
    # when
    event = sync_event("delivered", tracking_id=received.tracking_id, photo=photo)
    response = sync_as(partner_owner, sync_event("day_close"), event)
    # then: nothing of the batch is applied
    assert response.status_code == 400
    assert list(response.json()) == ["events[1].photo"]
    received.refresh_from_db()
    assert received.status == PackageStatus.RECEIVED


def test_a_photo_that_is_no_image_is_refused_by_the_photo_service(partner_owner, received):
    # when: valid base64, but not a picture
    data_url = "data:image/jpeg;base64," + base64.b64encode(b"%PDF-1.4 hello").decode()
    event = sync_event("delivered", tracking_id=received.tracking_id, photo=data_url)
    results = results_of(sync_as(partner_owner, event))
    # then
    assert (results[0]["outcome"], results[0]["code"], results[0]["field"]) == (
        "refused",
        "invalid",
        "photo",
    )


# ------------------------------------------------------------------------------
# A malformed batch: 400 naming the field, nothing applied
# ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "events"),
        ({"events": "scan"}, "events"),
        ({"events": []}, "events"),
        (
            {"events": [{"type": "day_close", "device_time": "2026-11-29T14:03:11Z"}]},
            "events[0].client_id",
        ),
        ({"events": [{"client_id": "a", "device_time": "2026-11-29T14:03:11Z"}]}, "events[0].type"),
        ({"events": [{"client_id": "a", "type": "day_close"}]}, "events[0].device_time"),
        (
            {
                "events": [
                    {"client_id": "a", "type": "teleported", "device_time": "2026-11-29T14:03:11Z"}
                ]
            },
            "events[0].type",
        ),
        (
            {
                "events": [
                    {
                        "client_id": "a",
                        "type": "received",
                        "device_time": "2026-11-29T14:03:11Z",
                        "tracking_id": "T1",
                    }
                ]
            },
            "events[0].handoff",
        ),
        (
            {
                "events": [
                    {"client_id": "a", "type": "delivered", "device_time": "2026-11-29T14:03:11Z"}
                ]
            },
            "events[0].tracking_id",
        ),
        (
            {"events": [{"client_id": "a", "type": "day_close", "device_time": "yesterday"}]},
            "events[0].device_time",
        ),
    ],
)
def test_a_malformed_batch_is_a_400_naming_the_field(partner_owner, body, field):
    from django.urls import reverse

    # when
    response = api_client_for(partner_owner).post(reverse("api-sync"), body, format="json")
    # then
    assert response.status_code == 400
    assert field in response.json()


def test_more_than_300_events_is_a_400(partner_owner):
    # when
    events = [sync_event("day_close") for _ in range(301)]
    response = sync_as(partner_owner, *events)
    # then
    assert response.status_code == 400
    assert "events" in response.json()
    assert not PackageEvent.objects.exists()


def test_a_key_is_the_persons_own(partner_owner, partner_staff, received):
    # given the owner's delivery
    event = sync_event("delivered", tracking_id=received.tracking_id, recipient_name="Ana")
    results_of(sync_as(partner_owner, event))
    # when a teammate's phone sends the same client id
    results = results_of(sync_as(partner_staff, event))
    # then it is refused, not answered with the owner's result
    assert results[0]["outcome"] == "refused"


# ------------------------------------------------------------------------------
# Queries: what the batch reads once, then what each event's service needs
# ------------------------------------------------------------------------------
# Session, user, groups, membership, driver; the handoffs named; the drop-off locked with the
# actor's side; the labels' packages and items, the keys' events; one UPDATE of packages,
# one INSERT of items, the counters, one INSERT of events; savepoints.
SCANS_QUERIES = 20
# A delivery's own statements (key lookup, package lock, status, event, attempt, savepoint).
PER_DELIVERY_QUERIES = 8


def _day_of_packages(partner, dsp, today, n):
    manifest = ManifestFactory(dsp=dsp, partner=partner, service_date=today, package_count=n)
    return PackageFactory.create_batch(n, manifest=manifest)


def _drop_off_of(partner, dsp, dsp_driver):
    from packages import services
    from packages.models import HandoffDirection

    return services.handoff_open(
        actor=dsp_driver,
        partner=partner,
        dsp=dsp,
        direction=HandoffDirection.DROP_OFF,
        idempotency_key=new_key(),
    ).handoff


@pytest.mark.parametrize("n", [10, 30])
def test_a_drop_offs_scans_cost_the_same_queries_for_10_or_30(
    n, partner, dsp, dsp_driver, today, django_assert_max_num_queries
):
    # given a drop-off of n packages, opened
    packages = _day_of_packages(partner, dsp, today, n)
    handoff = _drop_off_of(partner, dsp, dsp_driver)
    events = [
        sync_event("received", handoff=handoff.pk, tracking_id=p.tracking_id) for p in packages
    ]
    client = api_client_for(dsp_driver)
    # when / then: the same bound whatever n
    with django_assert_max_num_queries(SCANS_QUERIES):
        results = results_of(sync_post(client, *events))
    assert {r["outcome"] for r in results} == {"applied"}


@pytest.mark.parametrize("n", [10, 30])
def test_deliveries_cost_the_batch_reads_plus_each_deliverys_own(
    n, partner, partner_owner, dsp, dsp_driver, today, django_assert_max_num_queries
):
    # given n packages at the partner
    from packages import services

    packages = _day_of_packages(partner, dsp, today, n)
    handoff = _drop_off_of(partner, dsp, dsp_driver)
    for package in packages:
        services.package_scan_in(
            actor=dsp_driver, handoff=handoff, tracking_id=package.tracking_id,
            idempotency_key=new_key(),
        )  # fmt: skip
    events = [
        sync_event("delivered", tracking_id=p.tracking_id, recipient_name="Ana") for p in packages
    ]
    client = api_client_for(partner_owner)
    # when / then: each delivery is its own service call (its own lock and proof), so the
    # count grows by that call's statements per event, and by nothing else
    with django_assert_max_num_queries(SCANS_QUERIES + PER_DELIVERY_QUERIES * n):
        results = results_of(sync_post(client, *events))
    assert {r["outcome"] for r in results} == {"applied"}


def test_the_sync_endpoint_is_in_the_openapi_schema(partner_owner):
    from django.urls import reverse

    schema = api_client_for(partner_owner).get(reverse("api-schema") + "?format=json").json()
    operation = schema["paths"]["/api/v1/sync"]["post"]
    assert operation["operationId"] == "sync"
    assert set(operation["responses"]) >= {"200", "400", "401", "403"}
    result = schema["components"]["schemas"]["SyncResult"]["properties"]
    assert set(result) >= {"client_id", "outcome", "code", "message", "what_to_do", "late"}
