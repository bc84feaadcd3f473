"""The nightly capacity check when the process running it dies mid-run (kill -9, as the OOM
killer or a lost machine would): the check is one transaction keyed by (date, zone), so
nothing of the killed run stays, and running it again leaves one report, no duplicate
findings and one email.

The task runs in a separate process on the test database, so this needs PostgreSQL (SQLite's
test database lives in the memory of the pytest process).
"""

import datetime
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail

from accounts.models import OutboundEmail
from routing.models import CapacityFinding, CapacityReport
from routing.tasks import capacity_check_task
from tests.factories import PartnerFactory
from tests.routing.conftest import packages_for

NY = "America/New_York"
DATE = datetime.date(2026, 12, 2)
ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="the killed process must share the test database: run with DATABASE_URL (PostgreSQL)",
)

# Runs the Celery task's body in its own process; after the findings are written (inside the
# check's transaction) it signals the test and waits to be killed.
WORKER = textwrap.dedent(
    """
    import pathlib, sys, time
    import django
    django.setup()
    from routing.services import capacity as services
    from routing.tasks import capacity_check_task

    insert = services.findings_insert

    def insert_then_hang(**kwargs):
        insert(**kwargs)
        pathlib.Path(sys.argv[1]).touch()
        time.sleep(120)

    services.findings_insert = insert_then_hang
    capacity_check_task(service_date=sys.argv[2], time_zone=sys.argv[3])
    """
)


def database_url_of_the_test_database() -> str:
    from django.db import connection

    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def over_capacity_night() -> None:
    """One partner with 34 packages for a capacity of 30: findings, so an email."""
    activated = datetime.datetime(2026, 10, 1, tzinfo=datetime.UTC)
    busy = PartnerFactory(activated_at=activated, trade_name="Busy Florist")
    packages_for(busy, DATE, 34)


def test_a_check_killed_mid_run_leaves_nothing_and_runs_again_once(transactional_db, tmp_path):
    # given a night with one over-capacity partner, committed for another process to see
    over_capacity_night()
    marker = tmp_path / "findings-written"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hubdelivery.settings.test",
        "DATABASE_URL": database_url_of_the_test_database(),
    }
    # when the process running the check is killed after writing its findings
    worker = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", WORKER, str(marker), DATE.isoformat(), NY], cwd=ROOT, env=env
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() and worker.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), "the check never reached its findings"
    finally:
        worker.kill()
        worker.wait(timeout=30)
    # then nothing of the killed run is left: no report, no findings, no email queued
    assert (CapacityReport.objects.count(), CapacityFinding.objects.count()) == (0, 0)
    assert OutboundEmail.objects.count() == 0

    # when the check runs again, then once more (the hourly guard: force=False)
    capacity_check_task(service_date=DATE.isoformat(), time_zone=NY)
    capacity_check_task(service_date=DATE.isoformat(), time_zone=NY)

    # then one report, each finding once (over capacity tonight; under half of it on average
    # over its quiet last two weeks), one email
    report = CapacityReport.objects.get()
    assert report.finished_at is not None
    kinds = sorted(report.findings.values_list("kind", flat=True))
    assert kinds == ["over_daily_capacity", "under_used"]
    assert OutboundEmail.objects.count() == 1
    assert len(mail.outbox) == 1
