"""The Celery path through a real broker: a worker thread consumes from Redis."""

import os
import time

import kombu.pools
import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.core import mail

from accounts.models import OutboundEmail
from hubdelivery.celery import app

TEST_BROKER_URL = os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def celery_worker_on_redis(transactional_db):
    """Start Celery's in-process test worker on the real Redis broker, stop it afterwards."""
    try:
        redis.Redis.from_url(TEST_BROKER_URL, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"Redis is not reachable at {TEST_BROKER_URL}")
    previous = {key: app.conf[key] for key in ("broker_url", "task_always_eager", "result_backend")}
    app.conf.update(
        broker_url=TEST_BROKER_URL, task_always_eager=False, result_backend=TEST_BROKER_URL
    )
    reset_connection_pools()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker
    app.conf.update(previous)
    reset_connection_pools()


def reset_connection_pools() -> None:
    """Drop pooled connections and the cached result backend so the next use follows app.conf."""
    kombu.pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
    app._local.__dict__.pop("backend", None)


def wait_for(condition, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.celery_worker
def test_email_task_round_trips_through_redis_and_a_real_worker(celery_worker_on_redis):
    # given a queued email
    email = OutboundEmail.objects.create(
        kind="test", to="owner@example.com", subject="Hello", body_text="Body"
    )
    # when the task goes through the broker
    result = app.send_task("accounts.tasks.email_send_task", kwargs={"email_id": email.pk})
    # then the worker sent it exactly once
    assert result.get(timeout=15) is True
    assert wait_for(lambda: len(mail.outbox) == 1)
    email.refresh_from_db()
    assert email.sent_at is not None
    # and a redelivery sends nothing more
    again = app.send_task("accounts.tasks.email_send_task", kwargs={"email_id": email.pk})
    assert again.get(timeout=15) is False
    assert len(mail.outbox) == 1
