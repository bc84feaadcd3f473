"""Several machines on one: the portal survives losing a web node and a worker under load.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres
    .venv/bin/python scripts/multinode_proof.py [--seconds 40] [--kill-at 15] [--partners 10]
    .venv/bin/python scripts/multinode_proof.py --smoke     # CI: fewer people, a shorter run

Needs Debian's pgbouncer, haproxy and redis-server (`apt-get install pgbouncer haproxy
redis-server`) and the PostgreSQL server DATABASE_URL names. The script creates a throwaway
database and loads the load benchmark's data into it (benchmarks/load.py: partners with a
drop-off to scan and packages to deliver, ops users, sessions), then starts, each in its
own process group as if on its own machine:

- PgBouncer in transaction mode in front of PostgreSQL, and its own redis-server (broker
  and cache) on a free port, never the shared one;
- two gunicorn nodes (hubdelivery.settings.production through scripts/multinode_settings.py,
  DATABASE_POOLER=pgbouncer) behind HAProxy with deploy/haproxy/haproxy.cfg;
- two Celery workers and one beat (django-celery-beat's DatabaseScheduler), every one of
  them through PgBouncer; beat enqueues the capacity check's hourly guard every 5 seconds.

It runs the benchmark's mix (scripts/multinode_users.py) against the balancer while it
queues emails through the outbox every second, SIGKILLs web node 1 and worker 1 (their
whole process groups) at `--kill-at`, restarts the worker 5 seconds later as a supervisor
would, and once the tasks have drained asserts:

- no package event lost: every write the clients were told was done is in the database;
- none duplicated: idempotency keys are unique and no package was received or delivered
  twice; events the server stored but whose answer was lost number no more than the failures;
- every task done once: each outbox email is sent, and the mail sink holds each one once;
- the night's capacity report is written once and finished;
- every failed request was in flight at the kill.

It prints the figures (requests, failures, p95, events) and exits 1 when an assertion fails.
Then it stops everything and drops the database, also when something failed.
"""

import argparse
import datetime
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.load import free_port, load  # noqa: E402
from benchmarks.pg import admin_execute, server_url  # noqa: E402

BINARIES = ("pgbouncer", "haproxy", "redis-server")
TIME_ZONE = "America/New_York"
DRAIN_SECONDS = 90  # the visibility timeout (30 s) and the restarted worker's catch-up
KILL_BURST = 40  # emails queued just before the kill
KILL_TOLERANCE = 0.5  # seconds: a request sent as the node died was still in flight


class Cluster:
    """Processes, each in its own session (process group): killing one kills its children,
    as losing the machine would."""

    def __init__(self, scratch: Path) -> None:
        self.scratch, self.processes = scratch, {}

    def start(self, name: str, command: list[str], env: dict[str, str]) -> None:
        log = (self.scratch / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(  # noqa: S603
            command, env=env, cwd=self.scratch, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def kill(self, name: str) -> None:
        os.killpg(self.processes.pop(name).pid, signal.SIGKILL)

    def stop_all(self) -> None:
        """Stops the processes, the last started first (the pool and the broker last)."""
        for process in reversed(self.processes.values()):
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self.processes.clear()


def wait_until(check, *, seconds: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{what} did not come up within {seconds:.0f} s")


def healthy(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 - our own server
        return answer.status == 200


def pgbouncer_start(cluster: Cluster, *, port: int, server: str, database: str) -> None:
    """PgBouncer in transaction mode, as deploy/pgbouncer/pgbouncer.ini, with trust auth on
    the loopback (the test server's own)."""
    parts = urlsplit(server)
    (cluster.scratch / "userlist.txt").write_text('"postgres" ""\n')
    ini = cluster.scratch / "pgbouncer.ini"
    ini.write_text(
        f"[databases]\n{database} = host={parts.hostname or '127.0.0.1'} "
        f"port={parts.port or 5432} dbname={database} user={parts.username or 'postgres'} "
        "timezone=UTC datestyle=ISO\n"
        f"[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {cluster.scratch / 'userlist.txt'}\n"
        "pool_mode = transaction\ndefault_pool_size = 20\nmax_client_conn = 500\n"
        "server_reset_query =\nignore_startup_parameters = extra_float_digits\n"
    )
    cluster.scratch.chmod(0o755)  # PgBouncer refuses root: it reads these as postgres
    for path in (ini, cluster.scratch / "userlist.txt"):
        path.chmod(0o644)
    as_user = ["-u", "postgres"] if os.geteuid() == 0 else []
    cluster.start("pgbouncer", ["pgbouncer", *as_user, str(ini)], os.environ.copy())


def web_start(cluster: Cluster, name: str, *, port: int, env: dict[str, str]) -> None:
    cluster.start(name, [
        sys.executable, "-m", "gunicorn", "hubdelivery.wsgi:application", "--chdir", str(ROOT),
        "--bind", f"127.0.0.1:{port}", "--workers", "2", "--worker-class", "gthread",
        "--threads", "4", "--keep-alive", "75", "--log-level", "warning",
    ], env)  # fmt: skip


def worker_start(cluster: Cluster, name: str, *, env: dict[str, str]) -> None:
    cluster.start(name, [
        sys.executable, "-m", "celery", "-A", "hubdelivery", "worker", "-n", f"{name}@proof",
        "--concurrency", "2", "--loglevel", "WARNING",
    ], env)  # fmt: skip


def app_environment(*, scratch: Path, database_url: str, redis_port: int, lb_port: int) -> dict:  # type: ignore[type-arg]
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "scripts.multinode_settings",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
        "REDIS_CACHE_URL": f"redis://127.0.0.1:{redis_port}/1",
        "SECRET_KEY": os.environ["SECRET_KEY"],  # the sessions in the plan are signed with it
        "SITE_URL": f"http://127.0.0.1:{lb_port}",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "MEDIA_ROOT": str(scratch / "media"),
        "STATIC_ROOT": str(scratch),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(scratch / "mail"),
        # Every night's check is due at once: the service date is tomorrow from hour 0 on.
        "CAPACITY_CHECK_LOCAL_HOUR": "0",
        "LOG_LEVEL": "WARNING",
    }


def beat_guard_every_five_seconds() -> None:
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    every, _ = IntervalSchedule.objects.get_or_create(every=5, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(
        name="proof: capacity checks due, every 5 s",
        task="routing.tasks.capacity_checks_enqueue_due_task",
        interval=every,
    )


def emails_queue(batch: int, count: int) -> None:
    from django.db import transaction

    from accounts.emails import email_queue

    with transaction.atomic():
        for n in range(count):
            email_queue(to=f"proof-{batch}-{n}@load.example", subject=f"proof {batch}-{n}",
                        text="The multi-node proof's email.", kind="proof")  # fmt: skip


def mix_run(
    *,
    plan_path: Path,
    seconds: float,
    kill_at: float,
    cluster: Cluster,
    env: dict[str, str],
    emails_per_second: int,
) -> tuple[dict, float, int]:  # type: ignore[type-arg]
    """The mix through the balancer; kills web1 and worker1 at `kill_at` seconds."""
    out = plan_path.with_name("mix.json")
    users = subprocess.Popen(  # noqa: S603
        [sys.executable, str(ROOT / "scripts" / "multinode_users.py"), str(plan_path),
         str(seconds), str(out)],
    )  # fmt: skip
    started, killed_at, batch, held = time.monotonic(), 0.0, 0, 0
    while users.poll() is None:
        emails_queue(batch, emails_per_second)
        batch += 1
        elapsed = time.monotonic() - started
        if not killed_at and elapsed >= kill_at:
            # A burst of emails first, so the worker dies holding tasks, then the count of
            # tasks the workers had taken and not acknowledged (kombu's "unacked" hash).
            emails_queue(-1, KILL_BURST)
            time.sleep(0.2)
            broker = redis.Redis.from_url(env["CELERY_BROKER_URL"])
            held = sum(broker.hlen(key) for key in ("unacked", "unacked_long"))
            killed_at = time.time()
            cluster.kill("web1")
            cluster.kill("worker1")
            print(f"SIGKILL web node 1 and worker 1 at {elapsed:.1f} s; "
                  f"tasks taken by the workers then: {held}")  # fmt: skip
        if killed_at and "worker1" not in cluster.processes and time.time() > killed_at + 5:
            worker_start(cluster, "worker1", env=env)
            print("worker 1 restarted")
        time.sleep(1)
    if users.returncode != 0:
        raise RuntimeError("the load generator failed")
    return json.loads(out.read_text()), killed_at, held


def tasks_drained() -> bool:
    from accounts.models import OutboundEmail
    from routing.models import CapacityReport

    return (
        not OutboundEmail.objects.filter(sent_at__isnull=True).exists()
        and CapacityReport.objects.filter(finished_at__isnull=False).exists()
    )


def mail_sink_counts(mail_dir: Path) -> dict[str, int]:
    """How often each recipient got an email in the file backend's output."""
    counts: dict[str, int] = {}
    for path in mail_dir.glob("*.log"):
        for line in path.read_text(errors="replace").splitlines():
            if line.startswith("To: "):
                counts[line[4:]] = counts.get(line[4:], 0) + 1
    return counts


def verdicts(
    *,
    mix: dict,
    killed_at: float,
    held_at_kill: int,
    first_event_id: int,
    mail_dir: Path,
    night: datetime.date,
) -> tuple[dict, list[str]]:  # type: ignore[type-arg]
    """The figures and every assertion that failed."""
    from django.db.models import Count

    from accounts.models import OutboundEmail
    from packages.models import PackageEvent
    from routing.models import CapacityReport

    events = PackageEvent.objects.filter(pk__gte=first_event_id)
    stored = set(events.values_list("idempotency_key", flat=True))
    done = set(mix["done_keys"])
    twice = (
        events.filter(event_type__in=["received", "delivered"])
        .values("package_id", "event_type").annotate(n=Count("id")).filter(n__gt=1).count()
    )  # fmt: skip
    failed = [r for r in mix["requests"] if r["failure"]]
    outside = [
        r for r in failed
        if not (r["start"] <= killed_at + KILL_TOLERANCE and r["end"] >= killed_at)
    ]  # fmt: skip
    emails = OutboundEmail.objects.count()
    sends = mail_sink_counts(mail_dir)
    reports = CapacityReport.objects.filter(service_date=night, time_zone=TIME_ZONE)
    figures = {
        "requests": mix["total"]["count"], "failures": len(failed),
        "p95_ms": mix["total"]["p95"], "events_stored": len(stored),
        "events_acknowledged": len(done), "events_stored_answer_lost": len(stored - done),
        "emails": emails, "emails_sent": sum(sends.values()), "emails_sent_twice": sum(
            n - 1 for n in sends.values() if n > 1), "tasks_held_at_kill": held_at_kill,
        "capacity_reports": reports.count(),
    }  # fmt: skip
    problems = []
    if done - stored:
        problems.append(f"{len(done - stored)} acknowledged events are not in the database")
    if twice:
        problems.append(f"{twice} packages were received or delivered twice")
    if len(stored - done) > len(failed):
        problems.append("more events stored unanswered than requests failed")
    if outside:
        problems.append(f"{len(outside)} failures were not in flight at the kill: {outside[:3]}")
    if OutboundEmail.objects.filter(sent_at__isnull=True).exists():
        problems.append("queued emails were never sent")
    # SMTP is not transactional: a worker killed after handing an email over and before its
    # commit leaves the row unsent, and the redelivered task sends it again. Only the tasks
    # the killed worker held can go twice; any other repeat is a fault.
    repeats = sum(n - 1 for n in sends.values() if n > 1)
    if len(sends) != emails or repeats > held_at_kill:
        problems.append(
            f"{emails} emails queued, sent to {len(sends)} recipients, "
            f"{repeats} sent twice (tasks held at the kill: {held_at_kill})"
        )
    if reports.filter(finished_at__isnull=False).count() != 1:
        problems.append(f"the night's capacity report: {reports.count()} rows, not one finished")
    return figures, problems


def prove(args: argparse.Namespace, scratch: Path, server: str, database: str) -> bool:
    ports = {name: free_port() for name in ("pgbouncer", "redis", "lb", "web1", "web2")}
    # This process queues emails too: it names the proof's broker before Django reads it.
    os.environ["CELERY_BROKER_URL"] = f"redis://127.0.0.1:{ports['redis']}/0"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from packages.models import PackageEvent

    call_command("migrate", verbosity=0)
    cluster = Cluster(scratch)
    try:
        cluster.start("redis", ["redis-server", "--port", str(ports["redis"]), "--bind",
                                "127.0.0.1", "--save", "", "--appendonly", "no"],
                      os.environ.copy())  # fmt: skip
        pgbouncer_start(cluster, port=ports["pgbouncer"], server=server, database=database)
        user = urlsplit(server).username or "postgres"
        env = app_environment(
            scratch=scratch, redis_port=ports["redis"], lb_port=ports["lb"],
            database_url=f"postgres://{user}@127.0.0.1:{ports['pgbouncer']}/{database}",
        )  # fmt: skip
        env["DATABASE_POOLER"] = "pgbouncer"
        plan = load(partners=args.partners, ops=args.ops, history_days=3,
                    host=f"http://127.0.0.1:{ports['lb']}")  # fmt: skip
        beat_guard_every_five_seconds()
        first_event_id = (PackageEvent.objects.order_by("-pk").values_list("pk", flat=True)
                          .first() or 0) + 1  # fmt: skip
        connections.close_all()
        plan_path = scratch / "plan.json"
        plan_path.write_text(json.dumps(plan))
        for node in ("web1", "web2"):
            web_start(cluster, node, port=ports[node], env=env)
        for node in ("web1", "web2"):
            wait_until(lambda n=node: healthy(f"http://127.0.0.1:{ports[n]}/healthz"),
                       seconds=120, what=node)  # fmt: skip
        cluster.start("haproxy", ["haproxy", "-db", "-f", str(ROOT / "deploy/haproxy/haproxy.cfg")],
                      {**os.environ, "LB_BIND": f"127.0.0.1:{ports['lb']}",
                       "WEB1": f"127.0.0.1:{ports['web1']}", "WEB2": f"127.0.0.1:{ports['web2']}",
                       "HEALTH_HOST": "127.0.0.1"})  # fmt: skip
        wait_until(lambda: healthy(f"http://127.0.0.1:{ports['lb']}/healthz"),
                   seconds=60, what="haproxy")  # fmt: skip
        for node in ("worker1", "worker2"):
            worker_start(cluster, node, env=env)
        cluster.start("beat", [sys.executable, "-m", "celery", "-A", "hubdelivery", "beat",
                               "--loglevel", "WARNING"], env)  # fmt: skip
        print("running: PgBouncer, redis, HAProxy, 2 gunicorn nodes, 2 workers, 1 beat; "
              f"{args.partners} partners, {args.ops} ops users, {args.seconds:.0f} s")  # fmt: skip
        mix, killed_at, held_at_kill = mix_run(
            plan_path=plan_path, seconds=args.seconds, kill_at=args.kill_at, cluster=cluster,
            env=env, emails_per_second=args.emails_per_second,
        )  # fmt: skip
        started = time.monotonic()
        wait_until(tasks_drained, seconds=DRAIN_SECONDS, what="every task done")
        print(f"tasks drained {time.monotonic() - started:.0f} s after the load ended")
        night = datetime.date.fromisoformat(plan["today"]) + datetime.timedelta(days=1)
        figures, problems = verdicts(
            mix=mix, killed_at=killed_at, held_at_kill=held_at_kill,
            first_event_id=first_event_id,
            mail_dir=scratch / "mail", night=night,
        )  # fmt: skip
    finally:
        cluster.stop_all()
        connections.close_all()
    print(json.dumps(figures, indent=1))
    for problem in problems:
        print("FAILED:", problem)
    print("proof:", "held" if not problems else "FAILED")
    return not problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--kill-at", type=float, default=15)
    parser.add_argument("--partners", type=int, default=10)
    parser.add_argument("--ops", type=int, default=2)
    parser.add_argument("--emails-per-second", type=int, default=5)
    parser.add_argument("--smoke", action="store_true", help="4 partners, 1 ops user, 20 s")
    args = parser.parse_args()
    if args.smoke:
        args.seconds, args.kill_at, args.partners, args.ops = 20, 8, 4, 1
    missing = [binary for binary in BINARIES if not shutil.which(binary)]
    if missing:
        sys.exit(f"Install {' '.join(missing)} first (apt-get install {' '.join(missing)}).")
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith("postgres"):
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1/postgres"
        )
    database = f"hub_multinode_{os.getpid()}"
    scratch = Path(tempfile.mkdtemp(prefix="hub-multinode-"))
    admin_execute(server, f"CREATE DATABASE {database}")
    os.environ.update(
        DATABASE_URL=server_url(server, database),
        DJANGO_SETTINGS_MODULE="scripts.multinode_settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        SECURE_SSL_REDIRECT="false",
        SITE_URL="http://127.0.0.1:8000",
        MEDIA_ROOT=str(scratch / "media"),
        STATIC_ROOT=str(scratch),
        LOG_LEVEL="WARNING",
    )
    try:
        held = prove(args, scratch, server, database)
    finally:
        admin_execute(server, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        if os.environ.get("PROOF_KEEP_LOGS"):
            print(f"logs kept in {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    sys.exit(0 if held else 1)


if __name__ == "__main__":
    main()
