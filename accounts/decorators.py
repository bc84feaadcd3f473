"""The view decorators: every page's role gate, in one module.

A decorator only checks the role (Django groups); whose object it is stays with the
selector (404) and the service's `*_require` check (403).
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from accounts.roles import OPS_ROLES, PARTNER_ROLES, Role


def role_required(*roles: Role) -> Callable:
    """Log-in required, then 403 unless the user holds one of `roles`."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.roles & set(roles):
                raise PermissionDenied(_("Your role does not give access to this page."))
            return view(request, *args, **kwargs)

        gate = login_required(wrapper)
        gate.allowed_roles = frozenset(roles)  # read by accounts.access.may_open
        return gate

    return decorator


ops_required = role_required(*OPS_ROLES)
ops_admin_required = role_required(Role.OPS_ADMIN)
partner_member_required = role_required(*PARTNER_ROLES)
partner_owner_required = role_required(Role.PARTNER_OWNER)
applicant_required = role_required(Role.APPLICANT)
driver_required = role_required(Role.DSP_DRIVER)
handoff_people_required = role_required(Role.DSP_DRIVER, *PARTNER_ROLES)
