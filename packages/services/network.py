"""The DSP network in the ops pages: DSPs (create, edit, deactivate, reactivate), their
stations (placed from a ZIP's centroid, adjusted by a map pin), their drivers (invited by
email, moved between stations, removed) and their managers (invited by email, removed).
Every change is atomic and writes a DspEvent."""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from accounts.access import ops_admin_require
from accounts.emails import email_send_templated
from accounts.models import User
from accounts.roles import Role
from accounts.services import (
    invitation_join_path,
    invitation_password_set,
    invited_user_get_or_create,
    role_grant,
    role_revoke,
)
from hubdelivery.exceptions import DomainError, InvalidInput
from hubdelivery.lib.urls import absolute_url
from hubdelivery.lib.zipdata import zip_lookup
from packages.access import dsp_manage_require
from packages.dsp_events import dsp_event_record
from packages.dsp_selectors import dsp_of_manager
from packages.models import Driver, Dsp, DspEventKind, DspManager, Station
from partners.selectors.partners import membership_current_for

DSP_NAME_MAX_LENGTH = 200
STATION_CODE_MAX_LENGTH = 20
STATION_NAME_MAX_LENGTH = 200
ADDRESS_MAX_LENGTH = 200
PERSON_NAME_MAX_LENGTH = 150


def _text_clean(value: str, *, field: str, max_length: int, required: bool = True) -> str:
    value = " ".join((value or "").split())
    if required and not value:
        raise InvalidInput(gettext("This field is required."), field=field)
    if len(value) > max_length:
        raise InvalidInput(
            gettext("At most %(count)d characters.") % {"count": max_length}, field=field
        )
    return value


def _email_clean(value: str, *, field: str, required: bool) -> str:
    value = (value or "").strip().lower()
    if not value:
        if required:
            raise InvalidInput(gettext("This field is required."), field=field)
        return ""
    try:
        validate_email(value)
    except ValidationError as error:
        raise InvalidInput(gettext("Enter a valid email address."), field=field) from error
    return value


def _dsp_name_clean(name: str, *, dsp: Dsp | None = None) -> str:
    name = _text_clean(name, field="name", max_length=DSP_NAME_MAX_LENGTH)
    others = Dsp.objects.filter(name__iexact=name)
    if dsp is not None:
        others = others.exclude(pk=dsp.pk)
    if others.exists():
        raise InvalidInput(gettext("Another DSP already has this name."), field="name")
    return name


def _dsp_lock(dsp: Dsp) -> Dsp:
    return Dsp.objects.select_for_update().get(pk=dsp.pk)


@transaction.atomic
def dsp_create(*, actor: User, name: str, contact_email: str = "") -> Dsp:
    ops_admin_require(actor=actor)
    dsp = Dsp.objects.create(
        name=_dsp_name_clean(name),
        contact_email=_email_clean(contact_email, field="contact_email", required=False),
    )
    dsp_event_record(dsp=dsp, actor=actor, kind=DspEventKind.DSP_CREATED, detail=dsp.name)
    return dsp


@transaction.atomic
def dsp_update(*, actor: User, dsp: Dsp, name: str, contact_email: str = "") -> Dsp:
    ops_admin_require(actor=actor)
    new_values = {
        "name": _dsp_name_clean(name, dsp=dsp),
        "contact_email": _email_clean(contact_email, field="contact_email", required=False),
    }
    dsp = _dsp_lock(dsp)
    changes = [
        f"{field}: {getattr(dsp, field)} → {value}"
        for field, value in new_values.items()
        if getattr(dsp, field) != value
    ]
    if not changes:
        return dsp
    for field, value in new_values.items():
        setattr(dsp, field, value)
    dsp.save(update_fields=list(new_values))
    dsp_event_record(dsp=dsp, actor=actor, kind=DspEventKind.DSP_EDITED, detail="; ".join(changes))
    return dsp


@transaction.atomic
def dsp_deactivate(*, actor: User, dsp: Dsp, reason: str = "") -> Dsp:
    """Its drivers and API keys stop working at once; nothing is deleted, so reactivating
    brings them back. Deactivating twice changes nothing."""
    ops_admin_require(actor=actor)
    reason = _text_clean(reason, field="reason", max_length=500, required=False)
    dsp = _dsp_lock(dsp)
    if dsp.deactivated_at is not None:
        return dsp
    dsp.deactivated_at = timezone.now()
    dsp.save(update_fields=["deactivated_at"])
    dsp_event_record(dsp=dsp, actor=actor, kind=DspEventKind.DSP_DEACTIVATED, reason=reason)
    return dsp


@transaction.atomic
def dsp_reactivate(*, actor: User, dsp: Dsp) -> Dsp:
    ops_admin_require(actor=actor)
    dsp = _dsp_lock(dsp)
    if dsp.deactivated_at is None:
        return dsp
    dsp.deactivated_at = None
    dsp.save(update_fields=["deactivated_at"])
    dsp_event_record(dsp=dsp, actor=actor, kind=DspEventKind.DSP_REACTIVATED)
    return dsp


def _coordinate_clean(value: object, *, field: str, low: float, high: float) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as error:
        raise InvalidInput(gettext("Enter a number."), field=field) from error
    if not low <= number <= high:
        raise InvalidInput(
            gettext("Enter a number between %(low)s and %(high)s.") % {"low": low, "high": high},
            field=field,
        )
    return number


def station_coordinates(
    *, zip_code: str, latitude: object = None, longitude: object = None
) -> tuple[str, float, float]:
    """The station's ZIP and coordinates: the pin's when given, else the ZIP's centroid."""
    info = zip_lookup(zip_code or "")
    if info is None:
        raise InvalidInput(gettext("Enter a known 5-digit US ZIP code."), field="zip_code")
    if latitude in (None, "") and longitude in (None, ""):
        return info.zip_code, info.latitude, info.longitude
    lat = _coordinate_clean(latitude, field="latitude", low=-90, high=90)
    lng = _coordinate_clean(longitude, field="longitude", low=-180, high=180)
    return info.zip_code, lat, lng


def _station_values(
    *,
    code: str,
    name: str,
    zip_code: str,
    address_line: str = "",
    latitude: object = None,
    longitude: object = None,
) -> dict:
    """The station's cleaned fields; blank coordinates: the ZIP's centroid."""
    zip_clean, lat, lng = station_coordinates(
        zip_code=zip_code, latitude=latitude, longitude=longitude
    )
    return {
        "code": _text_clean(code, field="code", max_length=STATION_CODE_MAX_LENGTH).upper(),
        "name": _text_clean(name, field="name", max_length=STATION_NAME_MAX_LENGTH),
        "address_line": _text_clean(
            address_line, field="address_line", max_length=ADDRESS_MAX_LENGTH, required=False
        ),
        "zip_code": zip_clean,
        "latitude": lat,
        "longitude": lng,
    }


def _station_code_require_unique(code: str, *, station: Station | None = None) -> None:
    others = Station.objects.filter(code__iexact=code)
    if station is not None:
        others = others.exclude(pk=station.pk)
    if others.exists():
        raise InvalidInput(gettext("Another station already has this code."), field="code")


@transaction.atomic
def station_create(*, actor: User, dsp: Dsp, **fields: object) -> Station:
    """`fields`: code, name, zip_code, and optionally address_line, latitude, longitude."""
    ops_admin_require(actor=actor)
    values = _station_values(**fields)  # type: ignore[arg-type]
    _station_code_require_unique(values["code"])
    station = Station.objects.create(dsp=dsp, **values)
    dsp_event_record(
        dsp=dsp, actor=actor, kind=DspEventKind.STATION_CREATED, detail=_station_detail(station)
    )
    return station


@transaction.atomic
def station_update(*, actor: User, station: Station, **fields: object) -> Station:
    ops_admin_require(actor=actor)
    values = _station_values(**fields)  # type: ignore[arg-type]
    _station_code_require_unique(values["code"], station=station)
    station = Station.objects.select_for_update().select_related("dsp").get(pk=station.pk)
    before = _station_detail(station)
    for field, value in values.items():
        setattr(station, field, value)
    after = _station_detail(station)
    if before == after:
        return station
    station.save(update_fields=list(values))
    dsp_event_record(
        dsp=station.dsp,
        actor=actor,
        kind=DspEventKind.STATION_EDITED,
        detail=f"{before} → {after}",
    )
    return station


def _station_detail(station: Station) -> str:
    return (
        f"{station.code} {station.name}, {station.address_line} {station.zip_code} "
        f"({station.latitude:.5f}, {station.longitude:.5f})"
    )


def _invitation_email_send(
    *, template: str, dsp: Dsp, inviter: User, user: User, join_path: Callable[..., str]
) -> None:
    """A driver's or manager's invitation: a link to set a password for someone new, the
    log-in page for someone who has one."""
    join_url = "" if user.has_usable_password() else absolute_url(join_path(user=user))
    email_send_templated(
        template=template,
        to=user.email,
        context={
            "dsp": dsp,
            "inviter": inviter,
            "user": user,
            "join_url": join_url,
            "login_url": absolute_url(reverse("account_login")),
        },
    )


def driver_join_path(*, user: User) -> str:
    return invitation_join_path(user=user, url_name="packages:driver-join")


def _driver_user_for_invitation(*, email: str, full_name: str) -> User:
    """A new user without a usable password, or an existing one who is not ops, drives for
    no DSP and works for no partner."""
    user, created = invited_user_get_or_create(email=email, full_name=full_name)
    if created:
        return user
    if user.is_ops or user.has_role(Role.DSP_MANAGER):
        raise InvalidInput(
            gettext("That email belongs to an ops or DSP manager account."), field="email"
        )
    if Driver.objects.filter(user=user, removed_at__isnull=True).exists():
        raise InvalidInput(gettext("That person already drives for a DSP."), field="email")
    if membership_current_for(user=user) is not None:
        raise InvalidInput(gettext("That person works for a partner business."), field="email")
    return user


def _station_of_dsp(*, dsp: Dsp, station_id: object) -> Station | None:
    if station_id in (None, ""):
        return None
    station = (
        Station.objects.filter(dsp=dsp, pk=str(station_id)).first()
        if str(station_id).isdigit()
        else None
    )
    if station is None:
        raise InvalidInput(gettext("Choose one of the DSP's stations."), field="home_station")
    return station


@transaction.atomic
def driver_invite(
    *, actor: User, dsp: Dsp, email: str, full_name: str, home_station_id: object = None
) -> Driver:
    """Ops admins and the DSP's managers invite a driver; the email's link lets them set
    their own password (as partner staff do). A removed driver may be invited again."""
    dsp_manage_require(actor=actor, dsp=dsp)
    if not dsp.is_active:
        raise DomainError(gettext("The DSP is deactivated; reactivate it first."))
    email = _email_clean(email, field="email", required=True)
    full_name = _text_clean(full_name, field="full_name", max_length=PERSON_NAME_MAX_LENGTH)
    station = _station_of_dsp(dsp=dsp, station_id=home_station_id)
    user = _driver_user_for_invitation(email=email, full_name=full_name)
    driver, _created = Driver.objects.update_or_create(
        user=user, defaults={"dsp": dsp, "home_station": station, "removed_at": None}
    )
    role_grant(user=user, role=Role.DSP_DRIVER)
    dsp_event_record(
        dsp=dsp, actor=actor, kind=DspEventKind.DRIVER_INVITED, detail=f"{user.email} invited."
    )
    _invitation_email_send(
        template="driver-invitation", dsp=dsp, inviter=actor, user=user, join_path=driver_join_path
    )
    return driver


def _joined_dsp(*, user: User, joined_kind: DspEventKind) -> Dsp | None:
    if joined_kind == DspEventKind.MANAGER_JOINED:
        return dsp_of_manager(user=user)
    driver = Driver.objects.select_related("dsp").filter(user=user).first()
    return driver.dsp if driver else None


@transaction.atomic
def invitation_accept(*, user: User, password: str, joined_kind: DspEventKind) -> User:
    """Set the invited driver's or manager's password (the link they followed proves the
    email is theirs) and log `joined_kind` (DRIVER_JOINED or MANAGER_JOINED) on their DSP."""
    invitation_password_set(user=user, password=password)
    dsp = _joined_dsp(user=user, joined_kind=joined_kind)
    if dsp is not None:
        dsp_event_record(dsp=dsp, actor=user, kind=joined_kind, detail=f"{user.email} joined.")
    return user


def _driver_lock(driver: Driver) -> Driver:
    return (
        Driver.objects.select_for_update(of=("self",))
        .select_related("user", "dsp", "home_station")
        .get(pk=driver.pk)
    )


@transaction.atomic
def driver_move(*, actor: User, driver: Driver, home_station_id: object) -> Driver:
    dsp_manage_require(actor=actor, dsp=driver.dsp)
    station = _station_of_dsp(dsp=driver.dsp, station_id=home_station_id)
    driver = _driver_lock(driver)
    if driver.removed_at is not None:
        raise DomainError(gettext("This driver was removed."))
    if driver.home_station_id == (station.pk if station else None):
        return driver
    before = driver.home_station.code if driver.home_station else "—"
    driver.home_station = station
    driver.save(update_fields=["home_station"])
    dsp_event_record(
        dsp=driver.dsp,
        actor=actor,
        kind=DspEventKind.DRIVER_MOVED,
        detail=f"{driver.user.email}: {before} → {station.code if station else '—'}",
    )
    return driver


@transaction.atomic
def driver_remove(*, actor: User, driver: Driver, reason: str = "") -> Driver:
    """The driver loses the driver pages and the API at once; the row stays (history)."""
    dsp_manage_require(actor=actor, dsp=driver.dsp)
    reason = _text_clean(reason, field="reason", max_length=500, required=False)
    driver = _driver_lock(driver)
    if driver.removed_at is not None:
        return driver
    driver.removed_at = timezone.now()
    driver.save(update_fields=["removed_at"])
    role_revoke(user=driver.user, role=Role.DSP_DRIVER)
    dsp_event_record(
        dsp=driver.dsp,
        actor=actor,
        kind=DspEventKind.DRIVER_REMOVED,
        detail=f"{driver.user.email} removed.",
        reason=reason,
    )
    return driver


def dsp_manager_join_path(*, user: User) -> str:
    return invitation_join_path(user=user, url_name="packages:dsp-manager-join")


def _manager_user_for_invitation(*, dsp: Dsp, email: str, full_name: str) -> User:
    """A new user without a usable password, or an existing one who is not ops, drives for
    no DSP, works for no partner and manages no DSP (a removed manager may come back)."""
    user, created = invited_user_get_or_create(email=email, full_name=full_name)
    if created:
        return user
    named = {"email": user.email}
    if user.is_ops:
        raise InvalidInput(gettext("%(email)s belongs to an ops account.") % named, field="email")
    if Driver.objects.filter(user=user, removed_at__isnull=True).exists():
        raise InvalidInput(gettext("%(email)s drives for a DSP.") % named, field="email")
    if membership_current_for(user=user) is not None:
        raise InvalidInput(
            gettext("%(email)s works for a partner business.") % named, field="email"
        )
    managed = dsp_of_manager(user=user)
    if managed == dsp:
        raise InvalidInput(gettext("%(email)s already manages this DSP.") % named, field="email")
    if managed is not None:
        raise InvalidInput(gettext("%(email)s manages another DSP.") % named, field="email")
    return user


@transaction.atomic
def dsp_manager_invite(*, actor: User, dsp: Dsp, email: str, full_name: str) -> DspManager:
    """Ops admins and the DSP's managers invite a manager; the email's link lets them set
    their own password (as drivers do)."""
    dsp_manage_require(actor=actor, dsp=dsp)
    email = _email_clean(email, field="email", required=True)
    full_name = _text_clean(full_name, field="full_name", max_length=PERSON_NAME_MAX_LENGTH)
    dsp = _dsp_lock(dsp)
    if not dsp.is_active:
        raise DomainError(gettext("The DSP is deactivated; reactivate it first."))
    user = _manager_user_for_invitation(dsp=dsp, email=email, full_name=full_name)
    manager = DspManager.objects.create(user=user, dsp=dsp)
    role_grant(user=user, role=Role.DSP_MANAGER)
    dsp_event_record(
        dsp=dsp, actor=actor, kind=DspEventKind.MANAGER_INVITED, detail=f"{user.email} invited."
    )
    _invitation_email_send(
        template="dsp-manager-invitation",
        dsp=dsp,
        inviter=actor,
        user=user,
        join_path=dsp_manager_join_path,
    )
    return manager


@transaction.atomic
def dsp_manager_remove(*, actor: User, manager: DspManager, reason: str = "") -> Dsp:
    """The person loses the DSP's pages and keys at once. The row goes (a removed manager may
    be invited again, here or elsewhere); the DspEvent keeps the history. The DSP's row is
    locked so two managers removing each other cannot leave it with none."""
    dsp_manage_require(actor=actor, dsp=manager.dsp)
    reason = _text_clean(reason, field="reason", max_length=500, required=False)
    dsp = _dsp_lock(manager.dsp)
    manager = DspManager.objects.select_related("user").filter(pk=manager.pk, dsp=dsp).first()
    if manager is None:
        return dsp
    if manager.user == actor and not dsp.managers.exclude(pk=manager.pk).exists():
        raise DomainError(
            gettext(
                "You are the DSP's last manager: invite another manager before removing "
                "yourself, or ask ops."
            )
        )
    manager.delete()
    role_revoke(user=manager.user, role=Role.DSP_MANAGER)
    dsp_event_record(
        dsp=dsp,
        actor=actor,
        kind=DspEventKind.MANAGER_REMOVED,
        detail=f"{manager.user.email} removed.",
        reason=reason,
    )
    return dsp
