"""A phone's outbox, sent as one batch (POST /api/v1/sync, issue 19).

Each event goes through the same service as the page and the single-event API (no rule is
restated here), in list order, each in its own savepoint, so one refusal undoes nothing else. The
client id is the service's idempotency key: an event sent twice is answered "already applied"
and writes nothing. A refusal gets a stable code, the service's or a plainer message and what
to do. An event that reached the server after its day or its handoff had closed is kept as a
LateEvent for ops, applied or not ("nothing lost").
"""

import dataclasses
import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from hubdelivery.exceptions import DomainError, InvalidInput, NotAllowed
from hubdelivery.lib.dates import local_date
from packages import selectors
from packages.models import (
    AttemptOutcome,
    DeliveryAttempt,
    Handoff,
    HandoffDirection,
    HandoffItem,
    HandoffStatus,
    LateEvent,
    LateEventOutcome,
    Package,
    PackageEvent,
    PackageStatus,
    SyncEventType,
)
from packages.selectors import Viewer
from packages.services import deliveries, handoff_close, handoffs
from packages.services.scans import Scan, package_scans_in
from partners.lock_objects import partners_lock
from partners.models import Partner

MAX_SYNC_EVENTS = 300


HANDOFF_TYPES = (
    SyncEventType.RECEIVED,
    SyncEventType.DAMAGED,
    SyncEventType.MISSING,
    SyncEventType.HANDOFF_CONFIRM,
)
PACKAGE_TYPES = (SyncEventType.DELIVERED, SyncEventType.ATTEMPTED, SyncEventType.DELIVERY_UNDONE)
SYNC_TYPES = (*HANDOFF_TYPES, *PACKAGE_TYPES, SyncEventType.DAY_CLOSE)
# Types that name a package by its label (a handoff confirmation and a day's close do not).
LABELLED_TYPES = (
    SyncEventType.RECEIVED,
    SyncEventType.DAMAGED,
    SyncEventType.MISSING,
    *PACKAGE_TYPES,
)
# The day of these packages was closed: each was kept for (or went back at) the return.
DAY_CLOSED_STATUSES = frozenset({PackageStatus.RETURN_PENDING, PackageStatus.RETURNED})


class Outcome:
    APPLIED = "applied"
    ALREADY_APPLIED = "already_applied"
    REFUSED = "refused"


class Code:
    """Stable machine codes of a refusal; the phone may key its own words on them."""

    DELIVERED_BY_TEAMMATE = "delivered_by_teammate"
    HANDOFF_CLOSED = "handoff_closed"
    DAY_CLOSED = "day_closed"
    PACKAGE_MOVED = "package_moved"
    NOT_ALLOWED = "not_allowed"
    INVALID = "invalid"
    CONFLICT = "conflict"


@dataclass(frozen=True)
class SyncEvent:
    """One event of the batch, as the API's serializer validated it."""

    client_id: str
    type: str
    device_time: datetime.datetime
    tracking_id: str = ""
    handoff_id: int | None = None
    reason: str = ""
    note: str = ""
    recipient_name: str = ""
    safe_place_note: str = ""
    photo: UploadedFile | None = None
    latitude: float | None = None
    longitude: float | None = None

    def place(self) -> dict[str, float | None]:
        """Where the phone was, as the delivery services take it."""
        return {"latitude": self.latitude, "longitude": self.longitude}

    def sent(self) -> dict[str, object]:
        """What the phone sent, for ops to read: no photo bytes, only whether there was one."""
        fields = {
            "tracking_id": self.tracking_id,
            "handoff": self.handoff_id,
            "reason": self.reason,
            "note": self.note,
            "recipient_name": self.recipient_name,
            "safe_place_note": self.safe_place_note,
            **self.place(),
        }
        sent: dict[str, object] = {k: v for k, v in fields.items() if v not in ("", None)}
        if self.photo is not None:
            sent["photo"] = True
        return sent


@dataclass
class SyncResult:
    client_id: str
    outcome: str
    code: str = ""
    message: str = ""
    what_to_do: str = ""
    late: bool = False
    # The refused value, for an "invalid" refusal: "photo", "reason", "recipient_name"...
    field: str = ""
    event: PackageEvent | None = dataclasses.field(default=None, repr=False)


@dataclass
class _Batch:
    """What the batch reads once for all its events: the packages and handoffs it names."""

    viewer: Viewer
    # Label -> the package, among the viewer's own (selectors.package_qs_for).
    packages: dict[str, Package]
    # Id -> the handoff, whoever's: only to explain a refusal and to date a late event.
    handoffs: dict[int, Handoff]
    partner: Partner | None

    @property
    def actor(self) -> User:
        if self.viewer.user is None:  # a DSP system's token: the API refuses it before
            raise NotAllowed(_("Only people record scans and deliveries."))
        return self.viewer.user


# ------------------------------------------------------------------------------
# The batch
# ------------------------------------------------------------------------------
def events_sync(*, viewer: Viewer, events: list[SyncEvent]) -> list[SyncResult]:
    """Apply a phone's outbox in its order; one result per event, in the same order.

    1. Read the packages (the viewer's own) and the handoffs the batch names, once.
    2. For each event: run its service, which is atomic (a savepoint inside the batch's
       transaction); a refusal rolls back that event only and is explained (`_refusal`).
    3. An event that arrived after its day or handoff closed is kept as a LateEvent.

    The batch first locks the partners it touches (`_partners_lock`): two batches of one
    partner run one after the other.

    Precondition: `viewer` is a person (a driver, a partner member or ops), not a DSP system.
    """
    batch = _batch_read(viewer=viewer, events=events)
    results = []
    # One transaction for the batch, one commit; each service runs in its own savepoint
    # (every one is atomic), so a refusal rolls back that event only.
    with transaction.atomic():
        _partners_lock(batch)
        for run in _runs(batch=batch, events=events):
            for event, result in zip(run, _run_sync(batch=batch, run=run), strict=True):
                if result.late:
                    _late_record(batch=batch, event=event, result=result)
                results.append(result)
    return results


def _partners_lock(batch: _Batch) -> None:
    """Lock the rows of the partners whose handoffs, packages or day the batch touches.

    A batch is one transaction whose events lock packages and handoffs in the phone's order;
    two batches with the same events in other orders (two tabs, a retry of a reordered
    outbox) would each hold a row the other waits for: a deadlock. Holding the partners'
    rows first, in pk order, makes the second batch wait for the first to commit."""
    partner_ids = {handoff.partner_id for handoff in batch.handoffs.values()}
    partner_ids |= {package.partner_id for package in batch.packages.values()}
    if batch.partner is not None:
        partner_ids.add(batch.partner.pk)
    partners_lock(partner_ids=partner_ids)


def _runs(*, batch: _Batch, events: list[SyncEvent]) -> list[list[SyncEvent]]:
    """The batch cut into runs, in order: consecutive scans in at one drop-off form one run
    (scanned set-based: a handoff's thirty labels cost about one scan); any other event is a
    run of its own."""
    runs: list[list[SyncEvent]] = []
    for event in events:
        previous = runs[-1][-1] if runs else None
        if (
            previous is not None
            and _is_drop_off_scan(batch=batch, event=event)
            and _is_drop_off_scan(batch=batch, event=previous)
            and previous.handoff_id == event.handoff_id
        ):
            runs[-1].append(event)
        else:
            runs.append([event])
    return runs


def _is_drop_off_scan(*, batch: _Batch, event: SyncEvent) -> bool:
    handoff = batch.handoffs.get(event.handoff_id) if event.handoff_id else None
    return (
        event.type == SyncEventType.RECEIVED
        and handoff is not None
        and handoff.direction == HandoffDirection.DROP_OFF
    )


def _run_sync(*, batch: _Batch, run: list[SyncEvent]) -> list[SyncResult]:
    if len(run) == 1:
        return [_event_sync(batch=batch, event=run[0])]
    scans = [
        Scan(tracking_id=e.tracking_id, idempotency_key=e.client_id, device_time=e.device_time)
        for e in run
    ]
    try:
        answers = package_scans_in(
            actor=batch.actor, handoff=Handoff(pk=run[0].handoff_id), scans=scans
        )
    except IntegrityError:
        # Another request wrote one of these keys meanwhile: one by one, as single scans.
        return [_event_sync(batch=batch, event=event) for event in run]
    except DomainError as error:  # the handoff's refusal concerns every scan of the run
        return [_refusal(batch=batch, event=event, error=error) for event in run]
    return [
        _refusal(batch=batch, event=event, error=answer)
        if isinstance(answer, DomainError)
        else _applied(batch=batch, event=event, applied=[answer])
        for event, answer in zip(run, answers, strict=True)
    ]


def _batch_read(*, viewer: Viewer, events: list[SyncEvent]) -> _Batch:
    labels = {e.tracking_id.strip() for e in events if e.type in PACKAGE_TYPES}
    handoff_ids = {e.handoff_id for e in events if e.handoff_id is not None}
    packages = (
        selectors.package_qs_for(viewer=viewer).filter(tracking_id__in=labels) if labels else []
    )
    found = Handoff.objects.select_related("partner").in_bulk(handoff_ids) if handoff_ids else {}
    partner = (
        Partner.objects.filter(pk=viewer.partner_id).first()
        if viewer.partner_id is not None and any(e.type == SyncEventType.DAY_CLOSE for e in events)
        else None
    )
    return _Batch(
        viewer=viewer,
        packages={package.tracking_id: package for package in packages},
        handoffs=found,
        partner=partner,
    )


def _event_sync(*, batch: _Batch, event: SyncEvent) -> SyncResult:
    try:
        applied = _event_apply(batch=batch, event=event)
    except DomainError as error:
        return _refusal(batch=batch, event=event, error=error)
    return _applied(batch=batch, event=event, applied=applied)


def _applied(*, batch: _Batch, event: SyncEvent, applied: list[PackageEvent]) -> SyncResult:
    replayed = all(e.replayed for e in applied) and bool(applied)
    return SyncResult(
        client_id=event.client_id,
        outcome=Outcome.ALREADY_APPLIED if replayed else Outcome.APPLIED,
        late=not replayed and _arrived_after_its_day(batch=batch, event=event),
        event=applied[0] if applied else None,
    )


# ------------------------------------------------------------------------------
# Each event through the service the page and the single-event API call
# ------------------------------------------------------------------------------
def _event_apply(*, batch: _Batch, event: SyncEvent) -> list[PackageEvent]:
    common = {
        "actor": batch.actor,
        "idempotency_key": event.client_id,
        "device_time": event.device_time,
    }
    if event.type in HANDOFF_TYPES:
        # The service locks the handoff and checks the actor takes part in it.
        handoff = Handoff(pk=event.handoff_id)
        return [_HANDOFF_APPLY[event.type](event, handoff, common)]
    if event.type == SyncEventType.DAY_CLOSE:
        return _day_close(batch=batch, event=event, common=common)
    package = batch.packages.get(event.tracking_id.strip())
    if package is None:
        raise NotAllowed(_not_yours_text(event.tracking_id))
    return [_PACKAGE_APPLY[event.type](event, package, common)]


_Apply = Callable[[SyncEvent, object, dict], PackageEvent]

_HANDOFF_APPLY: dict[str, _Apply] = {
    # The handoff page's scan button: received at a drop-off, handed back at a return.
    SyncEventType.RECEIVED: lambda e, handoff, common: handoffs.package_scan_in(
        handoff=handoff, tracking_id=e.tracking_id, **common
    ),
    SyncEventType.DAMAGED: lambda e, handoff, common: handoffs.package_mark_damaged(
        handoff=handoff, tracking_id=e.tracking_id, note=e.note, **common
    ),
    SyncEventType.MISSING: lambda e, handoff, common: handoffs.package_mark_missing(
        handoff=handoff, tracking_id=e.tracking_id, **common
    ),
    SyncEventType.HANDOFF_CONFIRM: lambda e, handoff, common: handoff_close.handoff_confirm(
        handoff=handoff, **common
    ),
}
_PACKAGE_APPLY: dict[str, _Apply] = {
    SyncEventType.DELIVERED: lambda e, package, common: deliveries.package_deliver(
        package=package,
        recipient_name=e.recipient_name,
        safe_place_note=e.safe_place_note,
        photo=e.photo,
        **e.place(),
        **common,
    ),
    SyncEventType.ATTEMPTED: lambda e, package, common: deliveries.package_attempt(
        package=package,
        reason=e.reason,
        note=e.note,
        **e.place(),
        **common,
    ),
    SyncEventType.DELIVERY_UNDONE: lambda e, package, common: deliveries.package_delivery_undo(
        package=package, **common
    ),
}


def _day_close(*, batch: _Batch, event: SyncEvent, common: dict) -> list[PackageEvent]:
    """Close the day the phone closed: the partner's local date at the device's time (a close
    sent the next morning closes yesterday, not today), never a day still to come."""
    if batch.partner is None:
        raise NotAllowed(_("Only a partner's members close the partner's day."))
    tz_name = batch.partner.time_zone
    day = min(local_date(tz_name=tz_name, at=event.device_time), local_date(tz_name=tz_name))
    return deliveries.day_close(partner=batch.partner, service_date=day, **common)


def _not_yours_text(tracking_id: str) -> str:
    return _("%(tracking)s is not one of your packages.") % {"tracking": tracking_id.strip()}


# ------------------------------------------------------------------------------
# Refusals in plain words, and late events
# ------------------------------------------------------------------------------
def _refusal(*, batch: _Batch, event: SyncEvent, error: DomainError) -> SyncResult:
    """Explain the service's refusal: a stable code, a message, what to do. The state read
    here only names the conflict; the service alone decided to refuse."""
    code, message, what_to_do = _explain(batch=batch, event=event, error=error)
    return SyncResult(
        client_id=event.client_id,
        outcome=Outcome.REFUSED,
        code=code,
        message=message,
        what_to_do=what_to_do,
        late=code in (Code.HANDOFF_CLOSED, Code.DAY_CLOSED),
        field=error.field if isinstance(error, InvalidInput) else "",
    )


def _explain(*, batch: _Batch, event: SyncEvent, error: DomainError) -> tuple[str, str, str]:
    if isinstance(error, InvalidInput):
        return Code.INVALID, str(error), _("Correct it and record the action again.")
    handoff_event = event.type in HANDOFF_TYPES
    # An outsider is told no more about a handoff than the service tells them.
    if handoff_event and not isinstance(error, NotAllowed) and _handoff_closed(event=event):
        return (
            Code.HANDOFF_CLOSED,
            _("This handoff was closed before your phone could send this."),
            _("Nothing to do now: ops can see it and will follow up with the driver."),
        )
    if event.type in PACKAGE_TYPES:
        explained = _package_conflict(batch=batch, event=event)
        if explained is not None:
            return explained
    if isinstance(error, NotAllowed):
        return Code.NOT_ALLOWED, str(error), _("Check the label; if it is right, call ops.")
    return Code.CONFLICT, str(error), _("Check the package on the today page.")


def _handoff_closed(*, event: SyncEvent) -> bool:
    """The handoff is closed now (another phone may have closed it during this batch)."""
    status = Handoff.objects.filter(pk=event.handoff_id).values_list("status", flat=True).first()
    return status == HandoffStatus.CLOSED


def _package_conflict(*, batch: _Batch, event: SyncEvent) -> tuple[str, str, str] | None:
    """Name a refused package event's conflict from the package's state now, or None."""
    label = event.tracking_id.strip()
    package = Package.objects.filter(tracking_id=label).only("id", "status", "partner_id").first()
    if package is None:
        return None
    if label not in batch.packages:
        return _moved(batch=batch, package=package)
    if package.status == PackageStatus.DELIVERED and event.type != SyncEventType.DELIVERY_UNDONE:
        return _delivered_by_teammate(batch=batch, package=package)
    if package.status in DAY_CLOSED_STATUSES:
        return (
            Code.DAY_CLOSED,
            _("The day of package %(tracking)s was closed before your phone could send this.")
            % {"tracking": label},
            _("Keep the package for the return handoff; ops can see what your phone recorded."),
        )
    return None


def _moved(*, batch: _Batch, package: Package) -> tuple[str, str, str] | None:
    """Another partner's package: moved, when it was handed over to the viewer's partner
    before; otherwise not the viewer's at all (the plain 'not yours')."""
    partner_id = batch.viewer.partner_id
    had_it = partner_id is not None and (
        HandoffItem.objects.filter(package=package, handoff__partner_id=partner_id).exists()
    )
    if not had_it:
        return None
    return (
        Code.PACKAGE_MOVED,
        _("Package %(tracking)s was moved to another partner.") % {"tracking": package},
        _("Keep it aside and give it to the driver at the next handoff."),
    )


def _delivered_by_teammate(*, batch: _Batch, package: Package) -> tuple[str, str, str] | None:
    standing = (
        DeliveryAttempt.objects.filter(
            package=package, outcome=AttemptOutcome.DELIVERED, undone_at__isnull=True
        )
        .select_related("attempted_by")
        .order_by("-attempted_at")
        .first()
    )
    if standing is None or standing.attempted_by_id == batch.actor.pk:
        return None
    teammate = standing.attempted_by.full_name if standing.attempted_by else _("a teammate")
    return (
        Code.DELIVERED_BY_TEAMMATE,
        _("%(teammate)s already delivered package %(tracking)s from another phone.")
        % {"teammate": teammate, "tracking": package},
        _("Nothing to do: the package counts as delivered once."),
    )


def _event_partner(*, batch: _Batch, event: SyncEvent) -> Partner | None:
    if event.handoff_id in batch.handoffs:
        return batch.handoffs[event.handoff_id].partner
    package = batch.packages.get(event.tracking_id.strip())
    if package is not None:
        return package.partner
    return batch.partner


def _arrived_after_its_day(*, batch: _Batch, event: SyncEvent) -> bool:
    """The phone recorded it on an earlier local day than the one it reached the server on."""
    partner = _event_partner(batch=batch, event=event)
    if partner is None:
        return False
    tz_name = partner.time_zone
    return local_date(tz_name=tz_name, at=event.device_time) < local_date(tz_name=tz_name)


def _late_record(*, batch: _Batch, event: SyncEvent, result: SyncResult) -> None:
    """Keep the late event for ops, once per client id."""
    package = batch.packages.get(event.tracking_id.strip())
    partner = _event_partner(batch=batch, event=event)
    LateEvent.objects.get_or_create(
        client_id=event.client_id,
        defaults={
            "event_type": event.type,
            "actor": batch.actor,
            "partner": partner,
            "tracking_id": (package.tracking_id if package else event.tracking_id.strip())[:40],
            "handoff": batch.handoffs.get(event.handoff_id) if event.handoff_id else None,
            "device_time": event.device_time,
            "received_at": timezone.now(),
            "outcome": LateEventOutcome.REFUSED
            if result.outcome == Outcome.REFUSED
            else LateEventOutcome.APPLIED,
            "code": result.code,
            "message": result.message,
            "event": result.event,
            "detail": event.sent(),
        },
    )
