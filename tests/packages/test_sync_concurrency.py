"""One outbox sent at once from several tabs (or a retry racing a cut request), on
PostgreSQL: every event is written once, every tab gets an answer (issue 19); the page's
services lock rows in the batch's order."""

import datetime
import itertools
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from packages import selectors, services
from packages.models import HandoffItem, Package, PackageEvent
from packages.services.sync import SyncEvent, events_sync
from tests.factories import PackageFactory
from tests.packages.conftest import new_key
from tests.packages.test_concurrency import THREADS, pytestmark, run_at_once

__all__ = ["pytestmark"]


def test_the_same_outbox_from_several_tabs_at_once_is_written_once(
    transactional_db, drop_off, dsp_driver, manifested
):
    # given one outbox: the drop-off's three scans and a stray label
    start = timezone.now()
    labels = [package.tracking_id for package in manifested] + ["STRAY-9"]
    outbox = [
        SyncEvent(
            client_id=new_key(),
            type="received",
            device_time=start + datetime.timedelta(seconds=n),
            tracking_id=label,
            handoff_id=drop_off.pk,
        )
        for n, label in enumerate(labels)
    ]
    # when every tab sends it at once
    answers = run_at_once(
        lambda: events_sync(viewer=selectors.viewer_for(user=dsp_driver), events=outbox)
    )
    # then every tab was answered, each event applied by exactly one of them
    assert len(answers) == THREADS
    for n in range(len(outbox)):
        outcomes = sorted(results[n].outcome for results in answers)
        assert outcomes == ["already_applied"] * (THREADS - 1) + ["applied"]
    keys = [event.client_id for event in outbox]
    assert PackageEvent.objects.filter(idempotency_key__in=keys).count() == len(outbox)
    assert HandoffItem.objects.filter(handoff=drop_off).count() == len(outbox)
    drop_off.refresh_from_db()
    assert (drop_off.received, drop_off.unexpected) == (3, 1)


def _deliveries_and_scans(*, drop_off, partner_owner, dsp_driver) -> list[SyncEvent]:
    """Three deliveries of packages already received, then three scans at the drop-off."""
    manifest = drop_off.dsp.manifests.filter(partner=drop_off.partner).first()
    to_deliver = PackageFactory.create_batch(3, manifest=manifest)
    to_scan = PackageFactory.create_batch(3, manifest=manifest)
    for package in to_deliver:
        services.package_receive(
            actor=dsp_driver,
            handoff=drop_off,
            tracking_id=package.tracking_id,
            idempotency_key=new_key(),
        )
    now = timezone.now()
    delivered = {"type": "delivered", "recipient_name": "Jo"}
    received = {"type": "received", "handoff_id": drop_off.pk}
    return [
        SyncEvent(client_id=new_key(), device_time=now, tracking_id=package.tracking_id, **fields)
        for packages, fields in ((to_deliver, delivered), (to_scan, received))
        for package in packages
    ]


def test_two_outboxes_in_opposite_orders_wait_for_each_other(
    transactional_db, drop_off, dsp_driver, partner_owner
):
    # given one partner's events in two outboxes, in opposite orders: without the partner's
    # lock one batch held the packages it delivered and waited for the drop-off, the other
    # held the drop-off and waited for those packages (a deadlock, a 500)
    events = _deliveries_and_scans(
        drop_off=drop_off, partner_owner=partner_owner, dsp_driver=dsp_driver
    )
    outboxes = itertools.cycle([events, events[::-1]])
    viewer = selectors.viewer_for(user=partner_owner)
    # when half the tabs send one outbox and half the other, at once
    answers = run_at_once(lambda: events_sync(viewer=viewer, events=next(outboxes)))
    # then every tab was answered, each event applied by exactly one of them
    assert len(answers) == THREADS
    for event in events:
        outcomes = sorted(
            result.outcome
            for results in answers
            for result in results
            if result.client_id == event.client_id
        )
        assert outcomes == ["already_applied"] * (THREADS - 1) + ["applied"]
    keys = [event.client_id for event in events]
    assert PackageEvent.objects.filter(idempotency_key__in=keys).count() == len(events)
    assert (
        Package.objects.filter(
            tracking_id__in=[event.tracking_id for event in events[:3]], status="delivered"
        ).count()
        == 3
    )


def _row_locks(queries: CaptureQueriesContext) -> list[str]:
    """Each row-locking SELECT, in order."""
    return [
        query["sql"]
        for query in queries.captured_queries
        if re.search(r"FOR (NO KEY )?UPDATE", query["sql"])
    ]


def test_closing_a_drop_off_locks_the_partner_before_the_handoff(
    db, drop_off, dsp_driver, partner_owner
):
    # given a drop-off the driver confirmed; closing it ticks the partner's first handoff,
    # while a sync batch of the partner holds the partner's row and waits for the handoff
    services.handoff_confirm(actor=dsp_driver, handoff=drop_off, idempotency_key=new_key())
    # when the partner's confirmation closes it
    with CaptureQueriesContext(connection) as queries:
        services.handoff_confirm(actor=partner_owner, handoff=drop_off, idempotency_key=new_key())
    # then the partner's row was locked first, in the batch's order: the two wait, never deadlock
    drop_off.refresh_from_db()
    assert drop_off.status == "closed"
    partner_lock, handoff_lock = _row_locks(queries)[:2]
    assert 'FROM "partners_partner"' in partner_lock
    assert 'FOR UPDATE OF "packages_handoff"' in handoff_lock
