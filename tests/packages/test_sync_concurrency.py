"""One outbox sent at once from several tabs (or a retry racing a cut request), on
PostgreSQL: every event is written once, every tab gets an answer (issue 19)."""

import datetime

from django.utils import timezone

from packages import selectors
from packages.models import HandoffItem, PackageEvent
from packages.services.sync import SyncEvent, events_sync
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
