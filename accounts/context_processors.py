from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.access import may_open
from accounts.roles import PARTNER_ROLES, Role

# (label, url name, roles that see it). Order is the order in the navigation bar.
NAVIGATION: list[tuple[Promise, str, frozenset[str]]] = [
    (_("Operations"), "partners:ops-home", frozenset({Role.OPS_REVIEWER, Role.OPS_ADMIN})),
    (_("Applications"), "partners:review-queue", frozenset({Role.OPS_REVIEWER, Role.OPS_ADMIN})),
    (_("Capacity"), "routing:ops-capacity", frozenset({Role.OPS_REVIEWER, Role.OPS_ADMIN})),
    (
        _("My business"),
        "partners:partner-home",
        frozenset({Role.PARTNER_OWNER, Role.PARTNER_STAFF}),
    ),
    (_("Route"), "routing:partner-route", frozenset({Role.PARTNER_OWNER, Role.PARTNER_STAFF})),
    (_("DSPs"), "packages:ops-dsps", frozenset({Role.OPS_ADMIN})),
    (_("My DSP"), "packages:dsp-home", frozenset({Role.DSP_MANAGER})),
    (_("Handoffs"), "packages:driver-home", frozenset({Role.DSP_DRIVER})),
    (_("Drop-off order"), "routing:driver-route", frozenset({Role.DSP_DRIVER})),
    (_("My application"), "partners:applicant-home", frozenset({Role.APPLICANT})),
]
# Items a later role replaces: an approved owner keeps the applicant role, but runs a partner.
SUPERSEDED_BY: dict[str, frozenset[str]] = {"partners:applicant-home": PARTNER_ROLES}


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [
        (label, url)
        for label, url, roles in NAVIGATION
        if user.roles & roles
        and not user.roles & SUPERSEDED_BY.get(url, frozenset())
        and may_open(user, url)
    ]
    return {"nav_items": items}
