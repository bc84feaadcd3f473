"""PostgreSQL plumbing the benchmarks share: throwaway databases on the server DATABASE_URL
names, and COPY for loading many rows."""

import io
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
