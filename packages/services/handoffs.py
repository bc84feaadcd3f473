"""Handoffs: the morning drop-off (DSP driver -> partner) and the return (partner -> driver).

Each function is one action, atomic, and writes its PackageEvent. Custody of a package passes
to the partner when it is scanned in, and back to the DSP when it is scanned at a return.
"""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from hubdelivery.exceptions import DomainError, InvalidTransition
from packages import lock_objects
from packages.models import (
    Dsp,
    Handoff,
    HandoffDirection,
    HandoffItem,
    HandoffOutcome,
    HandoffStatus,
    Package,
    PackageEvent,
    PackageEventType,
    PackageStatus,
)
from packages.selectors import handoff_expected_packages
from packages.services.common import (
    RECEIVING_PARTNER_STATUSES,
    ActorNotAllowed,
    driver_get,
    event_record,
    event_replay,
    handoff_side_require,
    idempotent,
    member_get,
    package_transition,
    tracking_id_clean,
)
from partners.models import Partner
from partners.services.partners import partner_first_handoff_record

# What a drop-off expects: packages the DSP listed and has not yet handed over.
DROP_OFF_SOURCE_STATUSES = (PackageStatus.MANIFESTED, PackageStatus.MISSING)


def _open_handoff_require(*, handoff_id: int, direction: str) -> Handoff:
    """Lock the handoff and check that it is open and goes the right way."""
    handoff = lock_objects.handoff_lock(handoff_id=handoff_id)
    if handoff.status != HandoffStatus.OPEN:
        raise InvalidTransition("This handoff is closed; open a new one to scan more packages.")
    if handoff.direction != direction:
        raise DomainError(
            f"This is a {handoff.get_direction_display().lower()} handoff; "
            f"use a {HandoffDirection(direction).label.lower()} handoff for this scan."
        )
    return handoff


def _count_add(*, handoff: Handoff, **deltas: int) -> None:
    """Adjust the counters of the handoff, which the caller has locked (so the values it read
    are current, and the instance stays right for the answer)."""
    for field, delta in deltas.items():
        setattr(handoff, field, getattr(handoff, field) + delta)
    handoff.save(update_fields=list(deltas))


def _item_event(*, handoff: Handoff, tracking_id: str) -> PackageEvent | None:
    """The event that recorded the current outcome of `tracking_id` at `handoff`."""
    return (
        PackageEvent.objects.filter(handoff=handoff, tracking_id=tracking_id)
        .exclude(event_type__startswith="handoff_")
        .order_by("-received_at", "-id")
        .first()
    )


@idempotent
def handoff_open(
    *,
    actor: User,
    partner: Partner,
    dsp: Dsp,
    direction: str,
    service_date: datetime.date,
    idempotency_key: str,
    device_time: datetime.datetime | None = None,
) -> PackageEvent:
    """Open the partner's handoff with `dsp` for the date, or answer with the one already open.

    The driver or a member of the partner opens it; `expected` counts what should change hands.
    """
    driver = driver_get(actor=actor, dsp=dsp)
    if driver is None and member_get(actor=actor, partner=partner) is None:
        raise ActorNotAllowed("Only the DSP's drivers and the partner's members open a handoff.")
    if partner.status not in RECEIVING_PARTNER_STATUSES:
        raise DomainError(f"{partner} is {partner.get_status_display().lower()}; no handoffs.")
    already_open = Handoff.objects.filter(
        partner=partner, direction=direction, service_date=service_date, status="open"
    ).first()
    if already_open is None:
        try:
            # The unique "one open handoff" constraint settles two simultaneous opens.
            with transaction.atomic():
                handoff = Handoff.objects.create(
                    partner=partner,
                    dsp=dsp,
                    driver=driver,
                    direction=direction,
                    service_date=service_date,
                    opened_by=actor,
                    opened_at=timezone.now(),
                )
        except IntegrityError:
            already_open = Handoff.objects.get(
                partner=partner, direction=direction, service_date=service_date, status="open"
            )
    if already_open is not None:
        if already_open.dsp_id != dsp.pk:
            raise DomainError(f"{partner} already has an open handoff with {already_open.dsp}.")
        return event_replay(
            PackageEvent.objects.get(
                handoff=already_open, event_type=PackageEventType.HANDOFF_OPENED
            )
        )
    handoff.expected = handoff_expected_packages(handoff=handoff).count()
    handoff.save(update_fields=["expected"])
    return event_record(
        actor=actor,
        event_type=PackageEventType.HANDOFF_OPENED,
        idempotency_key=idempotency_key,
        handoff=handoff,
        to_status=HandoffStatus.OPEN,
        device_time=device_time,
        detail={"direction": direction, "expected": handoff.expected},
    )


@idempotent
def package_receive(
    *,
    actor: User,
    handoff: Handoff,
    tracking_id: str,
    idempotency_key: str,
    device_time: datetime.datetime | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
) -> PackageEvent:
    """Scan a package in at an open drop-off. A label not expected here is recorded as
    unexpected; a second scan of the same label answers with the first scan's event."""
    handoff = _open_handoff_require(handoff_id=handoff.pk, direction=HandoffDirection.DROP_OFF)
    handoff_side_require(actor=actor, handoff=handoff)
    tracking_id = tracking_id_clean(tracking_id)
    item = HandoffItem.objects.filter(handoff=handoff, tracking_id=tracking_id).first()
    if item is not None and item.outcome != HandoffOutcome.MISSING:
        return event_replay(_item_event(handoff=handoff, tracking_id=tracking_id))
    # Found and locked in one statement (after the handoff, the lock order).
    package = (
        lock_objects.package_qs_select_for_update()
        .select_related("partner")
        .filter(
            tracking_id=tracking_id,
            partner_id=handoff.partner_id,
            dsp_id=handoff.dsp_id,
            status__in=DROP_OFF_SOURCE_STATUSES,
        )
        .first()
    )
    place = {"device_time": device_time, "latitude": latitude, "longitude": longitude}
    if package is None:
        HandoffItem.objects.create(
            handoff=handoff,
            tracking_id=tracking_id,
            outcome=HandoffOutcome.UNEXPECTED,
            scanned_by=actor,
            scanned_at=timezone.now(),
        )
        _count_add(handoff=handoff, unexpected=1)
        return event_record(
            actor=actor,
            event_type=PackageEventType.UNEXPECTED,
            idempotency_key=idempotency_key,
            tracking_id=tracking_id,
            handoff=handoff,
            **place,
        )
    from_status = package_transition(package=package, to_status=PackageStatus.RECEIVED)
    if item is None:
        HandoffItem.objects.create(
            handoff=handoff,
            package=package,
            tracking_id=tracking_id,
            outcome=HandoffOutcome.RECEIVED,
            scanned_by=actor,
            scanned_at=timezone.now(),
        )
        _count_add(handoff=handoff, received=1)
    else:  # marked missing earlier, found after all
        item.outcome = HandoffOutcome.RECEIVED
        item.scanned_by, item.scanned_at = actor, timezone.now()
        item.save(update_fields=["outcome", "scanned_by", "scanned_at"])
        _count_add(handoff=handoff, received=1, missing=-1)
    return event_record(
        actor=actor,
        event_type=PackageEventType.RECEIVED,
        idempotency_key=idempotency_key,
        package=package,
        handoff=handoff,
        from_status=from_status,
        to_status=PackageStatus.RECEIVED,
        **place,
    )


def _drop_off_package_lock(*, handoff: Handoff, tracking_id: str) -> Package:
    package = Package.objects.filter(
        tracking_id=tracking_id_clean(tracking_id),
        partner_id=handoff.partner_id,
        dsp_id=handoff.dsp_id,
    ).first()
    if package is None:
        raise DomainError(f"Package {tracking_id} is not on this partner's manifests.")
    return lock_objects.package_lock(package_id=package.pk)


@idempotent
def package_mark_damaged(
    *,
    actor: User,
    handoff: Handoff,
    tracking_id: str,
    idempotency_key: str,
    note: str = "",
    device_time: datetime.datetime | None = None,
) -> PackageEvent:
    """Record a package of this drop-off as damaged (before or after it was scanned in).
    Damaged packages go back to the DSP at the next return handoff."""
    handoff = _open_handoff_require(handoff_id=handoff.pk, direction=HandoffDirection.DROP_OFF)
    handoff_side_require(actor=actor, handoff=handoff)
    package = _drop_off_package_lock(handoff=handoff, tracking_id=tracking_id)
    item = HandoffItem.objects.filter(handoff=handoff, package=package).first()
    if package.status == PackageStatus.DAMAGED and item is not None:
        return event_replay(_item_event(handoff=handoff, tracking_id=package.tracking_id))
    if package.status == PackageStatus.RECEIVED and item is not None:
        # Scanned in a moment ago and found damaged: this handoff still holds it.
        from_status = package.status
        package.status, package.status_changed_at = PackageStatus.DAMAGED, timezone.now()
        package.save(update_fields=["status", "status_changed_at"])
    else:
        from_status = package_transition(package=package, to_status=PackageStatus.DAMAGED)
    if item is None:
        HandoffItem.objects.create(
            handoff=handoff,
            package=package,
            tracking_id=package.tracking_id,
            outcome=HandoffOutcome.DAMAGED,
            scanned_by=actor,
            scanned_at=timezone.now(),
        )
        _count_add(handoff=handoff, damaged=1)
    else:
        _count_add(handoff=handoff, damaged=1, **{item.outcome: -1})
        item.outcome = HandoffOutcome.DAMAGED
        item.save(update_fields=["outcome"])
    return event_record(
        actor=actor,
        event_type=PackageEventType.DAMAGED,
        idempotency_key=idempotency_key,
        package=package,
        handoff=handoff,
        from_status=from_status,
        to_status=PackageStatus.DAMAGED,
        device_time=device_time,
        detail={"note": note} if note else {},
    )


def _earlier_outcome(*, handoff: Handoff, package: Package, status: str) -> PackageEvent | None:
    """The first event's replay when this handoff already put the package in `status`
    (a second scan or tap of the same label), else None."""
    if package.status != status:
        return None
    earlier = _item_event(handoff=handoff, tracking_id=package.tracking_id)
    return event_replay(earlier) if earlier is not None else None


@idempotent
def package_mark_missing(
    *,
    actor: User,
    handoff: Handoff,
    tracking_id: str,
    idempotency_key: str,
    device_time: datetime.datetime | None = None,
) -> PackageEvent:
    """Record that a package on the manifest was not in the drop-off."""
    handoff = _open_handoff_require(handoff_id=handoff.pk, direction=HandoffDirection.DROP_OFF)
    handoff_side_require(actor=actor, handoff=handoff)
    package = _drop_off_package_lock(handoff=handoff, tracking_id=tracking_id)
    earlier = _earlier_outcome(handoff=handoff, package=package, status=PackageStatus.MISSING)
    if earlier is not None:
        return earlier
    from_status = package_transition(package=package, to_status=PackageStatus.MISSING)
    HandoffItem.objects.update_or_create(
        handoff=handoff,
        tracking_id=package.tracking_id,
        defaults={
            "package": package,
            "outcome": HandoffOutcome.MISSING,
            "scanned_by": actor,
            "scanned_at": timezone.now(),
        },
    )
    _count_add(handoff=handoff, missing=1)
    return event_record(
        actor=actor,
        event_type=PackageEventType.MISSING,
        idempotency_key=idempotency_key,
        package=package,
        handoff=handoff,
        from_status=from_status,
        to_status=PackageStatus.MISSING,
        device_time=device_time,
    )


@idempotent
def package_return_to_dsp(
    *,
    actor: User,
    handoff: Handoff,
    tracking_id: str,
    idempotency_key: str,
    device_time: datetime.datetime | None = None,
) -> PackageEvent:
    """Hand a package back to the driver at an open return handoff."""
    handoff = _open_handoff_require(handoff_id=handoff.pk, direction=HandoffDirection.RETURN)
    handoff_side_require(actor=actor, handoff=handoff)
    package = _drop_off_package_lock(handoff=handoff, tracking_id=tracking_id)
    earlier = _earlier_outcome(handoff=handoff, package=package, status=PackageStatus.RETURNED)
    if earlier is not None:
        return earlier
    if package.status == PackageStatus.ATTEMPTED:
        raise InvalidTransition(
            f"Package {package.tracking_id} has an open incident; ops decide whether it is "
            "re-attempted or returned."
        )
    from_status = package_transition(package=package, to_status=PackageStatus.RETURNED)
    HandoffItem.objects.create(
        handoff=handoff,
        package=package,
        tracking_id=package.tracking_id,
        outcome=HandoffOutcome.RECEIVED,
        scanned_by=actor,
        scanned_at=timezone.now(),
    )
    _count_add(handoff=handoff, received=1)
    return event_record(
        actor=actor,
        event_type=PackageEventType.RETURNED,
        idempotency_key=idempotency_key,
        package=package,
        handoff=handoff,
        from_status=from_status,
        to_status=PackageStatus.RETURNED,
        device_time=device_time,
    )


@idempotent
def handoff_confirm(
    *,
    actor: User,
    handoff: Handoff,
    idempotency_key: str,
    device_time: datetime.datetime | None = None,
) -> PackageEvent:
    """Confirm the handoff for the actor's side (driver or partner). When both sides have
    confirmed, the handoff closes: expected packages never scanned count as missing."""
    handoff = lock_objects.handoff_lock(handoff_id=handoff.pk)
    side = handoff_side_require(actor=actor, handoff=handoff)
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
        raise InvalidTransition("This handoff is already closed.")
    now = timezone.now()
    setattr(handoff, confirmed_at_field, now)
    setattr(handoff, f"{side}_confirmed_by", actor)
    handoff.save(update_fields=[confirmed_at_field, f"{side}_confirmed_by"])
    event = event_record(
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
    event_record(
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
    unscanned = list(
        lock_objects.package_qs_select_for_update().filter(
            pk__in=handoff_expected_packages(handoff=handoff)
            .exclude(handoff_items__handoff=handoff)
            .values("pk")
        )
    )
    if not unscanned:
        return
    now = timezone.now()
    Package.objects.filter(pk__in=[p.pk for p in unscanned]).update(
        status=PackageStatus.MISSING, status_changed_at=now
    )
    HandoffItem.objects.bulk_create(
        HandoffItem(
            handoff=handoff,
            package=package,
            tracking_id=package.tracking_id,
            outcome=HandoffOutcome.MISSING,
            scanned_by=actor,
            scanned_at=now,
        )
        for package in unscanned
    )
    PackageEvent.objects.bulk_create(
        PackageEvent(
            package=package,
            tracking_id=package.tracking_id,
            handoff=handoff,
            actor=actor,
            event_type=PackageEventType.MISSING,
            from_status=package.status,
            to_status=PackageStatus.MISSING,
            received_at=now,
            idempotency_key=f"{idempotency_key}:missing:{package.pk}",
            detail={"why": "not scanned before the handoff closed"},
        )
        for package in unscanned
    )
    _count_add(handoff=handoff, missing=len(unscanned))


def _first_handoff_record(*, handoff: Handoff) -> None:
    """The partner's first closed drop-off ticks its onboarding checklist (a no-op after)."""
    if handoff.partner.first_handoff_at is None:
        partner_first_handoff_record(partner=handoff.partner, actor=None)
