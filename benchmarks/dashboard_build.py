"""The ops dashboard's cold build against its warm snapshot, at load.py's data size.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres
    .venv/bin/python benchmarks/dashboard_build.py [--partners 50] [--history-days 30] [--rounds 5]

Loads the data of benchmarks/load.py (same function, same size: `--partners` mix partners
with today's 100 packages, as many scan partners with 60, `--history-days` finished days of
about 30 packages for twice `--partners` partners) into a throwaway database, with the daily
facts rolled up as the beat task leaves them. Then, in-process and per round, the 30-day
dashboard page (GET /ops/dashboard/?date_from=...&date_to=..., the view, its snapshot and the
template):

- warm: the snapshot is cached, so the page only renders it (the floor: median of 5 requests);
- cold: the snapshot cache is empty, so the build reads the facts (it never rolls them up),
  then renders (what a page after the snapshot's minute costs);
- today: the beat task's minute when every partner worked today, facts_refresh of all of
  today's rows (the work no request pays any more);
- rollup: the facts of the same 30 days computed from the packages themselves, the per-package
  aggregation every cold build ran before the facts table existed (for comparison).

Prints each as a ratio to the warm page of the same round, min and median over the rounds,
and the query counts of a cold 1-day and 30-day page (equal: the build reads facts rows).
"""

import argparse
import datetime
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.pg import admin_execute, server_url  # noqa: E402

AIM_COLD_OVER_WARM = 10
WARM_REPEATS = 5


def timed(call) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def page_client(session_key: str):  # type: ignore[no-untyped-def]
    from django.conf import settings
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    return client


def measure(args: argparse.Namespace) -> bool:
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Q
    from django.test.utils import CaptureQueriesContext

    from benchmarks.load import load
    from dashboard.models import DailyFacts
    from dashboard.selectors.facts import facts_rollup
    from dashboard.services import facts_refresh

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    plan = load(
        partners=args.partners, ops=1, history_days=args.history_days, host="http://127.0.0.1"
    )
    print(
        f"loaded in {time.perf_counter() - started:.1f} s; {DailyFacts.objects.count()} facts rows"
    )
    today = datetime.date.fromisoformat(plan["today"])
    month = {"date_from": plan["month_from"], "date_to": plan["today"]}
    one_day = {"date_from": plan["today"], "date_to": plan["today"]}
    client = page_client(plan["ops"][0]["session"])

    def page(query: dict[str, str]) -> None:
        response = client.get("/ops/dashboard/", query)
        assert response.status_code == 200, response.status_code

    def cold(query: dict[str, str]) -> None:
        cache.clear()
        page(query)

    cold(month)  # compile the templates, open the connection
    counts = {}
    for name, query in [("1 day", one_day), ("30 days", month)]:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            page(query)
        counts[name] = len(queries)
    days = [today - datetime.timedelta(days=n) for n in range(30)]
    rounds = []
    for _ in range(args.rounds):
        cold_s = timed(lambda: cold(month))
        warm_s = statistics.median(timed(lambda: page(month)) for _ in range(WARM_REPEATS))
        today_s = timed(lambda: facts_refresh(dates=[today]))
        rollup_s = timed(lambda: list(facts_rollup(where=Q(service_date__in=days))))
        rounds.append((warm_s, cold_s / warm_s, today_s / warm_s, rollup_s / warm_s))
    report(rounds, counts)
    same_queries = counts["1 day"] == counts["30 days"]
    return same_queries and statistics.median(r[1] for r in rounds) <= AIM_COLD_OVER_WARM


def report(rounds: list[tuple[float, float, float, float]], counts: dict[str, int]) -> None:
    warm = [r[0] * 1000 for r in rounds]
    floor = statistics.median(warm)
    print(f"{len(rounds)} rounds; warm 30-day page (the floor): median {floor:.0f} ms")
    for name, ratios in [
        ("cold 30-day page (facts)", [r[1] for r in rounds]),
        ("roll-up of all of today (beat)", [r[2] for r in rounds]),
        ("30 days from the packages (before)", [r[3] for r in rounds]),
    ]:
        print(
            f"{name:<36} min {min(ratios):6.1f}x  median {statistics.median(ratios):6.1f}x "
            "the warm page"
        )
    print(f"queries of a cold page: {counts}")
    print(f"aim: cold within {AIM_COLD_OVER_WARM}x warm; same queries for 1 and 30 days")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--partners", type=int, default=50)
    parser.add_argument("--history-days", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith("postgres"):
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1/postgres"
        )
    database = f"hub_dashboard_bench_{os.getpid()}"
    scratch = Path(tempfile.mkdtemp(prefix="hub-dashboard-"))
    admin_execute(server, f"CREATE DATABASE {database}")
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.update(
        DATABASE_URL=server_url(server, database),
        DJANGO_SETTINGS_MODULE="benchmarks.load_settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        SECURE_SSL_REDIRECT="false",
        SITE_URL="http://127.0.0.1",  # production settings require it; emails are not sent here
        MEDIA_ROOT=str(scratch / "media"),
        STATIC_ROOT=str(scratch),
        LOG_LEVEL="WARNING",
    )
    try:
        met = measure(args)
    finally:
        from django.db import connections

        connections.close_all()
        admin_execute(server, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        shutil.rmtree(scratch, ignore_errors=True)
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
