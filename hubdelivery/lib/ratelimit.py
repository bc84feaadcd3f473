"""Rate limits for the portal's own public forms, on allauth's cache-backed limiter (the same
one that guards log-in and sign-up), configured in settings.PORTAL_RATE_LIMITS.

The counters live in the default cache: Redis when REDIS_CACHE_URL is set (shared by every web
process), per-process memory otherwise. Over the limit, the view answers allauth's 429 page
(templates/429.html).

FAULT_POLICIES says what each limit (allauth's, the portal's and the API throttles) does while
the cache cannot be reached; hubdelivery.lib.cache.DegradingRedisCache applies it.
"""

import logging
import time
from collections.abc import Callable
from enum import StrEnum
from functools import wraps

from allauth.core.internal import ratelimit as allauth_ratelimit
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

APP = "hubdelivery"
logger = logging.getLogger(__name__)


class FaultPolicy(StrEnum):
    """What a rate limit does while the cache (Redis) is unreachable."""

    OPEN = "open"  # allow every request and count nothing
    LOCAL = "local"  # count in this process's memory: the limit holds per process, not in total
    CLOSED = "closed"  # refuse every request (429) until the cache is back


# One row per limit, and why. The names are allauth's actions (allauth.account.app_settings
# .RATE_LIMITS, our ACCOUNT_RATE_LIMITS on top), the portal's (settings.PORTAL_RATE_LIMITS) and
# the API throttles' scopes ("api:<scope>", settings.REST_FRAMEWORK). CLOSED works through the
# limiter's lock (allauth's limiter refuses when it cannot take it); DRF's throttles take no
# lock, so an API scope is OPEN or LOCAL. tests/faults/test_cache_down.py proves each kind.
FAULT_POLICIES: dict[str, FaultPolicy] = {
    # Log-in must keep working; the passwords stay guarded by login_failed below.
    "login": FaultPolicy.OPEN,
    # The brute-force guard on passwords: never off, and refusing would lock everyone out.
    "login_failed": FaultPolicy.LOCAL,
    # Sign-up must keep working; each account still has to confirm its email address.
    "signup": FaultPolicy.OPEN,
    # The cooldown on re-sending the confirmation: closed would silently drop the first email.
    "confirm_email": FaultPolicy.LOCAL,
    # These send an email or text to an address the requester names: open would let anyone
    # bomb a stranger's inbox through us. The user retries once the cache is back.
    "reset_password": FaultPolicy.CLOSED,
    "request_login_code": FaultPolicy.CLOSED,
    "manage_email": FaultPolicy.CLOSED,
    "change_phone": FaultPolicy.CLOSED,
    "verify_phone": FaultPolicy.CLOSED,
    # Password or key checks by someone already holding a session or a link: keep a bound.
    "reset_password_from_key": FaultPolicy.LOCAL,
    "change_password": FaultPolicy.LOCAL,
    "reauthenticate": FaultPolicy.LOCAL,
    "webauthn_login": FaultPolicy.LOCAL,
    # The public landing page's ZIP lookup: read-only and cheap, the page must keep working.
    "eligibility_check": FaultPolicy.OPEN,
    # Anonymous input written to the database: keep the spam bound.
    "waitlist_join": FaultPolicy.LOCAL,
    # A signed-in applicant saving their own draft: nothing to abuse beyond their own row.
    "application_save": FaultPolicy.OPEN,
    # DSP systems and partners keep working; a runaway client is still bounded per process.
    "api:user": FaultPolicy.LOCAL,
    "api:anon": FaultPolicy.LOCAL,
}
# A limit added without a row is bounded per process until someone decides.
DEFAULT_FAULT_POLICY = FaultPolicy.LOCAL
WARNING_INTERVAL_SECONDS = 60
_last_warned: dict[str, float] = {}


def limit_name_for_cache_key(key: str) -> str | None:
    """The limit a cache key counts for: allauth's "allauth:rl:<app>:<action>:<rate>:..." and
    DRF's "throttle_<scope>_<ident>"; None for any other key (a plain cached value)."""
    if key.startswith("allauth:rl:"):
        return key.split(":")[3]
    if key.startswith("throttle_"):
        return "api:" + key.removeprefix("throttle_").split("_", 1)[0]
    return None


def fault_policy_for(limit: str) -> FaultPolicy:
    return FAULT_POLICIES.get(limit, DEFAULT_FAULT_POLICY)


def fault_policy_apply_logged(limit: str) -> FaultPolicy:
    """The limit's policy, with a warning naming it (at most once a minute per limit)."""
    policy = fault_policy_for(limit)
    warning_log_throttled(
        limit, "Cache unreachable: rate limit %s runs with fault policy %s", limit, policy
    )
    return policy


def warning_log_throttled(topic: str, message: str, *args: object) -> None:
    """Log a warning at most once a minute per topic and process, so an outage is visible
    without a line per request."""
    now = time.monotonic()
    if now - _last_warned.get(topic, -WARNING_INTERVAL_SECONDS) >= WARNING_INTERVAL_SECONDS:
        _last_warned[topic] = now
        logger.warning(message, *args)


def rate_limited(*, action: str, limit_get: bool) -> Callable:
    """Count each request against settings.PORTAL_RATE_LIMITS[action] ("30/m/ip,..."), before
    the view runs; a GET counts only with limit_get. A per-user rate needs a logged-in user,
    so put this decorator inside the log-in check."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            refused = allauth_ratelimit.consume_or_429(
                request,
                app=APP,
                action=action,
                config=settings.PORTAL_RATE_LIMITS,
                limit_get=limit_get,
            )
            return refused or view(request, *args, **kwargs)

        return wrapper

    return decorator


def too_many_requests(request: HttpRequest) -> HttpResponse:
    """The 429 answer for every rate limit (allauth's included: hubdelivery.urls.handler429).
    htmx requests get the message as a fragment, which base.html's htmx-config swaps in."""
    template = "snippets/429.html" if request.headers.get("HX-Request") else "429.html"
    return render(request, template, status=429)
