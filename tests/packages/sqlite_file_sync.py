"""Sync batches against a file SQLite database, as `make run` serves them (runserver's threads,
each with its own connection). Run in its own process by test_sync_on_sqlite_file.py, because
the suite's SQLite database is in memory with a shared cache, which locks differently, and a
PostgreSQL run has no SQLite at all.

With DJANGO_SETTINGS_MODULE and DATABASE_URL (sqlite:///...) set, the test runs
`main(scenario, threads)` after django.setup(). It prints, as JSON, each request's status and
body, and the idempotency keys written.
"""

import contextlib
import json
import sqlite3
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.test.utils import setup_test_environment
from rest_framework.test import APIClient

from accounts.models import User
from hubdelivery.lib.dates import local_date
from packages import services
from packages.models import HandoffDirection, PackageEvent
from tests.factories import DriverFactory, ManifestFactory, PackageFactory, PartnerFactory
from tests.packages.conftest import new_key
from tests.packages.sync_helpers import sync_event, sync_post

# While another connection holds the write lock: how long a request waits before giving up.
SHORT_TIMEOUT_SECONDS = 0.2
# How long a request's transaction waits for the others to overlap it (_send_at_once).
OVERLAP_SECONDS = 1


class _NoMigrations(dict):
    """Tables straight from the models (like pytest-django's --no-migrations): a second,
    not the quarter-minute the migrations take."""

    def __contains__(self, item: object) -> bool:
        return True

    def __getitem__(self, item: str) -> None:
        return None


def _outbox(driver: User) -> list[dict]:
    """A driver's outbox at a drop-off: three scans, then the driver's confirmation."""
    partner = PartnerFactory()
    dsp = driver.driver.dsp
    today = local_date(tz_name=partner.time_zone)
    manifest = ManifestFactory(dsp=dsp, partner=partner, service_date=today, package_count=3)
    packages = PackageFactory.create_batch(3, manifest=manifest)
    drop_off = services.handoff_open(
        actor=driver,
        partner=partner,
        dsp=dsp,
        direction=HandoffDirection.DROP_OFF,
        service_date=today,
        idempotency_key=new_key(),
    ).handoff
    events = [
        sync_event("received", handoff=drop_off.pk, tracking_id=package.tracking_id)
        for package in packages
    ]
    return [*events, sync_event("handoff_confirm", handoff=drop_off.pk)]


def _phones(driver: User, count: int) -> list[APIClient]:
    """Logged-in clients; logging in writes the session, so before any lock is taken."""
    phones = []
    for _ in range(count):
        phone = APIClient(raise_request_exception=False)
        phone.force_login(driver)
        phones.append(phone)
    connections.close_all()
    return phones


def _send_at_once(*, phones: list[APIClient], outbox: list[dict]) -> list[dict]:
    """Every phone sends `outbox` at the same instant, each on its own connection.

    Each request, after the first read of its transaction, waits (at most OVERLAP_SECONDS) for
    the others to have read in theirs too: the overlap that chance gives phones on a busy
    server, every time. Where a transaction takes the write lock at BEGIN, no other one can
    begin meanwhile; the wait then times out and the requests run one after the other."""
    start = threading.Barrier(len(phones))
    overlap = threading.Barrier(len(phones))
    answers: list[dict] = []

    def send(phone: APIClient) -> None:
        waited = False

        def overlapping(execute: Callable, sql: str, params: Any, many: bool, context: dict) -> Any:
            nonlocal waited
            result = execute(sql, params, many, context)
            if connection.in_atomic_block and not waited:
                waited = True
                with contextlib.suppress(threading.BrokenBarrierError):
                    overlap.wait(timeout=OVERLAP_SECONDS)
            return result

        start.wait()
        try:
            with connection.execute_wrapper(overlapping):
                response = sync_post(phone, *outbox)
            answer = {
                "status": response.status_code,
                "body": response.json(),
                "retry_after": response.headers.get("Retry-After"),
            }
        except Exception as error:  # noqa: BLE001 - the test shows what broke
            answer = {"status": None, "body": repr(error), "retry_after": None}
        finally:
            connections.close_all()
        answers.append(answer)

    workers = [threading.Thread(target=send, args=(phone,)) for phone in phones]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return answers


def main(scenario: str, threads: int) -> None:
    setup_test_environment()  # the test client's host, locmem email
    settings.MIGRATION_MODULES = _NoMigrations()
    call_command("migrate", run_syncdb=True, verbosity=0)
    driver = DriverFactory().user
    outbox = _outbox(driver)
    phones = _phones(driver, threads)
    if scenario == "same_outbox":
        answers = _send_at_once(phones=phones, outbox=outbox)
    elif scenario == "write_lock_held":
        # Another process (a long request, a shell) holds the write lock the whole time.
        connection.settings_dict["OPTIONS"]["timeout"] = SHORT_TIMEOUT_SECONDS
        holder = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        answers = _send_at_once(phones=phones, outbox=outbox)
        holder.execute("ROLLBACK")
        holder.close()
    else:
        raise SystemExit(f"unknown scenario {scenario!r}")
    keys = [event["client_id"] for event in outbox]
    written = list(
        PackageEvent.objects.filter(idempotency_key__in=keys).values_list(
            "idempotency_key", flat=True
        )
    )
    print(json.dumps({"keys": keys, "written": written, "answers": answers}))
