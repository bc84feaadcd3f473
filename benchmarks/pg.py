"""PostgreSQL plumbing the benchmarks share: throwaway databases on the server DATABASE_URL
names, and COPY for loading many rows."""

import contextlib
import io
import os
import sys
import warnings
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import psycopg2


def server_url(url: str, database: str) -> str:
    """`url` pointed at another database on the same server."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{database}"))


def admin_execute(url: str, sql: str) -> None:
    """Run one statement outside a transaction (CREATE/DROP DATABASE) on the server."""
    connection = psycopg2.connect(server_url(url, "postgres"))
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(sql)
    connection.close()


@contextlib.contextmanager
def django_on_throwaway_database() -> Iterator[str]:
    """Django set up with the test settings on a new database beside the one DATABASE_URL
    names (a PostgreSQL server, or exit), for the block; yields its URL and drops it after.
    The caller migrates it."""
    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1/postgres"
        )
    database = f"hub_bench_{os.getpid()}"
    admin_execute(base_url, f'CREATE DATABASE "{database}"')
    bench_url = server_url(base_url, database)
    os.environ["DATABASE_URL"] = bench_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "hubdelivery.settings.test"
    # The test settings serve no collected static files; say nothing about it.
    warnings.filterwarnings("ignore", message="No directory at")
    try:
        import django

        django.setup()
        from django.db import connections
        from django.test.utils import setup_test_environment

        setup_test_environment()
        yield bench_url
        connections.close_all()
    finally:
        admin_execute(base_url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def copy_rows(cursor, table: str, columns: list[str], rows) -> None:  # type: ignore[no-untyped-def]
    """COPY rows (tuples) into a table in chunks of 100,000."""
    chunk: list[str] = []

    def flush() -> None:
        buffer = io.StringIO("".join(chunk))
        cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)
        chunk.clear()

    for row in rows:
        chunk.append("\t".join("\\N" if value is None else str(value) for value in row) + "\n")
        if len(chunk) >= 100_000:
            flush()
    if chunk:
        flush()
