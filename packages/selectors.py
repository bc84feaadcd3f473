"""Reads for pages and the API. Every queryset is scoped to the viewer here, once, so a view
cannot forget it: another tenant's object is simply not found (404).

Who sees what:
- ops: everything;
- a partner member: its partner's packages, handoffs and incidents;
- a DSP driver: its DSP's packages and handoffs;
- a DSP system token: its DSP's manifests, packages and handoffs.
Recipient names and addresses: ops and the package's partner only (`Viewer.sees_recipient`).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from hubdelivery.lib.dates import local_date
from packages.models import (
    AttemptOutcome,
    DeliveryAttempt,
    Driver,
    Dsp,
    DspApiToken,
    Handoff,
    HandoffDirection,
    HandoffItem,
    HandoffOutcome,
    HandoffStatus,
    Incident,
    IncidentStatus,
    Manifest,
    ManifestUpload,
    Package,
    PackageEvent,
    PackageStatus,
)
from partners.models import Partner
from partners.selectors.partners import membership_current_for

# What a return takes back: packages queued for return, damaged, or left undelivered.
RETURN_SOURCE_STATUSES = (
    PackageStatus.RETURN_PENDING,
    PackageStatus.DAMAGED,
    PackageStatus.RECEIVED,
)


def handoff_expected_packages(*, handoff: Handoff) -> QuerySet[Package]:
    """What should change hands at the handoff: the same rule for its counters and its list."""
    packages = Package.objects.filter(partner_id=handoff.partner_id, dsp_id=handoff.dsp_id)
    if handoff.direction == HandoffDirection.DROP_OFF:
        return packages.filter(service_date=handoff.service_date, status=PackageStatus.MANIFESTED)
    # Undelivered packages of earlier days; today's received packages are still to deliver.
    return packages.filter(
        status__in=RETURN_SOURCE_STATUSES, service_date__lt=handoff.service_date
    ) | packages.filter(status__in=(PackageStatus.RETURN_PENDING, PackageStatus.DAMAGED))


@dataclass(frozen=True)
class Viewer:
    """Who is reading, reduced to what scoping needs. Built once per request."""

    user: User | None = None
    token: DspApiToken | None = None
    is_ops: bool = False
    partner_id: int | None = None
    dsp_id: int | None = None

    @property
    def is_dsp_system(self) -> bool:
        return self.token is not None

    @property
    def is_driver(self) -> bool:
        return self.token is None and self.dsp_id is not None

    def sees_recipient(self, package: Package) -> bool:
        return self.is_ops or (
            self.partner_id is not None and package.partner_id == self.partner_id
        )


def viewer_for(*, user: User | None = None, token: DspApiToken | None = None) -> Viewer:
    if token is not None:
        return Viewer(token=token, dsp_id=token.dsp_id)
    # An explicit check, not an assert: asserts vanish under python -O, and this is access control.
    if user is None:
        raise ValueError("viewer_for needs a user or a token")
    if user.is_ops:
        return Viewer(user=user, is_ops=True)
    membership = membership_current_for(user=user)
    driver = Driver.objects.filter(user=user).only("dsp_id").first()
    return Viewer(
        user=user,
        partner_id=membership.partner_id if membership else None,
        dsp_id=driver.dsp_id if driver else None,
    )


def driver_get_for_user(*, user: User) -> Driver | None:
    return Driver.objects.select_related("dsp", "home_station").filter(user=user).first()


def _scoped(queryset: QuerySet, viewer: Viewer, *, partner: str, dsp: str | None) -> QuerySet:
    if viewer.is_ops:
        return queryset
    if viewer.partner_id is not None:
        return queryset.filter(**{partner: viewer.partner_id})
    if viewer.dsp_id is not None and dsp is not None:
        return queryset.filter(**{dsp: viewer.dsp_id})
    return queryset.none()


# ------------------------------------------------------------------------------
# Manifests: ops and the DSP's systems
# ------------------------------------------------------------------------------
def manifest_qs_for(*, viewer: Viewer) -> QuerySet[Manifest]:
    queryset = Manifest.objects.select_related("dsp", "partner")
    if viewer.is_ops:
        return queryset
    if viewer.is_dsp_system:
        return queryset.filter(dsp_id=viewer.dsp_id)
    return queryset.none()


# ------------------------------------------------------------------------------
# Packages
# ------------------------------------------------------------------------------
# Route order within a day; packages routing has not ordered yet come last, by address (the
# explicit nulls_last keeps SQLite and PostgreSQL in the same order).
PACKAGE_ROUTE_ORDER = (
    "service_date",
    F("route_sequence").asc(nulls_last=True),
    "address_line",
    "id",
)


def package_qs_for(*, viewer: Viewer) -> QuerySet[Package]:
    packages = Package.objects.select_related("partner", "dsp").order_by(*PACKAGE_ROUTE_ORDER)
    return _scoped(packages, viewer, partner="partner_id", dsp="dsp_id")


def package_get_for(*, viewer: Viewer, tracking_id: str) -> Package | None:
    return package_qs_for(viewer=viewer).filter(tracking_id=tracking_id).first()


def package_list_for_partner_day(*, partner_id: int, service_date: datetime.date):
    """The partner's packages for a day in route order (routing writes `route_sequence`;
    until then, address order)."""
    return (
        Package.objects.filter(partner_id=partner_id, service_date=service_date)
        .select_related("partner", "dsp")
        .order_by(*PACKAGE_ROUTE_ORDER)
    )


def package_events(*, package: Package) -> QuerySet[PackageEvent]:
    return package.events.select_related("actor").order_by("received_at", "id")


# ------------------------------------------------------------------------------
# Handoffs
# ------------------------------------------------------------------------------
def handoff_qs_for(*, viewer: Viewer) -> QuerySet[Handoff]:
    return _scoped(
        Handoff.objects.select_related("partner", "dsp", "driver__user"),
        viewer,
        partner="partner_id",
        dsp="dsp_id",
    )


def handoff_items(*, handoff: Handoff) -> QuerySet[HandoffItem]:
    return handoff.items.select_related("package").order_by("scanned_at", "id")


# ------------------------------------------------------------------------------
# Incidents: ops, and the partner whose package it is
# ------------------------------------------------------------------------------
def incident_qs_for(*, viewer: Viewer) -> QuerySet[Incident]:
    return _scoped(
        Incident.objects.select_related("package__partner", "resolved_by"),
        viewer,
        partner="package__partner_id",
        dsp=None,
    )


# ------------------------------------------------------------------------------
# CSV uploads: ops only (the views check the role)
# ------------------------------------------------------------------------------
def manifest_upload_get_for_ops(*, upload_id: int) -> ManifestUpload:
    return get_object_or_404(
        ManifestUpload.objects.select_related("dsp", "partner", "manifest", "uploaded_by"),
        pk=upload_id,
    )


# ------------------------------------------------------------------------------
# Pages: handoffs, the partner's day, ops (issue 6)
# ------------------------------------------------------------------------------
# A package scanned in more than this long after its handoff opened is shown as late.
LATE_SCAN_AFTER = datetime.timedelta(minutes=30)
# How far back a handoff's counterpart is offered: undelivered packages go back within days.
RETURN_LOOKBACK_DAYS = 14
# Statuses the partner still has to act on today (deliver, or hand back).
OPEN_TODAY_STATUSES = frozenset(
    {PackageStatus.MANIFESTED, PackageStatus.RECEIVED, PackageStatus.OUT_FOR_DELIVERY}
)
QUEUED_FOR_RETURN_STATUSES = frozenset(
    {PackageStatus.RETURN_PENDING, PackageStatus.DAMAGED, PackageStatus.ATTEMPTED}
)


def handoff_get_for(*, viewer: Viewer, handoff_id: int) -> Handoff:
    return get_object_or_404(handoff_qs_for(viewer=viewer), pk=handoff_id)


def handoff_items_with_late(*, handoff: Handoff) -> list[HandoffItem]:
    """The handoff's items in scan order; each has `late` set when it was scanned more than
    30 minutes after the handoff opened (server receipt times, like the custody log)."""
    late_after = handoff.opened_at + LATE_SCAN_AFTER
    items = list(handoff_items(handoff=handoff))
    for item in items:
        item.late = item.outcome != HandoffOutcome.MISSING and item.scanned_at > late_after
    return items


def handoff_still_expected(*, handoff: Handoff) -> list[Package]:
    """Packages the handoff expects that have no item yet: still to scan while it is open;
    for a closed return, what was not handed back (it stays with the partner, flagged)."""
    return list(
        handoff_expected_packages(handoff=handoff)
        .exclude(handoff_items__handoff=handoff)
        .order_by("tracking_id")
        .only("id", "tracking_id", "status", "address_line", "service_date")
    )


def handoff_partner_choices_for_driver(*, driver: Driver) -> list:
    """Partners with packages of the driver's DSP in the two weeks up to their own local
    today: today's drop-off, or the return of what is left from earlier days. Read from the
    packages, not the manifests: a DSP-level manifest spreads over several partners, and its
    packages left with the DSP (no partner) need no handoff."""
    utc_today = timezone.now().date()
    partner_days = (
        Partner.objects.filter(
            packages__dsp_id=driver.dsp_id,
            packages__service_date__range=(
                utc_today - datetime.timedelta(days=RETURN_LOOKBACK_DAYS + 1),
                utc_today + datetime.timedelta(days=1),
            ),
        )
        .annotate(day=F("packages__service_date"))
        .distinct()
    )
    partners = {}
    for partner in partner_days:
        age = (local_date(tz_name=partner.time_zone) - partner.day).days
        if 0 <= age <= RETURN_LOOKBACK_DAYS:
            partners[partner.pk] = partner
    return sorted(partners.values(), key=lambda p: p.trade_name)


def handoff_dsp_choices_for_partner(*, partner_id: int, day: datetime.date) -> QuerySet:
    """DSPs with packages for the partner in the last two weeks: today's drop-off, or the
    return of what is left from earlier days."""
    return Dsp.objects.filter(
        packages__partner_id=partner_id,
        packages__service_date__range=(day - datetime.timedelta(days=RETURN_LOOKBACK_DAYS), day),
    ).distinct()


def handoff_open_list_for(*, viewer: Viewer) -> QuerySet[Handoff]:
    return handoff_qs_for(viewer=viewer).filter(status=HandoffStatus.OPEN).order_by("-opened_at")


def package_get_for_member(*, partner_id: int, tracking_id: str) -> Package:
    return get_object_or_404(
        Package.objects.select_related("partner", "dsp"),
        partner_id=partner_id,
        tracking_id=tracking_id.strip(),
    )


def day_counts(*, packages: list[Package]) -> dict[str, int]:
    """Counts by status of an already-fetched list, plus what is still open."""
    counts = {"total": len(packages), "open": 0, "queued_for_return": 0}
    for package in packages:
        counts[package.status] = counts.get(package.status, 0) + 1
        if package.status in OPEN_TODAY_STATUSES:
            counts["open"] += 1
        if package.status in QUEUED_FOR_RETURN_STATUSES:
            counts["queued_for_return"] += 1
    return counts


def incident_queue_for_ops() -> QuerySet[Incident]:
    return (
        Incident.objects.filter(status=IncidentStatus.OPEN)
        .select_related("package__partner", "attempt__attempted_by")
        .order_by("opened_at", "id")
    )


def incident_get_for_ops(*, incident_id: int) -> Incident:
    return get_object_or_404(Incident.objects.select_related("package"), pk=incident_id)


def package_get_for_ops(*, tracking_id: str) -> Package:
    return get_object_or_404(
        Package.objects.select_related("partner", "dsp", "manifest"), tracking_id=tracking_id
    )


def package_timeline(*, package: Package) -> QuerySet[PackageEvent]:
    return package.events.select_related("actor", "handoff").order_by("received_at", "id")


def package_attempts(*, package: Package) -> QuerySet[DeliveryAttempt]:
    return package.attempts.select_related("attempted_by").order_by("attempted_at")


def attempt_get_for_photo(*, viewer: Viewer, attempt_id: int):
    """A delivery proof photo: the package's partner and ops only (not the DSP's drivers)."""
    attempt = get_object_or_404(
        DeliveryAttempt.objects.select_related("package").exclude(photo=""), pk=attempt_id
    )
    if not viewer.sees_recipient(attempt.package):
        raise Http404("No such photo.")
    return attempt


def return_queue_by_partner(*, viewer: Viewer) -> list[dict]:
    """How many packages each partner has queued for the DSP (returns, damaged), for the
    "hand these back first" hint on the handoff start page."""
    packages = _scoped(
        Package.objects.filter(status__in=(PackageStatus.RETURN_PENDING, PackageStatus.DAMAGED)),
        viewer,
        partner="partner_id",
        dsp="dsp_id",
    )
    return list(
        packages.values("partner__trade_name")
        .annotate(count=Count("id"))
        .order_by("partner__trade_name")
    )


def proof_photo_ids(*, packages: list[Package]) -> dict[int, int]:
    """package id -> the attempt id of its standing delivery's photo (one query)."""
    delivered = [p.pk for p in packages if p.status == PackageStatus.DELIVERED]
    if not delivered:
        return {}
    attempts = (
        DeliveryAttempt.objects.filter(
            package_id__in=delivered, outcome=AttemptOutcome.DELIVERED, undone_at__isnull=True
        )
        .exclude(photo="")
        .values_list("package_id", "id")
    )
    return dict(attempts)
