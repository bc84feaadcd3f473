"""Many scans at one drop-off at once: a phone's outbox sent when the connection returns
(packages.services.sync). Each scan follows package_scan_in's rules at a drop-off
(handoffs._receive_at), in order; the writes are set-based, so thirty scans cost about what
one does (docs/performance.md). tests/packages/test_sync_scans.py holds the two paths to the
same results."""

import copy
import dataclasses
import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from hubdelivery.exceptions import DomainError
from packages import lock_objects
from packages.events import EventFields, package_events_record
from packages.models import (
    Handoff,
    HandoffDirection,
    HandoffItem,
    HandoffOutcome,
    Package,
    PackageEvent,
    PackageEventType,
    PackageStatus,
)
from packages.selectors import DROP_OFF_SOURCE_STATUSES
from packages.services.common import (
    event_replay,
    event_replay_for,
    idempotency_key_check,
    packages_transition,
    tracking_id_clean,
)
from packages.services.handoffs import _count_add, _item_event, _open_handoff_require


@dataclass(frozen=True)
class Scan:
    tracking_id: str
    idempotency_key: str
    device_time: datetime.datetime | None = None


# A scan's answer: its event (`replayed` when it changed nothing) or the refusal of that
# scan alone.
ScanAnswer = PackageEvent | DomainError


@dataclass
class _Plan:
    """What the scans change, decided in order before anything is written."""

    handoff: Handoff
    actor: User
    # Events already written for the scans' keys (a retried batch).
    earlier: dict[str, PackageEvent]
    packages: dict[str, Package]
    # Label -> its item's outcome at this handoff, as the scans so far leave it.
    outcomes: dict[str, str]
    received: list[str] = dataclasses.field(default_factory=list)
    found_again: list[str] = dataclasses.field(default_factory=list)
    unexpected: list[str] = dataclasses.field(default_factory=list)
    events: list[EventFields] = dataclasses.field(default_factory=list)
    # The position in `events` of the event written for a key, and for a label.
    by_key: dict[str, int] = dataclasses.field(default_factory=dict)
    by_label: dict[str, int] = dataclasses.field(default_factory=dict)
    # Per scan: its answer, or (position in `events`, whether it repeats that event).
    answers: list[ScanAnswer | tuple[int, bool]] = dataclasses.field(default_factory=list)


@transaction.atomic
def package_scans_in(*, actor: User, handoff: Handoff, scans: list[Scan]) -> list[ScanAnswer]:
    """Scan many labels in at an open drop-off, in order; one answer per scan.

    1. Lock the handoff with the actor's side, and check it is an open drop-off (a refusal
       here is raised: it concerns every scan).
    2. Read once: the events of the scans' keys; the labels' packages still to hand over
       (locked) and their items at this handoff.
    3. Decide each scan as _receive_at does: a key already used -> its event; a label
       already scanned here (by this batch too) -> that first event; a package to hand over
       -> received (its missing item becomes received); any other label -> unexpected.
    4. Write: one UPDATE of the packages, one INSERT of items, one UPDATE of items found
       after all, the counters, one INSERT of events.
    """
    handoff = _open_handoff_require(
        actor=actor, handoff_id=handoff.pk, direction=HandoffDirection.DROP_OFF
    )
    plan = _plan_read(actor=actor, handoff=handoff, scans=scans)
    for scan in scans:
        plan.answers.append(_scan_decide(plan=plan, scan=scan))
    return _plan_write(plan)


def _plan_read(*, actor: User, handoff: Handoff, scans: list[Scan]) -> _Plan:
    labels = {scan.tracking_id.strip() for scan in scans}
    packages = lock_objects.package_qs_select_for_update().filter(
        partner_id=handoff.partner_id,
        dsp_id=handoff.dsp_id,
        tracking_id__in=labels,
        status__in=DROP_OFF_SOURCE_STATUSES,
    )
    items = HandoffItem.objects.filter(handoff=handoff, tracking_id__in=labels)
    earlier = PackageEvent.objects.select_related("package", "handoff").filter(
        idempotency_key__in=[scan.idempotency_key for scan in scans]
    )
    return _Plan(
        handoff=handoff,
        actor=actor,
        earlier={event.idempotency_key: event for event in earlier},
        packages={package.tracking_id: package for package in packages},
        outcomes=dict(items.values_list("tracking_id", "outcome")),
    )


def _scan_decide(*, plan: _Plan, scan: Scan) -> ScanAnswer | tuple[int, bool]:
    try:
        idempotency_key_check(scan.idempotency_key)
        label = tracking_id_clean(scan.tracking_id)
        if scan.idempotency_key in plan.earlier:
            return event_replay_for(event=plan.earlier[scan.idempotency_key], actor=plan.actor)
    except DomainError as refusal:
        return refusal
    if scan.idempotency_key in plan.by_key:
        return plan.by_key[scan.idempotency_key], True
    if label in plan.by_label:
        return plan.by_label[label], True
    outcome = plan.outcomes.get(label)
    package = plan.packages.get(label)
    if outcome not in (None, HandoffOutcome.MISSING) or (package is None and outcome is not None):
        return event_replay(_item_event(handoff=plan.handoff, tracking_id=label))
    return _record(plan=plan, scan=scan, label=label, package=package, outcome=outcome), False


def _record(
    *, plan: _Plan, scan: Scan, label: str, package: Package | None, outcome: str | None
) -> int:
    fields: EventFields = {
        "actor": plan.actor,
        "idempotency_key": scan.idempotency_key,
        "handoff": plan.handoff,
        "tracking_id": label,
        "device_time": scan.device_time,
    }
    if package is None:
        plan.unexpected.append(label)
        plan.outcomes[label] = HandoffOutcome.UNEXPECTED
        fields["event_type"] = PackageEventType.UNEXPECTED
    else:
        (plan.found_again if outcome == HandoffOutcome.MISSING else plan.received).append(label)
        plan.outcomes[label] = HandoffOutcome.RECEIVED
        fields.update(
            event_type=PackageEventType.RECEIVED,
            package=package,
            from_status=package.status,
            to_status=PackageStatus.RECEIVED,
        )
    plan.events.append(fields)
    position = plan.by_key[scan.idempotency_key] = plan.by_label[label] = len(plan.events) - 1
    return position


def _plan_write(plan: _Plan) -> list[ScanAnswer]:
    handoff, actor, now = plan.handoff, plan.actor, timezone.now()
    moved = [plan.packages[label] for label in (*plan.received, *plan.found_again)]
    if moved:
        packages_transition(packages=moved, to_status=PackageStatus.RECEIVED)
    HandoffItem.objects.bulk_create(
        HandoffItem(
            handoff=handoff,
            package=plan.packages.get(label),
            tracking_id=label,
            outcome=outcome,
            scanned_by=actor,
            scanned_at=now,
        )
        for labels, outcome in (
            (plan.received, HandoffOutcome.RECEIVED),
            (plan.unexpected, HandoffOutcome.UNEXPECTED),
        )
        for label in labels
    )
    if plan.found_again:
        HandoffItem.objects.filter(handoff=handoff, tracking_id__in=plan.found_again).update(
            outcome=HandoffOutcome.RECEIVED, scanned_by=actor, scanned_at=now
        )
    deltas = {
        "received": len(plan.received) + len(plan.found_again),
        "unexpected": len(plan.unexpected),
        "missing": -len(plan.found_again),
    }
    if any(deltas.values()):
        _count_add(handoff=handoff, **{field: n for field, n in deltas.items() if n})
    written = package_events_record(events=plan.events) if plan.events else []
    return [_answer(answer, written) for answer in plan.answers]


def _answer(answer: ScanAnswer | tuple[int, bool], written: list[PackageEvent]) -> ScanAnswer:
    if not isinstance(answer, tuple):
        return answer
    position, repeated = answer
    # A repeat answers with a copy marked replayed; the scan that wrote the event keeps it.
    return event_replay(copy.copy(written[position])) if repeated else written[position]
