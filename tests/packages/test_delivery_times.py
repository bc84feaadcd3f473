"""Business times are server times (issue 14, finding 7). A delivery or an attempt is dated by
the server's receipt, whatever the phone's clock says; the device's time is kept beside it on
the event, and a device clock off by more than DEVICE_CLOCK_SKEW_LIMIT is flagged on the ops
package page. Through the page and the API, with clocks set to 1999 and 2099."""

import datetime
import importlib

import pytest
import time_machine
from django.apps import apps as django_apps
from django.urls import reverse

from packages import services
from packages.models import DeliveryAttempt, PackageEvent
from packages.selectors import DEVICE_CLOCK_SKEW_LIMIT
from tests.conftest import client_for
from tests.packages.conftest import api_client_for, new_key

NOW = datetime.datetime(2026, 11, 25, 15, 0, tzinfo=datetime.UTC)
WRONG_CLOCKS = {
    "1999": datetime.datetime(1999, 12, 31, 23, 59, tzinfo=datetime.UTC),
    "2099": datetime.datetime(2099, 1, 1, 9, 0, tzinfo=datetime.UTC),
}
ACTIONS = {
    "delivered": {"recipient_name": "Ana Diaz"},
    "attempted": {"reason": "no_access"},
}
PAGE_URLS = {"delivered": "packages:package-deliver", "attempted": "packages:package-attempt"}


def act_by_page(user, package, action, device_time):
    return client_for(user).post(
        reverse(PAGE_URLS[action], args=[package.tracking_id]),
        {"idempotency_key": new_key(), "device_time": device_time.isoformat(), **ACTIONS[action]},
    )


def act_by_api(user, package, action, device_time):
    body = {
        "tracking_id": package.tracking_id,
        "event_type": action,
        "idempotency_key": new_key(),
        "device_time": device_time.isoformat(),
        **ACTIONS[action],
    }
    return api_client_for(user).post(reverse("api-package-event-create"), body, format="json")


PATHS = {"page": act_by_page, "api": act_by_api}


@pytest.fixture
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.mark.parametrize("clock", WRONG_CLOCKS)
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("path", PATHS)
def test_a_wrong_device_clock_is_kept_beside_the_server_time_and_flagged_for_ops(
    path, action, clock, partner_owner, reviewer, received, at_now
):
    # given a phone whose clock says 1999 (or 2099)
    device_time = WRONG_CLOCKS[clock]
    # when the partner delivers (or attempts) through the page or the API
    response = PATHS[path](partner_owner, received, action, device_time)
    assert response.status_code in (201, 302)
    # then the attempt is dated by the server, and the device's time is kept on the event
    attempt = DeliveryAttempt.objects.get(package=received)
    assert attempt.attempted_at == attempt.event.received_at == NOW
    assert attempt.event.device_time == device_time
    received.refresh_from_db()
    assert received.status_changed_at == NOW
    # and the ops package page flags the device's clock
    page = client_for(reviewer).get(reverse("packages:ops-package", args=[received.tracking_id]))
    body = page.content.decode()
    side = "behind" if clock == "1999" else "ahead of"
    assert f"{side} the server" in body
    assert "1 event sent from a device whose clock was off by more than 10 minutes" in body


@pytest.mark.parametrize("path", PATHS)
def test_a_device_clock_within_the_limit_is_not_flagged(path, partner_owner, reviewer, received):
    # given a phone a few minutes slow, inside the limit
    with time_machine.travel(NOW, tick=False):
        slow = NOW - DEVICE_CLOCK_SKEW_LIMIT + datetime.timedelta(seconds=30)
        PATHS[path](partner_owner, received, "delivered", slow)
    # when ops open the package
    page = client_for(reviewer).get(reverse("packages:ops-package", args=[received.tracking_id]))
    # then nothing is flagged
    assert "Clock skew" not in page.content.decode()
    assert "Device clock" not in page.content.decode()


def test_the_undo_window_counts_from_the_server_time_not_the_device_clock(partner_owner, received):
    # given a delivery sent from a phone that believes it is 2099
    with time_machine.travel(NOW, tick=False):
        services.package_deliver(
            actor=partner_owner,
            package=received,
            idempotency_key=new_key(),
            recipient_name="Ana Diaz",
            device_time=WRONG_CLOCKS["2099"],
        )
    # when the partner undoes it five minutes later (server time)
    with time_machine.travel(NOW + datetime.timedelta(minutes=5), tick=False):
        event = services.package_delivery_undo(
            actor=partner_owner, package=received, idempotency_key=new_key()
        )
    # then the undo is allowed: the window runs from when the server received the delivery
    assert event.event_type == "delivery_undone"
    assert PackageEvent.objects.filter(package=received, event_type="delivered").count() == 1


def test_the_migration_dates_earlier_attempts_by_the_server(partner_owner, received):
    # given an attempt stored before the fix, dated by a phone that believed it was 1999
    event = services.package_attempt(
        actor=partner_owner,
        package=received,
        reason="no_access",
        idempotency_key=new_key(),
        device_time=WRONG_CLOCKS["1999"],
    )
    DeliveryAttempt.objects.filter(event=event).update(attempted_at=WRONG_CLOCKS["1999"])
    # when the data migration runs
    migration = importlib.import_module("packages.migrations.0005_attempt_times_are_server_times")
    migration.attempt_times_from_the_server(django_apps, None)
    # then the attempt carries the server's time, and the event still has the device's
    attempt = DeliveryAttempt.objects.select_related("event").get(event=event)
    assert attempt.attempted_at == attempt.event.received_at
    assert attempt.event.device_time == WRONG_CLOCKS["1999"]
