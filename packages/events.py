"""The custody log: every PackageEvent is written here and nowhere else (like Saleor's
events.py). One row per change of a package or a handoff, stamped with the server's receipt
time; `event_type` is one of PackageEventType.

`package_event_record` writes one event; `package_events_record` writes several in one
INSERT (the packages a closing drop-off marks missing). Both build their rows with
`_event_build`, so a bulk row is the same as a single one.
"""

import datetime
from typing import Any, TypedDict, Unpack

from django.utils import timezone

from accounts.models import User
from packages.models import Handoff, Package, PackageEvent, PackageEventType


class EventFields(TypedDict, total=False):
    """What a service says about one event; everything but the three first is optional."""

    actor: User | None
    event_type: str
    idempotency_key: str
    package: Package | None
    tracking_id: str
    handoff: Handoff | None
    from_status: str
    to_status: str
    device_time: datetime.datetime | None
    latitude: float | None
    longitude: float | None
    detail: dict[str, Any] | None
    # Only history written after the fact (the demo's past weeks) sets its own receipt time;
    # a service's event is received now.
    received_at: datetime.datetime


def _event_build(now: datetime.datetime, **fields: Unpack[EventFields]) -> PackageEvent:
    package = fields.get("package")
    return PackageEvent(
        package=package,
        tracking_id=fields.get("tracking_id") or (package.tracking_id if package else ""),
        handoff=fields.get("handoff"),
        actor=fields["actor"],
        # An unknown kind is a programming error: refuse it before the database does.
        event_type=PackageEventType(fields["event_type"]),
        from_status=fields.get("from_status", ""),
        to_status=fields.get("to_status", ""),
        device_time=fields.get("device_time"),
        received_at=fields.get("received_at") or now,
        latitude=fields.get("latitude"),
        longitude=fields.get("longitude"),
        idempotency_key=fields["idempotency_key"],
        detail=fields.get("detail") or {},
    )


def package_event_record(**fields: Unpack[EventFields]) -> PackageEvent:
    """Write one event. Call inside the transaction that makes the change it records."""
    event = _event_build(timezone.now(), **fields)
    event.save(force_insert=True)
    return event


def package_events_record(*, events: list[EventFields]) -> list[PackageEvent]:
    """Write several events in one INSERT, all with the same receipt time. Call inside the
    transaction that makes the changes they record."""
    now = timezone.now()
    return PackageEvent.objects.bulk_create([_event_build(now, **fields) for fields in events])
