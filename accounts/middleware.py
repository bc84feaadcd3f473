from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

# Pages an ops user without an authenticator may still open: allauth (log-out, MFA set-up).
MFA_SETUP_ALLOWED_PREFIXES = ("/accounts/", "/static/", "/healthz")


def ops_mfa_exempt(user) -> bool:
    """Demo accounts skip MFA while DEBUG is on, so the demo opens without an authenticator app."""
    return settings.DEBUG and user.email.endswith("@demo.hub")


def ops_mfa_missing(user) -> bool:
    if not settings.OPS_MFA_REQUIRED or not user.is_authenticated or not user.is_ops:
        return False
    if ops_mfa_exempt(user):
        return False
    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class OpsMfaRequiredMiddleware:
    """Ops roles see applicants' documents and recipients' addresses: they must set up TOTP
    before any other page opens."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(MFA_SETUP_ALLOWED_PREFIXES) and ops_mfa_missing(
            request.user
        ):
            messages.warning(
                request, "Ops accounts need two-factor authentication. Set it up to continue."
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)
