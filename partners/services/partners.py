"""Partner lifecycle: the onboarding checklist, activation, pause, resume, offboarding and the
settings the owner may change. Every change writes a PartnerEvent."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.access import ops_require
from accounts.models import User
from hubdelivery.exceptions import DomainError, InvalidTransition
from hubdelivery.lib.dates import local_date
from partners.access import owner_require
from partners.agreement import AGREEMENT_LANGUAGES, AGREEMENT_ORIGINAL_LANGUAGE
from partners.events import partner_event_record
from partners.lock_objects import partner_lock
from partners.models import (
    MAX_DAILY_CAPACITY,
    MIN_DAILY_CAPACITY,
    DeliveryMode,
    Partner,
    PartnerEventKind,
    PartnerStatus,
)

OPS_STAFF_ONLY = _("Only ops staff can do this.")

ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    PartnerStatus.ONBOARDING: {PartnerStatus.ACTIVE, PartnerStatus.OFFBOARDED},
    PartnerStatus.ACTIVE: {PartnerStatus.PAUSED, PartnerStatus.OFFBOARDED},
    PartnerStatus.PAUSED: {PartnerStatus.ACTIVE, PartnerStatus.OFFBOARDED},
    PartnerStatus.OFFBOARDED: set(),
}

# (field, label, who ticks it) in the order the owner works through them.
CHECKLIST: list[tuple[str, str, str]] = [
    ("agreement_accepted_at", _("Program agreement accepted"), "owner"),
    ("training_completed_at", _("Training guide completed"), "owner"),
    ("storage_verified_at", _("Storage area verified by ops"), "ops"),
    ("first_handoff_at", _("First morning handoff done"), "ops"),
]
CHECKLIST_EVENT_KINDS: dict[str, PartnerEventKind] = {
    "agreement_accepted_at": PartnerEventKind.AGREEMENT_ACCEPTED,
    "training_completed_at": PartnerEventKind.TRAINING_COMPLETED,
    "storage_verified_at": PartnerEventKind.STORAGE_VERIFIED,
    "first_handoff_at": PartnerEventKind.FIRST_HANDOFF,
}


def checklist_items(partner: Partner) -> list[tuple[str, str, datetime.datetime | None]]:
    return [(field, label, getattr(partner, field)) for field, label, _ in CHECKLIST]


def partner_status_change(
    *,
    partner: Partner,
    actor: User | None,
    to_status: PartnerStatus,
    kind: PartnerEventKind,
    reason: str = "",
) -> Partner:
    """Move a locked partner to `to_status`. Call while holding the partner row lock."""
    if to_status not in ALLOWED_TRANSITIONS[partner.status]:
        raise InvalidTransition(
            gettext("A partner that is %(current)s cannot become %(target)s.")
            % {
                "current": partner.get_status_display().lower(),
                "target": PartnerStatus(to_status).label.lower(),
            }
        )
    from_status = partner.status
    partner.status = to_status
    partner.status_reason = reason
    fields = ["status", "status_reason"]
    if to_status == PartnerStatus.ACTIVE and partner.activated_at is None:
        partner.activated_at = timezone.now()
        fields.append("activated_at")
    if to_status != PartnerStatus.PAUSED and partner.paused_until is not None:
        partner.paused_until = None
        fields.append("paused_until")
    partner.save(update_fields=fields)
    partner_event_record(
        partner=partner, actor=actor, kind=kind, from_status=from_status, detail=reason
    )
    return partner


def partner_activate_if_checklist_done(*, partner: Partner, actor: User | None) -> Partner:
    """The last checklist item makes an onboarding partner active. Call holding the lock."""
    done = all(getattr(partner, field) for field, _, _ in CHECKLIST)
    if partner.status == PartnerStatus.ONBOARDING and done:
        partner_status_change(
            partner=partner,
            actor=actor,
            to_status=PartnerStatus.ACTIVE,
            kind=PartnerEventKind.ACTIVATED,
            reason="Onboarding checklist complete.",
        )
    return partner


def checklist_tick(*, partner_id: int, actor: User | None, field: str, detail: str) -> Partner:
    """Stamp one checklist item. Repeats are no-ops. Call inside a transaction."""
    partner = partner_lock(partner_id=partner_id)
    if getattr(partner, field) is not None:
        return partner
    if partner.status == PartnerStatus.OFFBOARDED:
        raise InvalidTransition(gettext("This partner has left the program."))
    setattr(partner, field, timezone.now())
    partner.save(update_fields=[field])
    partner_event_record(
        partner=partner, actor=actor, kind=CHECKLIST_EVENT_KINDS[field], detail=detail
    )
    return partner_activate_if_checklist_done(partner=partner, actor=actor)


@transaction.atomic
def partner_agreement_accept(
    *, partner: Partner, actor: User, version: str, language: str = AGREEMENT_ORIGINAL_LANGUAGE
) -> Partner:
    """Accept `version` of the agreement, read in `language` (one of AGREEMENT_LANGUAGES):
    every language's text of a version is the same agreement, so the partner records the
    version and the event says which text the owner was shown."""
    owner_require(actor=actor, partner=partner)
    if language not in AGREEMENT_LANGUAGES:
        raise DomainError(gettext("The agreement is not available in this language."))
    locked = partner_lock(partner_id=partner.pk)
    if locked.agreement_accepted_at and locked.agreement_version == version:
        return locked
    locked.agreement_version = version
    locked.agreement_accepted_at = None
    locked.save(update_fields=["agreement_version", "agreement_accepted_at"])
    return checklist_tick(
        partner_id=partner.pk,
        actor=actor,
        field="agreement_accepted_at",
        detail=f"Agreement version {version} accepted ({language} text).",
    )


@transaction.atomic
def partner_training_complete(*, partner: Partner, actor: User) -> Partner:
    owner_require(actor=actor, partner=partner)
    return checklist_tick(
        partner_id=partner.pk,
        actor=actor,
        field="training_completed_at",
        detail="Owner confirmed the training guide.",
    )


@transaction.atomic
def partner_storage_verify(*, partner: Partner, actor: User) -> Partner:
    ops_require(actor=actor, refusal=OPS_STAFF_ONLY)
    return checklist_tick(
        partner_id=partner.pk,
        actor=actor,
        field="storage_verified_at",
        detail="Storage area verified.",
    )


@transaction.atomic
def partner_first_handoff_record(*, partner: Partner, actor: User | None) -> Partner:
    """Stamp the first handoff: called when a morning handoff closes, or ticked by ops."""
    if actor is not None:
        ops_require(
            actor=actor, refusal=gettext("Only ops staff can tick the first handoff by hand.")
        )
    return checklist_tick(
        partner_id=partner.pk,
        actor=actor,
        field="first_handoff_at",
        detail="First morning handoff done.",
    )


@transaction.atomic
def partner_pause(
    *, partner: Partner, actor: User, reason: str, until: datetime.date | None = None
) -> Partner:
    ops_require(actor=actor, refusal=OPS_STAFF_ONLY)
    if not reason.strip():
        raise DomainError(gettext("Give a reason for the pause."))
    locked = partner_lock(partner_id=partner.pk)
    if locked.status == PartnerStatus.PAUSED:
        return locked
    if until is not None and until <= local_date(tz_name=locked.time_zone):
        raise DomainError(gettext("The pause must end after today."))
    detail = reason.strip() + (f" (until {until:%b %-d, %Y})" if until else "")
    partner_status_change(
        partner=locked,
        actor=actor,
        to_status=PartnerStatus.PAUSED,
        kind=PartnerEventKind.PAUSED,
        reason=detail,
    )
    locked.paused_until = until
    locked.save(update_fields=["paused_until"])
    return locked


@transaction.atomic
def partner_resume(*, partner: Partner, actor: User | None) -> Partner:
    """Resume a paused partner: by ops, or by the nightly sweep (`actor=None`) when due."""
    if actor is not None:
        ops_require(actor=actor, refusal=OPS_STAFF_ONLY)
    locked = partner_lock(partner_id=partner.pk)
    if locked.status == PartnerStatus.ACTIVE:
        return locked
    return partner_status_change(
        partner=locked, actor=actor, to_status=PartnerStatus.ACTIVE, kind=PartnerEventKind.RESUMED
    )


@transaction.atomic
def partner_offboard(*, partner: Partner, actor: User, reason: str) -> Partner:
    ops_require(actor=actor, refusal=OPS_STAFF_ONLY)
    if not reason.strip():
        raise DomainError(gettext("Give a reason for offboarding."))
    locked = partner_lock(partner_id=partner.pk)
    if locked.status == PartnerStatus.OFFBOARDED:
        return locked
    return partner_status_change(
        partner=locked,
        actor=actor,
        to_status=PartnerStatus.OFFBOARDED,
        kind=PartnerEventKind.OFFBOARDED,
        reason=reason.strip(),
    )


def partners_resume_due(*, now: datetime.datetime | None = None) -> list[int]:
    """Resume every paused partner whose pause has ended in its own time zone."""
    now = now or timezone.now()
    candidates = Partner.objects.filter(
        status=PartnerStatus.PAUSED, paused_until__isnull=False
    ).values_list("pk", "time_zone", "paused_until")
    resumed = []
    for partner_id, tz_name, paused_until in candidates:
        if local_date(tz_name=tz_name, at=now) >= paused_until:
            partner_resume(partner=Partner(pk=partner_id), actor=None)
            resumed.append(partner_id)
    return resumed


SETTINGS_LABELS = {
    "daily_capacity": "daily capacity",
    "storage_capacity": "storage capacity",
    "delivery_modes": "delivery modes",
    "opening_days": "opening days",
    "opens_at": "opens at",
    "closes_at": "closes at",
}


def settings_validate(values: dict) -> None:
    capacity = values["daily_capacity"]
    if not MIN_DAILY_CAPACITY <= capacity <= MAX_DAILY_CAPACITY:
        raise DomainError(
            gettext("Daily capacity must be between %(min)s and %(max)s.")
            % {"min": MIN_DAILY_CAPACITY, "max": MAX_DAILY_CAPACITY}
        )
    if values["storage_capacity"] < 1:
        raise DomainError(gettext("Storage capacity must be at least 1 package."))
    if not values["delivery_modes"] or not set(values["delivery_modes"]) <= set(
        DeliveryMode.values
    ):
        raise DomainError(gettext("Choose at least one delivery mode."))
    opens, closes = values["opens_at"], values["closes_at"]
    if opens and closes and closes <= opens:
        raise DomainError(gettext("Closing time must be after opening time."))


@transaction.atomic
def partner_settings_update(*, partner: Partner, actor: User, **values) -> Partner:
    """Change the owner-editable settings; writes one event listing what changed."""
    owner_require(actor=actor, partner=partner)
    settings_validate(values)
    locked = partner_lock(partner_id=partner.pk)
    changes = [
        (field, getattr(locked, field), value)
        for field, value in values.items()
        if getattr(locked, field) != value
    ]
    if not changes:
        return locked
    for field, _old, value in changes:
        setattr(locked, field, value)
    locked.save(update_fields=[field for field, _old, _new in changes])
    detail = "; ".join(f"{SETTINGS_LABELS[f]}: {old} → {new}" for f, old, new in changes)
    partner_event_record(
        partner=locked, actor=actor, kind=PartnerEventKind.SETTINGS_CHANGED, detail=detail
    )
    return locked
