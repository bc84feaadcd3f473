"""Reads for the DSP pages (ops admins and the DSP's managers): which DSP a person may open,
its keys, its drivers and its managers. An object the reader may not see answers 404, so an
id tells an outsider nothing; the role gate (403) is the views' decorator."""

from django.db.models import Count, F, Q, QuerySet
from django.http import Http404

from accounts.models import User
from accounts.roles import Role
from packages.models import (
    RECEIVING_PARTNER_STATUSES,
    Driver,
    Dsp,
    DspApiToken,
    DspManager,
    Station,
    StationPartner,
)
from packages.selectors import STATION_SERVICE_RADIUS_MILES, station_partners
from partners.models import Partner


def _dsps_visible_to(*, actor: User) -> QuerySet[Dsp]:
    if actor.has_role(Role.OPS_ADMIN):
        return Dsp.objects.all()
    if actor.has_role(Role.DSP_MANAGER):
        return Dsp.objects.filter(managers__user=actor)
    return Dsp.objects.none()


def dsp_of_manager(*, user: User) -> Dsp | None:
    manager = DspManager.objects.select_related("dsp").filter(user=user).first()
    return manager.dsp if manager else None


def dsp_get_for(*, actor: User, dsp_id: int) -> Dsp:
    dsp = _dsps_visible_to(actor=actor).filter(pk=dsp_id).first()
    if dsp is None:
        raise Http404("No such DSP.")
    return dsp


def dsp_token_get_for(*, actor: User, token_id: int) -> DspApiToken:
    token = (
        DspApiToken.objects.select_related("dsp", "created_by", "replaced_by")
        .filter(pk=token_id, dsp__in=_dsps_visible_to(actor=actor))
        .first()
    )
    if token is None:
        raise Http404("No such API key.")
    return token


def dsp_tokens(*, dsp: Dsp) -> QuerySet[DspApiToken]:
    """The DSP's keys, newest first, with who created them and their replacements."""
    return (
        DspApiToken.objects.filter(dsp=dsp)
        .select_related("created_by", "replaced_by")
        .order_by("-created", "-id")
    )


def dsp_drivers(*, dsp: Dsp) -> QuerySet[Driver]:
    """Every driver, removed ones too (shown as such), current first."""
    return (
        Driver.objects.filter(dsp=dsp)
        .select_related("user", "home_station")
        .order_by(F("removed_at").asc(nulls_first=True), "user__email")
    )


def dsp_list_for_ops() -> QuerySet[Dsp]:
    """Every DSP with its driver count and the number of keys not revoked."""
    return Dsp.objects.annotate(
        driver_count=Count("drivers", distinct=True),
        key_count=Count("api_tokens", filter=Q(api_tokens__revoked_at__isnull=True), distinct=True),
    ).order_by("name")


def dsp_stations(*, dsp: Dsp) -> QuerySet[Station]:
    return Station.objects.filter(dsp=dsp).order_by("code")


def station_get_for(*, actor: User, station_id: int) -> Station:
    station = (
        Station.objects.select_related("dsp")
        .filter(pk=station_id, dsp__in=_dsps_visible_to(actor=actor))
        .first()
    )
    if station is None:
        raise Http404("No such station.")
    return station


def driver_get_for(*, actor: User, driver_id: int) -> Driver:
    driver = (
        Driver.objects.select_related("user", "dsp", "home_station")
        .filter(pk=driver_id, dsp__in=_dsps_visible_to(actor=actor))
        .first()
    )
    if driver is None:
        raise Http404("No such driver.")
    return driver


def dsp_managers(*, dsp: Dsp) -> QuerySet[DspManager]:
    return DspManager.objects.filter(dsp=dsp).select_related("user").order_by("user__email")


def dsp_manager_get_for(*, actor: User, manager_id: int) -> DspManager:
    manager = (
        DspManager.objects.select_related("user", "dsp")
        .filter(pk=manager_id, dsp__in=_dsps_visible_to(actor=actor))
        .first()
    )
    if manager is None:
        raise Http404("No such DSP manager.")
    return manager


def station_page_partners(*, station: Station) -> dict:
    """The station page's partner lists, in four queries whatever their length: the partners
    it serves (those ops added marked), the ones ops removed, and the partners ops may add."""
    served = list(station_partners(station=station).only("pk", "trade_name", "city", "zip_code"))
    choices = list(
        StationPartner.objects.filter(station=station)
        .select_related("partner", "actor")
        .order_by("partner__trade_name", "partner_id")
    )
    added_ids = {choice.partner_id for choice in choices if choice.included}
    addable = (
        Partner.objects.filter(status__in=RECEIVING_PARTNER_STATUSES)
        .exclude(pk__in=station_partners(station=station).values("pk"))
        .only("pk", "trade_name", "city", "zip_code")
        .order_by("trade_name", "pk")
    )
    return {
        "served": [(partner, partner.pk in added_ids) for partner in served],
        "removed": [choice for choice in choices if not choice.included],
        "addable": list(addable),
        "radius_miles": STATION_SERVICE_RADIUS_MILES,
    }
