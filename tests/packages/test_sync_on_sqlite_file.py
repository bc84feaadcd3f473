"""One outbox sent by several phones at once to the `make run` demo: a file SQLite database,
runserver's threads (issue 19). SQLite has no row locks; the partners' lock that orders two
batches on PostgreSQL (test_sync_concurrency.py) does nothing there. Each scenario runs in its
own process on its own file database (sqlite_file_sync.py), whatever the suite's database."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

PHONES = 4


def sync_on_sqlite_file(*, tmp_path: Path, scenario: str) -> dict:
    code = (
        "import django; django.setup(); from tests.packages.sqlite_file_sync import main; "
        f"main({scenario!r}, {PHONES})"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hubdelivery.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.splitlines()[-1])


def test_the_same_outbox_from_several_phones_at_once_is_written_once(tmp_path):
    # when four phones send one outbox (three scans and a confirmation) at the same instant:
    # each transaction read first and asked for the write lock later, so all but one were
    # answered "database is locked" (a 500) at once
    run = sync_on_sqlite_file(tmp_path=tmp_path, scenario="same_outbox")
    # then every phone got its results: one applied each event, the others were told the
    # event was already applied
    statuses = [answer["status"] for answer in run["answers"]]
    assert len(statuses) == PHONES
    assert statuses == [200] * PHONES, run["answers"]
    for n, key in enumerate(run["keys"]):
        results = [answer["body"]["results"][n] for answer in run["answers"]]
        assert {result["client_id"] for result in results} == {key}
        outcomes = sorted(result["outcome"] for result in results)
        assert outcomes == ["already_applied"] * (PHONES - 1) + ["applied"]
    assert sorted(run["written"]) == sorted(run["keys"])


def test_a_write_lock_held_past_the_timeout_is_a_503_to_retry_not_a_500(tmp_path):
    # when the phones send while another connection holds the write lock past the timeout
    run = sync_on_sqlite_file(tmp_path=tmp_path, scenario="write_lock_held")
    # then each is told to retry in JSON (the outbox keeps every event for its next send),
    # and nothing was written
    assert len(run["answers"]) == PHONES
    for answer in run["answers"]:
        assert answer["status"] == 503, answer
        assert answer["body"]["code"] == "DatabaseBusy"
        assert answer["retry_after"] == "5"
    assert run["written"] == []
