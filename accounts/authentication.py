"""REST API authentication for people: user tokens and the browser session.

Ops roles read every package with recipients' names and addresses. In the browser they must
pass two-factor authentication (accounts.middleware.OpsMfaRequiredMiddleware); a user token
proves no second factor, so an ops account's token is refused. DSP system keys
(packages.authentication.DspTokenAuthentication) belong to no person and are unaffected.
"""

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

OPS_REFUSAL_DETAIL = _(
    "Ops accounts cannot use API tokens: a token carries no second factor. Use the portal "
    "in your browser, signed in with two-factor authentication."
)


class UserTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>` for partners and drivers; never for ops roles (401)."""

    def authenticate_credentials(self, key):  # type: ignore[no-untyped-def]
        user, token = super().authenticate_credentials(key)
        if user.is_ops:
            raise exceptions.AuthenticationFailed(OPS_REFUSAL_DETAIL, code="ops_refused")
        # The session's users get their saved language in UserLanguageMiddleware; a token's
        # user is known only here, so the API answers them in it from here on.
        if user.language:
            translation.activate(user.language)
        return user, token
