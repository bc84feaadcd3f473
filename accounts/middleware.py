from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

# Pages an ops user without an authenticator may still open: allauth (log-out, MFA set-up).
MFA_SETUP_ALLOWED_PREFIXES = ("/accounts/", "/static/", "/healthz")
# Where allauth adds and removes authenticators: a request there forgets the cached answer.
MFA_MANAGE_PREFIX = "/accounts/"
# The id of the user whose TOTP authenticator this session has seen: the middleware asks the
# database once per session, not on every request.
MFA_SEEN_SESSION_KEY = "ops_mfa_seen_for"
API_PREFIX = "/api/"
MFA_MISSING_API_DETAIL = _(
    "Ops accounts need two-factor authentication. Set it up in the portal (setup_url) "
    "before using the API."
)


def ops_mfa_exempt(user) -> bool:
    """Demo accounts skip MFA while DEBUG is on, so the demo opens without an authenticator app."""
    return settings.DEBUG and user.email.endswith("@demo.hub")


def ops_mfa_missing(request: HttpRequest) -> bool:
    """An ops user without a TOTP authenticator. The roles are the user's, read once per
    request (User.roles); an authenticator once seen is remembered in the session."""
    user = request.user
    if not settings.OPS_MFA_REQUIRED or not user.is_authenticated or not user.is_ops:
        return False
    if ops_mfa_exempt(user) or request.session.get(MFA_SEEN_SESSION_KEY) == user.pk:
        return False
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        return True
    request.session[MFA_SEEN_SESSION_KEY] = user.pk
    return False


class OpsMfaRequiredMiddleware:
    """Ops roles see applicants' documents and recipients' addresses: they must set up TOTP
    before any other page opens. The API, reached with the same browser session, answers 403
    JSON instead of the redirect (user tokens of ops roles are refused outright, see
    accounts.authentication)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(MFA_MANAGE_PREFIX):
            # The authenticator may be removed here: ask the database again afterwards.
            request.session.pop(MFA_SEEN_SESSION_KEY, None)
        if not request.path.startswith(MFA_SETUP_ALLOWED_PREFIXES) and ops_mfa_missing(request):
            if request.path.startswith(API_PREFIX):
                body = {
                    "detail": MFA_MISSING_API_DETAIL,
                    "code": "mfa_required",
                    "setup_url": reverse("mfa_activate_totp"),
                }
                return JsonResponse(body, status=403)
            messages.warning(
                request, _("Ops accounts need two-factor authentication. Set it up to continue.")
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)


class UserLanguageMiddleware:
    """A signed-in user's saved language (User.language) wins over the one LocaleMiddleware
    chose from the cookie or Accept-Language. Sits after AuthenticationMiddleware; reading
    the preference costs no query, the user row is loaded for every request anyway
    (hubdelivery.middleware.NoStoreMiddleware reads it)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = user_language(request.user)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


def user_language(user) -> str:
    """The user's saved language code, "" when anonymous or following the browser."""
    return (user.language if user.is_authenticated else "") or ""
