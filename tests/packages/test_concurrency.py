"""Concurrent requests for one package, on PostgreSQL (SQLite serialises whole-database
writes and has no row locks, so the race cannot happen there)."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

from hubdelivery.exceptions import DomainError
from packages import services
from packages.models import DeliveryAttempt, PackageEvent, PackageEventType, PackageStatus
from tests.packages.conftest import new_key

THREADS = 12

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL row locks (select_for_update); SQLite has none",
)


def run_at_once(action: Callable[[], object]) -> list[object]:
    """Start THREADS threads that call `action` together; each result or exception."""
    barrier = threading.Barrier(THREADS)
    results: list[object] = []
    lock = threading.Lock()

    def worker() -> None:
        barrier.wait()
        try:
            outcome: object = action()
        except DomainError as error:
            outcome = error
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.fixture
def received_committed(transactional_db, received):
    return received


def test_same_delivery_retried_at_once_writes_one_event(received_committed, partner_owner):
    # given: one request, sent 12 times at once with the same key
    key = new_key()

    # when
    results = run_at_once(
        lambda: services.package_deliver(
            actor=partner_owner,
            package=received_committed,
            recipient_name="Jo",
            idempotency_key=key,
        )
    )

    # then: every request answers with the one event
    assert len(results) == THREADS
    assert {result.pk for result in results} == {PackageEvent.objects.get(idempotency_key=key).pk}
    assert PackageEvent.objects.filter(event_type=PackageEventType.DELIVERED).count() == 1
    assert DeliveryAttempt.objects.count() == 1


def test_two_devices_delivering_one_package_give_one_outcome(received_committed, partner_owner):
    # given: 12 devices, each with its own key
    # when
    results = run_at_once(
        lambda: services.package_deliver(
            actor=partner_owner,
            package=received_committed,
            recipient_name="Jo",
            idempotency_key=new_key(),
        )
    )

    # then: one delivered, the rest told it is already delivered
    delivered = [r for r in results if isinstance(r, PackageEvent)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(delivered) == 1 and len(refused) == THREADS - 1
    assert all("already delivered" in str(error) for error in refused)
    assert PackageEvent.objects.filter(event_type=PackageEventType.DELIVERED).count() == 1
    received_committed.refresh_from_db()
    assert received_committed.status == PackageStatus.DELIVERED


def test_double_scans_at_a_handoff_count_once(transactional_db, drop_off, dsp_driver, manifested):
    # when: the label is scanned by 12 devices at once
    results = run_at_once(
        lambda: services.package_receive(
            actor=dsp_driver,
            handoff=drop_off,
            tracking_id=manifested[0].tracking_id,
            idempotency_key=new_key(),
        )
    )

    # then
    assert all(isinstance(result, PackageEvent) for result in results), results
    assert PackageEvent.objects.filter(event_type=PackageEventType.RECEIVED).count() == 1
    drop_off.refresh_from_db()
    assert drop_off.received == 1


def test_key_race_lost_on_the_unique_constraint_answers_with_the_winner(
    transactional_db, drop_off, dsp_driver, manifested
):
    # given: one key sent at once for different labels: each late request passes every check
    # of its own package, so only the unique idempotency key (IntegrityError) stops it
    key = new_key()
    labels = iter([package.tracking_id for package in manifested] * THREADS)
    label_lock = threading.Lock()

    def scan() -> PackageEvent:
        with label_lock:
            tracking_id = next(labels)
        return services.package_receive(
            actor=dsp_driver, handoff=drop_off, tracking_id=tracking_id, idempotency_key=key
        )

    # when
    results = run_at_once(scan)

    # then: one event, and every request answers with it
    assert PackageEvent.objects.filter(idempotency_key=key).count() == 1
    assert {result.pk for result in results} == {PackageEvent.objects.get(idempotency_key=key).pk}
    assert PackageEvent.objects.filter(event_type=PackageEventType.RECEIVED).count() == 1
