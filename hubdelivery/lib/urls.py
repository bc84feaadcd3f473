"""Absolute links to the portal, for emails and anything else read away from a request.

Every one comes from settings.SITE_URL, never from the request's Host header or the Sites
table (which follows SITE_URL, see accounts.apps.site_sync).
"""

from urllib.parse import urlsplit, urlunsplit

from django.conf import settings


def site_url() -> str:
    """The portal's public origin, e.g. `https://portal.hubdelivery.com`, without a slash."""
    return settings.SITE_URL.rstrip("/")


def site_host() -> str:
    """SITE_URL's host (and port, if any): the Sites table's domain."""
    return urlsplit(settings.SITE_URL).netloc


def absolute_url(path: str) -> str:
    """`path` (from reverse(), starting with /) on the portal's public origin."""
    if not path.startswith("/"):
        raise ValueError(f"absolute_url takes a path starting with '/', not {path!r}.")
    return site_url() + path


def rebased_on_site(url: str) -> str:
    """`url` (absolute or a path) with SITE_URL's scheme and host: for links a library built
    from the request (allauth uses the Host header, `testserver` in tests)."""
    parts = urlsplit(url)
    return absolute_url(urlunsplit(("", "", parts.path or "/", parts.query, parts.fragment)))
