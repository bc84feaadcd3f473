"""The installable phone app of partners and drivers (issue 19): its web manifests and the
service worker that keeps their pages and the outbox's scripts on the device.

What the worker may keep is decided here, in one place: the app shell (static files) and
the pages a partner or driver needs without a connection (PAGE_PATTERNS). Every other URL,
ops pages above all, goes to the network untouched. The pages are the signed-in user's own;
static/js/outbox.js drops them on log-out and when another user signs in on the device.
"""

import hashlib
import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from packages.context_processors import PHONE_APP_START, PHONE_APP_THEME_COLOR

# The app shell, fetched on install so a page opens offline with its styles and scripts.
SHELL_FILES = [
    "css/portal.css",
    "js/htmx.min.js",
    "js/scan.js",
    "js/outbox-core.js",
    "js/outbox.js",
    "vendor/idb/umd.js",
    "img/favicon.svg",
    "img/app-icon-192.png",
]
# Pages kept network-first for offline use (regular expressions on the path): the partner's
# today page, a handoff, a package's history, and the driver's home. Never /ops/.
PAGE_PATTERNS = [
    r"^/today/$",
    r"^/handoffs/$",
    r"^/handoffs/\d+/$",
    r"^/packages/[^/]+/$",
    r"^/driver/$",
]

# The page forms the worker keeps in the outbox when their request fails (a full-page post
# that never reached the server): path pattern -> the outbox type and what the group names.
ACTION_PATTERNS = [
    (r"^/packages/([^/]+)/deliver/$", "delivered", "tracking_id"),
    (r"^/packages/([^/]+)/attempt/$", "attempted", "tracking_id"),
    (r"^/packages/([^/]+)/undo/$", "delivery_undone", "tracking_id"),
    (r"^/handoffs/(\d+)/confirm/$", "handoff_confirm", "handoff"),
    (r"^/today/close/$", "day_close", ""),
]


@require_GET
def app_manifest(request: HttpRequest, role: str) -> JsonResponse:
    """The web manifest of one role's app. Browsers fetch it without the log-in cookie, so
    it names no user: the role is in the URL base.html links."""
    if role not in PHONE_APP_START:
        return JsonResponse({"detail": _("Not found.")}, status=404)
    icon = {"type": "image/png"}
    manifest = {
        "name": _("Hub Delivery Partner Portal"),
        "short_name": "Hub Delivery",
        "id": f"/?app={role}",
        "start_url": reverse(PHONE_APP_START[role]),
        "scope": "/",
        "display": "standalone",
        "theme_color": PHONE_APP_THEME_COLOR,
        "background_color": "#ffffff",
        "icons": [
            {**icon, "src": static("img/app-icon-192.png"), "sizes": "192x192"},
            {**icon, "src": static("img/app-icon-512.png"), "sizes": "512x512"},
            {
                **icon,
                "src": static("img/app-icon-maskable-512.png"),
                "sizes": "512x512",
                "purpose": "maskable",
            },
        ],
    }
    return JsonResponse(
        manifest, content_type="application/manifest+json", json_dumps_params={"indent": 1}
    )


@require_GET
@never_cache
def service_worker(request: HttpRequest) -> HttpResponse:
    """/sw.js at the site root, so its scope is the whole site; never cached by the HTTP
    cache, so a deploy's new worker (with new static file names) installs on the next visit."""
    shell = json.dumps(
        [static(name) for name in SHELL_FILES]
        + [f"{reverse('javascript-catalog')}?language={code}" for code, _name in settings.LANGUAGES]
    )
    context = {
        # The shell's file names carry their content hash in production: a deploy that
        # changes one names a new shell cache, and the worker drops the old one on activation.
        "cache_version": hashlib.sha256(shell.encode()).hexdigest()[:12],
        "shell": shell,
        "page_patterns": json.dumps(PAGE_PATTERNS),
        "action_patterns": json.dumps(ACTION_PATTERNS),
        "static_prefix": json.dumps(static("")),
        "idb_url": json.dumps(static("vendor/idb/umd.js")),
        "outbox_core_url": json.dumps(static("js/outbox-core.js")),
    }
    response = render(
        request, "packages/offline/sw.js", context, content_type="text/javascript; charset=utf-8"
    )
    response["Service-Worker-Allowed"] = "/"
    return response
