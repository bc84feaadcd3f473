"""The restore drill: back up a database with data and a media folder with files
(scripts/backup.sh), drop both, restore them (scripts/restore.sh); the same rows per table
and the same files, byte for byte, come back."""

import hashlib
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg2
import pytest

from benchmarks.pg import admin_execute, server_url

ROOT = Path(__file__).resolve().parent.parent.parent
SERVER = os.environ.get("DATABASE_URL", "")
BASH = shutil.which("bash") or "/bin/bash"

pytestmark = pytest.mark.skipif(
    not SERVER.startswith("postgres") or not shutil.which("pg_dump"),
    reason="the drill needs PostgreSQL (DATABASE_URL) and its client tools",
)


def row_counts(url: str) -> dict[str, int]:
    connection = psycopg2.connect(url)
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tables = sorted(name for (name,) in cursor.fetchall())
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - catalog names
            counts[table] = cursor.fetchone()[0]
    connection.close()
    return counts


def checksums(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def manage(url: str, *command: str) -> None:
    # The developer settings (seed_demo wants DEBUG on), Celery eager: no broker needed.
    env = {key: value for key, value in os.environ.items() if key != "CELERY_BROKER_URL"}
    env.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="hubdelivery.settings.local")
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True,
        capture_output=True, timeout=300,
    )  # fmt: skip


def script_run(name: str, *, url: str, media: Path, argument: Path):  # type: ignore[no-untyped-def]
    env = {**os.environ, "DATABASE_URL": url, "MEDIA_ROOT": str(media)}
    return subprocess.run(  # noqa: S603
        [BASH, str(ROOT / "scripts" / name), str(argument)], env=env, capture_output=True,
        text=True, check=False, timeout=300,
    )  # fmt: skip


def script(name: str, *, url: str, media: Path, argument: Path) -> str:
    """Run a script that must succeed; its last line of output."""
    done = script_run(name, url=url, media=media, argument=argument)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture
def scratch_database():
    name = f"hub_restore_drill_{uuid.uuid4().hex[:8]}"
    admin_execute(SERVER, f"CREATE DATABASE {name}")
    yield server_url(SERVER, name)
    admin_execute(SERVER, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_backup_then_drop_then_restore_gives_back_every_row_and_every_file(
    scratch_database, tmp_path
):
    # given a portal database with the demo's data and a media folder with uploads
    manage(scratch_database, "migrate", "--noinput")
    manage(scratch_database, "seed_demo")
    media = tmp_path / "media"
    (media / "proofs" / "2026").mkdir(parents=True)
    (media / "proofs" / "2026" / "door.jpg").write_bytes(os.urandom(50_000))
    (media / "applications").mkdir()
    (media / "applications" / "licence.pdf").write_bytes(os.urandom(20_000))
    rows_before, files_before = row_counts(scratch_database), checksums(media)
    assert sum(rows_before.values()) > 100
    # when it is backed up, the database dropped and the files deleted
    backup = Path(script("backup.sh", url=scratch_database, media=media, argument=tmp_path / "b"))
    name = scratch_database.rsplit("/", 1)[1]
    admin_execute(SERVER, f"DROP DATABASE {name} WITH (FORCE)")
    shutil.rmtree(media)
    # and the backup is restored
    script("restore.sh", url=scratch_database, media=media, argument=backup)
    # then every table has its rows and every file its bytes
    assert row_counts(scratch_database) == rows_before
    assert checksums(media) == files_before


def test_restore_refuses_a_database_that_holds_tables(scratch_database, tmp_path):
    # given a backup of an empty database, and a database that has a table
    media = tmp_path / "media"
    backup = Path(script("backup.sh", url=scratch_database, media=media, argument=tmp_path / "b"))
    connection = psycopg2.connect(scratch_database)
    with connection, connection.cursor() as cursor:
        cursor.execute("CREATE TABLE live (id int)")
    connection.close()
    # when the backup is restored over it
    done = script_run("restore.sh", url=scratch_database, media=media, argument=backup)
    # then nothing is restored and the script says why
    assert done.returncode == 1
    assert "restore into an empty one" in done.stderr


def test_restore_refuses_a_backup_whose_checksum_does_not_match(scratch_database, tmp_path):
    # given a backup whose dump was damaged after it was written
    media = tmp_path / "media"
    backup = Path(script("backup.sh", url=scratch_database, media=media, argument=tmp_path / "b"))
    with (backup / "db.dump").open("ab") as dump:
        dump.write(b"damaged")
    # when it is restored
    done = script_run("restore.sh", url=scratch_database, media=media, argument=backup)
    # then the checksum check stops the restore before anything is written
    assert done.returncode != 0
    assert row_counts(scratch_database) == {}
    assert "FAILED" in done.stdout + done.stderr
