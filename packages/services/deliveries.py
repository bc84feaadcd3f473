"""Deliveries by a partner's members, and the incidents ops resolve."""

import datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.access import ops_require
from accounts.models import User
from hubdelivery.exceptions import InvalidInput, InvalidTransition
from hubdelivery.lib.dates import local_date
from packages import lock_objects
from packages.events import package_event_record
from packages.models import (
    PARTNER_CUSTODY_STATUSES,
    AttemptOutcome,
    AttemptReason,
    DeliveryAttempt,
    Incident,
    IncidentResolution,
    IncidentStatus,
    Package,
    PackageEvent,
    PackageEventType,
    PackageStatus,
)
from packages.services.common import (
    event_get_for_key,
    event_replay,
    idempotent,
    package_move,
    package_transition,
    status_text,
    text_check,
)
from packages.services.photos import photo_prepare
from partners.access import deliverer_require, member_require
from partners.models import Partner

# A mistaken delivery may be undone by the partner for this long after the server received
# it; after that only ops correct it. Pages and messages read it from here.
UNDO_WINDOW_MINUTES = 15
UNDO_WINDOW = datetime.timedelta(minutes=UNDO_WINDOW_MINUTES)


def undo_window_text() -> str:
    return ngettext("%(n)d minute", "%(n)d minutes", UNDO_WINDOW_MINUTES) % {
        "n": UNDO_WINDOW_MINUTES
    }


# In the language active where it is shown.
UNDO_WINDOW_TEXT = lazy(undo_window_text, str)()
# Packages still to deliver: they may be delivered, attempted, or kept for the return.
DELIVERABLE_STATUSES = frozenset({PackageStatus.RECEIVED, PackageStatus.OUT_FOR_DELIVERY})


def package_is_deliverable(*, package: Package) -> bool:
    """Still to deliver: the partner may deliver or attempt it, or keep it for the return."""
    return package.status in DELIVERABLE_STATUSES


def delivery_undo_deadline(*, attempt: DeliveryAttempt) -> datetime.datetime:
    """The last moment the standing delivery `attempt` may be undone: server times only."""
    return attempt.event.received_at + UNDO_WINDOW


def delivery_is_undoable(*, attempt: DeliveryAttempt, now: datetime.datetime | None = None) -> bool:
    return (now or timezone.now()) <= delivery_undo_deadline(attempt=attempt)


def _deliverable_require(*, package: Package) -> None:
    """Refuse with the reason a partner can act on, rather than a bare state name."""
    if package.status == PackageStatus.DELIVERED:
        raise InvalidTransition(
            _("Package %(tracking)s is already delivered.") % {"tracking": package.tracking_id}
        )
    if package.status not in PARTNER_CUSTODY_STATUSES:
        raise InvalidTransition(
            _(
                "Package %(tracking)s is not in your custody (%(status)s); "
                "scan it in at the handoff first."
            )
            % {"tracking": package.tracking_id, "status": status_text(package.status)}
        )
    if not package_is_deliverable(package=package):
        raise InvalidTransition(
            _("Package %(tracking)s is %(status)s and cannot be delivered now.")
            % {"tracking": package.tracking_id, "status": status_text(package.status)}
        )


def _reason_check(reason: str) -> None:
    if not reason:
        raise InvalidInput(_("Say why the package was not delivered."), field="reason")
    if reason not in AttemptReason.values:
        raise InvalidInput(
            _("Unknown reason %(reason)r; use one of %(reasons)s.")
            % {"reason": reason, "reasons": ", ".join(AttemptReason)},
            field="reason",
        )


@idempotent
def delivery_start(
    *,
    actor: User,
    package: Package,
    idempotency_key: str,
    device_time: datetime.datetime | None = None,
) -> PackageEvent:
    """A member takes a received package out for delivery."""
    package = lock_objects.package_lock(package_id=package.pk)
    deliverer_require(actor=actor, partner=package.partner)
    if package.status == PackageStatus.OUT_FOR_DELIVERY:
        return event_replay(
            package.events.filter(event_type=PackageEventType.DELIVERY_STARTED).latest(
                "received_at"
            )
        )
    _deliverable_require(package=package)
    return package_move(
        actor=actor,
        package=package,
        to_status=PackageStatus.OUT_FOR_DELIVERY,
        event_type=PackageEventType.DELIVERY_STARTED,
        idempotency_key=idempotency_key,
        device_time=device_time,
    )


@idempotent
def package_deliver(
    *,
    actor: User,
    package: Package,
    idempotency_key: str,
    recipient_name: str = "",
    safe_place_note: str = "",
    photo: UploadedFile | None = None,
    device_time: datetime.datetime | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
) -> PackageEvent:
    """Mark a package in the partner's custody delivered, with at least one proof. A photo is
    prepared here (metadata stripped, re-encoded, pixels bounded, a neutral name), whoever
    calls. The delivery time is the server's; `device_time` is kept beside it on the event."""
    recipient_name = text_check(
        value=recipient_name, max_length=150, what=_("The recipient's name")
    )
    safe_place_note = text_check(
        value=safe_place_note, max_length=300, what=_("The safe-place note")
    )
    if not (recipient_name or safe_place_note or photo):
        raise InvalidInput(
            _("Give a proof of delivery: a photo, the recipient's name or where you left it."),
            field="recipient_name",
        )
    # Re-encoding is slow: do it before taking the package's row lock.
    prepared = photo_prepare(photo) if photo is not None else None
    package = lock_objects.package_lock(package_id=package.pk)
    deliverer_require(actor=actor, partner=package.partner)
    _deliverable_require(package=package)
    from_status = package_transition(package=package, to_status=PackageStatus.DELIVERED)
    event = package_event_record(
        actor=actor,
        event_type=PackageEventType.DELIVERED,
        idempotency_key=idempotency_key,
        package=package,
        from_status=from_status,
        to_status=PackageStatus.DELIVERED,
        device_time=device_time,
        latitude=latitude,
        longitude=longitude,
    )
    attempt = DeliveryAttempt(
        package=package,
        event=event,
        outcome=AttemptOutcome.DELIVERED,
        attempted_by=actor,
        attempted_at=event.received_at,
        recipient_name=recipient_name,
        safe_place_note=safe_place_note,
    )
    if prepared is not None:
        attempt.photo.save(prepared.name, prepared, save=False)
    attempt.save()
    return event


@idempotent
def package_attempt(
    *,
    actor: User,
    package: Package,
    reason: str,
    idempotency_key: str,
    note: str = "",
    device_time: datetime.datetime | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
) -> PackageEvent:
    """Record a failed delivery attempt; it opens an incident for ops. The attempt time is the
    server's; `device_time` is kept beside it on the event."""
    _reason_check(reason)
    note = text_check(value=note, max_length=300, what=_("The note"))
    package = lock_objects.package_lock(package_id=package.pk)
    deliverer_require(actor=actor, partner=package.partner)
    if package.status == PackageStatus.ATTEMPTED:
        raise InvalidTransition(
            _("Package %(tracking)s was already attempted; its incident is with ops.")
            % {"tracking": package.tracking_id}
        )
    _deliverable_require(package=package)
    from_status = package_transition(package=package, to_status=PackageStatus.ATTEMPTED)
    event = package_event_record(
        actor=actor,
        event_type=PackageEventType.ATTEMPTED,
        idempotency_key=idempotency_key,
        package=package,
        from_status=from_status,
        to_status=PackageStatus.ATTEMPTED,
        device_time=device_time,
        latitude=latitude,
        longitude=longitude,
        detail={"reason": reason, "note": note} if note else {"reason": reason},
    )
    attempt = DeliveryAttempt.objects.create(
        package=package,
        event=event,
        outcome=AttemptOutcome.ATTEMPTED,
        reason=reason,
        attempted_by=actor,
        attempted_at=event.received_at,
        safe_place_note=note,
    )
    Incident.objects.create(
        package=package, attempt=attempt, reason=reason, opened_at=event.received_at
    )
    return event


@idempotent
def package_delivery_undo(
    *,
    actor: User,
    package: Package,
    idempotency_key: str,
    device_time: datetime.datetime | None = None,
) -> PackageEvent:
    """Undo a mistaken delivery within the undo window (`delivery_is_undoable`) of the server
    receiving it. The package returns to the status it had before; the delivery's proof is
    kept, stamped undone."""
    package = lock_objects.package_lock(package_id=package.pk)
    member_require(actor=actor, partner=package.partner)
    if package.status != PackageStatus.DELIVERED:
        raise InvalidTransition(
            _("Package %(tracking)s is not delivered; nothing to undo.")
            % {"tracking": package.tracking_id}
        )
    attempt = (
        DeliveryAttempt.objects.select_related("event")
        .filter(package=package, outcome=AttemptOutcome.DELIVERED, undone_at__isnull=True)
        .latest("event__received_at")
    )
    now = timezone.now()
    if not delivery_is_undoable(attempt=attempt, now=now):
        raise InvalidTransition(
            _("A delivery can only be undone within %(window)s; ask ops to correct it.")
            % {"window": undo_window_text()}
        )
    to_status = attempt.event.from_status
    from_status = package_transition(package=package, to_status=to_status)
    attempt.undone_at = now
    attempt.save(update_fields=["undone_at"])
    return package_event_record(
        actor=actor,
        event_type=PackageEventType.DELIVERY_UNDONE,
        idempotency_key=idempotency_key,
        package=package,
        from_status=from_status,
        to_status=to_status,
        device_time=device_time,
        detail={"undone_event": attempt.event_id},
    )


@idempotent
def incident_resolve(
    *,
    actor: User,
    incident: Incident,
    resolution: str,
    idempotency_key: str,
    note: str = "",
) -> PackageEvent:
    """Ops decide what happens after a failed attempt: re-attempt on the partner's next local
    day (back to received), or queue the package for the next return handoff."""
    ops_require(actor=actor)
    if resolution not in IncidentResolution.values:
        raise InvalidInput(
            _("Unknown resolution %(resolution)r.") % {"resolution": resolution}, field="resolution"
        )
    # Lock order: the package before its incident (lock_objects.py).
    package = lock_objects.package_lock(package_id=incident.package_id)
    incident = lock_objects.incident_lock(incident_id=incident.pk)
    if incident.status == IncidentStatus.RESOLVED:
        if incident.resolution != resolution:
            raise InvalidTransition(
                _("The incident was already resolved: %(resolution)s.")
                % {"resolution": incident.get_resolution_display()}
            )
        return event_replay(
            package.events.filter(
                event_type=PackageEventType.INCIDENT_RESOLVED, detail__incident=incident.pk
            ).latest("received_at")
        )
    update_fields = ["status", "status_changed_at"]
    if resolution == IncidentResolution.RE_ATTEMPT:
        to_status = PackageStatus.RECEIVED
        today = local_date(tz_name=package.partner.time_zone)
        package.service_date = max(package.service_date, today) + datetime.timedelta(days=1)
        update_fields.append("service_date")
    else:
        to_status = PackageStatus.RETURN_PENDING
    from_status = package_transition(package=package, to_status=to_status)
    package.save(update_fields=update_fields)
    incident.status, incident.resolution = IncidentStatus.RESOLVED, resolution
    incident.resolution_note, incident.resolved_by = note, actor
    incident.resolved_at = timezone.now()
    incident.save(
        update_fields=["status", "resolution", "resolution_note", "resolved_by", "resolved_at"]
    )
    return package_event_record(
        actor=actor,
        event_type=PackageEventType.INCIDENT_RESOLVED,
        idempotency_key=idempotency_key,
        package=package,
        from_status=from_status,
        to_status=to_status,
        detail={"incident": incident.pk, "resolution": resolution, "note": note},
    )


@idempotent
def package_queue_for_return(
    *,
    actor: User,
    package: Package,
    idempotency_key: str,
    device_time: datetime.datetime | None = None,
) -> PackageEvent:
    """At the end of the day a member puts an undelivered package in the secure storage area
    for the next return handoff (received or out for delivery -> queued for return)."""
    package = lock_objects.package_lock(package_id=package.pk)
    member_require(actor=actor, partner=package.partner)
    if not package_is_deliverable(package=package):
        raise InvalidTransition(
            _(
                "Package %(tracking)s is %(status)s; "
                "only packages still to deliver are kept for the return."
            )
            % {"tracking": package.tracking_id, "status": status_text(package.status)}
        )
    return package_move(
        actor=actor,
        package=package,
        to_status=PackageStatus.RETURN_PENDING,
        event_type=PackageEventType.QUEUED_FOR_RETURN,
        idempotency_key=idempotency_key,
        device_time=device_time,
    )


@transaction.atomic
def day_close(
    *,
    actor: User,
    partner: Partner,
    service_date: datetime.date,
    idempotency_key: str,
    device_time: datetime.datetime | None = None,
) -> list[PackageEvent]:
    """Close the partner's day: every package of the date still to deliver is queued for the
    next return handoff, one event each, all or nothing. Each package's key is derived from
    `idempotency_key`, so a retry answers with the first run's events and changes nothing."""
    member_require(actor=actor, partner=partner)
    day_packages = list(
        Package.objects.filter(
            partner=partner,
            service_date=service_date,
            status__in=[*DELIVERABLE_STATUSES, PackageStatus.RETURN_PENDING],
        ).order_by("route_sequence", "tracking_id")
    )
    keys = {package.pk: f"{idempotency_key}:{package.pk}" for package in day_packages}
    earlier = [
        event_get_for_key(idempotency_key=key, actor=actor)
        for key in PackageEvent.objects.filter(idempotency_key__in=keys.values())
        .order_by("pk")
        .values_list("idempotency_key", flat=True)
    ]
    if earlier:
        return earlier
    return [
        package_queue_for_return(
            actor=actor, package=package, idempotency_key=keys[package.pk], device_time=device_time
        )
        for package in day_packages
        if package_is_deliverable(package=package)
    ]
