"""API keys for DSP systems: issued, rotated and revoked by ops admins (any DSP) and by the
DSP's own managers (their DSP). Only a hash of a key is stored; the key is returned once.
Every change is audited through packages/dsp_events.py."""

import datetime
import hashlib
import secrets

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from hubdelivery.exceptions import InvalidInput, InvalidTransition
from packages.access import dsp_manage_require
from packages.dsp_events import dsp_event_record
from packages.models import Dsp, DspApiToken, DspEventKind, TokenState

LABEL_MAX_LENGTH = DspApiToken._meta.get_field("label").max_length
REASON_MAX_LENGTH = 500


class RotationOverlap(models.TextChoices):
    """How long a rotated key keeps working next to its replacement."""

    HOUR = "1h", gettext_lazy("1 hour")
    DAY = "24h", gettext_lazy("24 hours")
    WEEK = "7d", gettext_lazy("7 days")


OVERLAP_WINDOWS = {
    RotationOverlap.HOUR: datetime.timedelta(hours=1),
    RotationOverlap.DAY: datetime.timedelta(hours=24),
    RotationOverlap.WEEK: datetime.timedelta(days=7),
}


def token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def label_clean(label: str) -> str:
    label = (label or "").strip()
    if not label:
        raise InvalidInput(_("Give the key a name."), field="label")
    if len(label) > LABEL_MAX_LENGTH:
        raise InvalidInput(
            _("Keep the name to %(max)d characters or fewer.") % {"max": LABEL_MAX_LENGTH},
            field="label",
        )
    return label


def reason_clean(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise InvalidInput(
            _("Keep the reason to %(max)d characters or fewer.") % {"max": REASON_MAX_LENGTH},
            field="reason",
        )
    return reason


def overlap_window(overlap: str) -> datetime.timedelta:
    if overlap not in RotationOverlap.values:
        raise InvalidInput(_("Choose how long the old key keeps working."), field="overlap")
    return OVERLAP_WINDOWS[RotationOverlap(overlap)]


def _token_issue(*, dsp: Dsp, label: str, actor: User | None) -> tuple[DspApiToken, str]:
    key = secrets.token_urlsafe(32)
    token = DspApiToken.objects.create(
        dsp=dsp, label=label, key_prefix=key[:8], key_hash=token_hash(key), created_by=actor
    )
    return token, key


@transaction.atomic
def dsp_token_create(*, actor: User | None, dsp: Dsp, label: str) -> tuple[DspApiToken, str]:
    """A new key named `label`, and the key itself: returned once and never stored.
    `actor` None is the system (the demo, tests' fixtures)."""
    if actor is not None:
        dsp_manage_require(actor=actor, dsp=dsp)
    token, key = _token_issue(dsp=dsp, label=label_clean(label), actor=actor)
    dsp_event_record(
        dsp=dsp,
        actor=actor,
        kind=DspEventKind.KEY_ISSUED,
        token=token,
        to_state=TokenState.ACTIVE,
        detail=f"{token.label} ({token.key_prefix}…)",
    )
    return token, key


def _token_lock(token: DspApiToken) -> DspApiToken:
    return DspApiToken.objects.select_for_update().select_related("dsp").get(pk=token.pk)


@transaction.atomic
def dsp_token_revoke(*, actor: User, token: DspApiToken, reason: str = "") -> DspApiToken:
    """Stop the key at once, even inside a rotation's window; revoking twice changes nothing."""
    dsp_manage_require(actor=actor, dsp=token.dsp)
    reason = reason_clean(reason)
    token = _token_lock(token)
    if token.revoked_at is not None:
        return token
    from_state = token.state
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    dsp_event_record(
        dsp=token.dsp,
        actor=actor,
        kind=DspEventKind.KEY_REVOKED,
        token=token,
        from_state=from_state,
        to_state=TokenState.REVOKED,
        detail=f"{token.label} ({token.key_prefix}…)",
        reason=reason,
    )
    return token


@transaction.atomic
def dsp_token_rotate(*, actor: User, token: DspApiToken, overlap: str) -> tuple[DspApiToken, str]:
    """Issue a replacement key with the same name; the old key keeps working until the
    overlap window ends, then authentication refuses it. Returns the new token and its key.

    Only an active key rotates: a rotated key already has its replacement.
    """
    dsp_manage_require(actor=actor, dsp=token.dsp)
    window = overlap_window(overlap)
    token = _token_lock(token)
    if token.state != TokenState.ACTIVE:
        raise InvalidTransition(
            _("Only an active key can be rotated; this one is %(state)s.")
            % {"state": TokenState(token.state).label.lower()}
        )
    new_token, key = _token_issue(dsp=token.dsp, label=token.label, actor=actor)
    dsp_event_record(
        dsp=token.dsp,
        actor=actor,
        kind=DspEventKind.KEY_ISSUED,
        token=new_token,
        to_state=TokenState.ACTIVE,
        detail=f"{new_token.label} ({new_token.key_prefix}…) replaces {token.key_prefix}…",
    )
    token.expires_at = timezone.now() + window
    token.replaced_by = new_token
    token.save(update_fields=["expires_at", "replaced_by"])
    dsp_event_record(
        dsp=token.dsp,
        actor=actor,
        kind=DspEventKind.KEY_ROTATED,
        token=token,
        from_state=TokenState.ACTIVE,
        to_state=TokenState.EXPIRING,
        detail=(
            f"{token.label} ({token.key_prefix}…) works until {token.expires_at.isoformat()}; "
            f"replaced by {new_token.key_prefix}…"
        ),
    )
    return new_token, key
