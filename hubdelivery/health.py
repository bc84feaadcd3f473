"""/healthz: what this web node depends on, and whether it can serve.

Answers {"status": ..., "checks": {"database": ..., "cache": ..., "broker": ...}}, each check
"ok" or what is wrong ("unreachable", "unconfigured"):
- 200 "ok": everything is up.
- 200 "degraded": the cache or the broker is down. The node still serves: rate limits follow
  their fault policies (hubdelivery.lib.ratelimit) and emails wait in the outbox
  (accounts.emails). Both are shared by every node, so a 503 here would make the load
  balancer take every node out at once.
- 503 "unhealthy": the database is unreachable; this node cannot serve.
"""

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from kombu import Connection

# A node without these cannot answer a single page.
REQUIRED = ("database",)


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


def broker_check() -> str:
    if not settings.CELERY_BROKER_URL:
        return "ok" if settings.CELERY_TASK_ALWAYS_EAGER else "unconfigured"
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as broker:
            broker.ensure_connection(max_retries=1)
    except Exception:  # noqa: BLE001 - any transport error means the broker is down
        return "unreachable"
    return "ok"


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": database_check(), "cache": cache_check(), "broker": broker_check()}
    if any(checks[name] != "ok" for name in REQUIRED):
        return JsonResponse({"status": "unhealthy", "checks": checks}, status=503)
    degraded = any(state != "ok" for state in checks.values())
    return JsonResponse({"status": "degraded" if degraded else "ok", "checks": checks})
