"""What every package service shares: who may act, the custody log, and idempotent replies.

Every service takes a client-generated `idempotency_key` and returns the PackageEvent it
wrote. A retried request (same key) gets the first request's event back, with
`event.replayed = True`, and writes nothing.
"""

import datetime
import functools
from collections.abc import Callable
from typing import ParamSpec

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

# Who may act: the checks live in the access modules (accounts/access.py); these names stay
# importable from here for the package services until the lead removes the indirection.
from accounts.models import User
from hubdelivery.exceptions import DomainError, InvalidTransition, NotAllowed
from packages.events import package_event_record
from packages.models import (
    ALLOWED_PACKAGE_TRANSITIONS,
    Package,
    PackageEvent,
    PackageStatus,
)
from packages.prepared import PreparedQuery

# Re-exported: services/manifests.py imports it from here.

P = ParamSpec("P")

MAX_IDEMPOTENCY_KEY_LENGTH = 100


# The one access exception, under the name the package services and their tests know.
ActorNotAllowed = NotAllowed


# ------------------------------------------------------------------------------
# Status changes and the custody log
# ------------------------------------------------------------------------------
def status_text(status: str) -> str:
    """A package status as it reads inside a sentence ("at the partner")."""
    return PackageStatus(status).label.lower()


def transition_refusal(*, package: Package, to_status: str) -> InvalidTransition:
    """The refusal of a status change ALLOWED_PACKAGE_TRANSITIONS does not list."""
    return InvalidTransition(
        _("Package %(tracking)s is %(status)s; it cannot become %(to_status)s.")
        % {
            "tracking": package.tracking_id,
            "status": status_text(package.status),
            "to_status": status_text(to_status),
        }
    )


def transition_require(*, package: Package, to_status: str) -> None:
    """Refuse a status change that ALLOWED_PACKAGE_TRANSITIONS does not list."""
    if to_status not in ALLOWED_PACKAGE_TRANSITIONS[package.status]:
        raise transition_refusal(package=package, to_status=to_status)


def package_transition(*, package: Package, to_status: str) -> str:
    """Move the locked `package` to `to_status`; returns the status it left.

    Precondition: the caller holds the package row lock (packages.lock_objects).
    """
    transition_require(package=package, to_status=to_status)
    from_status = package.status
    package.status = to_status
    package.status_changed_at = timezone.now()
    package.save(update_fields=["status", "status_changed_at"])
    return from_status


def packages_transition(*, packages: list[Package], to_status: str) -> list[str]:
    """Move every locked package of `packages` to `to_status` in one UPDATE (all or none);
    returns the status each left, in order.

    Precondition: the caller holds the packages' row locks (packages.lock_objects).
    """
    for package in packages:
        transition_require(package=package, to_status=to_status)
    from_statuses = [package.status for package in packages]
    now = timezone.now()
    Package.objects.filter(pk__in=[package.pk for package in packages]).update(
        status=to_status, status_changed_at=now
    )
    for package in packages:
        package.status, package.status_changed_at = to_status, now
    return from_statuses


def package_move(
    *,
    actor: User,
    package: Package,
    to_status: str,
    event_type: str,
    idempotency_key: str,
    device_time: datetime.datetime | None = None,
) -> PackageEvent:
    """Move the locked `package` to `to_status` and log it as `event_type`."""
    from_status = package_transition(package=package, to_status=to_status)
    return package_event_record(
        actor=actor,
        event_type=event_type,
        idempotency_key=idempotency_key,
        package=package,
        from_status=from_status,
        to_status=to_status,
        device_time=device_time,
    )


def event_replay(event: PackageEvent) -> PackageEvent:
    """Answer a repeated request with the earlier event, writing nothing."""
    event.replayed = True
    return event


def _event_for_key_qs(*, idempotency_key: str) -> QuerySet[PackageEvent]:
    return (
        PackageEvent.objects.select_related("package", "handoff")
        .filter(idempotency_key=idempotency_key)
        .order_by("pk")[:1]
    )


# Compiled once: every service call with a key runs it first (packages.prepared).
_EVENT_FOR_KEY = PreparedQuery(_event_for_key_qs, idempotency_key=str)


def event_get_for_key(*, idempotency_key: str, actor: User) -> PackageEvent | None:
    found = _EVENT_FOR_KEY.objects(idempotency_key=idempotency_key)
    if not found:
        return None
    return event_replay_for(event=found[0], actor=actor)


def event_replay_for(*, event: PackageEvent, actor: User) -> PackageEvent:
    """The answer to `actor` repeating the key of `event`."""
    # A key names one request of one person; never hand someone else's result back.
    if event.actor_id != actor.pk:
        raise DomainError(
            _(
                "This idempotency key was already used for another request; "
                "generate a new key for each new action."
            )
        )
    return event_replay(event)


MAX_TRACKING_ID_LENGTH = 40


def tracking_id_clean(tracking_id: str) -> str:
    """A scanned or typed label, stripped; refused when it cannot be a tracking id."""
    label = tracking_id.strip()
    if not label or len(label) > MAX_TRACKING_ID_LENGTH:
        raise DomainError(
            _("%(label)r is not a package label (1 to %(max)d characters).")
            % {"label": label[:20], "max": MAX_TRACKING_ID_LENGTH}
        )
    return label


def text_check(*, value: str, max_length: int, what: str) -> str:
    """`what` names the text with its article ("The note"), translated by the caller."""
    value = value.strip()
    if len(value) > max_length:
        raise DomainError(
            _("%(what)s is longer than %(max)d characters.") % {"what": what, "max": max_length}
        )
    return value


def idempotency_key_check(idempotency_key: str) -> None:
    if not idempotency_key or len(idempotency_key) > MAX_IDEMPOTENCY_KEY_LENGTH:
        raise DomainError(
            _(
                "Every change needs an idempotency key of 1 to %(max)d characters, "
                "generated by the client once per action."
            )
            % {"max": MAX_IDEMPOTENCY_KEY_LENGTH}
        )


def idempotent(service: Callable[P, PackageEvent]) -> Callable[P, PackageEvent]:
    """Make a service answer a retried key with its first result.

    1. An event with the key is already committed: return it, write nothing.
    2. Otherwise run the service in its own savepoint.
    3. If a request with the same key committed while we waited for a row lock, our insert
       breaks the unique key (IntegrityError) or the service refuses because the change is
       already made (DomainError). Either way the savepoint is rolled back and the committed
       event is the answer.
    """

    @functools.wraps(service)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> PackageEvent:
        key = str(kwargs["idempotency_key"])
        actor: User = kwargs["actor"]  # type: ignore[assignment]
        idempotency_key_check(key)
        if (earlier := event_get_for_key(idempotency_key=key, actor=actor)) is not None:
            return earlier
        try:
            with transaction.atomic():
                return service(*args, **kwargs)
        except (IntegrityError, DomainError):
            if (earlier := event_get_for_key(idempotency_key=key, actor=actor)) is not None:
                return earlier
            raise

    return wrapper
