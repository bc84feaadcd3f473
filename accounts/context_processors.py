from django.http import HttpRequest

from accounts.roles import Role

# (label, url name, roles that see it). Order is the order in the navigation bar.
NAVIGATION: list[tuple[str, str, frozenset[str]]] = [
    ("Operations", "partners:ops-home", frozenset({Role.OPS_REVIEWER, Role.OPS_ADMIN})),
    ("Applications", "partners:review-queue", frozenset({Role.OPS_REVIEWER, Role.OPS_ADMIN})),
    ("Capacity", "routing:ops-capacity", frozenset({Role.OPS_REVIEWER, Role.OPS_ADMIN})),
    ("My business", "partners:partner-home", frozenset({Role.PARTNER_OWNER, Role.PARTNER_STAFF})),
    ("Route", "routing:partner-route", frozenset({Role.PARTNER_OWNER, Role.PARTNER_STAFF})),
    ("DSPs", "packages:ops-dsps", frozenset({Role.OPS_ADMIN})),
    ("My DSP", "packages:dsp-home", frozenset({Role.DSP_MANAGER})),
    ("Handoffs", "packages:driver-home", frozenset({Role.DSP_DRIVER})),
    ("Drop-off order", "routing:driver-route", frozenset({Role.DSP_DRIVER})),
    ("My application", "partners:applicant-home", frozenset({Role.APPLICANT})),
]


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [(label, url) for label, url, roles in NAVIGATION if user.roles & roles]
    return {"nav_items": items}
