"""Who may act on a DSP's packages and handoffs: the packages layer of the access
vocabulary (see accounts/access.py). Every check raises `hubdelivery.exceptions.NotAllowed`."""

from accounts.models import User
from hubdelivery.exceptions import NotAllowed
from packages.models import Driver, Dsp, Handoff
from partners.access import member_get


def driver_get(*, actor: User, dsp: Dsp) -> Driver | None:
    return Driver.objects.filter(user=actor, dsp=dsp).first()


def driver_require(*, actor: User, dsp: Dsp) -> Driver:
    driver = driver_get(actor=actor, dsp=dsp)
    if driver is None:
        raise NotAllowed(f"You are not a driver of {dsp}.")
    return driver


def handoff_side_require(*, actor: User, handoff: Handoff) -> str:
    """'driver' or 'partner': the side of the handoff the actor is on."""
    if driver_get(actor=actor, dsp=handoff.dsp) is not None:
        return "driver"
    if member_get(actor=actor, partner=handoff.partner) is not None:
        return "partner"
    raise NotAllowed("Only the DSP's drivers and the partner's members take part in it.")
