"""/healthz on the task machinery: a worker's heartbeat (a ping answered), beat's last run
and each queue's depth, against a Redis of the test's own (hubdelivery/health.py)."""

import datetime

import pytest
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from accounts.emails import email_send_task
from tests.celery_worker import celery_worker_running
from tests.faults.conftest import celery_broker_at


def beat_ran(ago: datetime.timedelta) -> None:
    every = IntervalSchedule.objects.create(every=2, period=IntervalSchedule.MINUTES)
    PeriodicTask.objects.create(
        name="accounts-outbox-sweep",
        task="accounts.tasks.outbox_sweep_task",
        interval=every,
        last_run_at=timezone.now() - ago,
    )


def test_no_worker_and_no_beat_is_degraded_with_the_waiting_messages_counted(client, db, own_redis):
    # given a broker with two emails queued, no worker and no beat
    with celery_broker_at(f"{own_redis.url}/13"):
        email_send_task.delay(email_id=1)
        email_send_task.delay(email_id=2)
        # when
        response = client.get("/healthz")
    # then the node serves, and says nothing consumes the queue
    body = response.json()
    assert (response.status_code, body["status"]) == (200, "degraded")
    assert body["checks"] == {
        "database": "ok", "cache": "ok", "broker": "ok", "workers": "none", "beat": "never",
    }  # fmt: skip
    assert body["queues"] == {"celery": 2, "long": 0}


@pytest.mark.parametrize(
    ("ago", "state"), [(datetime.timedelta(minutes=3), "ok"), (datetime.timedelta(hours=1), "late")]
)
def test_beat_is_late_once_no_periodic_task_was_sent_for_ten_minutes(
    client, db, own_redis, ago, state
):
    # given beat last sent a periodic task `ago`
    beat_ran(ago)
    # when
    with celery_broker_at(f"{own_redis.url}/13"):
        body = client.get("/healthz").json()
    # then
    assert body["checks"]["beat"] == state
    assert body["beat_last_run"] is not None


@pytest.mark.celery_worker
def test_a_running_worker_and_a_recent_beat_are_ok(client, transactional_db, own_redis):
    # given a worker on the broker and beat's run three minutes ago
    beat_ran(datetime.timedelta(minutes=3))
    for _worker in celery_worker_running(f"{own_redis.url}/13"):
        # when
        response = client.get("/healthz")
    # then everything is ok
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["checks"]["workers"] == "ok"
