"""The holiday calendar's rules: federal days seeded from the `holidays` package, state and
ad-hoc days added and removed by ops admins, federal days switched off for a year. Every
change writes a HolidayEvent."""

import datetime

import holidays
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.access import ops_admin_require
from accounts.models import User
from hubdelivery.exceptions import InvalidInput, NotAllowed
from partners.closing import ClosingCause, PartnersClosed, partners_closed_announce
from partners.events import holiday_event_record
from partners.models import US_STATES, HolidayDay, HolidayEventKind, HolidayKind, Market
from partners.selectors.holidays import partners_in_scope

STATE_CODES = {code for code, _label in US_STATES}
ADDABLE_KINDS = (HolidayKind.STATE, HolidayKind.AD_HOC)
# The federal days the program closes on (it delivers on the others: Columbus Day...).
PROGRAM_FEDERAL_HOLIDAYS = frozenset(
    {
        "New Year's Day",
        "Memorial Day",
        "Independence Day",
        "Labor Day",
        "Thanksgiving Day",
        "Christmas Day",
    }
)


def federal_holidays(year: int) -> dict[datetime.date, str]:
    """The year's federal days the program closes on, from the `holidays` package."""
    return {
        date: name
        for date, name in holidays.country_holidays("US", years=year).items()
        if name in PROGRAM_FEDERAL_HOLIDAYS
    }


@transaction.atomic
def federal_holidays_seed(*, year: int) -> int:
    """Create the year's federal days that are missing; returns how many were created.
    Idempotent: a day already there (even switched off) is left alone."""
    existing = set(
        HolidayDay.objects.filter(kind=HolidayKind.FEDERAL, date__year=year).values_list(
            "date", "name"
        )
    )
    missing = [
        HolidayDay(date=date, name=name, kind=HolidayKind.FEDERAL)
        for date, name in sorted(federal_holidays(year).items())
        if (date, name) not in existing
    ]
    HolidayDay.objects.bulk_create(missing)
    if missing:
        holiday_event_record(
            actor=None,
            kind=HolidayEventKind.SEEDED,
            date=missing[0].date,
            detail=f"{len(missing)} federal holidays of {year} seeded.",
        )
    return len(missing)


def federal_holidays_seed_current() -> int:
    """This year's and next year's federal days (the yearly beat task)."""
    year = timezone.localdate().year
    return federal_holidays_seed(year=year) + federal_holidays_seed(year=year + 1)


def holiday_input_validate(
    *, kind: str, name: str, state: str, market: Market | None, reason: str
) -> None:
    if kind not in ADDABLE_KINDS:
        raise InvalidInput(gettext("Choose a state holiday or an ad-hoc day."), field="kind")
    if not name.strip():
        raise InvalidInput(gettext("Name the day."), field="name")
    if not reason.strip():
        raise InvalidInput(gettext("Give the reason for the day."), field="reason")
    if state and market:
        raise InvalidInput(gettext("Choose a state or a market, not both."), field="market")
    if state and state not in STATE_CODES:
        raise InvalidInput(gettext("Choose a US state."), field="state")
    if not state and not market:
        raise InvalidInput(gettext("Choose the state or the market it applies to."), field="state")
    if kind == HolidayKind.STATE and not state:
        raise InvalidInput(gettext("A state holiday needs its state."), field="state")


@transaction.atomic
def holiday_add(
    *,
    actor: User,
    date: datetime.date,
    kind: str,
    name: str,
    reason: str,
    state: str = "",
    market: Market | None = None,
) -> HolidayDay:
    """A state holiday or an ad-hoc day (storm, outage) for one state or one market. The
    packages assigned to the partners of that state or market for the day move to open
    partners (routing's answer to partners_closed_announce, in this transaction)."""
    ops_admin_require(actor=actor)
    holiday_input_validate(kind=kind, name=name, state=state, market=market, reason=reason)
    holiday = HolidayDay.objects.create(
        date=date,
        kind=kind,
        name=name.strip(),
        state=state,
        market=market,
        reason=reason.strip(),
        created_by=actor,
    )
    holiday_event_record(
        actor=actor,
        kind=HolidayEventKind.ADDED,
        date=date,
        detail=f"{holiday.name} ({kind}, {holiday.scope_display}): {holiday.reason}",
    )
    partners_closed_announce(
        closed=PartnersClosed(
            partners=partners_in_scope(state=state, market=market), start_date=date,
            end_date=date, cause=ClosingCause.HOLIDAY, reason=holiday.name, actor=actor,
        )
    )  # fmt: skip
    return holiday


@transaction.atomic
def holiday_remove(*, actor: User, holiday: HolidayDay) -> None:
    """Reopen the day. Packages moved away when the day was added stay where they went:
    nothing moves them back; the next assignment run for a DSP and the date (which re-places
    every package routing placed) counts the partners as open again."""
    ops_admin_require(actor=actor)
    if holiday.kind == HolidayKind.FEDERAL:
        raise NotAllowed(gettext("A federal holiday is switched off for the year, not deleted."))
    holiday_event_record(
        actor=actor,
        kind=HolidayEventKind.REMOVED,
        date=holiday.date,
        detail=f"{holiday.name} ({holiday.kind}, {holiday.scope_display}) removed.",
    )
    holiday.delete()


@transaction.atomic
def federal_holiday_switch_off(*, actor: User, holiday: HolidayDay, reason: str) -> HolidayDay:
    """Deliveries run on this federal day this year; the day stays on record."""
    ops_admin_require(actor=actor)
    if holiday.kind != HolidayKind.FEDERAL:
        raise NotAllowed(gettext("Only a federal holiday is switched off; remove the others."))
    if not reason.strip():
        raise InvalidInput(gettext("Give the reason for switching it off."), field="reason")
    holiday.switched_off_reason = reason.strip()
    holiday.save(update_fields=["switched_off_reason"])
    holiday_event_record(
        actor=actor,
        kind=HolidayEventKind.SWITCHED_OFF,
        date=holiday.date,
        detail=f"{holiday.name} switched off: {holiday.switched_off_reason}",
    )
    return holiday
