"""Handoffs: the morning drop-off (DSP driver -> partner) and the return (partner -> driver).

Each function is one action, atomic, and writes its PackageEvent. Custody of a package passes
to the partner when it is scanned in, and back to the DSP when it is scanned at a return.
"""

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from hubdelivery.exceptions import DomainError, InvalidTransition
from packages import lock_objects
from packages.access import driver_get, driver_station_serves_require
from packages.events import package_event_record
from packages.models import (
    RECEIVING_PARTNER_STATUSES,
    Driver,
    Dsp,
    Handoff,
    HandoffDirection,
    HandoffItem,
    HandoffStatus,
    Package,
    PackageEvent,
    PackageEventType,
    PackageStatus,
    SyncEventType,
)
from packages.prepared import PreparedQuery
from packages.scan_outcomes import REFUSED, REPEAT, handoff_takes, scan_outcome_after
from packages.selectors import (
    handoff_expected_packages,
    handoff_partner_choices,
    handoff_service_date,
)
from packages.services.common import (
    ActorNotAllowed,
    event_replay,
    idempotent,
    package_transition,
    tracking_id_clean,
    transition_refusal,
)
from packages.services.handoff_state import (
    handoff_count_add,
    item_event,
    open_handoff_require,
)
from packages.services.scans import Scan, scans_receive
from partners.access import member_get
from partners.models import Partner

# Refusals never name the other DSP, nor the partner asked for (a driver may try any id).
HANDOFF_BUSY = gettext_lazy(
    "This partner already has a handoff in progress; try again when it is closed."
)
NOTHING_TO_HAND_OVER = {
    HandoffDirection.DROP_OFF: gettext_lazy(
        "This DSP has no packages to hand over at this partner on {day} (the partner's "
        "local service date), so there is no drop-off to open."
    ),
    HandoffDirection.RETURN: gettext_lazy(
        "This DSP has no packages queued for return at this partner, so there is no return to open."
    ),
}


def _package_lock_qs(
    *, handoff_id: int, partner_id: int, dsp_id: int, tracking_id: str
) -> QuerySet[Package]:
    item_outcome = HandoffItem.objects.filter(
        handoff_id=handoff_id, tracking_id=OuterRef("tracking_id")
    ).values("outcome")[:1]
    return (
        lock_objects.package_qs_select_for_update()
        .annotate(item_outcome=Subquery(item_outcome))
        .filter(tracking_id=tracking_id, partner_id=partner_id, dsp_id=dsp_id)[:1]
    )


# Compiled once (packages.prepared): any package of the handoff's partner and DSP.
_PACKAGE_LOCK = PreparedQuery(
    _package_lock_qs, handoff_id=int, partner_id=int, dsp_id=int, tracking_id=str
)


def _package_lock_at(*, handoff: Handoff, tracking_id: str) -> Package | None:
    """Find and lock the handoff's package with this label in one statement, with the
    outcome of its item at this handoff as `item_outcome` (None when it has none yet). Call
    while holding the handoff's lock (the lock order: a handoff before its packages)."""
    found = _PACKAGE_LOCK.objects(
        handoff_id=handoff.pk,
        partner_id=handoff.partner_id,
        dsp_id=handoff.dsp_id,
        tracking_id=tracking_id,
    )
    return found[0] if found else None


def _item_create(
    *, handoff: Handoff, actor: User, tracking_id: str, outcome: str, package: Package | None
) -> None:
    HandoffItem.objects.create(
        handoff=handoff,
        package=package,
        tracking_id=tracking_id,
        outcome=outcome,
        scanned_by=actor,
        scanned_at=timezone.now(),
    )


def _outcome_after(*, handoff: Handoff, package: Package, action: str) -> str:
    """The outcome `action` gives the locked package's item at the handoff, or REPEAT or
    REFUSED (scan_outcomes, the rule the phone counts by too)."""
    return scan_outcome_after(
        direction=handoff.direction,
        before=package.item_outcome,
        expected=handoff_takes(direction=handoff.direction, status=package.status),
        action=action,
    )


def _item_outcome_set(
    *, handoff: Handoff, actor: User, package: Package, after: str, **update: Any
) -> None:
    """Give the package's item at the locked handoff the outcome `after`: a new item, or the
    existing one updated with `update`; the counters move from the outcome before to it."""
    before = package.item_outcome
    if before is None:
        _item_create(
            handoff=handoff,
            actor=actor,
            tracking_id=package.tracking_id,
            outcome=after,
            package=package,
        )
        handoff_count_add(handoff=handoff, **{after: 1})
        return
    HandoffItem.objects.filter(handoff=handoff, tracking_id=package.tracking_id).update(
        outcome=after, **update
    )
    handoff_count_add(handoff=handoff, **{after: 1, before: -1})


def _opener_require(*, actor: User, partner: Partner, dsp: Dsp, direction: str) -> Driver | None:
    """The actor's Driver row when the DSP's driver opens it, None for a partner's member."""
    if direction not in HandoffDirection.values:
        raise DomainError(
            _("Unknown direction %(direction)r; use drop_off or return.") % {"direction": direction}
        )
    driver = driver_get(actor=actor, dsp=dsp)
    if driver is None and member_get(actor=actor, partner=partner) is None:
        raise ActorNotAllowed(_("Only the DSP's drivers and the partner's members open a handoff."))
    if partner.status not in RECEIVING_PARTNER_STATUSES:
        raise DomainError(
            _("This partner is %(status)s; no handoffs.")
            % {"status": partner.get_status_display().lower()}
        )
    if driver is not None:
        driver_station_serves_require(driver=driver, partner=partner)
    return driver


def _service_date_require(*, partner: Partner, asked: datetime.date | None) -> datetime.date:
    """The handoff's date: the partner's local service date. A client that names a date
    must name that one."""
    day = handoff_service_date(partner=partner)
    if asked is not None and asked != day:
        raise DomainError(
            _(
                "A handoff at this partner is for its local service date, %(day)s; "
                "%(asked)s is not that day."
            )
            % {"day": day.isoformat(), "asked": asked.isoformat()}
        )
    return day


def _open_handoff_get(*, partner: Partner, direction: str, day: datetime.date) -> Handoff | None:
    return Handoff.objects.filter(
        partner=partner, direction=direction, service_date=day, status=HandoffStatus.OPEN
    ).first()


def _opened_event_replay(*, handoff: Handoff, dsp: Dsp) -> PackageEvent:
    """Join the handoff already open with `dsp`; another DSP's is refused without its name."""
    if handoff.dsp_id != dsp.pk:
        raise DomainError(str(HANDOFF_BUSY))
    return event_replay(
        PackageEvent.objects.get(handoff=handoff, event_type=PackageEventType.HANDOFF_OPENED)
    )


@idempotent
def handoff_open(
    *,
    actor: User,
    partner: Partner,
    dsp: Dsp,
    direction: str,
    idempotency_key: str,
    service_date: datetime.date | None = None,
    device_time: datetime.datetime | None = None,
) -> PackageEvent:
    """Open the partner's handoff with `dsp` for the partner's local service date, or answer
    with the one already open with `dsp`.

    1. The DSP's driver or a member of the partner opens it; the partner takes handoffs.
    2. `service_date` is optional; when given it must be the partner's local service date.
    3. A handoff open with `dsp` in this direction today is joined (answered with its event).
    4. Otherwise `dsp` must have packages to hand over there: a drop-off needs packages for
       the day, a return needs packages queued for return (selectors.handoff_partner_choices,
       the rule the start page lists partners by). Another DSP's open handoff blocks it.
    5. `expected` counts what should change hands.
    """
    driver = _opener_require(actor=actor, partner=partner, dsp=dsp, direction=direction)
    day = _service_date_require(partner=partner, asked=service_date)
    already_open = _open_handoff_get(partner=partner, direction=direction, day=day)
    if already_open is not None and already_open.dsp_id == dsp.pk:
        return _opened_event_replay(handoff=already_open, dsp=dsp)
    station = driver.home_station if driver else None
    if not handoff_partner_choices(
        dsp_id=dsp.pk, direction=direction, partner_id=partner.pk, station=station
    ).exists():
        raise DomainError(NOTHING_TO_HAND_OVER[direction].format(day=day.isoformat()))
    if already_open is not None:
        raise DomainError(str(HANDOFF_BUSY))
    try:
        # The unique "one open handoff" constraint settles two simultaneous opens.
        with transaction.atomic():
            handoff = Handoff.objects.create(
                partner=partner,
                dsp=dsp,
                driver=driver,
                direction=direction,
                service_date=day,
                opened_by=actor,
                opened_at=timezone.now(),
            )
    except IntegrityError:
        racing = _open_handoff_get(partner=partner, direction=direction, day=day)
        if racing is None:
            raise
        return _opened_event_replay(handoff=racing, dsp=dsp)
    handoff.expected = handoff_expected_packages(handoff=handoff).count()
    handoff.save(update_fields=["expected"])
    return package_event_record(
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
    unexpected; a second scan of the same label answers with the first scan's event.

    1. Lock the handoff with the actor's side (one statement), then run the drop-off scan's
       rules (scans.scans_receive) with this one label: the package locked with its item at
       this handoff (one statement; the item is read on its own only for a label that is no
       package to receive here).
    2. Write: the package's status, the item, the counters, the event (one statement each).
    """
    handoff = open_handoff_require(
        actor=actor, handoff_id=handoff.pk, direction=HandoffDirection.DROP_OFF
    )
    place = {"device_time": device_time, "latitude": latitude, "longitude": longitude}
    return _receive_at(
        actor=actor, handoff=handoff, tracking_id=tracking_id, key=idempotency_key, place=place
    )


def _receive_at(
    *, actor: User, handoff: Handoff, tracking_id: str, key: str, place: dict[str, Any]
) -> PackageEvent:
    """package_receive's work on the drop-off it has locked and checked: the set-based scans'
    rules (scans.scans_receive), with one label."""
    [answer] = scans_receive(
        actor=actor,
        handoff=handoff,
        scans=[Scan(tracking_id=tracking_id, idempotency_key=key, **place)],
    )
    if isinstance(answer, DomainError):
        raise answer
    return answer


def _drop_off_package_lock(*, handoff: Handoff, tracking_id: str) -> Package:
    """The handoff's package with this label, locked, with `item_outcome` (see
    _package_lock_at); refused when the partner has no such package from this DSP."""
    package = _package_lock_at(handoff=handoff, tracking_id=tracking_id_clean(tracking_id))
    if package is None:
        raise DomainError(
            _("Package %(tracking)s is not on this partner's manifests.")
            % {"tracking": tracking_id}
        )
    return package


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
    handoff = open_handoff_require(
        actor=actor, handoff_id=handoff.pk, direction=HandoffDirection.DROP_OFF
    )
    package = _drop_off_package_lock(handoff=handoff, tracking_id=tracking_id)
    after = _outcome_after(handoff=handoff, package=package, action=SyncEventType.DAMAGED)
    if after == REPEAT:
        return event_replay(item_event(handoff=handoff, tracking_id=package.tracking_id))
    if after == REFUSED:
        raise _damaged_refusal(package=package)
    from_status = package_transition(package=package, to_status=PackageStatus.DAMAGED)
    _item_outcome_set(handoff=handoff, actor=actor, package=package, after=after)
    return package_event_record(
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


def _damaged_refusal(*, package: Package) -> InvalidTransition:
    if package.status == PackageStatus.RECEIVED:
        # Received -> damaged is for a package this drop-off scanned in a moment ago.
        return InvalidTransition(
            _(
                "Package %(tracking)s was received at an earlier handoff; "
                "a drop-off marks damaged only the packages it hands over."
            )
            % {"tracking": package.tracking_id}
        )
    return transition_refusal(package=package, to_status=PackageStatus.DAMAGED)


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
    handoff = open_handoff_require(
        actor=actor, handoff_id=handoff.pk, direction=HandoffDirection.DROP_OFF
    )
    package = _drop_off_package_lock(handoff=handoff, tracking_id=tracking_id)
    after = _outcome_after(handoff=handoff, package=package, action=SyncEventType.MISSING)
    if after == REPEAT:
        return event_replay(item_event(handoff=handoff, tracking_id=package.tracking_id))
    if after == REFUSED:
        raise transition_refusal(package=package, to_status=PackageStatus.MISSING)
    from_status = package_transition(package=package, to_status=PackageStatus.MISSING)
    _item_outcome_set(
        handoff=handoff,
        actor=actor,
        package=package,
        after=after,
        package_id=package.pk,
        scanned_by=actor,
        scanned_at=timezone.now(),
    )
    return package_event_record(
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
    handoff = open_handoff_require(
        actor=actor, handoff_id=handoff.pk, direction=HandoffDirection.RETURN
    )
    return _return_at(
        actor=actor,
        handoff=handoff,
        tracking_id=tracking_id,
        key=idempotency_key,
        place={"device_time": device_time},
    )


def _return_at(
    *, actor: User, handoff: Handoff, tracking_id: str, key: str, place: dict[str, Any]
) -> PackageEvent:
    """package_return_to_dsp's work on the return it has locked and checked."""
    package = _drop_off_package_lock(handoff=handoff, tracking_id=tracking_id)
    after = _outcome_after(handoff=handoff, package=package, action=SyncEventType.RECEIVED)
    if after == REPEAT:
        return event_replay(item_event(handoff=handoff, tracking_id=package.tracking_id))
    if after == REFUSED:
        raise _return_refusal(package=package)
    from_status = package_transition(package=package, to_status=PackageStatus.RETURNED)
    _item_outcome_set(handoff=handoff, actor=actor, package=package, after=after)
    return package_event_record(
        actor=actor,
        event_type=PackageEventType.RETURNED,
        idempotency_key=key,
        package=package,
        handoff=handoff,
        from_status=from_status,
        to_status=PackageStatus.RETURNED,
        **place,
    )


def _return_refusal(*, package: Package) -> InvalidTransition:
    if package.status == PackageStatus.ATTEMPTED:
        return InvalidTransition(
            _(
                "Package %(tracking)s has an open incident; ops decide whether it is "
                "re-attempted or returned."
            )
            % {"tracking": package.tracking_id}
        )
    return transition_refusal(package=package, to_status=PackageStatus.RETURNED)


@idempotent
def package_scan_in(
    *,
    actor: User,
    handoff: Handoff,
    tracking_id: str,
    idempotency_key: str,
    device_time: datetime.datetime | None = None,
) -> PackageEvent:
    """The scan button of a handoff: at a drop-off the package is received
    (package_receive), at a return it is handed back to the driver (package_return_to_dsp),
    with their rules, on the handoff locked and checked once."""
    handoff = open_handoff_require(actor=actor, handoff_id=handoff.pk, direction=None)
    record = _receive_at if handoff.direction == HandoffDirection.DROP_OFF else _return_at
    return record(
        actor=actor,
        handoff=handoff,
        tracking_id=tracking_id,
        key=idempotency_key,
        place={"device_time": device_time},
    )
