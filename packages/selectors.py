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
import functools
from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    Expression,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.lookups import LessThanOrEqual
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from hubdelivery.lib.dates import local_date
from hubdelivery.lib.geo_queries import miles_from, within_box
from packages.models import (
    RECEIVING_PARTNER_STATUSES,
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
    LateEvent,
    Manifest,
    ManifestUpload,
    Package,
    PackageEvent,
    PackageStatus,
    Station,
    StationPartner,
)
from packages.prepared import PreparedQuery
from packages.scan_outcomes import DROP_OFF_SOURCE_STATUSES, handoff_takes
from partners.models import Partner
from partners.selectors.partners import membership_current_for

# ------------------------------------------------------------------------------
# The partners a station serves: the one rule behind the driver's partner list, the handoffs
# a driver may open, what a driver sees and the drop-off route.
# ------------------------------------------------------------------------------
# A station serves the partners whose shop lies within this many miles of it (straight line):
# a morning's drop-off loop from a depot, wider than a partner's own 10-mile delivery radius.
# Ops add partners beyond it, or remove ones within it, station by station (StationPartner).
STATION_SERVICE_RADIUS_MILES = 25.0


def station_serves_q(
    *, miles: Expression, station_ref: object, partner_ref: object, near: Q | None = None
) -> Q:
    """The rule by which a station serves a partner, as a condition: the shop within
    STATION_SERVICE_RADIUS_MILES (`miles` between them) and not removed by ops, or added by
    ops. `station_ref` and `partner_ref` name the two as seen from inside the StationPartner
    subquery; `near` narrows the radius branch cheaply first (an indexable box)."""
    choices = StationPartner.objects.filter(station_id=station_ref, partner_id=partner_ref)
    within = (near or Q()) & Q(LessThanOrEqual(miles, STATION_SERVICE_RADIUS_MILES))
    removed, added = choices.filter(included=False), choices.filter(included=True)
    return (within & ~Q(Exists(removed))) | Q(Exists(added))


def station_partners(*, station: Station) -> QuerySet[Partner]:
    """The partners `station` serves, by name: those taking handoffs (active or onboarding)
    that `station_serves_q` admits. A paused or offboarded partner is served by no station,
    even one ops added. One query, and a queryset, so callers narrow it or use it as a
    subquery."""
    point = (station.latitude, station.longitude)
    fields = {"lat_field": "latitude", "lng_field": "longitude"}
    serves = station_serves_q(
        miles=miles_from(*point, **fields),
        station_ref=station.pk,
        partner_ref=OuterRef("pk"),
        near=within_box(*point, STATION_SERVICE_RADIUS_MILES, **fields),
    )
    return (
        Partner.objects.filter(status__in=RECEIVING_PARTNER_STATUSES)
        .filter(serves)
        .order_by("trade_name", "pk")
    )


def station_serves(*, station: Station | None, partner_id: int) -> bool:
    return station is not None and station_partners(station=station).filter(pk=partner_id).exists()


# ------------------------------------------------------------------------------
# Handoffs: their date, where one may open, what it expects. One definition each, used by the
# pages, the API (through the services) and the services themselves.
# ------------------------------------------------------------------------------
# What a drop-off hands over: scan_outcomes.DROP_OFF_SOURCE_STATUSES, beside the scan's rule.
# What a return takes back whatever its day: queued for return at the end of a day, damaged.
QUEUED_RETURN_STATUSES = (PackageStatus.RETURN_PENDING, PackageStatus.DAMAGED)


def handoff_service_date(*, partner: Partner) -> datetime.date:
    """The date of a handoff opened now at `partner`: the partner's local today."""
    return local_date(tz_name=partner.time_zone)


def _returnable_q(*, received_before: Q) -> Q:
    """Packages a return takes back: queued for return or damaged, and packages still
    received from a day before the return's (left undelivered)."""
    return Q(status__in=QUEUED_RETURN_STATUSES) | (
        Q(status=PackageStatus.RECEIVED) & received_before
    )


def _local_service_date_q(lookup: str, time_zones: set[str]) -> Q:
    """`service_date <lookup>` the package's partner's local today, for partners in
    `time_zones` (one branch per zone: the database does not know the zones)."""
    branches = Q(pk__in=[])
    for tz_name in sorted(time_zones):
        today = local_date(tz_name=tz_name)
        branches |= Q(partner__time_zone=tz_name, **{f"service_date{lookup}": today})
    return branches


def _handoff_packages_q(*, direction: str | None, time_zones: set[str]) -> Q:
    """Packages that let a handoff in `direction` (None: either) open at their partner now:
    - drop-off: still to hand over (manifested, or missing) for the partner's local service
      date;
    - return: queued for return at the partner (see `_returnable_q`)."""
    drop_off = Q(status__in=DROP_OFF_SOURCE_STATUSES) & _local_service_date_q("", time_zones)
    returns = _returnable_q(received_before=_local_service_date_q("__lt", time_zones))
    if direction == HandoffDirection.DROP_OFF:
        return drop_off
    if direction == HandoffDirection.RETURN:
        return returns
    return drop_off | returns


def handoff_partner_choices(
    *,
    dsp_id: int,
    direction: str | None = None,
    partner_id: int | None = None,
    station: Station | None = None,
) -> QuerySet[Partner]:
    """Partners where the DSP's driver may open a handoff now, in `direction` (None: either):
    a drop-off where the DSP has packages to hand over for the partner's local service date,
    a return where the DSP's packages are queued for return; with `station`, only among the
    partners it serves (the driver's home station). The handoff start page offers these;
    `handoff_open` refuses any other (narrowed with `partner_id`). Two queries."""
    partners = Partner.objects.filter(status__in=RECEIVING_PARTNER_STATUSES)
    if station is not None:
        partners = station_partners(station=station)
    if partner_id is not None:
        partners = partners.filter(pk=partner_id)
    time_zones = set(partners.order_by().values_list("time_zone", flat=True).distinct())
    packages = Package.objects.filter(
        _handoff_packages_q(direction=direction, time_zones=time_zones), dsp_id=dsp_id
    )
    return partners.filter(pk__in=packages.values("partner_id")).order_by("trade_name", "pk")


def handoff_dsp_choices(*, partner: Partner, direction: str | None = None) -> QuerySet[Dsp]:
    """DSPs a member of `partner` may open a handoff with now: the same rule as
    `handoff_partner_choices`, seen from the partner."""
    packages = Package.objects.filter(
        _handoff_packages_q(direction=direction, time_zones={partner.time_zone}),
        partner_id=partner.pk,
    )
    return Dsp.objects.filter(pk__in=packages.values("dsp_id")).order_by("name")


def handoff_expected_packages(*, handoff: Handoff) -> QuerySet[Package]:
    """What should change hands at the handoff: the same rule for its counters and its list."""
    packages = Package.objects.filter(partner_id=handoff.partner_id, dsp_id=handoff.dsp_id)
    if handoff.direction == HandoffDirection.DROP_OFF:
        return packages.filter(service_date=handoff.service_date, status=PackageStatus.MANIFESTED)
    # Today's received packages are still to deliver; earlier days' go back.
    return packages.filter(_returnable_q(received_before=Q(service_date__lt=handoff.service_date)))


@dataclass(frozen=True)
class Viewer:
    """Who is reading, reduced to what scoping needs. Built once per request."""

    user: User | None = None
    token: DspApiToken | None = None
    is_ops: bool = False
    partner_id: int | None = None
    dsp_id: int | None = None
    # A driver's home station: they see only the partners it serves (station_partners).
    station: Station | None = None

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
    driver = Driver.objects.working().select_related("home_station").filter(user=user).first()
    return Viewer(
        user=user,
        partner_id=membership.partner_id if membership else None,
        dsp_id=driver.dsp_id if driver else None,
        station=driver.home_station if driver else None,
    )


def driver_get_for_user(*, user: User) -> Driver | None:
    """The user's driver link, only while they drive: not removed, their DSP active."""
    return Driver.objects.working().select_related("dsp", "home_station").filter(user=user).first()


def driver_is_stopped(*, user: User) -> bool:
    """True for a removed driver or one whose DSP is deactivated."""
    return Driver.objects.filter(user=user).exists() and driver_get_for_user(user=user) is None


def _scoped(queryset: QuerySet, viewer: Viewer, *, partner: str, dsp: str | None) -> QuerySet:
    if viewer.is_ops:
        return queryset
    if viewer.partner_id is not None:
        return queryset.filter(**{partner: viewer.partner_id})
    if viewer.is_dsp_system and dsp is not None:
        return queryset.filter(**{dsp: viewer.dsp_id})
    if viewer.is_driver and dsp is not None and viewer.station is not None:
        served = station_partners(station=viewer.station).values("pk")
        return queryset.filter(**{dsp: viewer.dsp_id, f"{partner}__in": served})
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
    until then, address order). Without their partner and DSP: the caller has the partner,
    and building both for each of a hundred rows was a fifth of the today page's time."""
    return Package.objects.filter(partner_id=partner_id, service_date=service_date).order_by(
        *PACKAGE_ROUTE_ORDER
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


def handoff_get_for(*, viewer: Viewer, handoff_id: int) -> Handoff:
    return get_object_or_404(handoff_qs_for(viewer=viewer), pk=handoff_id)


def _late_q(*, handoff: Handoff) -> Q:
    """An item is late when it was scanned more than 30 minutes after the handoff opened
    (server receipt times, like the custody log); a missing mark is never late."""
    return Q(scanned_at__gt=handoff.opened_at + LATE_SCAN_AFTER) & ~Q(
        outcome=HandoffOutcome.MISSING
    )


def _item_late(item: HandoffItem, handoff: Handoff) -> bool:
    late_after = handoff.opened_at + LATE_SCAN_AFTER
    return item.outcome != HandoffOutcome.MISSING and item.scanned_at > late_after


def _item_taken(status: str | None, handoff: Handoff) -> bool:
    """The item's package is one the handoff takes now (scan_outcomes' `expected`): what the
    phone needs to count a scan of a label it has scanned already."""
    return status is not None and handoff_takes(direction=handoff.direction, status=status)


def handoff_items_with_late(*, handoff: Handoff) -> list[HandoffItem]:
    """The handoff's items in scan order; each has `late` set (see _late_q) and `taken`
    (_item_taken)."""
    items = list(handoff_items(handoff=handoff))
    for item in items:
        item.late = _item_late(item, handoff)
        item.taken = _item_taken(item.package.status if item.package else None, handoff)
    return items


def _still_expected_qs(*, handoff: Handoff) -> QuerySet[Package]:
    return handoff_expected_packages(handoff=handoff).exclude(handoff_items__handoff=handoff)


def handoff_still_expected(*, handoff: Handoff) -> list[Package]:
    """Packages the handoff expects that have no item yet: still to scan while it is open;
    for a closed return, what was not handed back (it stays with the partner, flagged)."""
    return list(
        _still_expected_qs(handoff=handoff)
        .order_by("tracking_id")
        .only("id", "tracking_id", "status", "address_line", "service_date")
    )


@dataclass(frozen=True)
class HandoffTallies:
    """What the handoff's page counts beside the handoff's own counters."""

    scanned: int
    late: int
    still: int


def handoff_tallies_of(
    *, items: list[HandoffItem], still_expected: list[Package]
) -> HandoffTallies:
    """The tallies of the lists the page has read anyway (items with `late` set)."""
    late = sum(1 for item in items if item.late)
    return HandoffTallies(scanned=len(items), late=late, still=len(still_expected))


def _count(queryset: QuerySet) -> Subquery:
    """COUNT(*) of `queryset` as a scalar subquery. Func, not Count, so the outer query is not
    grouped: the count belongs to the subquery."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Subquery(counted, output_field=IntegerField())


def _tallies_annotations(*, handoff: Handoff) -> dict[str, Subquery]:
    items = HandoffItem.objects.filter(handoff_id=handoff.pk)
    return {
        "scanned_count": _count(items),
        "late_count": _count(items.filter(_late_q(handoff=handoff))),
        "still_count": _count(_still_expected_qs(handoff=handoff)),
    }


def _tallies_read(row: HandoffItem | Handoff) -> HandoffTallies:
    return HandoffTallies(scanned=row.scanned_count, late=row.late_count, still=row.still_count)


def handoff_with_tallies(*, handoff: Handoff) -> tuple[Handoff, HandoffTallies]:
    """The handoff's current counters and status (another phone may have scanned since it was
    read) with its tallies, in one statement; `handoff` keeps its related rows."""
    current = (
        Handoff.objects.filter(pk=handoff.pk)
        .only("status", *Handoff.count_fields())
        .annotate(**_tallies_annotations(handoff=handoff))
        .get()
    )
    for field in ("status", *Handoff.count_fields()):
        setattr(handoff, field, getattr(current, field))
    return handoff, _tallies_read(current)


@dataclass(frozen=True)
class ScanRow:
    """The one row a scan changed, for the page's out-of-band swap."""

    item: HandoffItem
    # The item was already on the list (its outcome changed): the row is replaced in place.
    replaces: bool
    # The scan took the package off the "still to scan" list.
    was_still_expected: bool
    tallies: HandoffTallies


def _scan_row_qs(
    *,
    direction: str,
    handoff_id: int,
    partner_id: int,
    dsp_id: int,
    service_date: datetime.date,
    late_after: datetime.datetime,
    tracking_id: str,
    event_id: int,
) -> QuerySet[HandoffItem]:
    handoff = Handoff(
        pk=handoff_id,
        direction=direction,
        partner_id=partner_id,
        dsp_id=dsp_id,
        service_date=service_date,
        opened_at=late_after - LATE_SCAN_AFTER,
    )
    earlier = PackageEvent.objects.filter(
        handoff_id=handoff_id, tracking_id=tracking_id, pk__lt=event_id
    ).exclude(event_type__startswith="handoff_")
    return HandoffItem.objects.filter(handoff_id=handoff_id, tracking_id=tracking_id).annotate(
        replaces=Exists(earlier),
        package_service_date=F("package__service_date"),
        package_status=F("package__status"),
        **_tallies_annotations(handoff=handoff),
    )


# Compiled once per direction: the scan answer's one read (packages.prepared).
_SCAN_ROW = {
    direction: PreparedQuery(
        functools.partial(_scan_row_qs, direction=direction),
        handoff_id=int,
        partner_id=int,
        dsp_id=int,
        service_date=datetime.date,
        late_after=datetime.datetime,
        tracking_id=str,
        event_id=int,
    )
    for direction in HandoffDirection.values
}


def handoff_scan_row(*, handoff: Handoff, event: PackageEvent) -> ScanRow:
    """The item `event` (a scan at the locked `handoff`) wrote, whether an earlier scan at
    the handoff had written it, and the handoff's tallies: one statement."""
    (item,) = _SCAN_ROW[handoff.direction].objects(
        handoff_id=handoff.pk,
        partner_id=handoff.partner_id,
        dsp_id=handoff.dsp_id,
        service_date=handoff.service_date,
        late_after=handoff.opened_at + LATE_SCAN_AFTER,
        tracking_id=event.tracking_id,
        event_id=event.pk,
    )
    item.late = _item_late(item, handoff)
    item.taken = _item_taken(item.package_status, handoff)
    return ScanRow(
        item=item,
        replaces=item.replaces,
        was_still_expected=_was_still_expected(handoff=handoff, item=item, event=event),
        tallies=_tallies_read(item),
    )


def _was_still_expected(*, handoff: Handoff, item: HandoffItem, event: PackageEvent) -> bool:
    """handoff_expected_packages asked of the package as it was before the scan: at a
    drop-off a manifested package of the handoff's day; at a return, any package it takes."""
    if item.replaces or item.package_id is None:
        return False
    if handoff.direction == HandoffDirection.RETURN:
        return True
    return (
        event.from_status == PackageStatus.MANIFESTED
        and item.package_service_date == handoff.service_date
    )


def handoff_open_list_for(*, viewer: Viewer) -> QuerySet[Handoff]:
    return handoff_qs_for(viewer=viewer).filter(status=HandoffStatus.OPEN).order_by("-opened_at")


def package_get_for_member(*, partner_id: int, tracking_id: str) -> Package:
    return get_object_or_404(
        Package.objects.select_related("partner", "dsp"),
        partner_id=partner_id,
        tracking_id=tracking_id.strip(),
    )


# The evening summary's buckets: every status of a package of the day falls in exactly one,
# so the numbers add up to the day's packages whatever happened to each along the way.
DAY_SUMMARY_BUCKETS: dict[str, str] = {
    PackageStatus.MANIFESTED: "open",
    PackageStatus.RECEIVED: "open",
    PackageStatus.OUT_FOR_DELIVERY: "open",
    PackageStatus.DELIVERED: "delivered",
    PackageStatus.ATTEMPTED: "incident",
    PackageStatus.DAMAGED: "queued_for_return",
    PackageStatus.RETURN_PENDING: "queued_for_return",
    PackageStatus.MISSING: "missing",
    PackageStatus.RETURNED: "returned",
}


# The status each action a phone keeps offline leaves its package in (the services'
# outcomes), so outbox.js moves the row to its summary bucket before the server says so.
# An undone delivery returns to a deliverable status, which is always "open".
STATUS_AFTER_OUTBOX_ACTION: dict[str, str] = {
    "delivered": PackageStatus.DELIVERED,
    "attempted": PackageStatus.ATTEMPTED,
    "delivery_undone": PackageStatus.RECEIVED,
    "day_close": PackageStatus.RETURN_PENDING,
}


def day_bucket_after_outbox_actions() -> dict[str, str]:
    """Outbox action type -> the summary bucket its package lands in."""
    return {
        action: DAY_SUMMARY_BUCKETS[status] for action, status in STATUS_AFTER_OUTBOX_ACTION.items()
    }


@dataclass(frozen=True)
class DaySummary:
    """A partner's day, each package counted once by its current (final) status."""

    total: int
    delivered: int
    incident: int
    queued_for_return: int
    missing: int
    returned: int
    open: int

    @property
    def outcomes(self) -> int:
        """What the buckets add up to: always `total`."""
        return (
            self.delivered
            + self.incident
            + self.queued_for_return
            + self.missing
            + self.returned
            + self.open
        )


def day_summary(*, packages: list[Package]) -> DaySummary:
    """The evening summary (and the page's counters) of an already-fetched day's packages."""
    counts = dict.fromkeys(set(DAY_SUMMARY_BUCKETS.values()), 0)
    for package in packages:
        counts[DAY_SUMMARY_BUCKETS[package.status]] += 1
    return DaySummary(total=len(packages), **counts)


def day_still_open(*, packages: list[Package]) -> list[Package]:
    """What the partner still has to act on today: the summary's `open` bucket."""
    return [p for p in packages if DAY_SUMMARY_BUCKETS[p.status] == "open"]


def incident_queue_for_ops(*, reason: str = "") -> QuerySet[Incident]:
    incidents = Incident.objects.filter(status=IncidentStatus.OPEN)
    if reason:
        incidents = incidents.filter(reason=reason)
    return incidents.select_related("package__partner", "attempt__attempted_by").order_by(
        "opened_at", "id"
    )


def late_event_list_for_ops() -> QuerySet[LateEvent]:
    """Events phones sent after their day or handoff closed (packages.services.sync), newest
    first, with who sent them and where."""
    return LateEvent.objects.select_related("partner", "actor", "handoff").order_by(
        "-received_at", "-id"
    )


def handoff_list_for_ops(
    *,
    status: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[Handoff]:
    """Every handoff, newest service date first, with its partner, DSP and driver."""
    handoffs = Handoff.objects.select_related("partner", "dsp", "driver__user")
    if status:
        handoffs = handoffs.filter(status=status)
    if date_from:
        handoffs = handoffs.filter(service_date__gte=date_from)
    if date_to:
        handoffs = handoffs.filter(service_date__lte=date_to)
    return handoffs.order_by("-service_date", "-opened_at", "-id")


def incident_get_for_ops(*, incident_id: int) -> Incident:
    return get_object_or_404(Incident.objects.select_related("package"), pk=incident_id)


def package_get_for_ops(*, tracking_id: str) -> Package:
    return get_object_or_404(
        Package.objects.select_related("partner", "dsp", "manifest"), tracking_id=tracking_id
    )


def package_timeline(*, package: Package) -> QuerySet[PackageEvent]:
    return package.events.select_related("actor", "handoff").order_by("received_at", "id")


# A device clock further than this from the server's when an event arrived is flagged on the
# ops package page: business times are the server's, the device's is only kept beside them.
DEVICE_CLOCK_SKEW_LIMIT = datetime.timedelta(minutes=10)


def event_clock_skew(*, event: PackageEvent) -> datetime.timedelta | None:
    """How far the device's clock was from the server's, when beyond the limit."""
    if event.device_time is None:
        return None
    skew = event.device_time - event.received_at
    return skew if abs(skew) > DEVICE_CLOCK_SKEW_LIMIT else None


def _skew_text(skew: datetime.timedelta) -> str:
    size = abs(skew)
    if size >= datetime.timedelta(days=2):
        n = size.days
        amount = ngettext("%(n)s day", "%(n)s days", n) % {"n": f"{n:,}"}
    elif size >= datetime.timedelta(hours=2):
        n = size // datetime.timedelta(hours=1)
        amount = ngettext("%(n)d hour", "%(n)d hours", n) % {"n": n}
    else:
        n = size // datetime.timedelta(minutes=1)
        amount = ngettext("%(n)d minute", "%(n)d minutes", n) % {"n": n}
    if skew > datetime.timedelta(0):
        return _("Device clock %(amount)s ahead of the server") % {"amount": amount}
    return _("Device clock %(amount)s behind the server") % {"amount": amount}


def package_timeline_with_skew(*, package: Package) -> list[PackageEvent]:
    """The timeline; each event whose device clock was off by more than the limit carries
    `clock_skew_text` for the ops page."""
    events = list(package_timeline(package=package))
    for event in events:
        skew = event_clock_skew(event=event)
        event.clock_skew_text = _skew_text(skew) if skew is not None else ""
    return events


def package_attempts(*, package: Package) -> QuerySet[DeliveryAttempt]:
    return package.attempts.select_related("attempted_by").order_by("attempted_at")


def attempt_get_for_photo(*, viewer: Viewer, attempt_id: int):
    """A delivery proof photo: the package's partner and ops only (not the DSP's drivers)."""
    attempt = get_object_or_404(
        DeliveryAttempt.objects.select_related("package").exclude(photo=""), pk=attempt_id
    )
    if not viewer.sees_recipient(attempt.package):
        raise Http404(_("No such photo."))
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


def standing_deliveries(*, packages: list[Package]) -> dict[int, DeliveryAttempt]:
    """package id -> its standing (not undone) delivery, with its event (one query)."""
    delivered = [p.pk for p in packages if p.status == PackageStatus.DELIVERED]
    if not delivered:
        return {}
    attempts = (
        DeliveryAttempt.objects.filter(
            package_id__in=delivered, outcome=AttemptOutcome.DELIVERED, undone_at__isnull=True
        )
        .select_related("event")
        .order_by("event__received_at", "id")
    )
    return {attempt.package_id: attempt for attempt in attempts}


# ------------------------------------------------------------------------------
# Delivery success: one definition, read by the capacity check and the dashboard
# ------------------------------------------------------------------------------
# The packages a success rate is taken over: those that reached the partner to be delivered
# (still held, delivered, or sent back). Missing packages never reached it, and a package
# scanned in damaged does not count while it is DAMAGED. Once sent back, a damaged package's
# status no longer tells it from an undelivered one, so it counts as not delivered: rare,
# and the status is what a set-based count over weeks of packages can afford.
SUCCESS_HANDLED_STATUSES = (
    PackageStatus.RECEIVED,
    PackageStatus.OUT_FOR_DELIVERY,
    PackageStatus.ATTEMPTED,
    PackageStatus.DELIVERED,
    PackageStatus.RETURN_PENDING,
    PackageStatus.RETURNED,
)


def delivery_success_counts(*, within: Q | None = None, prefix: str = "") -> dict[str, Count]:
    """The two counts of the delivery success rate, as aggregates for a package queryset's
    `.annotate()` or `.aggregate()`: `<prefix>handled` and `<prefix>delivered`. `within`
    narrows both (a date window). The rate is delivered / handled."""
    within = within if within is not None else Q()
    return {
        f"{prefix}handled": Count("id", filter=within & Q(status__in=SUCCESS_HANDLED_STATUSES)),
        f"{prefix}delivered": Count("id", filter=within & Q(status=PackageStatus.DELIVERED)),
    }
