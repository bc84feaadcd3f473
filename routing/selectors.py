"""Reads for the capacity check and the ops pages. The check's reads are set-based: the
number of queries is the same for ten partners or ten thousand."""

import datetime
from collections.abc import Iterable

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from hubdelivery.lib.dates import local_date
from packages.models import (
    Handoff,
    HandoffDirection,
    HandoffStatus,
    Package,
    PackageStatus,
    Station,
)
from packages.selectors import delivery_success_counts, station_partners
from partners.models import Closure, Partner, PartnerStatus
from partners.selectors.holidays import holidays_for_partners, nationwide_holiday
from routing.assignment import PartnerCoverage
from routing.capacity import PartnerDay
from routing.models import (
    MODE_RADIUS_MILES,
    CapacityFinding,
    CapacityReport,
    Coverage,
    DropOffRoute,
    DropOffStop,
    PartnerRoute,
    RouteStop,
    ZipMove,
)

# Packages the partner holds and has not yet delivered or queued for return.
CUSTODY_STATUSES = (
    PackageStatus.RECEIVED,
    PackageStatus.OUT_FOR_DELIVERY,
    PackageStatus.ATTEMPTED,
)
CHECKED_PARTNER_STATUSES = (PartnerStatus.ACTIVE, PartnerStatus.PAUSED)
# Packages the partner still delivers on the date (not missing, damaged or already gone).
ROUTED_STATUSES = (
    PackageStatus.MANIFESTED,
    PackageStatus.RECEIVED,
    PackageStatus.OUT_FOR_DELIVERY,
    PackageStatus.ATTEMPTED,
    PackageStatus.DELIVERED,
)


def major_holiday(day: datetime.date) -> str | None:
    """The name of the nationwide holiday on `day` in the ops calendar, if any."""
    return nationwide_holiday(day)


def partner_days_for_check(
    *, service_date: datetime.date, time_zone: str, history_days: int
) -> list[PartnerDay]:
    """One PartnerDay per active or paused partner of the time zone, in four queries."""
    days = partner_days_base(
        time_zone=time_zone, service_date=service_date, history_days=history_days
    )
    if not days:
        return []
    add_package_counts(days, time_zone, service_date, history_days)
    add_open_handoffs(days, time_zone, service_date)
    add_closures(days, time_zone, service_date)
    return list(days.values())


def partner_days_base(
    *, time_zone: str, service_date: datetime.date, history_days: int
) -> dict[int, PartnerDay]:
    partners = Partner.objects.filter(
        time_zone=time_zone, status__in=CHECKED_PARTNER_STATUSES
    ).values_list(
        "pk", "trade_name", "latitude", "longitude", "status", "daily_capacity",
        "storage_capacity", "activated_at",
    )  # fmt: skip
    days = {}
    for pk, name, lat, lng, status, daily, storage, activated_at in partners:
        active_since = (activated_at or timezone.now()).date()
        days_active = max(0, min(history_days, (service_date - active_since).days))
        days[pk] = PartnerDay(
            partner_id=pk, name=name, latitude=lat, longitude=lng,
            receiving=status == PartnerStatus.ACTIVE, daily_capacity=daily,
            storage_capacity=storage, history_days_active=days_active,
        )  # fmt: skip
    return days


def add_package_counts(
    days: dict[int, PartnerDay], time_zone: str, service_date: datetime.date, history_days: int
) -> None:
    """The package facts and the date's packages per ZIP, from one grouped scan: a partner's
    counts add up over its rows, and a ZIP with packages on the date is one of its ZIPs."""
    rows = package_counts_by_partner_zip(
        time_zone=time_zone, service_date=service_date, history_days=history_days
    )
    # Tuples and plain additions: a night reads a row or more per partner.
    for partner_id, zip_code, assigned, held, stale, volume, handled, delivered in rows:
        day = days.get(partner_id)
        if day is not None:
            day.assigned += assigned
            day.held_before += held
            day.stale += stale
            day.history_volume += volume
            day.history_handled += handled
            day.history_delivered += delivered
            if assigned:
                day.zip_counts[zip_code] = assigned


def package_counts_by_partner_zip(
    *, time_zone: str, service_date: datetime.date, history_days: int
) -> QuerySet[Package]:
    """Per partner and ZIP: (partner id, ZIP, assigned on the date, held from before, stale,
    window volume, handled, delivered). Grouped by two plain columns so that PostgreSQL's
    statistics on the pair (packages migration 0006) size the grouping and it hashes within
    memory; grouped by an expression (the ZIP of the date's packages only) it guessed six
    times the groups and sorted the rows on disk."""
    window_start = service_date - datetime.timedelta(days=history_days)
    yesterday = service_date - datetime.timedelta(days=1)
    custody = Q(status__in=CUSTODY_STATUSES)
    in_window = Q(service_date__gte=window_start, service_date__lt=service_date)
    return (
        Package.objects.filter(partner__time_zone=time_zone)
        .filter(Q(service_date__gte=window_start) | custody)
        .values_list("partner_id", "zip_code")
        .annotate(
            assigned=Count("id", filter=Q(service_date=service_date)),
            held_before=Count("id", filter=custody & Q(service_date__lt=service_date)),
            stale=Count("id", filter=custody & Q(service_date__lt=yesterday)),
            history_volume=Count("id", filter=in_window),
            **delivery_success_counts(within=in_window, prefix="history_"),
        )
        .order_by()
    )


def add_open_handoffs(days: dict[int, PartnerDay], time_zone: str, service_date) -> None:
    rows = (
        Handoff.objects.filter(
            partner__time_zone=time_zone, status=HandoffStatus.OPEN, service_date__lt=service_date
        )
        .values_list("partner_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for partner_id, count in rows:
        if partner_id in days:
            days[partner_id].open_handoffs = count


def add_closures(days: dict[int, PartnerDay], time_zone: str, service_date) -> None:
    closed = Closure.objects.filter(
        partner__time_zone=time_zone, start_date__lte=service_date, end_date__gte=service_date
    ).values_list("partner_id", flat=True)
    on_holiday = holidays_for_partners(
        day=service_date, partners=Partner.objects.filter(time_zone=time_zone)
    )
    for partner_id in {*closed, *on_holiday}:
        if partner_id in days:
            days[partner_id].closed = True


def partner_time_zones() -> list[str]:
    return list(
        Partner.objects.filter(status__in=CHECKED_PARTNER_STATUSES)
        .values_list("time_zone", flat=True)
        .distinct()
        .order_by("time_zone")
    )


def capacity_reports_recent(*, limit: int = 30) -> QuerySet[CapacityReport]:
    return CapacityReport.objects.annotate(finding_count=Count("findings")).order_by(
        "-service_date", "time_zone"
    )[:limit]


def capacity_reports_latest() -> QuerySet[CapacityReport]:
    """The newest report of each time zone."""
    newest = (
        CapacityReport.objects.filter(time_zone=OuterRef("time_zone"))
        .order_by("-service_date")
        .values("service_date")[:1]
    )
    return CapacityReport.objects.filter(service_date=Subquery(newest))


def capacity_findings_of(
    *, reports: QuerySet[CapacityReport] | list[CapacityReport], kind: str = ""
) -> QuerySet[CapacityFinding]:
    findings = CapacityFinding.objects.filter(report__in=reports)
    if kind:
        findings = findings.filter(kind=kind)
    return findings.select_related("report", "partner", "neighbour").order_by(
        "kind", "partner__trade_name", "id"
    )


def capacity_report_get(*, report_id: int) -> CapacityReport:
    return get_object_or_404(CapacityReport, pk=report_id)


def partner_route_get(*, partner_id: int, service_date: datetime.date) -> PartnerRoute | None:
    return PartnerRoute.objects.filter(partner_id=partner_id, service_date=service_date).first()


def route_stops(*, route: PartnerRoute) -> QuerySet[RouteStop]:
    return route.stops.select_related("package").order_by("sequence")


def dropoff_route_get(*, station_id: int, service_date: datetime.date) -> DropOffRoute | None:
    return DropOffRoute.objects.filter(station_id=station_id, service_date=service_date).first()


def dropoff_stops(*, route: DropOffRoute) -> QuerySet[DropOffStop]:
    """The route's stops at partners its station still serves: a route planned before ops
    removed a partner from the station no longer sends its drivers there."""
    served = station_partners(station=route.station).values("pk")
    return route.stops.filter(partner_id__in=served).select_related("partner").order_by("sequence")


# ------------------------------------------------------------------------------
# Assignment: every active partner's coverage and room on a date, in three queries
# ------------------------------------------------------------------------------
def partner_coverages_for_assignment(
    *, service_date: datetime.date, dsp_id: int | None
) -> list[PartnerCoverage]:
    """Every ACTIVE partner as routing.assignment sees it on the date.

    Room: daily capacity minus the date's packages already on the partner, and storage
    capacity minus those and what it still holds from earlier days. The packages the run
    may move (DSP `dsp_id`'s, manifested, placed by routing) do not count: they are being
    placed again. With no `dsp_id` every package counts (a closure moves only the closed
    partners' packages, whose room does not matter). A closure covering the date, or a
    holiday of the calendar for the partner's state or market (or nationwide), closes the
    partner.
    """
    packages = Package.objects.filter(partner__status=PartnerStatus.ACTIVE)
    if dsp_id is not None:
        packages = packages.exclude(
            dsp_id=dsp_id,
            service_date=service_date,
            status=PackageStatus.MANIFESTED,
            assigned_by_routing=True,
        )
    loads = {
        row["partner_id"]: row
        for row in packages.filter(Q(service_date=service_date) | Q(status__in=CUSTODY_STATUSES))
        .values("partner_id")
        .annotate(
            assigned=Count("id", filter=Q(service_date=service_date)),
            held_before=Count(
                "id", filter=Q(status__in=CUSTODY_STATUSES, service_date__lt=service_date)
            ),
        )
        .order_by()
    }
    closed = set(
        Closure.objects.filter(
            partner__status=PartnerStatus.ACTIVE,
            start_date__lte=service_date,
            end_date__gte=service_date,
        ).values_list("partner_id", flat=True)
    )
    closed |= set(
        holidays_for_partners(
            day=service_date, partners=Partner.objects.filter(status=PartnerStatus.ACTIVE)
        )
    )
    rows = Partner.objects.filter(status=PartnerStatus.ACTIVE).values_list(
        "pk", "trade_name", "latitude", "longitude", "daily_capacity", "storage_capacity",
        "delivery_modes", "coverage__zip_codes", "coverage__radius_miles",
    ).order_by("pk")  # fmt: skip
    coverages = []
    for pk, name, lat, lng, daily, storage, modes, zip_codes, radius in rows:
        load = loads.get(pk, {"assigned": 0, "held_before": 0})
        room = min(daily - load["assigned"], storage - load["held_before"] - load["assigned"])
        coverages.append(
            PartnerCoverage(
                id=pk, lat=lat, lng=lng, zip_codes=frozenset(zip_codes or ()),
                radius_miles=coverage_radius(radius, modes),
                remaining_capacity=max(0, room), closed=pk in closed, name=name,
            )
        )  # fmt: skip
    return coverages


def coverage_radius(radius_miles: float | None, delivery_modes: list[str] | None) -> float:
    """The partner's radius: its Coverage row's (None: no row), else the default of its
    delivery modes. Assignment and the manifest check read coverage through this one rule."""
    return radius_miles if radius_miles is not None else default_radius(delivery_modes or [])


def partner_coverage_get(*, partner: Partner) -> PartnerCoverage:
    """The partner's coverage as assignment sees it, without the day's room (one query)."""
    row = Coverage.objects.filter(partner=partner).values_list("zip_codes", "radius_miles")
    zip_codes, radius = row.first() or ([], None)
    return PartnerCoverage(
        id=partner.pk, lat=partner.latitude, lng=partner.longitude,
        zip_codes=frozenset(zip_codes or ()),
        radius_miles=coverage_radius(radius, partner.delivery_modes),
        remaining_capacity=0, name=str(partner),
    )  # fmt: skip


def default_radius(delivery_modes: list[str]) -> float:
    """The farthest of the delivery modes (walk 1 mi, bike 3, car 10); walking if none."""
    radii = [MODE_RADIUS_MILES[mode] for mode in delivery_modes if mode in MODE_RADIUS_MILES]
    return max(radii, default=MODE_RADIUS_MILES["walk"])


def coverage_for_partner(*, partner: Partner) -> tuple[list[str], float, bool]:
    """(ZIPs, radius, is_default) of the partner: its Coverage row, or the default radius."""
    coverage = Coverage.objects.filter(partner=partner).first()
    if coverage is None:
        return [], default_radius(partner.delivery_modes or []), True
    return list(coverage.zip_codes), coverage.radius_miles, False


def assignment_packages_for_date(*, service_date: datetime.date) -> QuerySet[Package]:
    """The date's packages routing placed or left with the DSP, for the ops page (one query)."""
    return (
        Package.objects.filter(service_date=service_date)
        .filter(Q(assigned_by_routing=True) | Q(partner__isnull=True))
        .select_related("partner", "dsp")
        .order_by("partner__trade_name", "zip_code", "tracking_id")
    )


# ------------------------------------------------------------------------------
# Routes and the runs that build them
# ------------------------------------------------------------------------------
def packages_for_route(*, partner: Partner, service_date: datetime.date) -> QuerySet[Package]:
    """The partner's packages it still delivers on the date, in address order (the solver's
    input order)."""
    return Package.objects.filter(
        partner=partner, service_date=service_date, status__in=ROUTED_STATUSES
    ).order_by("address_line", "id")


def dropoff_package_counts(*, station: Station, service_date: datetime.date) -> dict[int, int]:
    """{partner id: packages of the station's DSP on the date}, for the partners the station
    serves (packages.selectors.station_partners) (one query)."""
    served = station_partners(station=station).values("pk")
    return dict(
        Package.objects.filter(
            dsp_id=station.dsp_id, service_date=service_date, partner_id__in=served
        )
        .values_list("partner_id")
        .annotate(n=Count("id"))
        .order_by()
    )


def routes_due_partner_ids(*, service_date: datetime.date, time_zone: str) -> list[int]:
    return list(
        Package.objects.filter(
            partner__time_zone=time_zone,
            partner__status=PartnerStatus.ACTIVE,
            service_date=service_date,
        )
        .values_list("partner_id", flat=True)
        .distinct()
        .order_by("partner_id")
    )


def packages_assign_movable(*, dsp_id: int, service_date: datetime.date) -> QuerySet[Package]:
    """The DSP's packages of the date that routing may (re)place: still manifested, and
    either without a partner or placed by routing before. The DSP's own choices stay, and so
    do the packages an applied ZIP move gave a neighbour (routing.services.zip_moves)."""
    return Package.objects.filter(
        dsp_id=dsp_id, service_date=service_date, status=PackageStatus.MANIFESTED
    ).filter(Q(partner__isnull=True) | Q(assigned_by_routing=True))


def packages_of_closed_partners(
    *, partners: QuerySet[Partner], start_date: datetime.date, end_date: datetime.date
) -> QuerySet[Package]:
    """The partners' packages between the dates (both included) that may still move: from
    each partner's local today on, still manifested, and no drop-off of the partner, DSP and
    date has opened (a driver may be at the door with them). Whether routing or the DSP
    placed them does not matter. One query for the time zones; the rest is the caller's."""
    drop_off = Handoff.objects.filter(
        partner=OuterRef("partner"), dsp=OuterRef("dsp"), service_date=OuterRef("service_date"),
        direction=HandoffDirection.DROP_OFF,
    )  # fmt: skip
    from_local_today = Q(pk__in=[])
    for zone in partners.values_list("time_zone", flat=True).distinct().order_by():
        from_local_today |= Q(partner__time_zone=zone, service_date__gte=local_date(tz_name=zone))
    return (
        Package.objects.filter(
            partner__in=partners,
            service_date__gte=start_date,
            service_date__lte=end_date,
            status=PackageStatus.MANIFESTED,
        )
        .filter(from_local_today)
        .exclude(Exists(drop_off))
    )


def partner_owners(*, partner_ids: Iterable[int]) -> dict[int, tuple[str, str, str]]:
    """{partner id: (trade name, owner's email, owner's language)} (one query)."""
    rows = Partner.objects.filter(pk__in=partner_ids).values_list(
        "pk", "trade_name", "owner__email", "owner__language"
    )
    return {pk: (name, email, language) for pk, name, email, language in rows}


def packages_assign_due_dsp_ids(*, service_date: datetime.date) -> list[int]:
    """DSPs with manifested packages of the date that no partner holds yet."""
    return list(
        Package.objects.filter(
            service_date=service_date, status=PackageStatus.MANIFESTED, partner__isnull=True
        )
        .values_list("dsp_id", flat=True)
        .distinct()
        .order_by("dsp_id")
    )


# ------------------------------------------------------------------------------
# Capacity findings applied: ZIP moves
# ------------------------------------------------------------------------------
def capacity_finding_get(*, finding_id: int) -> CapacityFinding:
    return get_object_or_404(
        CapacityFinding.objects.select_related("report", "partner", "neighbour"), pk=finding_id
    )


def zip_move_get(*, move_id: int) -> ZipMove:
    return get_object_or_404(
        ZipMove.objects.select_related("report", "partner_from", "partner_to"), pk=move_id
    )


def zip_move_lock(*, move_id: int) -> ZipMove:
    """The move's row, locked; its partners read along (call inside a transaction)."""
    return (
        ZipMove.objects.select_for_update(of=("self",))
        .select_related("partner_from", "partner_to")
        .get(pk=move_id)
    )


def zip_move_active_for(*, report_id: int, partner_id: int, finding_kind: str) -> ZipMove | None:
    return (
        ZipMove.objects.filter(
            report_id=report_id,
            partner_from_id=partner_id,
            finding_kind=finding_kind,
            undone_at__isnull=True,
        )
        .select_related("applied_by")
        .first()
    )


def zip_moves_of_reports(
    *, reports: QuerySet[CapacityReport] | list[CapacityReport]
) -> list[ZipMove]:
    """The reports' moves, oldest first, with who applied and undid them (one query)."""
    return list(
        ZipMove.objects.filter(report__in=reports)
        .select_related("report", "partner_from", "partner_to", "applied_by", "undone_by")
        .order_by("applied_at", "id")
    )


def drop_offs_opened(*, days: set[tuple[int, datetime.date]]) -> set[tuple[int, datetime.date]]:
    """Which (partner id, service date) pairs have a drop-off handoff, open or closed (one
    query for any number of pairs)."""
    if not days:
        return set()
    rows = Handoff.objects.filter(
        direction=HandoffDirection.DROP_OFF,
        partner_id__in={partner_id for partner_id, _ in days},
        service_date__in={day for _, day in days},
    ).values_list("partner_id", "service_date")
    return set(rows) & days


def packages_for_zip_move(
    *, partner_id: int, service_date: datetime.date, zip_codes: list[str]
) -> QuerySet[Package]:
    """The partner's packages of those ZIPs on the date that no handoff has taken yet."""
    return Package.objects.filter(
        partner_id=partner_id,
        service_date=service_date,
        zip_code__in=zip_codes,
        status=PackageStatus.MANIFESTED,
    )


def packages_for_zip_move_undo(*, move: ZipMove) -> QuerySet[Package]:
    """The move's packages still with the neighbour and not handed off, each annotated with
    `was_assigned_by_routing` (what the undo restores)."""
    return Package.objects.filter(
        zip_move_rows__move=move, partner_id=move.partner_to_id, status=PackageStatus.MANIFESTED
    ).annotate(was_assigned_by_routing=F("zip_move_rows__was_assigned_by_routing"))
