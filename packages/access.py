"""Who may act on a DSP's packages, handoffs and API keys: the packages layer of the access
vocabulary (see accounts/access.py). Every check raises `hubdelivery.exceptions.NotAllowed`."""

from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.roles import Role
from hubdelivery.exceptions import NotAllowed
from hubdelivery.lib.geo_queries import miles_between
from packages import lock_objects
from packages.models import Driver, Dsp, DspManager, Handoff
from packages.prepared import PreparedQuery
from packages.selectors import station_serves, station_serves_q
from partners.models import Partner
from partners.selectors.partners import memberships_current

HANDOFF_OUTSIDER = gettext_lazy("Only the DSP's drivers and the partner's members take part in it.")


def driver_get(*, actor: User, dsp: Dsp) -> Driver | None:
    return (
        Driver.objects.working().select_related("home_station").filter(user=actor, dsp=dsp).first()
    )


def driver_require(*, actor: User, dsp: Dsp) -> Driver:
    driver = driver_get(actor=actor, dsp=dsp)
    if driver is None:
        raise NotAllowed(_("You are not a driver of %(dsp)s.") % {"dsp": dsp})
    return driver


def driver_station_serves_require(*, driver: Driver, partner: Partner) -> None:
    """A driver works only with the partners their home station serves
    (selectors.station_partners); a driver without a home station works with none."""
    if driver.home_station is None:
        raise NotAllowed(_("You have no home station yet; ask your DSP's dispatcher."))
    if not station_serves(station=driver.home_station, partner_id=partner.pk):
        raise NotAllowed(
            _("%(partner)s is not served by your station %(station)s.")
            % {"partner": partner, "station": driver.home_station.code}
        )


@dataclass(frozen=True)
class HandoffTurn:
    """A handoff locked for the actor, with the side the actor is on ('driver' or
    'partner'). Only `handoff_lock_for` makes one, so holding one means the check passed."""

    handoff: Handoff
    side: str


def _handoff_lock_qs(*, actor_id: int, handoff_id: int) -> QuerySet[Handoff]:
    actor = User(pk=actor_id)
    return (
        lock_objects.handoff_qs_select_for_update()
        .select_related("partner", "dsp")
        .annotate(
            actor_drives=Exists(
                Driver.objects.working().filter(
                    station_serves_q(
                        miles=miles_between(
                            F("home_station__latitude"),
                            F("home_station__longitude"),
                            OuterRef("partner__latitude"),
                            OuterRef("partner__longitude"),
                        ),
                        station_ref=OuterRef("home_station_id"),
                        partner_ref=OuterRef(OuterRef("partner_id")),
                    ),
                    user=actor,
                    dsp_id=OuterRef("dsp_id"),
                )
            ),
            actor_works_here=Exists(
                memberships_current(user=actor).filter(partner_id=OuterRef("partner_id"))
            ),
        )
        .filter(pk=handoff_id)[:1]
    )


# Compiled once: every scan takes this lock (packages.prepared).
_HANDOFF_LOCK = PreparedQuery(_handoff_lock_qs, actor_id=int, handoff_id=int)


def handoff_lock_for(*, actor: User, handoff_id: int) -> HandoffTurn:
    """Lock the handoff and find the actor's side of it, in one statement; NotAllowed when
    the actor is on neither side or there is no such handoff (the same refusal, so an id
    tells an outsider nothing). The driver side is the DSP's working drivers whose home
    station serves the partner (selectors.station_serves_q).

    Call inside `transaction.atomic()`. The DSP's driver is on the driver side even when they
    also work for the partner.
    """
    found = _HANDOFF_LOCK.objects(actor_id=actor.pk, handoff_id=handoff_id)
    handoff = found[0] if found else None
    if handoff is None or not (handoff.actor_drives or handoff.actor_works_here):
        raise NotAllowed(str(HANDOFF_OUTSIDER))
    return HandoffTurn(handoff=handoff, side="driver" if handoff.actor_drives else "partner")


def dsp_manage_require(*, actor: User, dsp: Dsp) -> None:
    """Ops admins, for any DSP; a DSP manager, for their own DSP only."""
    if actor.has_role(Role.OPS_ADMIN):
        return
    if actor.has_role(Role.DSP_MANAGER) and DspManager.objects.filter(user=actor, dsp=dsp).exists():
        return
    raise NotAllowed(
        _(
            "Only ops admins and the DSP's own managers manage its drivers, managers, "
            "stations and API keys."
        )
    )
