"""Reads for recruiting: eligibility by ZIP, markets, target states, waitlist demand."""

import enum
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from hubdelivery.lib.geo import haversine_miles
from hubdelivery.lib.zipdata import ZipInfo, zip_lookup
from partners.models import US_STATE_NAMES, Lead, LeadSource, Market, TargetState


class EligibilityOutcome(enum.StrEnum):
    IN_MARKET = "in_market"  # in a market: invited to apply
    IN_TARGET_STATE = "in_target_state"  # in a target state outside every market: may apply
    WAITLIST = "waitlist"  # outside the program for now: may join the waitlist
    UNKNOWN_ZIP = "unknown_zip"  # malformed or unknown ZIP


@dataclass(frozen=True)
class Eligibility:
    outcome: EligibilityOutcome
    zip_code: str
    place: ZipInfo | None = None
    market: Market | None = None
    nearest_market: Market | None = None
    nearest_miles: float | None = None

    @property
    def state_name(self) -> str:
        return US_STATE_NAMES.get(self.place.state, "") if self.place else ""

    @property
    def may_apply(self) -> bool:
        return self.outcome in (EligibilityOutcome.IN_MARKET, EligibilityOutcome.IN_TARGET_STATE)


def _markets_by_distance(*, latitude: float, longitude: float) -> list[tuple[float, Market]]:
    markets = Market.objects.filter(is_active=True)
    return sorted(
        ((haversine_miles(latitude, longitude, m.latitude, m.longitude), m) for m in markets),
        key=lambda pair: pair[0],
    )


def market_covering(*, latitude: float, longitude: float) -> Market | None:
    """The nearest active market whose radius contains the point, or None."""
    for miles, market in _markets_by_distance(latitude=latitude, longitude=longitude):
        if miles <= market.radius_miles:
            return market
    return None


def eligibility_check(*, zip_code: str) -> Eligibility:
    """Where a ZIP stands: in a market, in a target state, or outside (two queries).

    A market counts even outside a target state: ops opening a market opens its area."""
    place = zip_lookup(zip_code or "")
    if place is None:
        return Eligibility(outcome=EligibilityOutcome.UNKNOWN_ZIP, zip_code=zip_code)
    ranked = _markets_by_distance(latitude=place.latitude, longitude=place.longitude)
    nearest_miles, nearest = ranked[0] if ranked else (None, None)
    covering = next((m for miles, m in ranked if miles <= m.radius_miles), None)
    if covering is not None:
        outcome = EligibilityOutcome.IN_MARKET
    elif TargetState.objects.filter(code=place.state, is_active=True).exists():
        outcome = EligibilityOutcome.IN_TARGET_STATE
    else:
        outcome = EligibilityOutcome.WAITLIST
    return Eligibility(
        outcome=outcome,
        zip_code=place.zip_code,
        place=place,
        market=covering,
        nearest_market=nearest,
        nearest_miles=nearest_miles,
    )


def target_state_list() -> QuerySet[TargetState]:
    return TargetState.objects.order_by("-is_active", "code")


def target_state_get(*, pk: int) -> TargetState:
    return get_object_or_404(TargetState, pk=pk)


def market_list() -> QuerySet[Market]:
    return Market.objects.order_by("-is_active", "name")


def market_get(*, pk: int) -> Market:
    return get_object_or_404(Market, pk=pk)


@dataclass(frozen=True)
class DemandRow:
    state: str
    zip_code: str
    leads: int
    from_applications: int
    invited: int

    @property
    def state_name(self) -> str:
        return US_STATE_NAMES.get(self.state, self.state)


def _demand(*, group_by: list[str], limit: int | None, state: str = "") -> list[DemandRow]:
    leads = Lead.objects.filter(state=state) if state else Lead.objects.all()
    rows = (
        leads.values(*group_by)
        .annotate(
            leads=Count("id"),
            from_applications=Count("id", filter=Q(source=LeadSource.WAITLISTED_APPLICATION)),
            invited=Count("id", filter=Q(invited_at__isnull=False)),
        )
        .order_by("-leads", *group_by)
    )
    if limit is not None:
        rows = rows[:limit]
    return [
        DemandRow(
            state=row["state"],
            zip_code=row.get("zip_code", ""),
            leads=row["leads"],
            from_applications=row["from_applications"],
            invited=row["invited"],
        )
        for row in rows
    ]


def waitlist_demand_by_state(*, limit: int = 60) -> list[DemandRow]:
    """Leads (waitlist sign-ups and waitlisted applications) per state, most first."""
    return _demand(group_by=["state"], limit=limit)


def waitlist_demand_by_zip(*, limit: int | None = 50, state: str = "") -> list[DemandRow]:
    """Leads per ZIP code (of one state, if given), most first; every ZIP when limit is None."""
    return _demand(group_by=["state", "zip_code"], limit=limit, state=state)


def leads_recent(*, limit: int = 50) -> QuerySet[Lead]:
    return Lead.objects.order_by("-created", "-id")[:limit]
