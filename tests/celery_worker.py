"""A real Celery worker on the Redis broker, for the tests that prove the Celery path."""

import os
import time

import kombu.pools
import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from kombu import Queue

from hubdelivery.celery import app

TEST_BROKER_URL = os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")


def celery_worker_running(broker_url: str = TEST_BROKER_URL):
    """Start Celery's in-process test worker on the real Redis broker, stop it afterwards.
    Use through the `celery_worker_on_redis` fixture (tests/conftest.py); fault tests pass
    the URL of a Redis of their own."""
    try:
        redis.Redis.from_url(broker_url, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"Redis is not reachable at {broker_url}")
    keys = ("broker_url", "task_always_eager", "result_backend")
    keys += ("task_default_queue", "task_queues", "task_routes")
    previous = {key: app.conf[key] for key in keys}
    app.conf.update(
        broker_url=broker_url,
        task_always_eager=False,
        result_backend=broker_url,
        **test_run_queues(),
    )
    reset_connection_pools()
    app.control.purge()  # messages left by an interrupted run would be consumed first
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker
    app.conf.update(previous)
    reset_connection_pools()


def test_run_queues() -> dict:
    """Queues of this test run's own, the default and the long one (tasks routed as in
    settings): another suite on the same Redis cannot take its tasks."""
    default = f"hubdelivery-test-{os.getpid()}"
    long = f"{default}-long"
    return {
        "task_default_queue": default,
        "task_queues": [Queue(name, routing_key=name) for name in (default, long)],
        "task_routes": {name: {"queue": long} for name in settings.LONG_TASKS},
    }


def reset_connection_pools() -> None:
    """Drop pooled connections, the cached result backend and the cached queue declarations
    (made from task_default_queue when first used) so the next use follows app.conf."""
    kombu.pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
    app._local.__dict__.pop("backend", None)
    for cached in ("queues", "default_queue", "router"):
        app.amqp.__dict__.pop(cached, None)


def wait_for(condition, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False
