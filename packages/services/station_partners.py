"""Ops adjust the partners a station serves (packages.selectors.station_partners): add a
partner beyond the station's service radius, remove one within it. Ops admins and the DSP's
own managers; every change is atomic and writes a DspEvent with the partner's place before
and after."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from hubdelivery.exceptions import InvalidInput
from packages.access import dsp_manage_require
from packages.dsp_events import dsp_event_record
from packages.models import RECEIVING_PARTNER_STATUSES, DspEventKind, Station, StationPartner
from packages.selectors import station_serves
from partners.models import Partner

SERVED_WORDS = {True: "served", False: "not served"}


def _partner_clean(partner_id: object) -> Partner:
    """A partner that takes handoffs (active or onboarding), by id."""
    partner = None
    if str(partner_id or "").strip().isdigit():
        partner = Partner.objects.filter(
            pk=int(str(partner_id).strip()), status__in=RECEIVING_PARTNER_STATUSES
        ).first()
    if partner is None:
        raise InvalidInput(gettext("Choose an active partner."), field="partner")
    return partner


def _station_lock(station: Station) -> Station:
    return Station.objects.select_for_update().select_related("dsp").get(pk=station.pk)


def _station_partner_set(
    *, actor: User, station: Station, partner_id: object, serve: bool
) -> StationPartner:
    """1. Only ops admins and the station's DSP's managers; 2. the partner takes handoffs;
    3. under the station's lock, the change must change something (a partner already served
    is not added, one not served is not removed); 4. the choice is saved and audited."""
    dsp_manage_require(actor=actor, dsp=station.dsp)
    partner = _partner_clean(partner_id)
    station = _station_lock(station)
    served_before = station_serves(station=station, partner_id=partner.pk)
    if served_before == serve:
        message = (
            gettext("%(partner)s is already served by this station.")
            if serve
            else gettext("%(partner)s is not served by this station.")
        )
        raise InvalidInput(message % {"partner": partner}, field="partner")
    choice, _created = StationPartner.objects.update_or_create(
        station=station,
        partner=partner,
        defaults={"included": serve, "actor": actor, "changed_at": timezone.now()},
    )
    dsp_event_record(
        dsp=station.dsp,
        actor=actor,
        kind=DspEventKind.STATION_PARTNER_ADDED if serve else DspEventKind.STATION_PARTNER_REMOVED,
        detail=(
            f"{station.code}: {partner.trade_name} (#{partner.pk}) "
            f"{SERVED_WORDS[served_before]} → {SERVED_WORDS[serve]}"
        ),
    )
    return choice


@transaction.atomic
def station_partner_add(*, actor: User, station: Station, partner_id: object) -> StationPartner:
    return _station_partner_set(actor=actor, station=station, partner_id=partner_id, serve=True)


@transaction.atomic
def station_partner_remove(*, actor: User, station: Station, partner_id: object) -> StationPartner:
    return _station_partner_set(actor=actor, station=station, partner_id=partner_id, serve=False)
