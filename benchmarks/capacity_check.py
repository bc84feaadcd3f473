"""The nightly capacity check at full scale against a hand-written SQL aggregate (the floor).

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres
    .venv/bin/python benchmarks/capacity_check.py [--partners 10000] [--packages 300000]
                                                   [--history-per-day 100000] [--rounds 3]
                                                   [--database NAME] [--keep] [--profile]

DATABASE_URL names the PostgreSQL server. The script creates a throwaway database, migrates
it, loads the data with COPY, runs `capacity_check_run` for the next service date (all
partners in one time zone: one report covers them all, the worst case for a single run),
and in the same run times one hand-written SQL statement that computes the same
per-partner package counts in one pass. It prints both times and their ratio, then drops
the database. Aims (issue 7): the check under 60 s, within 3x the floor.

Data: `--partners` active partners spread over four metro areas; `--packages` packages on
the service date (5 to 45 per partner, so a third overflow); 30 days of history with
`--history-per-day` packages a day (delivered 97%, the rest returned); 2% of partners
holding stale packages, 1% with a handoff left open, 1% closed on the date.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.pg import admin_execute, copy_rows, server_url

TIME_ZONE = "America/New_York"
DATABASE = "hub_bench_capacity"
METROS = [(42.35, -71.06), (40.73, -73.99), (39.95, -75.16), (41.82, -71.41)]
SERVICE_DATE = datetime.date(2026, 12, 2)

FLOOR_SQL = """
SELECT p.partner_id,
       COUNT(*) FILTER (WHERE p.service_date = %(d)s),
       COUNT(*) FILTER (WHERE p.status IN ('received', 'out_for_delivery', 'attempted')
                          AND p.service_date < %(d)s),
       COUNT(*) FILTER (WHERE p.status IN ('received', 'out_for_delivery', 'attempted')
                          AND p.service_date < %(d)s - 1),
       COUNT(*) FILTER (WHERE p.service_date >= %(start)s AND p.service_date < %(d)s),
       COUNT(*) FILTER (WHERE p.service_date >= %(start)s AND p.service_date < %(d)s
                          AND p.status = 'delivered')
FROM packages_package p JOIN partners_partner pp ON pp.id = p.partner_id
WHERE pp.time_zone = %(tz)s
  AND (p.service_date >= %(start)s
       OR p.status IN ('received', 'out_for_delivery', 'attempted'))
GROUP BY p.partner_id
"""


def database_exists(server: str, database: str) -> bool:
    connection = psycopg2.connect(server_url(server, "postgres"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
        found = cursor.fetchone() is not None
    connection.close()
    return found


def load(url: str, partners: int, packages: int, history_per_day: int) -> None:
    rng = random.Random(42)
    connection = psycopg2.connect(url)
    with connection, connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO accounts_user (email, full_name, password, is_staff, is_active, "
            "is_superuser, date_joined) VALUES ('bench@example.com', 'Bench', '!', false, "
            "true, false, now()) RETURNING id"
        )
        owner_id = cursor.fetchone()[0]
        cursor.execute("INSERT INTO packages_dsp (name, contact_email, created) "
                       "VALUES ('Bench DSP', '', now()) RETURNING id")  # fmt: skip
        dsp_id = cursor.fetchone()[0]
        activated = SERVICE_DATE - datetime.timedelta(days=60)
        places = []
        for n in range(partners):
            lat, lng = METROS[n % len(METROS)]
            places.append((lat + rng.uniform(-0.15, 0.15), lng + rng.uniform(-0.15, 0.15)))
        copy_rows(cursor, "partners_partner", [
            "id", "owner_id", "legal_name", "trade_name", "status", "address_line", "city",
            "state", "zip_code", "latitude", "longitude", "time_zone", "daily_capacity",
            "storage_capacity", "delivery_modes", "opening_days", "created", "activated_at",
            "agreement_version", "status_reason",
        ], (
            (n + 1, owner_id, f"Shop {n} LLC", f"Shop {n}", "active", f"{n} Main St", "City",
             "MA", "02116", lat, lng, TIME_ZONE, 30, 45, '["walk"]', "[]", "2026-01-01",
             f"{activated} 12:00:00+00", "2026-11", "")
            for n, (lat, lng) in enumerate(places)
        ))  # fmt: skip
        cursor.execute(
            "INSERT INTO packages_manifest (dsp_id, external_id, partner_id, service_date, "
            "source, package_count, created) VALUES (%s, 'BENCH', 1, %s, 'api', 0, now()) "
            "RETURNING id",
            [dsp_id, SERVICE_DATE],
        )
        manifest_id = cursor.fetchone()[0]
        columns = [
            "tracking_id", "dsp_id", "manifest_id", "partner_id", "service_date",
            "recipient_name", "address_line", "city", "zip_code", "latitude", "longitude",
            "size", "status", "created", "assigned_by_routing", "assignment_reason",
        ]  # fmt: skip
        counter = iter(range(10**9))

        def package(partner: int, day: datetime.date, status: str):  # type: ignore[no-untyped-def]
            lat, lng = places[partner - 1]
            return (f"B{next(counter):011d}", dsp_id, manifest_id, partner, day, "R", "1 St",
                    "City", f"0{2100 + partner % 50}", lat, lng, "medium", status,
                    "2026-11-01", "f", "")  # fmt: skip

        def todays():  # type: ignore[no-untyped-def]
            per_partner = [rng.randint(5, 45) for _ in range(partners)]
            scale = packages / sum(per_partner)
            for partner, count in enumerate(per_partner, start=1):
                for _ in range(round(count * scale)):
                    yield package(partner, SERVICE_DATE, "manifested")

        def history():  # type: ignore[no-untyped-def]
            for offset in range(1, 31):
                day = SERVICE_DATE - datetime.timedelta(days=offset)
                for _ in range(history_per_day):
                    status = "delivered" if rng.random() < 0.97 else "returned"
                    yield package(rng.randint(1, partners), day, status)
            for partner in rng.sample(range(1, partners + 1), partners // 50):
                yield package(partner, SERVICE_DATE - datetime.timedelta(days=3), "received")

        copy_rows(cursor, "packages_package", columns, todays())
        copy_rows(cursor, "packages_package", columns, history())
        for partner in rng.sample(range(1, partners + 1), partners // 100):
            cursor.execute(
                "INSERT INTO packages_handoff (direction, partner_id, dsp_id, service_date, "
                "status, opened_at, expected, received, missing, damaged, unexpected) "
                "VALUES ('drop_off', %s, %s, %s, 'open', now(), 0, 0, 0, 0, 0)",
                [partner, dsp_id, SERVICE_DATE - datetime.timedelta(days=1)],
            )
        for partner in rng.sample(range(1, partners + 1), partners // 100):
            cursor.execute(
                "INSERT INTO partners_closure (partner_id, start_date, end_date, reason, "
                "created) VALUES (%s, %s, %s, 'bench', now())",
                [partner, SERVICE_DATE, SERVICE_DATE],
            )
        cursor.execute("SELECT setval('partners_partner_id_seq', %s)", [partners])
    with connection.cursor() as cursor:
        connection.autocommit = True
        cursor.execute("ANALYZE")
    connection.close()


def time_check() -> tuple[float, int]:
    from routing.services import capacity_check_run

    started = time.perf_counter()
    report = capacity_check_run(service_date=SERVICE_DATE, time_zone=TIME_ZONE)
    elapsed = time.perf_counter() - started
    return elapsed, report.findings.count()


def time_floor(url: str) -> float:
    connection = psycopg2.connect(url)
    params = {"d": SERVICE_DATE, "start": SERVICE_DATE - datetime.timedelta(days=14),
              "tz": TIME_ZONE}  # fmt: skip
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL, params)
        rows = cursor.fetchall()
    elapsed = time.perf_counter() - started
    connection.close()
    assert rows
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--packages", type=int, default=300_000)
    parser.add_argument("--history-per-day", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="cProfile one more check run")
    parser.add_argument("--database", default=DATABASE, help="throwaway database to create")
    parser.add_argument("--keep", action="store_true",
                        help="keep the database afterwards, and reuse it if it is there (same "
                             "sizes: the data is not checked)")  # fmt: skip
    args = parser.parse_args()
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith("postgres"):
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/postgres"
        )
    url = server_url(server, args.database)
    reuse = args.keep and database_exists(server, args.database)
    if not reuse:
        admin_execute(server, f"DROP DATABASE IF EXISTS {args.database} WITH (FORCE)")
        admin_execute(server, f"CREATE DATABASE {args.database}")
    os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="hubdelivery.settings.test")
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        if not reuse:
            started = time.perf_counter()
            load(url, args.partners, args.packages, args.history_per_day)
            print(f"loaded in {time.perf_counter() - started:.1f} s")
        checks, floors, findings = [], [], 0
        for _ in range(args.rounds):
            floors.append(time_floor(url))
            elapsed, findings = time_check()
            checks.append(elapsed)
        check, floor = statistics.median(checks), statistics.median(floors)
        print(f"partners {args.partners:,}  packages on the date {args.packages:,}  "
              f"history {30 * args.history_per_day:,}  findings {findings:,}")  # fmt: skip
        print(f"capacity check (median of {args.rounds}): {check:.2f} s")
        print(f"floor, one SQL aggregate (median of {args.rounds}): {floor:.2f} s")
        print(f"ratio check / floor: {check / floor:.2f}")
        aims_met = check < 60 and check / floor <= 3
        print("aims (under 60 s, within 3x the floor):", "met" if aims_met else "MISSED")
        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.runcall(time_check)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            admin_execute(server, f"DROP DATABASE IF EXISTS {args.database} WITH (FORCE)")


if __name__ == "__main__":
    main()
