"""The holiday calendar's reads: which days are holidays, and for which partners.

One calendar answers every reader (assignment, the capacity check, statements and
notifications): a day is a holiday for a partner when a day that is switched on covers it
nationwide, in the partner's state, or in the market the partner was approved in.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from partners.models import HolidayDay, HolidayKind, Market, Partner


@dataclass(frozen=True)
class PartnerScope:
    partner_id: int
    state: str
    market_id: int | None


def holidays_on(day: datetime.date) -> list[HolidayDay]:
    """The days switched on for `day` (one query)."""
    return list(HolidayDay.objects.filter(date=day, switched_off_reason=""))


def nationwide_holiday(day: datetime.date) -> str | None:
    """The name of a nationwide holiday on `day`, if any."""
    names = [h.name for h in holidays_on(day) if not h.state and h.market_id is None]
    return names[0] if names else None


def holiday_for_scope(holiday_days: list[HolidayDay], scope: PartnerScope) -> str | None:
    for holiday in holiday_days:
        if holiday.market_id is not None:
            if holiday.market_id == scope.market_id:
                return holiday.name
        elif not holiday.state or holiday.state == scope.state:
            return holiday.name
    return None


def partner_scopes(partners: QuerySet[Partner]) -> list[PartnerScope]:
    rows = partners.values_list("pk", "state", "application__market_id").order_by()
    return [PartnerScope(pk, state, market_id) for pk, state, market_id in rows]


def holidays_by_partner(*, day: datetime.date, scopes: Iterable[PartnerScope]) -> dict[int, str]:
    """{partner id: holiday name} for the partners for whom `day` is a holiday: one query
    however many partners."""
    holiday_days = holidays_on(day)
    if not holiday_days:
        return {}
    found = {}
    for scope in scopes:
        name = holiday_for_scope(holiday_days, scope)
        if name:
            found[scope.partner_id] = name
    return found


def holidays_for_partners(*, day: datetime.date, partners: QuerySet[Partner]) -> dict[int, str]:
    """`holidays_by_partner` for a queryset of partners: two queries at most."""
    holiday_days = holidays_on(day)
    if not holiday_days:
        return {}
    return {
        scope.partner_id: name
        for scope in partner_scopes(partners)
        if (name := holiday_for_scope(holiday_days, scope))
    }


def partners_in_scope(*, state: str, market: Market | None) -> QuerySet[Partner]:
    """The partners a state's or a market's day applies to (holiday_for_scope's rule as a
    queryset); every partner for a nationwide day."""
    if market is not None:
        return Partner.objects.filter(application__market=market)
    if state:
        return Partner.objects.filter(state=state)
    return Partner.objects.all()


def partner_holiday_dates(
    *, partner: Partner, start: datetime.date, end: datetime.date
) -> dict[datetime.date, str]:
    """{date: name} of the partner's holidays between `start` and `end` (one query)."""
    market_id = partner.application.market_id if hasattr(partner, "application") else None
    scope = Q(state="", market__isnull=True) | Q(state=partner.state)
    if market_id:
        scope |= Q(market_id=market_id)
    rows = HolidayDay.objects.filter(
        scope, date__gte=start, date__lte=end, switched_off_reason=""
    ).values_list("date", "name")
    found: dict[datetime.date, str] = {}
    for date, name in rows:
        found.setdefault(date, name)
    return found


@dataclass(frozen=True)
class CalendarFilters:
    year: int
    state: str = ""
    market_id: int | None = None
    kind: str = ""


def calendar_days(filters: CalendarFilters) -> QuerySet[HolidayDay]:
    """The year's calendar for the ops page, with the market and who added each day."""
    days = HolidayDay.objects.filter(date__year=filters.year).select_related("market", "created_by")
    if filters.state:
        days = days.filter(state=filters.state)
    if filters.market_id:
        days = days.filter(market_id=filters.market_id)
    if filters.kind in HolidayKind.values:
        days = days.filter(kind=filters.kind)
    return days
