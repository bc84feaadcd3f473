"""A handoff's end: each side confirms, and the second confirmation closes it with its final
counts (expected packages never scanned become missing; a partner's first closed drop-off
ticks its onboarding checklist)."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from hubdelivery.exceptions import InvalidTransition
from packages import lock_objects
from packages.access import handoff_lock_for
from packages.events import package_event_record, package_events_record
from packages.models import (
    Handoff,
    HandoffDirection,
    HandoffItem,
    HandoffOutcome,
    HandoffStatus,
    PackageEvent,
    PackageEventType,
    PackageStatus,
)
from packages.selectors import handoff_expected_packages
from packages.services.common import event_replay, idempotent, packages_transition
from packages.services.handoff_state import handoff_count_add
from partners.lock_objects import partners_lock
from partners.services.partners import partner_first_handoff_record


@idempotent
def handoff_confirm(
    *,
    actor: User,
    handoff: Handoff,
    idempotency_key: str,
    device_time: datetime.datetime | None = None,
) -> PackageEvent:
    """Confirm the handoff for the actor's side (driver or partner). When both sides have
    confirmed, the handoff closes: expected packages never scanned count as missing.

    The partner's row is locked before the handoff's (packages.lock_objects' order): closing
    a first drop-off writes the partner, and a sync batch holds the partner while it waits
    for the handoff."""
    partners_lock(partner_ids=[handoff.partner_id])
    turn = handoff_lock_for(actor=actor, handoff_id=handoff.pk)
    handoff, side = turn.handoff, turn.side
    confirmed_at_field = f"{side}_confirmed_at"
    if getattr(handoff, confirmed_at_field) is not None:
        return event_replay(
            PackageEvent.objects.filter(
                handoff=handoff,
                event_type=PackageEventType.HANDOFF_CONFIRMED,
                detail__side=side,
            ).earliest("received_at")
        )
    if handoff.status != HandoffStatus.OPEN:
        raise InvalidTransition(_("This handoff is already closed."))
    now = timezone.now()
    setattr(handoff, confirmed_at_field, now)
    setattr(handoff, f"{side}_confirmed_by", actor)
    handoff.save(update_fields=[confirmed_at_field, f"{side}_confirmed_by"])
    event = package_event_record(
        actor=actor,
        event_type=PackageEventType.HANDOFF_CONFIRMED,
        idempotency_key=idempotency_key,
        handoff=handoff,
        from_status=HandoffStatus.OPEN,
        to_status=HandoffStatus.OPEN,
        device_time=device_time,
        detail={"side": side},
    )
    if handoff.driver_confirmed_at and handoff.partner_confirmed_at:
        _handoff_close(handoff=handoff, actor=actor, idempotency_key=idempotency_key)
    return event


def _handoff_close(*, handoff: Handoff, actor: User, idempotency_key: str) -> None:
    """Close the locked handoff with its final counts.

    1. Drop-off: every expected package without an item becomes missing (one event each).
       Return: what was not handed back stays with the partner and counts as missing.
    2. Status closed, counts saved, a closing event with the counts.
    3. The partner's first closed drop-off ticks its onboarding checklist.
    """
    now = timezone.now()
    if handoff.direction == HandoffDirection.DROP_OFF:
        _unscanned_mark_missing(handoff=handoff, actor=actor, idempotency_key=idempotency_key)
        handoff.refresh_from_db(fields=["missing"])
    else:
        handoff.missing = max(handoff.expected - handoff.received, 0)
    handoff.status, handoff.closed_at = HandoffStatus.CLOSED, now
    handoff.save(update_fields=["status", "closed_at", "missing"])
    package_event_record(
        actor=actor,
        event_type=PackageEventType.HANDOFF_CLOSED,
        idempotency_key=f"{idempotency_key}:closed",
        handoff=handoff,
        from_status=HandoffStatus.OPEN,
        to_status=HandoffStatus.CLOSED,
        detail={field: getattr(handoff, field) for field in Handoff.count_fields()},
    )
    if handoff.direction == HandoffDirection.DROP_OFF:
        _first_handoff_record(handoff=handoff)


def _unscanned_mark_missing(*, handoff: Handoff, actor: User, idempotency_key: str) -> None:
    """Every expected package without an item becomes missing: one UPDATE, one INSERT of
    items and one of events, whatever the number of packages."""
    unscanned = list(
        lock_objects.package_qs_select_for_update().filter(
            pk__in=handoff_expected_packages(handoff=handoff)
            .exclude(handoff_items__handoff=handoff)
            .values("pk")
        )
    )
    if not unscanned:
        return
    from_statuses = packages_transition(packages=unscanned, to_status=PackageStatus.MISSING)
    HandoffItem.objects.bulk_create(
        HandoffItem(
            handoff=handoff,
            package=package,
            tracking_id=package.tracking_id,
            outcome=HandoffOutcome.MISSING,
            scanned_by=actor,
            scanned_at=package.status_changed_at,
        )
        for package in unscanned
    )
    package_events_record(
        events=[
            {
                "actor": actor,
                "event_type": PackageEventType.MISSING,
                "idempotency_key": f"{idempotency_key}:missing:{package.pk}",
                "package": package,
                "handoff": handoff,
                "from_status": from_status,
                "to_status": PackageStatus.MISSING,
                "detail": {"why": "not scanned before the handoff closed"},
            }
            for package, from_status in zip(unscanned, from_statuses, strict=True)
        ]
    )
    handoff_count_add(handoff=handoff, missing=len(unscanned))


def _first_handoff_record(*, handoff: Handoff) -> None:
    """The partner's first closed drop-off ticks its onboarding checklist (a no-op after)."""
    if handoff.partner.first_handoff_at is None:
        partner_first_handoff_record(partner=handoff.partner, actor=None)
