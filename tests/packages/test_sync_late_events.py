"""Nothing lost (issue 19): an event that reaches the server after its day or its handoff
closed is kept with its device time, flagged late, and listed for ops."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from packages import services
from packages.models import LateEvent, PackageEvent, PackageStatus
from tests.conftest import client_for
from tests.packages.conftest import new_key
from tests.packages.sync_helpers import results_of, sync_as, sync_event


def test_a_delivery_sent_after_the_day_was_closed_is_refused_and_kept(
    partner_owner, received, today
):
    # given the phone delivered offline, then the day was closed from another phone
    device_time = timezone.now()
    services.day_close(
        actor=partner_owner, partner=received.partner, service_date=today, idempotency_key=new_key()
    )
    # when the delivery syncs
    event = sync_event(
        "delivered", device_time, tracking_id=received.tracking_id, recipient_name="Ana"
    )
    result = results_of(sync_as(partner_owner, event))[0]
    # then it is refused (the package waits for the return) but kept for ops, late
    assert (result["outcome"], result["code"], result["late"]) == ("refused", "day_closed", True)
    assert result["what_to_do"]
    late = LateEvent.objects.get(client_id=event["client_id"])
    assert (late.event_type, late.partner, late.tracking_id, late.outcome) == (
        "delivered",
        received.partner,
        received.tracking_id,
        "refused",
    )
    assert late.device_time == device_time
    assert late.received_at > device_time
    assert late.detail == {"tracking_id": received.tracking_id, "recipient_name": "Ana"}
    received.refresh_from_db()
    assert received.status == PackageStatus.RETURN_PENDING


def test_a_delivery_sent_the_next_day_is_applied_and_flagged_late(partner_owner, received):
    # given a delivery recorded offline yesterday evening
    device_time = timezone.now()
    # when the phone comes back online the next morning
    with time_machine.travel(device_time + datetime.timedelta(days=1)):
        event = sync_event(
            "delivered", device_time, tracking_id=received.tracking_id, recipient_name="Ana"
        )
        result = results_of(sync_as(partner_owner, event))[0]
    # then applied, with the device's time, and flagged for ops
    assert (result["outcome"], result["late"]) == ("applied", True)
    applied = PackageEvent.objects.get(idempotency_key=event["client_id"])
    assert applied.device_time == device_time
    late = LateEvent.objects.get(client_id=event["client_id"])
    assert (late.outcome, late.event) == ("applied", applied)


def test_a_day_close_sent_the_next_morning_closes_the_day_it_was_made_on(
    partner_owner, received, partner, dsp, today
):
    # given yesterday's package still at the partner, and today's manifest
    from tests.factories import ManifestFactory, PackageFactory

    tomorrow = today + datetime.timedelta(days=1)
    next_day = PackageFactory(
        manifest=ManifestFactory(dsp=dsp, partner=partner, service_date=tomorrow)
    )
    PackageFactory._meta.model.objects.filter(pk=next_day.pk).update(status=PackageStatus.RECEIVED)
    device_time = timezone.now()
    # when the close made offline last evening syncs the next morning
    with time_machine.travel(device_time + datetime.timedelta(days=1)):
        result = results_of(sync_as(partner_owner, sync_event("day_close", device_time)))[0]
    # then yesterday's package is kept for the return; the new day's is left alone
    assert (result["outcome"], result["late"]) == ("applied", True)
    received.refresh_from_db()
    next_day.refresh_from_db()
    assert (received.status, next_day.status) == (
        PackageStatus.RETURN_PENDING,
        PackageStatus.RECEIVED,
    )


def test_an_event_on_time_is_not_late(partner_owner, received):
    event = sync_event("delivered", tracking_id=received.tracking_id, recipient_name="Ana")
    assert results_of(sync_as(partner_owner, event))[0]["late"] is False
    assert not LateEvent.objects.exists()


# ------------------------------------------------------------------------------
# The ops page
# ------------------------------------------------------------------------------
@pytest.fixture
def late_scans(drop_off, dsp_driver, partner_owner, manifested):
    """Two scans that reached the server after the drop-off closed."""
    for actor in (dsp_driver, partner_owner):
        services.handoff_confirm(actor=actor, handoff=drop_off, idempotency_key=new_key())
    events = [
        sync_event("received", handoff=drop_off.pk, tracking_id=package.tracking_id)
        for package in manifested[1:]
    ]
    results_of(sync_as(dsp_driver, *events))
    return events


def test_ops_see_late_events_in_the_partners_local_time(reviewer, late_scans, partner):
    # when
    response = client_for(reviewer).get(reverse("packages:ops-late-events"))
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert len(response.context["page"]) == 2
    assert "Scanned at the handoff" in body and partner.trade_name in body
    assert timezone.now().astimezone(ZoneInfo(partner.time_zone)).tzname() in body


def test_the_ops_page_is_linked_from_the_ops_home(reviewer):
    home = client_for(reviewer).get(reverse("partners:ops-home")).content.decode()
    assert reverse("packages:ops-late-events") in home


@pytest.mark.parametrize("persona", ["partner_owner", "dsp_driver"])
def test_the_late_events_page_is_for_ops_only(request, persona, late_scans):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("packages:ops-late-events")).status_code == 403


def test_the_ops_page_reads_the_same_number_of_queries_for_more_events(
    reviewer, late_scans, drop_off, dsp_driver, django_assert_max_num_queries
):
    client = client_for(reviewer)
    # session, user, groups, count, page (with partner, actor and handoff joined)
    with django_assert_max_num_queries(8):
        client.get(reverse("packages:ops-late-events"))
    results_of(
        sync_as(
            dsp_driver,
            *[sync_event("missing", handoff=drop_off.pk, tracking_id=f"X-{i}") for i in range(5)],
        )
    )
    assert LateEvent.objects.count() == 7
    with django_assert_max_num_queries(8):
        client.get(reverse("packages:ops-late-events"))
