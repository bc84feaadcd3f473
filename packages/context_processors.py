"""Rules of the packages app that pages of lower apps state in words (the partners' training
page says how long an undo is possible); lower apps cannot import packages, so the words reach
their templates here. And which pages are part of the installable phone app (base.html)."""

from django.http import HttpRequest
from django.urls import reverse

from accounts.roles import PARTNER_ROLES, Role
from packages.services.deliveries import UNDO_WINDOW_TEXT

# Each phone app's start page (the manifest's start_url), by the role phone_app_role gives.
PHONE_APP_START = {"partner": "packages:today", "driver": "packages:driver-home"}
PHONE_APP_THEME_COLOR = "#084582"  # the favicon's blue


def delivery_rules(request: HttpRequest) -> dict[str, str]:
    return {"undo_window_text": UNDO_WINDOW_TEXT}


def phone_app_role(user) -> str | None:
    """Which phone app the user gets: "partner" for partner members, "driver" for DSP
    drivers, None for everyone else (ops, applicants, DSP managers), whose pages are never
    installed nor kept offline."""
    if not user or not user.is_authenticated:
        return None
    if user.roles & PARTNER_ROLES:
        return "partner"
    if Role.DSP_DRIVER in user.roles:
        return "driver"
    return None


def phone_app(request: HttpRequest) -> dict:
    """`phone_app` for base.html: the manifest to link, the pages to keep for offline use
    (the app's start page), and the user the outbox and the kept pages belong to."""
    role = phone_app_role(getattr(request, "user", None))
    if role is None:
        return {"phone_app": None}
    return {
        "phone_app": {
            "role": role,
            "manifest_url": reverse("packages:app-manifest", args=[role]),
            "start_url": reverse(PHONE_APP_START[role]),
            "user_id": request.user.pk,
            "theme_color": PHONE_APP_THEME_COLOR,
        }
    }
