import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import User
from partners.models import (
    BackgroundCheck,
    Closure,
    Partner,
    PartnerEvent,
    PartnerMember,
)


def memberships_current(*, user: User) -> QuerySet[PartnerMember]:
    """The one "current membership" filter of the project (a person works for one partner at
    a time, a DB constraint): a queryset, so a check can fold it into a larger statement."""
    return PartnerMember.objects.filter(user=user, removed_at__isnull=True)


def membership_current_for(*, user: User) -> PartnerMember | None:
    """The user's current membership with its partner, or None."""
    return memberships_current(user=user).select_related("partner").first()


def membership_current_or_404(*, user: User) -> PartnerMember:
    """For the partner's pages: anyone who works for no partner gets a 404, as if the page
    (or the package it names) did not exist."""
    membership = membership_current_for(user=user)
    if membership is None:
        raise Http404("You are not a member of a partner business.")
    return membership


def partner_members(*, partner: Partner) -> QuerySet[PartnerMember]:
    return partner.members.filter(removed_at__isnull=True).select_related("user")


def partner_closures_from(*, partner: Partner, day: datetime.date) -> QuerySet[Closure]:
    return partner.closures.filter(end_date__gte=day)


def partner_events_recent(*, partner: Partner, limit: int = 50) -> list[PartnerEvent]:
    events = partner.events.select_related("actor").order_by("-created", "-id")[:limit]
    return list(events)


def member_get_for_owner(*, owner_membership: PartnerMember, member_id: int) -> PartnerMember:
    """A current member of the owner's own partner; anyone else's member is a 404."""
    return get_object_or_404(
        PartnerMember.objects.select_related("partner", "user"),
        pk=member_id,
        partner_id=owner_membership.partner_id,
        removed_at__isnull=True,
    )


def closure_get_for_owner(*, owner_membership: PartnerMember, closure_id: int) -> Closure:
    return get_object_or_404(
        Closure.objects.select_related("partner"),
        pk=closure_id,
        partner_id=owner_membership.partner_id,
    )


def partner_counts_by_status() -> dict[str, int]:
    rows = Partner.objects.values("status").annotate(n=Count("id")).order_by()
    return {row["status"]: row["n"] for row in rows}


def partner_list_for_ops(*, status: str = "", state: str = "") -> QuerySet[Partner]:
    current = Q(members__removed_at__isnull=True)
    partners = Partner.objects.annotate(
        member_count=Count("members", filter=current),
        checks_waiting=Count(
            "members",
            filter=current & Q(members__background_check=BackgroundCheck.PENDING),
        ),
    ).order_by("trade_name", "id")
    if status:
        partners = partners.filter(status=status)
    if state:
        partners = partners.filter(state=state.upper())
    return partners


def partner_get_for_ops(*, partner_id: int) -> Partner:
    return get_object_or_404(Partner.objects.select_related("owner"), pk=partner_id)


def member_get_for_ops(*, member_id: int) -> PartnerMember:
    return get_object_or_404(PartnerMember.objects.select_related("partner", "user"), pk=member_id)


@dataclass(frozen=True)
class ClosureAllowance:
    year: int
    allowed: int
    used: int

    @property
    def left(self) -> int:
        return max(0, self.allowed - self.used)


def days_within_year(start: datetime.date, end: datetime.date, year: int) -> int:
    first = max(start, datetime.date(year, 1, 1))
    last = min(end, datetime.date(year, 12, 31))
    return max(0, (last - first).days + 1)


def closure_days_used(*, partner: Partner, year: int) -> int:
    """The partner's closure days that fall in `year` (one query)."""
    spans = partner.closures.filter(
        start_date__lte=datetime.date(year, 12, 31), end_date__gte=datetime.date(year, 1, 1)
    ).values_list("start_date", "end_date")
    return sum(days_within_year(start, end, year) for start, end in spans)


def closure_allowance(*, partner: Partner, year: int) -> ClosureAllowance:
    """How many of the year's closure days (settings.CLOSURE_ALLOWANCE_DAYS) are used."""
    return ClosureAllowance(
        year=year,
        allowed=settings.CLOSURE_ALLOWANCE_DAYS,
        used=closure_days_used(partner=partner, year=year),
    )
