"""Deliveries by a partner's members, and the incidents ops resolve."""

import datetime

import filetype
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from hubdelivery.exceptions import DomainError, InvalidTransition
from hubdelivery.lib.dates import local_date
from packages import lock_objects
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
    deliverer_require,
    event_get_for_key,
    event_record,
    event_replay,
    idempotent,
    member_require,
    ops_require,
    package_move,
    package_transition,
    text_check,
)
from partners.models import Partner

UNDO_WINDOW = datetime.timedelta(minutes=15)
MAX_PHOTO_BYTES = 10 * 1024 * 1024
PHOTO_MIME_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/heic"})
DELIVERABLE_STATUSES = frozenset({PackageStatus.RECEIVED, PackageStatus.OUT_FOR_DELIVERY})


def _deliverable_require(*, package: Package) -> None:
    """Refuse with the reason a partner can act on, rather than a bare state name."""
    if package.status == PackageStatus.DELIVERED:
        raise InvalidTransition(f"Package {package.tracking_id} is already delivered.")
    if package.status not in PARTNER_CUSTODY_STATUSES:
        raise InvalidTransition(
            f"Package {package.tracking_id} is not in your custody "
            f"({PackageStatus(package.status).label.lower()}); scan it in at the handoff first."
        )
    if package.status not in DELIVERABLE_STATUSES:
        raise InvalidTransition(
            f"Package {package.tracking_id} is {PackageStatus(package.status).label.lower()} "
            "and cannot be delivered now."
        )


def photo_check(photo: UploadedFile) -> None:
    """Type by content (not by name) and size."""
    if photo.size is not None and photo.size > MAX_PHOTO_BYTES:
        raise DomainError("The photo is larger than 10 MB.")
    head = photo.read(261)
    photo.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in PHOTO_MIME_TYPES:
        raise DomainError("The photo must be a JPEG, PNG, WebP or HEIC image.")


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
    """Mark a package in the partner's custody delivered, with at least one proof."""
    recipient_name = text_check(value=recipient_name, max_length=150, what="recipient's name")
    safe_place_note = text_check(value=safe_place_note, max_length=300, what="safe-place note")
    if not (recipient_name or safe_place_note or photo):
        raise DomainError("Give a proof of delivery: a photo, the recipient's name or a note.")
    if photo is not None:
        photo_check(photo)
    package = lock_objects.package_lock(package_id=package.pk)
    deliverer_require(actor=actor, partner=package.partner)
    _deliverable_require(package=package)
    from_status = package_transition(package=package, to_status=PackageStatus.DELIVERED)
    event = event_record(
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
        attempted_at=device_time or event.received_at,
        recipient_name=recipient_name,
        safe_place_note=safe_place_note,
    )
    if photo is not None:
        attempt.photo.save(photo.name or "proof.jpg", photo, save=False)
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
    """Record a failed delivery attempt; it opens an incident for ops."""
    if reason not in AttemptReason.values:
        raise DomainError(f"Unknown reason {reason!r}; use one of {', '.join(AttemptReason)}.")
    note = text_check(value=note, max_length=300, what="note")
    package = lock_objects.package_lock(package_id=package.pk)
    deliverer_require(actor=actor, partner=package.partner)
    if package.status == PackageStatus.ATTEMPTED:
        raise InvalidTransition(
            f"Package {package.tracking_id} was already attempted; its incident is with ops."
        )
    _deliverable_require(package=package)
    from_status = package_transition(package=package, to_status=PackageStatus.ATTEMPTED)
    event = event_record(
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
        attempted_at=device_time or event.received_at,
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
    """Undo a mistaken delivery within 15 minutes of the server receiving it. The package
    returns to the status it had before; the delivery's proof is kept, stamped undone."""
    package = lock_objects.package_lock(package_id=package.pk)
    member_require(actor=actor, partner=package.partner)
    if package.status != PackageStatus.DELIVERED:
        raise InvalidTransition(f"Package {package.tracking_id} is not delivered; nothing to undo.")
    attempt = (
        DeliveryAttempt.objects.select_related("event")
        .filter(package=package, outcome=AttemptOutcome.DELIVERED, undone_at__isnull=True)
        .latest("event__received_at")
    )
    now = timezone.now()
    if now - attempt.event.received_at > UNDO_WINDOW:
        raise InvalidTransition(
            "A delivery can only be undone within 15 minutes; ask ops to correct it."
        )
    to_status = attempt.event.from_status
    from_status = package_transition(package=package, to_status=to_status)
    attempt.undone_at = now
    attempt.save(update_fields=["undone_at"])
    return event_record(
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
        raise DomainError(f"Unknown resolution {resolution!r}.")
    # Lock order: the package before its incident (lock_objects.py).
    package = lock_objects.package_lock(package_id=incident.package_id)
    incident = lock_objects.incident_lock(incident_id=incident.pk)
    if incident.status == IncidentStatus.RESOLVED:
        if incident.resolution != resolution:
            raise InvalidTransition(
                f"The incident was already resolved: {incident.get_resolution_display()}."
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
    return event_record(
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
    if package.status not in DELIVERABLE_STATUSES:
        raise InvalidTransition(
            f"Package {package.tracking_id} is {PackageStatus(package.status).label.lower()}; "
            "only packages still to deliver are kept for the return."
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
        if package.status in DELIVERABLE_STATUSES
    ]
