"""A Celery worker SIGKILLed mid-task (the OOM killer, a lost machine): Redis redelivers the
unacknowledged task once the queue's visibility timeout passes, and a new worker completes it
once. The real timeouts are 5 and 10 minutes (settings/base.py, Celery); here the long queue's
worker runs with 5 seconds, so the test takes well under a minute.

Real worker processes (`celery worker -Q long`, solo pool) on a Redis of the test's own (db 13)
and the test database, so this needs PostgreSQL.
"""

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from django.conf import settings

from accounts.models import OutboundEmail
from routing.models import CapacityFinding, CapacityReport
from routing.tasks import capacity_check_task
from tests.celery_worker import wait_for
from tests.faults.conftest import celery_broker_at
from tests.routing.test_capacity_worker_kill import (
    DATE,
    NY,
    database_url_of_the_test_database,
    over_capacity_night,
)

ROOT = Path(__file__).resolve().parents[2]
VISIBILITY_SECONDS = 5

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="the worker processes must share the test database: run with DATABASE_URL",
    ),
]

# A real worker on the long queue. With HANG_MARKER set, the capacity check writes its findings
# (inside its transaction), touches the marker and hangs, waiting to be killed.
WORKER = textwrap.dedent(
    """
    import os, pathlib, time
    import django
    django.setup()
    from django.conf import settings
    from hubdelivery.celery import app

    marker = os.environ.get("HANG_MARKER")
    if marker:
        from routing.services import capacity as services

        insert = services.findings_insert

        def insert_then_hang(**kwargs):
            insert(**kwargs)
            pathlib.Path(marker).touch()
            time.sleep(120)

        services.findings_insert = insert_then_hang

    # hubdelivery.celery.worker_transport_for_its_queues gives a -Q long worker these.
    settings.LONG_TASKS_TRANSPORT_OPTIONS = {
        **settings.LONG_TASKS_TRANSPORT_OPTIONS,
        "visibility_timeout": int(os.environ["VISIBILITY_SECONDS"]),
        "unacked_restore_interval": 1,
    }
    app.worker_main(
        ["worker", "-Q", "long", "--pool", "solo", "--loglevel", "WARNING",
         "--without-heartbeat", "--without-mingle", "--without-gossip"]
    )
    """
)


def start_worker(broker_url: str, **extra_env: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hubdelivery.settings.test",
        "DATABASE_URL": database_url_of_the_test_database(),
        "CELERY_BROKER_URL": broker_url,
        "VISIBILITY_SECONDS": str(VISIBILITY_SECONDS),
        **extra_env,
    }
    return subprocess.Popen([sys.executable, "-c", WORKER], cwd=ROOT, env=env)  # noqa: S603


def stop(worker: subprocess.Popen) -> None:
    worker.kill()
    worker.wait(timeout=30)


def test_a_sigkilled_workers_task_completes_once_soon_after_a_new_worker_starts(
    transactional_db, own_redis, tmp_path
):
    # given a night with one over-capacity partner, and a worker on the long queue
    over_capacity_night()
    broker_url = f"{own_redis.url}/13"
    marker = tmp_path / "findings-written"
    first = start_worker(broker_url, HANG_MARKER=str(marker))
    try:
        # when the capacity check is queued and its worker is SIGKILLed mid-task
        with celery_broker_at(broker_url):
            capacity_check_task.delay(service_date=DATE.isoformat(), time_zone=NY)
        assert wait_for(marker.exists, timeout=60), "the check never reached its findings"
    finally:
        stop(first)
    assert CapacityReport.objects.count() == 0  # the killed run's transaction left nothing

    # when a new worker starts
    started = time.monotonic()
    second = start_worker(broker_url)
    try:
        # then the redelivered task completes, well within 5 minutes of the start
        done = wait_for(
            lambda: CapacityReport.objects.filter(finished_at__isnull=False).exists(), 60
        )
        assert done and time.monotonic() - started < 5 * 60
        # and once: past another visibility timeout, nothing ran twice
        time.sleep(VISIBILITY_SECONDS + 3)
    finally:
        stop(second)
    report = CapacityReport.objects.get()
    kinds = sorted(report.findings.values_list("kind", flat=True))
    assert kinds == ["over_daily_capacity", "under_used"]
    assert CapacityFinding.objects.count() == 2
    assert OutboundEmail.objects.count() == 1
