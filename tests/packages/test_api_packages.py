import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from packages.models import (
    DeliveryAttempt,
    Handoff,
    Incident,
    PackageEvent,
    PackageEventType,
    PackageStatus,
)
from partners.models import BackgroundCheck, PartnerMember
from tests.factories import ManifestFactory, PackageFactory
from tests.packages.conftest import api_client_for, api_client_with_token, new_key
from tests.packages.test_delivery_services import PNG_BYTES

EVENTS_URL = reverse("api-package-event-create")
DEVICE_TIME = "2026-11-25T13:05:00Z"


def event_body(tracking_id, event_type, **extra):
    return {
        "tracking_id": tracking_id,
        "event_type": event_type,
        "idempotency_key": new_key(),
        "device_time": DEVICE_TIME,
        **extra,
    }


# ------------------------------------------------------------------------------
# Package lists: constant queries, filters
# ------------------------------------------------------------------------------
@pytest.mark.parametrize("rows", [10, 100])
def test_partner_day_list_takes_constant_queries(
    partner, partner_owner, today, rows, django_assert_num_queries
):
    manifest = ManifestFactory(partner=partner, service_date=today)
    PackageFactory.create_batch(rows, manifest=manifest)
    client = api_client_for(partner_owner)
    url = reverse("api-packages") + f"?partner={partner.pk}&service_date={today}"
    # session, user, roles, membership, driver, count, page: the same for 10 and 100 rows
    with django_assert_num_queries(7):
        response = client.get(url)
    assert response.json()["count"] == rows


def test_token_package_list_takes_constant_queries(
    dsp, partner, dsp_token_key, django_assert_num_queries
):
    client = api_client_with_token(dsp_token_key)
    client.get(reverse("api-packages"))  # stamps the token's last use
    for rows in (10, 100):
        PackageFactory.create_batch(rows - (10 if rows == 100 else 0), manifest__dsp=dsp)
        # token, count, page
        with django_assert_num_queries(3):
            response = client.get(reverse("api-packages"))
        assert response.json()["count"] == rows


def test_bad_filter_value_names_the_parameter(partner_owner):
    response = api_client_for(partner_owner).get(reverse("api-packages") + "?service_date=soon")
    assert response.status_code == 400 and "service_date" in response.json()


@pytest.mark.parametrize(
    "url_name, query",
    [
        ("api-packages", "service_date="),
        ("api-packages", "status=&partner=1"),
        ("api-handoffs", "direction="),
        ("api-incidents", "reason="),
        ("api-incidents", "page="),  # found by schemathesis too: read as page 1
        ("api-packages", "page="),
    ],
)
def test_filter_sent_empty_is_a_400_naming_it(partner_owner, url_name, query):
    # Found by schemathesis: django-filter ignored an empty value and answered with everything.
    # given
    client = api_client_for(partner_owner)
    # when
    response = client.get(f"{reverse(url_name)}?{query}")
    # then
    assert response.status_code == 400
    assert list(response.json()) == [query.split("=")[0]]


@pytest.mark.parametrize("value", ["0.5", "7.0", "1e3", "one"])
def test_id_filter_takes_only_a_whole_number(partner, partner_owner, value):
    # Found by schemathesis: `?partner=0.5` was read as a decimal, `7.0` as 7.
    response = api_client_for(partner_owner).get(f"{reverse('api-handoffs')}?partner={value}")
    assert response.status_code == 400 and "partner" in response.json()


@pytest.mark.parametrize("value", ["0", "-3", "9223372036854775808", "-20202715573634498560"])
def test_id_filter_out_of_range_is_a_400_not_a_500(partner, partner_owner, value):
    # Found by schemathesis: on SQLite a number past 64 bits reached the query (OverflowError).
    response = api_client_for(partner_owner).get(f"{reverse('api-packages')}?manifest={value}")
    assert response.status_code == 400 and "manifest" in response.json()


def test_day_list_follows_route_sequence_then_address(partner, partner_owner, today):
    manifest = ManifestFactory(partner=partner, service_date=today)
    PackageFactory(
        manifest=manifest, tracking_id="TBA-C", address_line="9 A St", route_sequence=None
    )
    PackageFactory(manifest=manifest, tracking_id="TBA-B", address_line="1 Z St", route_sequence=2)
    PackageFactory(manifest=manifest, tracking_id="TBA-A", address_line="5 M St", route_sequence=1)
    PackageFactory(
        manifest=manifest, tracking_id="TBA-D", address_line="2 B St", route_sequence=None
    )
    from packages.selectors import package_list_for_partner_day

    ordered = package_list_for_partner_day(partner_id=partner.pk, service_date=today)
    assert [p.tracking_id for p in ordered] == ["TBA-A", "TBA-B", "TBA-D", "TBA-C"]


# ------------------------------------------------------------------------------
# POST /package-events
# ------------------------------------------------------------------------------
def test_driver_scans_in_and_a_retry_writes_nothing(dsp_driver, drop_off, manifested):
    client = api_client_for(dsp_driver)
    body = event_body(manifested[0].tracking_id, "received", handoff=drop_off.pk)
    # when
    first = client.post(EVENTS_URL, body, format="json")
    again = client.post(EVENTS_URL, body, format="json")
    # then
    assert first.status_code == 201 and again.status_code == 200
    assert again.json() == {**first.json(), "replayed": True}
    assert first.json()["device_time"] == DEVICE_TIME
    assert PackageEvent.objects.filter(event_type=PackageEventType.RECEIVED).count() == 1


def test_scan_of_an_unknown_label_is_recorded(dsp_driver, drop_off):
    response = api_client_for(dsp_driver).post(
        EVENTS_URL, event_body("NOT-ON-MANIFEST", "received", handoff=drop_off.pk), format="json"
    )
    assert response.status_code == 201 and response.json()["event_type"] == "unexpected"


def test_partner_delivers_with_a_photo(partner_owner, received):
    photo = SimpleUploadedFile("door.png", PNG_BYTES, content_type="image/png")
    response = api_client_for(partner_owner).post(
        EVENTS_URL, event_body(received.tracking_id, "delivered", photo=photo), format="multipart"
    )
    assert response.status_code == 201, response.json()
    assert DeliveryAttempt.objects.get().photo


def test_deliver_without_proof_names_the_field(partner_owner, received):
    response = api_client_for(partner_owner).post(
        EVENTS_URL, event_body(received.tracking_id, "delivered"), format="json"
    )
    assert response.status_code == 400 and "recipient_name" in response.json()


def test_deliver_twice_is_a_409_with_the_reason(partner_owner, received):
    client = api_client_for(partner_owner)
    client.post(
        EVENTS_URL,
        event_body(received.tracking_id, "delivered", recipient_name="Jo"),
        format="json",
    )
    response = client.post(
        EVENTS_URL,
        event_body(received.tracking_id, "delivered", recipient_name="Jo"),
        format="json",
    )
    assert response.status_code == 409
    assert response.json() == {
        "detail": f"Package {received.tracking_id} is already delivered.",
        "code": "InvalidTransition",
    }


def test_deliver_a_package_not_in_custody_is_a_409(partner_owner, manifested):
    response = api_client_for(partner_owner).post(
        EVENTS_URL,
        event_body(manifested[1].tracking_id, "delivered", recipient_name="Jo"),
        format="json",
    )
    assert response.status_code == 409 and "not in your custody" in response.json()["detail"]


def test_staff_without_clear_check_is_refused_403(partner_staff, received):
    PartnerMember.objects.filter(user=partner_staff).update(
        background_check=BackgroundCheck.NOT_CLEAR
    )
    response = api_client_for(partner_staff).post(
        EVENTS_URL,
        event_body(received.tracking_id, "delivered", recipient_name="Jo"),
        format="json",
    )
    assert response.status_code == 403 and "background check" in response.json()["detail"]


def test_attempt_needs_a_reason_and_opens_an_incident(partner_owner, received):
    client = api_client_for(partner_owner)
    response = client.post(EVENTS_URL, event_body(received.tracking_id, "attempted"), format="json")
    assert response.status_code == 400 and "reason" in response.json()
    response = client.post(
        EVENTS_URL,
        event_body(received.tracking_id, "attempted", reason="recipient_unavailable"),
        format="json",
    )
    assert response.status_code == 201
    assert Incident.objects.get().reason == "recipient_unavailable"


def test_a_member_keeps_an_undelivered_package_for_the_return(partner_staff, received):
    client = api_client_for(partner_staff)
    body = event_body(received.tracking_id, "queued_for_return")
    response = client.post(EVENTS_URL, body, format="json")
    assert response.status_code == 201
    assert response.json()["to_status"] == PackageStatus.RETURN_PENDING
    # a retry answers with the first result
    assert client.post(EVENTS_URL, body, format="json").status_code == 200
    received.refresh_from_db()
    assert received.status == PackageStatus.RETURN_PENDING


def test_the_driver_cannot_queue_a_partners_package_for_return(dsp_driver, received):
    response = api_client_for(dsp_driver).post(
        EVENTS_URL, event_body(received.tracking_id, "queued_for_return"), format="json"
    )
    assert response.status_code == 403
    received.refresh_from_db()
    assert received.status == PackageStatus.RECEIVED


def test_unknown_event_type_and_bad_device_time_are_named(partner_owner, received):
    body = event_body(received.tracking_id, "teleported", device_time="yesterday")
    response = api_client_for(partner_owner).post(EVENTS_URL, body, format="json")
    assert response.status_code == 400
    assert {"event_type", "device_time"} <= set(response.json())


def test_dsp_token_cannot_post_events(dsp_token_key, received):
    response = api_client_with_token(dsp_token_key).post(
        EVENTS_URL,
        event_body(received.tracking_id, "delivered", recipient_name="Jo"),
        format="json",
    )
    assert response.status_code == 403


def test_timeline_keeps_device_and_server_time(partner_owner, received):
    url = reverse("api-package-events", args=[received.tracking_id])
    events = api_client_for(partner_owner).get(url).json()["results"]
    assert [e["event_type"] for e in events] == ["received"]
    assert "device_time" in events[0] and events[0]["received_at"]


# ------------------------------------------------------------------------------
# Handoffs
# ------------------------------------------------------------------------------
def test_driver_opens_and_both_sides_confirm_over_the_api(
    dsp_driver, partner_owner, partner, manifested
):
    driver = api_client_for(dsp_driver)
    opened = driver.post(
        reverse("api-handoffs"),
        {"partner": partner.pk, "direction": "drop_off", "idempotency_key": new_key()},
        format="json",
    )
    assert opened.status_code == 201, opened.json()
    handoff_id = opened.json()["handoff"]
    for package in manifested:
        driver.post(
            EVENTS_URL,
            event_body(package.tracking_id, "received", handoff=handoff_id),
            format="json",
        )
    confirm_url = reverse("api-handoff-confirm", args=[handoff_id])
    assert (
        driver.post(confirm_url, {"idempotency_key": new_key()}, format="json").status_code == 201
    )
    partner_client = api_client_for(partner_owner)
    response = partner_client.post(confirm_url, {"idempotency_key": new_key()}, format="json")
    assert response.status_code == 201
    detail = partner_client.get(reverse("api-handoff-detail", args=[handoff_id])).json()
    assert detail["status"] == "closed"
    assert (detail["expected"], detail["received"], detail["missing"]) == (3, 3, 0)
    assert {item["package_status"] for item in detail["items"]} == {PackageStatus.RECEIVED}


def test_partner_opening_needs_a_dsp(partner_owner):
    response = api_client_for(partner_owner).post(
        reverse("api-handoffs"),
        {"direction": "drop_off", "idempotency_key": new_key()},
        format="json",
    )
    assert response.status_code == 400 and "dsp" in response.json()


def test_handoff_list_takes_constant_queries(
    partner, dsp, dsp_driver, today, django_assert_num_queries
):
    client = api_client_for(dsp_driver)
    for count in (10, 100):
        Handoff.objects.bulk_create(
            Handoff(
                partner=partner,
                dsp=dsp,
                direction="drop_off",
                status="closed",
                service_date=today - datetime.timedelta(days=n),
                opened_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
            )
            for n in range(count - (10 if count == 100 else 0))
        )
        # session, user, roles, membership, driver, count, page (partner, DSP, driver joined)
        with django_assert_num_queries(7):
            response = client.get(reverse("api-handoffs"))
        assert response.json()["count"] == count


# ------------------------------------------------------------------------------
# Incidents
# ------------------------------------------------------------------------------
def test_ops_list_and_resolve_incidents(
    reviewer, partner_owner, received, django_assert_num_queries
):
    api_client_for(partner_owner).post(
        EVENTS_URL, event_body(received.tracking_id, "attempted", reason="unsafe"), format="json"
    )
    client = api_client_for(reviewer)
    # session, user, roles, count, page: ops need no membership lookups
    with django_assert_num_queries(5):
        listed = client.get(reverse("api-incidents") + "?status=open").json()
    assert listed["count"] == 1
    url = reverse("api-incident-resolve", args=[listed["results"][0]["id"]])
    body = {"resolution": "return_to_dsp", "idempotency_key": new_key()}
    assert client.post(url, body, format="json").status_code == 201
    assert client.post(url, body, format="json").status_code == 200
    received.refresh_from_db()
    assert received.status == PackageStatus.RETURN_PENDING


def test_incident_list_takes_constant_queries(reviewer, partner, django_assert_num_queries):
    from packages.models import AttemptOutcome, DeliveryAttempt, PackageEvent

    client = api_client_for(reviewer)
    for count in (10, 100):
        for package in PackageFactory.create_batch(
            count - (10 if count == 100 else 0), manifest__partner=partner
        ):
            event = PackageEvent.objects.create(
                package=package,
                event_type="attempted",
                idempotency_key=new_key(),
                received_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
            )
            attempt = DeliveryAttempt.objects.create(
                package=package,
                event=event,
                outcome=AttemptOutcome.ATTEMPTED,
                reason="unsafe",
                attempted_at=event.received_at,
            )
            Incident.objects.create(
                package=package, attempt=attempt, reason="unsafe", opened_at=event.received_at
            )
        with django_assert_num_queries(5):
            response = client.get(reverse("api-incidents"))
        assert response.json()["count"] == count


def test_dsp_tokens_are_throttled_per_token(dsp_token_key, monkeypatch):
    from django.core.cache import cache
    from rest_framework.throttling import UserRateThrottle

    cache.clear()
    monkeypatch.setitem(UserRateThrottle.THROTTLE_RATES, "user", "2/minute")
    client = api_client_with_token(dsp_token_key)
    codes = [client.get(reverse("api-packages")).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


@pytest.mark.parametrize("rows", [10, 100])
def test_handoff_detail_takes_constant_queries(
    rows, partner, dsp, dsp_driver, today, django_assert_num_queries
):
    from packages import services

    manifest = ManifestFactory(partner=partner, dsp=dsp, service_date=today)
    packages = PackageFactory.create_batch(rows, manifest=manifest)
    handoff = services.handoff_open(
        actor=dsp_driver,
        partner=partner,
        dsp=dsp,
        direction="drop_off",
        service_date=today,
        idempotency_key=new_key(),
    ).handoff
    for package in packages:
        services.package_receive(
            actor=dsp_driver,
            handoff=handoff,
            tracking_id=package.tracking_id,
            idempotency_key=new_key(),
        )
    client = api_client_for(dsp_driver)
    # session, user, roles, membership, driver, handoff, items with their packages
    with django_assert_num_queries(7):
        response = client.get(reverse("api-handoff-detail", args=[handoff.pk]))
    assert len(response.json()["items"]) == rows


def test_timeline_takes_constant_queries(partner_owner, received, django_assert_num_queries):
    client = api_client_for(partner_owner)
    url = reverse("api-package-events", args=[received.tracking_id])
    for count in (10, 100):
        PackageEvent.objects.bulk_create(
            PackageEvent(
                package=received,
                tracking_id=received.tracking_id,
                event_type="received",
                idempotency_key=new_key(),
                received_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
            )
            for _ in range(count - PackageEvent.objects.filter(package=received).count())
        )
        # session, user, roles, membership, driver, package, count, page
        with django_assert_num_queries(8):
            response = client.get(url)
        assert response.json()["count"] == count
