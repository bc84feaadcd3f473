"""Response headers Django's SecurityMiddleware does not set: Permissions-Policy, and
no-store on everything personal."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

API_PREFIX = "/api/"


class PermissionsPolicyMiddleware:
    """Sends settings.PERMISSIONS_POLICY as the Permissions-Policy header on every response
    (the camera for the scanner on our own pages, nothing else), unless a view set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


def response_is_private(request: HttpRequest) -> bool:
    """Whether the response may hold personal data: everything a signed-in user sees, and
    every API answer (a token's user is known only inside DRF)."""
    user = getattr(request, "user", None)  # absent when an outer middleware answered
    return request.path.startswith(API_PREFIX) or bool(user and user.is_authenticated)


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every private response (response_is_private).

    Shops share devices: a page, photo or CSV with a recipient's name and address must not
    stay in the browser's cache for the next person at the counter. A response that already
    says no-store is left alone; any other caching a view asked for (a photo's `private,
    max-age=3600`) is overridden, because no view may keep personal data on a device. Public
    pages for anonymous visitors (the landing page) and static files stay cacheable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response_is_private(request) and "no-store" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
        return response
