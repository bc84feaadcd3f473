"""The state of one handoff that every scan reads or changes: the handoff locked open, its
counters, the event behind an item. One module for the single scans (handoffs.py) and the
set-based ones (scans.py), so neither restates the other's rules."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from hubdelivery.exceptions import DomainError, InvalidTransition
from packages.access import handoff_lock_for
from packages.models import Handoff, HandoffDirection, HandoffStatus, PackageEvent

# Keyed by the direction the scan needs, said when the handoff goes the other way.
WRONG_DIRECTION = {
    HandoffDirection.DROP_OFF: gettext_lazy(
        "This handoff is a return to the DSP: packages are only handed back here. Scan them "
        "in, or mark them damaged or missing, at a drop-off."
    ),
    HandoffDirection.RETURN: gettext_lazy(
        "This handoff is a drop-off: packages go back to the DSP at a return handoff."
    ),
}


def open_handoff_require(*, actor: User, handoff_id: int, direction: str | None) -> Handoff:
    """Lock the handoff, check the actor takes part in it (packages.access), then that it is
    open and goes the right way (either way when `direction` is None)."""
    handoff = handoff_lock_for(actor=actor, handoff_id=handoff_id).handoff
    if handoff.status != HandoffStatus.OPEN:
        raise InvalidTransition(_("This handoff is closed; open a new one to scan more packages."))
    if direction is not None and handoff.direction != direction:
        raise DomainError(str(WRONG_DIRECTION[direction]))
    return handoff


def handoff_count_add(*, handoff: Handoff, **deltas: int) -> None:
    """Adjust the counters of the handoff, which the caller has locked (so the values it read
    are current, and the instance stays right for the answer)."""
    for field, delta in deltas.items():
        setattr(handoff, field, getattr(handoff, field) + delta)
    handoff.save(update_fields=list(deltas))


def item_event(*, handoff: Handoff, tracking_id: str) -> PackageEvent | None:
    """The event that recorded the current outcome of `tracking_id` at `handoff`."""
    return (
        PackageEvent.objects.filter(handoff=handoff, tracking_id=tracking_id)
        .exclude(event_type__startswith="handoff_")
        .order_by("-received_at", "-id")
        .first()
    )
