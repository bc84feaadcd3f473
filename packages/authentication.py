"""REST API authentication for DSP systems (`Authorization: Bearer <key>`), and the people's
token check that knows about drivers (`Authorization: Token <key>`).

The key is looked up by its SHA-256 hash; revoked tokens, and rotated ones past their overlap
window, fail. The request's user is a `DspSystemUser`, which belongs to no group and is scoped
to its DSP by the selectors.
"""

import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from accounts.authentication import UserTokenAuthentication
from packages.models import Driver, DspApiToken
from packages.services.tokens import token_hash
from partners.selectors.partners import membership_current_for

LAST_USED_RESOLUTION = datetime.timedelta(minutes=5)


class DspSystemUser:
    """`request.user` for a DSP token: authenticated, no roles, one DSP."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    is_ops = False
    email = ""
    roles: frozenset[str] = frozenset()

    def __init__(self, token: DspApiToken) -> None:
        self.token = token
        self.dsp_id = token.dsp_id
        # Throttling keys on the pk; a prefix keeps it apart from real users' ids.
        self.pk = self.id = f"dsp-token-{token.pk}"

    def __str__(self) -> str:
        return str(self.token)

    @property
    def full_name(self) -> str:
        """The DSP, the token's label and its key prefix, e.g. for `/api/v1/me`."""
        return str(self.token)

    def has_role(self, role: str) -> bool:
        return False


class DspTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[DspSystemUser, DspApiToken] | None:
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Send 'Authorization: Bearer <key>'."))
        try:
            key = parts[1].decode()
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed(_("The key has invalid characters.")) from error
        now = timezone.now()
        token = (
            DspApiToken.objects.select_related("dsp")
            .filter(key_hash=token_hash(key), revoked_at__isnull=True)
            # A deactivated DSP's keys stop with it.
            .filter(dsp__deactivated_at__isnull=True)
            # A rotated key works until its overlap window ends.
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            DspApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return DspSystemUser(token), token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


STOPPED_DRIVER_DETAIL = gettext_lazy(
    "Your driver access was stopped (removed from the DSP, or the DSP is deactivated)."
)


class PersonTokenAuthentication(UserTokenAuthentication):
    """A person's token (never an ops account's, see UserTokenAuthentication); a stopped
    driver's token fails everywhere, `/api/v1/me` included (401), unless the person works for
    a partner now. Removal keeps the token row, so a reactivated DSP's drivers get it back."""

    def authenticate_credentials(self, key):  # type: ignore[no-untyped-def]
        user, token = super().authenticate_credentials(key)
        if (
            Driver.objects.stopped().filter(user=user).exists()
            and membership_current_for(user=user) is None
        ):
            raise exceptions.AuthenticationFailed(STOPPED_DRIVER_DETAIL, code="driver_stopped")
        return user, token
