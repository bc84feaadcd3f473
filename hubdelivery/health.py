"""/healthz: what this web node and the task machinery depend on, and whether the node can
serve.

Answers {"status": ..., "checks": {...}, "queues": {...}, "beat_last_run": ...}. Each check is
"ok" or what is wrong:
- database: "unreachable";
- cache: "unreachable" (Redis; a per-process cache is always "ok");
- broker: "unreachable", "unconfigured";
- workers: "none" (no worker answered a ping within half a second), "unknown" (broker down);
- beat: "late" (no periodic task sent for BEAT_LATE_AFTER), "never" (none recorded);
workers and beat are "eager" without a broker (tasks run inside the request). `queues` is
each queue's waiting messages (null with the broker down); `beat_last_run` an ISO time or null.

- 200 "ok": every check is ok (or eager).
- 200 "degraded": something other than the database is down. The node still serves: rate
  limits follow their fault policies (hubdelivery.lib.ratelimit) and emails wait in the
  outbox (accounts.emails). The cache, broker, workers and beat are shared by every node, so
  a 503 here would make the load balancer take every node out at once.
- 503 "unhealthy": the database is unreachable; this node cannot serve.
"""

import datetime
from typing import Any

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.models import Max
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from kombu import Connection
from kombu.exceptions import ChannelError

from hubdelivery.celery import app

# A node without these cannot answer a single page.
REQUIRED = ("database",)
FINE = ("ok", "eager")
# The outbox sweep runs every two minutes and beat records its runs every three.
BEAT_LATE_AFTER = datetime.timedelta(minutes=10)
WORKER_PING_SECONDS = 0.5


def database_check() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return "unreachable"
    return "ok"


def cache_check() -> str:
    """Redis itself, past the degrading backend's circuit; a per-process cache is always up."""
    reachable = getattr(cache, "reachable", None)
    if reachable is None:
        return "ok"
    return "ok" if reachable() else "unreachable"


def broker_checks() -> tuple[dict[str, str], dict[str, int] | None]:
    """The broker, the workers and the queue depths, over the Celery app's own connection
    (its configuration is the one this process publishes with)."""
    if not app.conf.broker_url:
        broker = "ok" if app.conf.task_always_eager else "unconfigured"
        return {"broker": broker, "workers": "eager"}, None
    try:
        with app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
            queues = queue_depths(broker)
            workers = workers_check(broker)
    except Exception:  # noqa: BLE001 - any transport error means the broker is down
        return {"broker": "unreachable", "workers": "unknown"}, None
    return {"broker": "ok", "workers": workers}, queues


def queue_depths(broker: Connection) -> dict[str, int]:
    channel = broker.default_channel
    return {queue.name: queue_depth(channel, queue.name) for queue in app.conf.task_queues}


def queue_depth(channel: Any, name: str) -> int:
    try:
        return channel.queue_declare(queue=name, passive=True).message_count
    except ChannelError:  # no worker declared it yet and nothing was ever sent to it
        return 0


def workers_check(broker: Connection) -> str:
    """Any worker answering a ping: the first answer ends the wait."""
    answers = app.control.ping(timeout=WORKER_PING_SECONDS, limit=1, connection=broker)
    return "ok" if answers else "none"


def beat_check() -> tuple[str, datetime.datetime | None]:
    """When beat last sent a periodic task, as its database scheduler records it."""
    if not app.conf.broker_url:
        return "eager", None
    from django_celery_beat.models import PeriodicTask

    last_run = PeriodicTask.objects.aggregate(last=Max("last_run_at"))["last"]
    if last_run is None:
        return "never", None
    return ("ok" if timezone.now() - last_run <= BEAT_LATE_AFTER else "late"), last_run


def health_report() -> tuple[str, dict[str, Any]]:
    checks = {"database": database_check(), "cache": cache_check()}
    broker, queues = broker_checks()
    checks |= broker
    beat, beat_last_run = ("unknown", None) if checks["database"] != "ok" else beat_check()
    checks["beat"] = beat
    if any(checks[name] != "ok" for name in REQUIRED):
        status = "unhealthy"
    else:
        status = "ok" if all(state in FINE for state in checks.values()) else "degraded"
    last = beat_last_run.isoformat() if beat_last_run else None
    return status, {"checks": checks, "queues": queues, "beat_last_run": last}


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    status, report = health_report()
    return JsonResponse({"status": status, **report}, status=503 if status == "unhealthy" else 200)
