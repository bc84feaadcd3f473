"""Reads for applications, scoped to who asks: applicants see their own, ops see all but
drafts. Objects outside the scope are a 404, so their existence is not revealed."""

import datetime
from dataclasses import dataclass
from functools import lru_cache

import holidays
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from partners.models import (
    ApplicationDocument,
    ApplicationEvent,
    ApplicationNote,
    ApplicationStatus,
    PartnerApplication,
)

REVIEW_SLA_BUSINESS_DAYS = 3
# Statuses in which the application waits on ops (the clock of the review SLA runs).
WAITING_ON_OPS = (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW)


# ------------------------------------------------------------------------------
# The applicant's own
# ------------------------------------------------------------------------------
def application_current_for_owner(*, owner: User) -> PartnerApplication | None:
    """The owner's latest application (the one in progress, if any), or None."""
    return (
        PartnerApplication.objects.filter(owner=owner)
        .select_related("market")
        .order_by("-created", "-id")
        .first()
    )


def application_get_for_owner(*, owner: User, pk: int) -> PartnerApplication:
    return get_object_or_404(PartnerApplication, pk=pk, owner=owner)


def application_timeline(*, application: PartnerApplication) -> QuerySet[ApplicationEvent]:
    return application.events.select_related("actor").order_by("created", "id")


def application_documents(*, application: PartnerApplication) -> QuerySet[ApplicationDocument]:
    return application.documents.order_by("kind")


def document_get_for_user(*, user: User, pk: int) -> ApplicationDocument:
    """The document if `user` owns its application, or is ops and the application was
    submitted (drafts are private); 404 otherwise."""
    mine = Q(application__owner=user)
    if user.is_ops:
        mine |= Q(application__submitted_at__isnull=False)
    documents = ApplicationDocument.objects.select_related("application").filter(mine)
    return get_object_or_404(documents, pk=pk)


# ------------------------------------------------------------------------------
# Business days (weekdays that are not US federal holidays)
# ------------------------------------------------------------------------------
@lru_cache(maxsize=16)
def _us_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("US", years=year)


def is_business_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _us_holidays(day.year)


def business_days_between(start: datetime.date, end: datetime.date) -> int:
    """Business days after `start` up to and including `end`."""
    count, day = 0, start + datetime.timedelta(days=1)
    while day <= end:
        count += is_business_day(day)
        day += datetime.timedelta(days=1)
    return count


def overdue_cutoff(*, today: datetime.date, business_days: int) -> datetime.date:
    """The latest submission date that has waited more than `business_days` by `today`."""
    counted, day = 0, today
    while counted <= business_days:
        counted += is_business_day(day)
        day -= datetime.timedelta(days=1)
    return day


# ------------------------------------------------------------------------------
# The ops review queue
# ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReviewFilters:
    state: str = ""
    market_id: int | None = None
    business_type: str = ""
    status: str = ""
    age: str = ""  # "" any, "overdue" past the SLA, or a number of days waited at least
    assigned_to_me: bool = False
    sort: str = "oldest"


REVIEW_SORTS = {
    "oldest": ("submitted_at", "id"),
    "newest": ("-submitted_at", "-id"),
    "name": ("trade_name", "id"),
    "state": ("state", "submitted_at", "id"),
}


def application_list_for_review(
    *, filters: ReviewFilters, reviewer: User, today: datetime.date | None = None
) -> QuerySet[PartnerApplication]:
    """Every application ever submitted, filtered and sorted; one query with its owner,
    market, reviewer and document count (the page count adds one more)."""
    today = today or timezone.localdate()
    applications = (
        PartnerApplication.objects.filter(submitted_at__isnull=False)
        .select_related("owner", "market", "assigned_reviewer")
        .annotate(document_count=Count("documents"))
    )
    if filters.status:
        applications = applications.filter(status=filters.status)
    else:
        # By default the queue shows what is waiting on ops or on the applicant.
        applications = applications.filter(
            status__in=[*WAITING_ON_OPS, ApplicationStatus.INFO_REQUESTED]
        )
    if filters.state:
        applications = applications.filter(state=filters.state)
    if filters.market_id:
        applications = applications.filter(market_id=filters.market_id)
    if filters.business_type:
        applications = applications.filter(business_type=filters.business_type)
    if filters.assigned_to_me:
        applications = applications.filter(assigned_reviewer=reviewer)
    if filters.age == "overdue":
        cutoff = overdue_cutoff(today=today, business_days=REVIEW_SLA_BUSINESS_DAYS)
        applications = applications.filter(
            status__in=WAITING_ON_OPS, submitted_at__date__lte=cutoff
        )
    elif filters.age.isdigit():
        cutoff = today - datetime.timedelta(days=int(filters.age))
        applications = applications.filter(submitted_at__date__lte=cutoff)
    return applications.order_by(*REVIEW_SORTS.get(filters.sort, REVIEW_SORTS["oldest"]))


def application_aging(
    *, applications: list[PartnerApplication], today: datetime.date | None = None
) -> None:
    """Set `waiting_business_days` and `is_overdue` on each row (no queries)."""
    today = today or timezone.localdate()
    for application in applications:
        waiting = 0
        if application.submitted_at and application.status in WAITING_ON_OPS:
            submitted = timezone.localdate(application.submitted_at)
            waiting = business_days_between(submitted, today)
        application.waiting_business_days = waiting
        application.is_overdue = waiting > REVIEW_SLA_BUSINESS_DAYS


def application_get_for_reviewer(*, pk: int) -> PartnerApplication:
    """Any application ever submitted (drafts are the applicant's own until then, including
    a draft withdrawn before it was submitted)."""
    applications = PartnerApplication.objects.filter(submitted_at__isnull=False)
    return get_object_or_404(
        applications.select_related("owner", "market", "assigned_reviewer", "partner"), pk=pk
    )


def application_notes(*, application: PartnerApplication) -> QuerySet[ApplicationNote]:
    """Internal notes. Ops pages only."""
    return application.notes.select_related("author").order_by("created", "id")
