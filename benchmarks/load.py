"""Load: partners scanning and delivering on gunicorn + PostgreSQL, against a one-row floor view.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres
    .venv/bin/python benchmarks/load.py [--seconds 60] [--partners 50] [--ops 3]
                                        [--saturation-seconds 15] [--workers 3] [--threads 4]
    .venv/bin/python benchmarks/load.py --smoke     # CI: a few users, a few seconds a phase

DATABASE_URL names the PostgreSQL server. The script creates a throwaway database, migrates
it, loads the data, starts gunicorn on a free port of 127.0.0.1 with the production settings
(benchmarks/load_settings.py: DEBUG off, plain http, a floor view added) and drives it with
locust (benchmarks/load_users.py, a child process sharing the machine). Then it stops
gunicorn and drops the database, also when something failed.

gunicorn: by default cores + 1 gthread workers with 4 threads each and 75 s keep-alive. A
thread waiting on PostgreSQL (the dashboard's aggregates take seconds) leaves the CPU to the
others; sync workers (`--threads 1`) let three dashboard requests hold three of five workers,
and reconnect for every request. Measured on the 2-core machine: mix p95 0.6 s against 2.6 s,
scan 67 against 27 requests/s (docs/performance.md).

Data: `--partners` partners for the mix and four times as many for the scan phase, each with
a morning drop-off of 60 packages still to scan (a scanner moves on to the next partner's
drop-off when one is done); the mix's partners also hold 40 packages received earlier (100
packages today, twice what a partner commits to at most); `--history-days` days of finished
work for the mix's partners and as many others (about 30 packages a day: handoff, scans,
deliveries), so
the ops pages aggregate real rows. Sessions are written to the database directly: log-in
rate limits and MFA stay out of the measurement. Celery runs eager: nothing a scan, a delivery
or a dashboard page does enqueues a task.

Phases:
1. warm-up (unmeasured): every page a few times, so workers have compiled their templates;
2. mix, `--seconds`: the users start over 5 s; every partner scans and delivers with 0.5-2 s
   think time, `--ops` ops users browse the dashboard, the handoffs, incidents and packages
   with 2-6 s think time;
3. floor, `--saturation-seconds`: as many users as partners, no think time, on a bare view that
   reads one package by primary key (same middleware as every page);
4. scan, `--saturation-seconds`: the same users, no think time, each scanning its own handoff.

Aims (issue 15, with the 30-day dashboard in the mix): zero failures; p95 under 250 ms in the
mix; the scan phase at least 15% of the floor's requests/s (issue 9 hoped for 40%: the scan
writes five rows under two row locks, the floor reads one). `--smoke` checks only that every
phase made requests without a failure.
"""

import argparse
import datetime
import json
import os
import random
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.pg import admin_execute, copy_rows, server_url  # noqa: E402

TIME_ZONE = "America/New_York"
BOSTON = (42.35, -71.06)
HANDOFF_SIZE = 60  # packages in each partner's drop-off
# The scan phase scans without pause: each scanner moves on to another partner's drop-off
# when one is done, so no scanner runs out on a fast machine (running out is a failure).
SCAN_PARTNERS_PER_SCANNER = 4
RECEIVED_EARLIER = 40  # packages each mix partner holds to deliver from the start
AIM_P95_MS = 250
AIM_SCAN_SHARE_OF_FLOOR = 0.15


# ------------------------------------------------------------------------------
# Data
# ------------------------------------------------------------------------------
def people_create(*, prefix: str, count: int, role: str) -> list:  # type: ignore[type-arg]
    """Users with a verified email address and one role (a group)."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from accounts.models import User

    no_password = make_password(None)  # they never log in: the run writes their sessions
    users = User.objects.bulk_create(
        User(email=f"{prefix}{n}@load.example", full_name=f"{prefix} {n}", password=no_password)
        for n in range(count)
    )
    group, _ = Group.objects.get_or_create(name=role)
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=user.pk, group_id=group.pk) for user in users
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
    )
    return users


def partners_create(*, owners: list, rng: random.Random) -> list:  # type: ignore[type-arg]
    from partners.models import BackgroundCheck, MemberRole, Partner, PartnerMember

    now = datetime.datetime.now(datetime.UTC)
    partners = Partner.objects.bulk_create(
        Partner(
            owner=owner, legal_name=f"Load Shop {n} LLC", trade_name=f"Load Shop {n}",
            status="active", address_line=f"{n + 1} Newbury St", city="Boston", state="MA",
            zip_code="02116", latitude=BOSTON[0] + rng.uniform(-0.05, 0.05),
            longitude=BOSTON[1] + rng.uniform(-0.05, 0.05), time_zone=TIME_ZONE,
            delivery_modes=["walk"], opening_days=["mon", "tue", "wed", "thu", "fri", "sat"],
            activated_at=now - datetime.timedelta(days=90), agreement_version="2026-11",
            first_handoff_at=now - datetime.timedelta(days=80),
        )
        for n, owner in enumerate(owners)
    )  # fmt: skip
    PartnerMember.objects.bulk_create(
        PartnerMember(partner=partner, user=partner.owner, role=MemberRole.OWNER,
                      background_check=BackgroundCheck.CLEAR)
        for partner in partners
    )  # fmt: skip
    return partners


PACKAGE_COLUMNS = [
    "id", "tracking_id", "dsp_id", "manifest_id", "partner_id", "assignment_reason",
    "assigned_by_routing", "service_date", "recipient_name", "address_line", "city", "zip_code",
    "latitude", "longitude", "size", "status", "route_sequence", "status_changed_at", "created",
]  # fmt: skip
ITEM_COLUMNS = ["handoff_id", "package_id", "tracking_id", "outcome", "scanned_by_id", "scanned_at"]
EVENT_COLUMNS = [
    "package_id", "tracking_id", "handoff_id", "actor_id", "event_type", "from_status",
    "to_status", "received_at", "idempotency_key", "detail",
]  # fmt: skip


class Packages:
    """Package rows for COPY, numbered from `first_pk` (the database is new)."""

    def __init__(self, *, dsp_id: int, first_pk: int, rng: random.Random) -> None:
        self.dsp_id, self.next_pk, self.rng = dsp_id, first_pk, rng
        self.rows: list[tuple] = []  # type: ignore[type-arg]

    def add(self, *, tracking_id: str, manifest, status: str, changed) -> int:  # type: ignore[no-untyped-def]
        pk, partner, jitter = self.next_pk, manifest.partner, self.rng.uniform
        self.rows.append((
            pk, tracking_id, self.dsp_id, manifest.pk, partner.pk, "", False,
            manifest.service_date, f"Recipient {pk}", f"{self.rng.randint(1, 400)} Boylston St",
            "Boston", "02116", partner.latitude + jitter(-0.01, 0.01),
            partner.longitude + jitter(-0.01, 0.01), "medium", status, None, changed, changed,
        ))  # fmt: skip
        self.next_pk += 1
        return pk


def today_packages_add(
    *, packages: Packages, partners: list, to_scan: int, received: int, today: datetime.date
) -> dict[int, dict[str, list[str]]]:
    """Each partner's manifest for today: `to_scan` packages to scan and `received` already
    scanned in. Returns partner id -> {"to_scan": [...], "to_deliver": [...]}."""
    from packages.models import Manifest

    manifests = Manifest.objects.bulk_create(
        Manifest(
            dsp_id=packages.dsp_id, external_id=f"TODAY-{p.pk}", partner=p, service_date=today,
            source="api", package_count=to_scan + received,
        )
        for p in partners
    )  # fmt: skip
    now = datetime.datetime.now(datetime.UTC)
    plan = {}
    for manifest in manifests:
        ids = [f"LD{manifest.partner_id:04d}{n:04d}" for n in range(to_scan + received)]
        for n, tracking_id in enumerate(ids):
            status = "manifested" if n < to_scan else "received"
            packages.add(tracking_id=tracking_id, manifest=manifest, status=status, changed=now)
        plan[manifest.partner_id] = {
            "to_scan": ids[:to_scan],
            "to_deliver": ids[to_scan:],
        }
    return plan


def history_add(*, cursor, packages: Packages, partners: list, days: int, today) -> None:  # type: ignore[no-untyped-def]
    """`days` finished days for every partner: a closed drop-off opened at 08:00 local, 20-40
    packages scanned in within 40 minutes, then 97% delivered (with the recipient's name), 2%
    attempted and returned, 1% missing. Items, events and attempts are copied in here; the
    packages when the caller copies `packages.rows`."""
    from zoneinfo import ZoneInfo

    from packages.models import Handoff, Manifest

    zone, rng = ZoneInfo(TIME_ZONE), packages.rng
    manifests = Manifest.objects.bulk_create(
        Manifest(
            dsp_id=packages.dsp_id, external_id=f"HIST-{p.pk}-{n}", partner=p,
            service_date=today - datetime.timedelta(days=n), source="api",
        )
        for p in partners for n in range(1, days + 1)
    )  # fmt: skip
    fates = {
        m.pk: ["missing" if r < 0.01 else "returned" if r < 0.03 else "delivered"
               for r in (rng.random() for _ in range(rng.randint(20, 40)))]
        for m in manifests
    }  # fmt: skip
    at = lambda day, hour: datetime.datetime.combine(day, datetime.time(hour), tzinfo=zone)  # noqa: E731
    handoffs = Handoff.objects.bulk_create(
        Handoff(
            direction="drop_off", partner=m.partner, dsp_id=packages.dsp_id,
            service_date=m.service_date, status="closed", opened_by=m.partner.owner,
            opened_at=at(m.service_date, 8), closed_at=at(m.service_date, 9),
            partner_confirmed_at=at(m.service_date, 9), expected=len(fates[m.pk]),
            missing=fates[m.pk].count("missing"),
            received=len(fates[m.pk]) - fates[m.pk].count("missing"),
        )
        for m in manifests
    )  # fmt: skip
    items, events, attempts = [], [], []
    for manifest, handoff in zip(manifests, handoffs, strict=True):
        owner = manifest.partner.owner_id
        for n, fate in enumerate(fates[manifest.pk]):
            tracking_id = f"LH{manifest.pk:06d}{n:03d}"
            scanned = handoff.opened_at + datetime.timedelta(minutes=rng.randint(2, 40))
            done = scanned + datetime.timedelta(hours=2, minutes=7 * n)
            pk = packages.add(tracking_id=tracking_id, manifest=manifest, status=fate, changed=done)
            outcome = "missing" if fate == "missing" else "received"
            items.append((handoff.pk, pk, tracking_id, outcome, owner, scanned))
            if fate == "missing":
                continue
            kind = "delivered" if fate == "delivered" else "attempted"
            events.append((pk, tracking_id, handoff.pk, owner, "received", "manifested",
                           "received", scanned, f"lh-{pk}-r", "{}"))  # fmt: skip
            events.append((pk, tracking_id, None, owner, kind, "received", kind, done,
                           f"lh-{pk}-d", "{}"))  # fmt: skip
            name, reason = ("A. Neighbour", "") if kind == "delivered" else ("", "no_access")
            attempts.append((pk, f"lh-{pk}-d", kind, reason, owner, done, name))
    copy_rows(cursor, "packages_package", PACKAGE_COLUMNS, packages.rows)
    packages.rows.clear()
    copy_rows(cursor, "packages_handoffitem", ITEM_COLUMNS, items)
    copy_rows(cursor, "packages_packageevent", EVENT_COLUMNS, events)
    # Each attempt points at its event: copy them next to the event's key, then join.
    cursor.execute(
        "CREATE TEMP TABLE load_attempt (package_id bigint, key text, outcome text, reason text, "
        "attempted_by_id bigint, attempted_at timestamptz, name text)"
    )
    columns = ["package_id", "key", "outcome", "reason", "attempted_by_id", "attempted_at", "name"]
    copy_rows(cursor, "load_attempt", columns, attempts)
    cursor.execute(
        "INSERT INTO packages_deliveryattempt (package_id, event_id, outcome, reason, "
        "attempted_by_id, attempted_at, photo, recipient_name, safe_place_note) "
        "SELECT a.package_id, e.id, a.outcome, a.reason, a.attempted_by_id, a.attempted_at, '', "
        "a.name, '' FROM load_attempt a JOIN packages_packageevent e ON e.idempotency_key = a.key"
    )


def sessions_create(users: list) -> list[dict[str, str]]:  # type: ignore[type-arg]
    """A logged-in session per user, as django.contrib.auth.login leaves it, and a CSRF
    secret for the cookie and the X-CSRFToken header (as htmx sends it)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    cookies = []
    for user in users:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies.append({"session": session.session_key, "csrf": secrets.token_hex(16)})
    return cookies


def ops_authenticators_create(users: list) -> None:  # type: ignore[type-arg]
    """Ops accounts must have TOTP (OpsMfaRequiredMiddleware); give each one."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    for user in users:
        TOTP.activate(user, generate_totp_secret())


def load(*, partners: int, ops: int, history_days: int, host: str) -> dict:  # type: ignore[type-arg]
    """Create everything the run needs; returns the plan the locust process reads."""
    from django.db import connection

    from dashboard.services import facts_refresh
    from hubdelivery.lib.dates import local_date
    from packages.models import Dsp, HandoffDirection
    from packages.services import handoff_open
    from partners.models import Market

    rng = random.Random(9)
    today = local_date(tz_name=TIME_ZONE)
    Market.objects.update_or_create(name="Boston", defaults={
        "state": "MA", "center_zip": "02116", "latitude": BOSTON[0], "longitude": BOSTON[1],
        "active_partner_target": 2 * partners,
    })  # fmt: skip
    dsp = Dsp.objects.create(name="Load DSP")
    mix = partners_create(owners=people_create(prefix="mix", count=partners, role="partner_owner"),
                          rng=rng)  # fmt: skip
    scan_owners = people_create(
        prefix="scan", count=partners * SCAN_PARTNERS_PER_SCANNER, role="partner_owner"
    )
    scan = partners_create(owners=scan_owners, rng=rng)
    ops_users = people_create(prefix="ops", count=ops, role="ops_reviewer")
    ops_authenticators_create(ops_users)
    packages = Packages(dsp_id=dsp.pk, first_pk=1, rng=rng)
    mix_plan = today_packages_add(
        packages=packages, partners=mix, to_scan=HANDOFF_SIZE, received=RECEIVED_EARLIER,
        today=today,
    )  # fmt: skip
    scan_plan = today_packages_add(
        packages=packages, partners=scan, to_scan=HANDOFF_SIZE, received=0, today=today
    )
    with connection.cursor() as cursor:
        history_add(
            cursor=cursor.cursor, packages=packages, partners=mix + scan[:partners],
            days=history_days, today=today,
        )  # fmt: skip
        cursor.execute("SELECT setval('packages_package_id_seq', %s)", [packages.next_pk - 1])
    handoffs = {}
    for partner in mix + scan:
        event = handoff_open(actor=partner.owner, partner=partner, dsp=dsp,
                             direction=HandoffDirection.DROP_OFF, service_date=today,
                             idempotency_key=str(uuid.uuid4()))  # fmt: skip
        handoffs[partner.pk] = event.handoff_id
    facts_refresh()  # the dashboard's daily facts, as the every-minute beat task leaves them
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    def people(group: list, plan: dict) -> list[dict]:  # type: ignore[type-arg]
        cookies = sessions_create([p.owner for p in group])
        return [{**c, "handoff": handoffs[p.pk], **plan[p.pk]}
                for p, c in zip(group, cookies, strict=True)]  # fmt: skip

    return {
        "host": host,
        "today": today.isoformat(),
        "month_from": (today - datetime.timedelta(days=29)).isoformat(),
        "partners": people(mix, mix_plan),
        "scanners": people(scan, scan_plan),
        "scanner_count": partners,
        "ops": sessions_create(ops_users),
        "ops_handoffs": list(handoffs.values()),
        "ops_packages": [t for p in mix_plan.values() for t in p["to_deliver"][:3]],
        "floor_pks": [1, packages.next_pk - 1],
    }


# ------------------------------------------------------------------------------
# The server and the phases
# ------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn_start(*, port: int, workers: int, threads: int, log: Path) -> subprocess.Popen:  # type: ignore[type-arg]
    command = [
        sys.executable, "-m", "gunicorn", "hubdelivery.wsgi:application",
        "--chdir", str(ROOT), "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
        "--worker-class", "gthread" if threads > 1 else "sync", "--threads", str(threads),
        "--keep-alive", "75", "--backlog", "2048", "--log-level", "warning",
        "--error-logfile", str(log),
    ]  # fmt: skip
    server = subprocess.Popen(command, env=os.environ.copy())  # noqa: S603
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError(f"gunicorn did not answer on port {port}; see {log}")


def phase_run(*, plan_path: Path, phase: str, seconds: float) -> dict:  # type: ignore[type-arg]
    users = Path(__file__).with_name("load_users.py")
    done = subprocess.run(  # noqa: S603
        [sys.executable, str(users), str(plan_path), phase, str(seconds)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(f"the {phase} phase failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["load_average"] = os.getloadavg()[0]  # other work on the machine shows here
    return result


def table_print(result: dict) -> None:  # type: ignore[type-arg]
    wall = result["wall"]
    print(
        f"\n{result['phase']}: {result['users']} users, {wall:.1f} s; load generator CPU "
        f"{result['cpu']:.1f} s; machine load average {result['load_average']:.1f} at the end"
    )
    columns = ("count", "req/s", "fail", "p50", "p95", "p99", "max")
    header = f"{'request (times in ms)':<26}" + "".join(f"{c:>8}" for c in columns)
    print(header + "\n" + "-" * len(header))
    for name, row in result["stats"].items():
        figures = [row["count"], f"{row['count'] / wall:.1f}", row["failures"]]
        figures += [f"{row[p]:.0f}" for p in ("p50", "p95", "p99", "max")]
        print(f"{name:<26}" + "".join(f"{figure:>8}" for figure in figures))
        for sample in row["failure_samples"]:
            print(f"    failed: {sample}")


def aims_check(results: dict, *, smoke: bool) -> bool:  # type: ignore[type-arg]
    failures = sum(r["stats"]["total"]["failures"] for r in results.values())
    empty = [name for name, r in results.items() if not r["stats"]["total"]["count"]]
    print(f"\nfailures, all phases: {failures}" + (f"; no requests in {empty}" if empty else ""))
    mix_p95 = results["mix"]["stats"]["total"]["p95"]
    floor_rps = results["floor"]["stats"]["floor"]["count"] / results["floor"]["wall"]
    scan_rps = results["scan"]["stats"]["scan"]["count"] / results["scan"]["wall"]
    share = scan_rps / floor_rps if floor_rps else 0.0
    print(f"mix p95: {mix_p95:.0f} ms (aim under {AIM_P95_MS} ms)")
    print(
        f"scan {scan_rps:.1f} req/s, floor {floor_rps:.1f} req/s: {share:.0%} of the floor "
        f"(aim at least {AIM_SCAN_SHARE_OF_FLOOR:.0%})"
    )
    sound = failures == 0 and not empty
    if smoke:
        print("smoke run: timings not judged;", "no failures" if sound else "FAILED")
        return sound
    met = sound and mix_p95 < AIM_P95_MS and share >= AIM_SCAN_SHARE_OF_FLOOR
    print("aims:", "met" if met else "MISSED")
    return met


def benchmark(args: argparse.Namespace, scratch: Path, port: int) -> bool:
    """Load the data, start gunicorn, run the phases; True when the aims are met.
    Precondition: the environment names the throwaway database and the settings."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    plan = load(
        partners=args.partners, ops=args.ops, history_days=args.history_days,
        host=f"http://127.0.0.1:{port}",
    )  # fmt: skip
    connections.close_all()
    print(
        f"loaded in {time.perf_counter() - started:.1f} s: {args.partners} + {args.partners} "
        f"partners, {args.ops} ops, {args.history_days} days of history"
    )
    plan_path = scratch / "plan.json"
    plan_path.write_text(json.dumps(plan))
    log = scratch / "gunicorn.log"
    gunicorn = gunicorn_start(port=port, workers=args.workers, threads=args.threads, log=log)
    kind = f"gthread workers, {args.threads} threads each" if args.threads > 1 else "sync workers"
    print(
        f"gunicorn: {args.workers} {kind} on {os.cpu_count()} cores, "
        "with PostgreSQL and the load generator on the same machine"
    )
    try:
        phase_run(plan_path=plan_path, phase="warmup", seconds=1 if args.smoke else 3)
        results = {
            "mix": phase_run(plan_path=plan_path, phase="mix", seconds=args.seconds),
            "floor": phase_run(plan_path=plan_path, phase="floor", seconds=args.saturation_seconds),
            "scan": phase_run(plan_path=plan_path, phase="scan", seconds=args.saturation_seconds),
        }
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
        if "Traceback" in (errors := log.read_text()):
            print("\ngunicorn's log has errors:\n" + errors[-3000:])
    for result in results.values():
        table_print(result)
    return aims_check(results, smoke=args.smoke)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--partners", type=int, default=50)
    parser.add_argument("--ops", type=int, default=3)
    parser.add_argument("--saturation-seconds", type=float, default=15)
    parser.add_argument("--history-days", type=int, default=30)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) + 1)
    parser.add_argument("--threads", type=int, default=4, help="1: sync workers, else gthread")
    parser.add_argument("--smoke", action="store_true", help="5 partners, 1 ops user, 5 s phases")
    args = parser.parse_args()
    if args.smoke:
        args.seconds, args.partners, args.ops = 5, 5, 1
        args.saturation_seconds, args.history_days, args.workers, args.threads = 4, 3, 2, 2
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith("postgres"):
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1/postgres"
        )
    database = f"hub_load_bench_{os.getpid()}"
    scratch = Path(tempfile.mkdtemp(prefix="hub-load-"))
    admin_execute(server, f"CREATE DATABASE {database}")
    os.environ.pop("CELERY_BROKER_URL", None)  # eager: no task on these paths needs a worker
    port = free_port()
    os.environ.update(
        SITE_URL=f"http://127.0.0.1:{port}",
        DATABASE_URL=server_url(server, database),
        DJANGO_SETTINGS_MODULE="benchmarks.load_settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        SECURE_SSL_REDIRECT="false",
        MEDIA_ROOT=str(scratch / "media"),
        STATIC_ROOT=str(scratch),  # nothing collected; whitenoise only wants the directory
        LOG_LEVEL="WARNING",
    )
    try:
        met = benchmark(args, scratch, port)
    finally:
        from django.db import connections

        connections.close_all()
        admin_execute(server, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        shutil.rmtree(scratch, ignore_errors=True)
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
