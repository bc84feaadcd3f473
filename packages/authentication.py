"""REST API authentication for DSP systems: `Authorization: Bearer <key>`.

The key is looked up by its SHA-256 hash; revoked tokens, and rotated ones past their overlap
window, fail. The request's user is a `DspSystemUser`, which belongs to no group and is scoped
to its DSP by the selectors.
"""

import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from packages.models import DspApiToken
from packages.services.tokens import token_hash

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
