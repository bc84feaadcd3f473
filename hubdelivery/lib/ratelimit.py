"""Rate limits for the portal's own public forms, on allauth's cache-backed limiter (the same
one that guards log-in and sign-up), configured in settings.PORTAL_RATE_LIMITS.

The counters live in the default cache: Redis when REDIS_CACHE_URL is set (shared by every web
process), per-process memory otherwise. Over the limit, the view answers allauth's 429 page
(templates/429.html).
"""

from collections.abc import Callable
from functools import wraps

from allauth.core.internal import ratelimit as allauth_ratelimit
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

APP = "hubdelivery"


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
