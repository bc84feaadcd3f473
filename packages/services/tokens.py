"""API tokens for DSP systems, created and revoked by ops admins."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from packages.models import Dsp, DspApiToken
from packages.services.common import ActorNotAllowed


def token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def dsp_token_create(*, actor: User | None, dsp: Dsp, label: str) -> tuple[DspApiToken, str]:
    """A new token and its key. The key is returned once and never stored."""
    if actor is not None and not actor.has_role(Role.OPS_ADMIN):
        raise ActorNotAllowed(_("Only ops admins create API tokens."))
    key = secrets.token_urlsafe(32)
    token = DspApiToken.objects.create(
        dsp=dsp, label=label, key_prefix=key[:8], key_hash=token_hash(key), created_by=actor
    )
    return token, key


@transaction.atomic
def dsp_token_revoke(*, actor: User, token: DspApiToken) -> DspApiToken:
    """Revoke the token at once; revoking twice changes nothing."""
    if not actor.has_role(Role.OPS_ADMIN):
        raise ActorNotAllowed(_("Only ops admins revoke API tokens."))
    token = DspApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
