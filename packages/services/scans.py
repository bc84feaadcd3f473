"""Scans at a drop-off, set-based: the one place of a drop-off scan's rules. The handoff
page's scan (handoffs.package_receive, package_scan_in) runs them with one label; a phone's
outbox (packages.services.sync) with many, in order, so thirty scans cost about what one does
(docs/performance.md). tests/packages/test_sync_scans.py holds both to the same results."""

import collections
import copy
import dataclasses
import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import OuterRef, Subquery
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
    SyncEventType,
)
from packages.scan_outcomes import DROP_OFF_SOURCE_STATUSES, REPEAT, scan_outcome_after
from packages.services.common import (
    event_replay,
    event_replay_for,
    idempotency_key_check,
    packages_transition,
    tracking_id_clean,
)
from packages.services.handoff_state import handoff_count_add, item_event, open_handoff_require


@dataclass(frozen=True)
class Scan:
    tracking_id: str
    idempotency_key: str
    device_time: datetime.datetime | None = None
    latitude: float | None = None
    longitude: float | None = None


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
    # The handoff's counters: +1 to each outcome after, -1 to each outcome before.
    deltas: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    events: list[EventFields] = dataclasses.field(default_factory=list)
    # The position in `events` of the event written for a key, and for a label.
    by_key: dict[str, int] = dataclasses.field(default_factory=dict)
    by_label: dict[str, int] = dataclasses.field(default_factory=dict)
    # Per scan: its answer, or (position in `events`, whether it repeats that event).
    answers: list[ScanAnswer | tuple[int, bool]] = dataclasses.field(default_factory=list)


@transaction.atomic
def package_scans_in(*, actor: User, handoff: Handoff, scans: list[Scan]) -> list[ScanAnswer]:
    """Scan many labels in at an open drop-off, in order; one answer per scan.

    Lock the handoff with the actor's side, and check it is an open drop-off (a refusal here
    is raised: it concerns every scan); then scans_receive.
    """
    handoff = open_handoff_require(
        actor=actor, handoff_id=handoff.pk, direction=HandoffDirection.DROP_OFF
    )
    return scans_receive(actor=actor, handoff=handoff, scans=scans, earlier=_earlier_read(scans))


def scans_receive(
    *,
    actor: User,
    handoff: Handoff,
    scans: list[Scan],
    earlier: dict[str, PackageEvent] | None = None,
) -> list[ScanAnswer]:
    """The rules of a scan at a drop-off, for one label (handoffs.package_receive) or many.

    Precondition: `handoff` is an open drop-off the caller has locked (open_handoff_require).
    `earlier`: the events already written for the scans' keys; none for a single scan, whose
    service is @idempotent (it answered a used key before locking anything).
    1. Read once: the labels' packages still to hand over
       (locked) and their items at this handoff.
    2. Decide each scan in order: a key already used -> its event; a label already scanned
       here (by these scans too) -> that first event; otherwise the label's outcome after,
       by scan_outcomes (a package to hand over is received, its missing item too; any
       other label is unexpected; the rest repeat the event of their outcome).
    3. Write: one UPDATE of the packages, one INSERT of items, one UPDATE of items found
       after all, the counters, one INSERT of events.
    """
    plan = _plan_read(actor=actor, handoff=handoff, scans=scans, earlier=earlier or {})
    for scan in scans:
        plan.answers.append(_scan_decide(plan=plan, scan=scan))
    return _plan_write(plan)


def _earlier_read(scans: list[Scan]) -> dict[str, PackageEvent]:
    """The events already written for the scans' keys (a retried batch)."""
    earlier = PackageEvent.objects.select_related("package", "handoff").filter(
        idempotency_key__in=[scan.idempotency_key for scan in scans]
    )
    return {event.idempotency_key: event for event in earlier}


def _plan_read(
    *, actor: User, handoff: Handoff, scans: list[Scan], earlier: dict[str, PackageEvent]
) -> _Plan:
    """Lock the labels' packages still to hand over, each with its item's outcome here (one
    statement); read the items on their own only for labels that are no such package."""
    labels = {scan.tracking_id.strip() for scan in scans}
    item_outcome = HandoffItem.objects.filter(
        handoff=handoff, tracking_id=OuterRef("tracking_id")
    ).values("outcome")[:1]
    packages = {
        package.tracking_id: package
        for package in lock_objects.package_qs_select_for_update()
        .annotate(item_outcome=Subquery(item_outcome))
        .filter(
            partner_id=handoff.partner_id,
            dsp_id=handoff.dsp_id,
            tracking_id__in=labels,
            status__in=DROP_OFF_SOURCE_STATUSES,
        )
    }
    outcomes = {label: p.item_outcome for label, p in packages.items() if p.item_outcome}
    if others := labels - packages.keys():
        items = HandoffItem.objects.filter(handoff=handoff, tracking_id__in=others)
        outcomes.update(items.values_list("tracking_id", "outcome"))
    return _Plan(
        handoff=handoff, actor=actor, earlier=earlier, packages=packages, outcomes=outcomes
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
    before = plan.outcomes.get(label)
    package = plan.packages.get(label)
    after = scan_outcome_after(
        direction=plan.handoff.direction,
        before=before,
        expected=package is not None,
        action=SyncEventType.RECEIVED,
    )
    if after == REPEAT:
        return event_replay(item_event(handoff=plan.handoff, tracking_id=label))
    change = (before, after)
    return _record(plan=plan, scan=scan, label=label, package=package, change=change), False


def _record(
    *,
    plan: _Plan,
    scan: Scan,
    label: str,
    package: Package | None,
    change: tuple[str | None, str],
) -> int:
    """Plan the scan's item, counters and event; `change` is the outcome before and after."""
    before, after = change
    fields: EventFields = {
        "actor": plan.actor,
        "idempotency_key": scan.idempotency_key,
        "handoff": plan.handoff,
        "tracking_id": label,
        "device_time": scan.device_time,
        "latitude": scan.latitude,
        "longitude": scan.longitude,
    }
    if after == HandoffOutcome.UNEXPECTED or package is None:
        plan.unexpected.append(label)
        fields["event_type"] = PackageEventType.UNEXPECTED
    else:
        (plan.found_again if before is not None else plan.received).append(label)
        fields.update(
            event_type=PackageEventType.RECEIVED,
            package=package,
            from_status=package.status,
            to_status=PackageStatus.RECEIVED,
        )
    plan.outcomes[label] = after
    plan.deltas[after] += 1
    if before is not None:
        plan.deltas[before] -= 1
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
    if deltas := {field: n for field, n in plan.deltas.items() if n}:
        handoff_count_add(handoff=handoff, **deltas)
    written = package_events_record(events=plan.events) if plan.events else []
    return [_answer(answer, written) for answer in plan.answers]


def _answer(answer: ScanAnswer | tuple[int, bool], written: list[PackageEvent]) -> ScanAnswer:
    if not isinstance(answer, tuple):
        return answer
    position, repeated = answer
    # A repeat answers with a copy marked replayed; the scan that wrote the event keeps it.
    return event_replay(copy.copy(written[position])) if repeated else written[position]
