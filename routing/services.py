"""The nightly capacity check: one report per service date and time zone, replaced on re-run."""

import datetime
import io
import json
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from hubdelivery.lib.distances import (
    DistanceMatrixProvider,
    HaversineMatrix,
    OsrmMatrix,
    Point,
    RoutingServiceError,
    matrix_provider_from_settings,
)
from hubdelivery.lib.emails import email_send_templated
from packages.models import Dsp, Package, PackageStatus, Station
from partners.models import Partner, PartnerStatus
from partners.services.partners import partner_event_write
from routing import selectors
from routing.assignment import PackageSpot, assign_packages
from routing.capacity import CheckSettings, Finding, capacity_findings
from routing.models import (
    CapacityFinding,
    CapacityReport,
    Coverage,
    DropOffRoute,
    DropOffStop,
    PartnerRoute,
    RouteStop,
)
from routing.ordering import dsp_dropoff_order, stop_order


def check_settings() -> CheckSettings:
    return CheckSettings(
        success_target=settings.CAPACITY_SUCCESS_TARGET,
        success_min_packages=settings.CAPACITY_SUCCESS_MIN_PACKAGES,
        neighbour_max_miles=settings.CAPACITY_NEIGHBOUR_MAX_MILES,
        history_days=settings.CAPACITY_HISTORY_DAYS,
    )


def major_holiday(day: datetime.date) -> str | None:
    """The name of the major US holiday on `day` (settings.CAPACITY_MAJOR_HOLIDAYS), if any."""
    name = holidays.country_holidays("US", years=day.year).get(day)
    return name if name in settings.CAPACITY_MAJOR_HOLIDAYS else None


FINDING_COLUMNS = (
    "report_id", "partner_id", "kind", "message", "suggested_action", "packages",
    "neighbour_id", "zip_codes",
)  # fmt: skip


def copy_value(value: object) -> str:
    """One field in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    text = str(value)
    for raw, escaped in (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r")):
        text = text.replace(raw, escaped)
    return text


def findings_insert(*, report: CapacityReport, findings: list[Finding]) -> None:
    """Insert the night's findings. On PostgreSQL one COPY: Django's bulk_create spends most
    of a 10,000-partner check building the SQL for its rows."""
    if connection.vendor != "postgresql":
        CapacityFinding.objects.bulk_create(finding_row(report=report, finding=f) for f in findings)
        return
    lines = (
        "\t".join(copy_value(value) for value in (
            report.pk, f.partner_id, f.kind, f.message[:300], f.suggested_action[:300],
            f.packages, f.neighbour_id, json.dumps(list(f.zip_codes)),
        )) + "\n"
        for f in findings
    )  # fmt: skip
    table, columns = CapacityFinding._meta.db_table, ", ".join(FINDING_COLUMNS)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {table} ({columns}) FROM STDIN", io.StringIO("".join(lines))
        )


def finding_row(*, report: CapacityReport, finding: Finding) -> CapacityFinding:
    return CapacityFinding(
        report=report,
        partner_id=finding.partner_id,
        kind=finding.kind,
        message=finding.message[:300],
        suggested_action=finding.suggested_action[:300],
        packages=finding.packages,
        neighbour_id=finding.neighbour_id,
        zip_codes=list(finding.zip_codes),
    )


def report_lock(*, service_date: datetime.date, time_zone: str) -> CapacityReport:
    """The report row for the date and zone, created if missing, locked for this run."""
    report, _ = CapacityReport.objects.get_or_create(
        service_date=service_date, time_zone=time_zone, defaults={"started_at": timezone.now()}
    )
    return CapacityReport.objects.select_for_update().get(pk=report.pk)


@transaction.atomic
def capacity_check_run(
    *, service_date: datetime.date, time_zone: str, force: bool = True
) -> CapacityReport:
    """Check every active or paused partner of `time_zone` for `service_date`.

    Re-running replaces the report's findings (one report per date and zone). With
    `force=False` a report that already finished is left alone: that is how the hourly guard
    avoids running a night twice. The report row lock serialises two runs of the same night.
    """
    report = report_lock(service_date=service_date, time_zone=time_zone)
    if not force and report.finished_at is not None:
        return report
    config = check_settings()
    days = selectors.partner_days_for_check(
        service_date=service_date, time_zone=time_zone, history_days=config.history_days
    )
    holiday = major_holiday(service_date)
    findings = capacity_findings(days=days, holiday=holiday, settings=config)
    CapacityFinding.objects.filter(report=report).delete()  # one DELETE: nothing cascades
    findings_insert(report=report, findings=findings)
    report.started_at = report.started_at or timezone.now()
    report.finished_at = timezone.now()
    report.partners_checked = len(days)
    report.packages_assigned = sum(day.assigned for day in days)
    report.is_holiday = holiday is not None
    report.holiday_name = holiday or ""
    report.save()
    if findings:
        capacity_report_email(report=report, findings=findings)
    return report


def capacity_report_email(*, report: CapacityReport, findings: list[Finding]) -> None:
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding.kind] = counts.get(finding.kind, 0) + 1
    email_send_templated(
        template="capacity-report",
        to=settings.OPS_EMAIL,
        context={
            "report": report,
            "finding_count": len(findings),
            "counts": sorted(counts.items()),
            "url": settings.SITE_URL + reverse("routing:ops-capacity-report", args=[report.pk]),
        },
    )


def target_service_date(*, now: datetime.datetime, time_zone: str) -> datetime.date:
    """The date the check should cover now in `time_zone`: tomorrow once the local evening
    check hour has passed, else today (so a night that was missed is caught up by morning)."""
    local = now.astimezone(ZoneInfo(time_zone))
    if local.hour >= settings.CAPACITY_CHECK_LOCAL_HOUR:
        return local.date() + datetime.timedelta(days=1)
    return local.date()


def capacity_checks_due(*, now: datetime.datetime | None = None) -> list[tuple[datetime.date, str]]:
    """(service date, time zone) pairs whose check has not finished yet, in two queries."""
    now = now or timezone.now()
    targets = {
        (target_service_date(now=now, time_zone=zone), zone)
        for zone in selectors.partner_time_zones()
    }
    finished = set(
        CapacityReport.objects.filter(
            service_date__in={date for date, _ in targets}, finished_at__isnull=False
        ).values_list("service_date", "time_zone")
    )
    return sorted(targets - finished)


# ------------------------------------------------------------------------------
# Routes: the partner's stop order and the DSP's drop-off order
# ------------------------------------------------------------------------------
# Packages the partner still delivers on the date (not missing, damaged or already gone).
ROUTED_STATUSES = (
    PackageStatus.MANIFESTED,
    PackageStatus.RECEIVED,
    PackageStatus.OUT_FOR_DELIVERY,
    PackageStatus.ATTEMPTED,
    PackageStatus.DELIVERED,
)


def distances_provider() -> tuple[DistanceMatrixProvider, str]:
    provider = matrix_provider_from_settings()
    return provider, "osrm" if isinstance(provider, OsrmMatrix) else "haversine"


def plan_with_fallback(shop: Point, points: list[Point], *, open_route: bool = False):
    """Solve with the configured distances; if the OSRM server fails, use straight lines."""
    provider, source = distances_provider()
    solve = dsp_dropoff_order if open_route else stop_order
    try:
        return solve(shop, points, provider=provider), source
    except RoutingServiceError:
        return solve(shop, points, provider=HaversineMatrix()), "haversine (OSRM unreachable)"


@transaction.atomic
def partner_route_build(*, partner: Partner, service_date: datetime.date) -> PartnerRoute:
    """Order the partner's packages for the date from the shop and back; replaces the route
    and writes each package's `route_sequence`. The address order is the solver's input, so
    the route is never longer than it."""
    packages = list(
        Package.objects.filter(
            partner=partner, service_date=service_date, status__in=ROUTED_STATUSES
        ).order_by("address_line", "id")
    )
    points = [(package.latitude, package.longitude) for package in packages]
    plan, source = plan_with_fallback((partner.latitude, partner.longitude), points)
    route, _ = PartnerRoute.objects.select_for_update().update_or_create(
        partner=partner,
        service_date=service_date,
        defaults={
            "total_distance_m": plan.total_distance_m,
            "address_order_distance_m": plan.input_order_distance_m,
            "distance_source": source,
            "built_at": timezone.now(),
        },
    )
    route.stops.all().delete()
    RouteStop.objects.bulk_create(
        RouteStop(route=route, package=packages[index], sequence=position,
                  leg_distance_m=plan.leg_distances_m[position - 1])
        for position, index in enumerate(plan.order, start=1)
    )  # fmt: skip
    for position, index in enumerate(plan.order, start=1):
        packages[index].route_sequence = position
    Package.objects.bulk_update(packages, ["route_sequence"])
    return route


@transaction.atomic
def dropoff_route_build(*, station: Station, service_date: datetime.date) -> DropOffRoute:
    """The order in which the station's drivers visit the partners that have the DSP's
    packages on the date (an open route: it ends at the last partner)."""
    counts = dict(
        Package.objects.filter(dsp_id=station.dsp_id, service_date=service_date)
        .values_list("partner_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    partners = list(Partner.objects.filter(pk__in=counts).order_by("address_line", "id"))
    points = [(partner.latitude, partner.longitude) for partner in partners]
    plan, _ = plan_with_fallback((station.latitude, station.longitude), points, open_route=True)
    route, _ = DropOffRoute.objects.select_for_update().update_or_create(
        station=station,
        service_date=service_date,
        defaults={"total_distance_m": plan.total_distance_m, "built_at": timezone.now()},
    )
    route.stops.all().delete()
    DropOffStop.objects.bulk_create(
        DropOffStop(route=route, partner=partners[index], sequence=position,
                    leg_distance_m=plan.leg_distances_m[position - 1],
                    packages=counts[partners[index].pk])
        for position, index in enumerate(plan.order, start=1)
    )  # fmt: skip
    return route


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


# ------------------------------------------------------------------------------
# Coverage and assignment of a DSP's packages to partners
# ------------------------------------------------------------------------------
UNPLACED_REASON = "no covering partner with room: stays with the DSP"


def coverage_describe(*, zip_codes: list[str], radius_miles: float) -> str:
    zips = ", ".join(zip_codes) or "none"
    return f"ZIPs {zips}; radius {radius_miles:g} mi"


@transaction.atomic
def coverage_update(
    *, partner: Partner, actor: User | None, zip_codes: list[str], radius_miles: float
) -> Coverage:
    """Set the partner's coverage and write a "coverage_changed" PartnerEvent saying what
    changed. Saving the same coverage again is a no-op (no event). The partner row lock
    serialises two ops saving at once, also when neither finds a coverage row yet."""
    Partner.objects.select_for_update().filter(pk=partner.pk).first()
    coverage = Coverage.objects.filter(partner=partner).first()
    zip_codes = sorted(set(zip_codes))
    if coverage is None:
        before = "default " + coverage_describe(
            zip_codes=[],
            radius_miles=selectors.default_radius(partner.delivery_modes or []),
        )
        coverage = Coverage(partner=partner)
    elif coverage.zip_codes == zip_codes and coverage.radius_miles == radius_miles:
        return coverage
    else:
        before = coverage_describe(zip_codes=coverage.zip_codes, radius_miles=coverage.radius_miles)
    coverage.zip_codes = zip_codes
    coverage.radius_miles = radius_miles
    coverage.updated_at = timezone.now()
    coverage.updated_by = actor
    coverage.full_clean()
    coverage.save()
    after = coverage_describe(zip_codes=zip_codes, radius_miles=radius_miles)
    partner_event_write(
        partner=partner, actor=actor, kind="coverage_changed", detail=f"{before} -> {after}"
    )
    return coverage


def packages_assign_movable(*, dsp_id: int, service_date: datetime.date) -> QuerySet[Package]:
    """The DSP's packages of the date that routing may (re)place: still manifested, and
    either without a partner or placed by routing before. The DSP's own choices stay."""
    return Package.objects.filter(
        dsp_id=dsp_id, service_date=service_date, status=PackageStatus.MANIFESTED
    ).filter(Q(partner__isnull=True) | Q(assigned_by_routing=True))


@dataclass(frozen=True)
class AssignResult:
    placed: int
    unplaced: int


@transaction.atomic
def packages_assign(*, dsp: Dsp, service_date: datetime.date) -> AssignResult:
    """Assign the DSP's movable packages of the date with routing.assignment.

    1. Lock the movable packages (still MANIFESTED; partner NULL or chosen by routing), so a
       handoff cannot scan one in while it moves, and a parallel run waits.
    2. Gather every ACTIVE partner's coverage and remaining room on the date (selectors).
    3. Assign (pure, deterministic), then write partner, reason and `assigned_by_routing`
       in one bulk_update. Packages no partner can take keep partner NULL and a reason.

    A fixed number of queries whatever the number of packages or partners. Re-running with
    the same data gives the same result; handed-off packages are never selected.
    """
    packages = list(
        packages_assign_movable(dsp_id=dsp.pk, service_date=service_date)
        .select_for_update()
        .only("id", "latitude", "longitude", "zip_code", "partner_id")
        .order_by("id")
    )
    if not packages:
        return AssignResult(placed=0, unplaced=0)
    partners = selectors.partner_coverages_for_assignment(
        service_date=service_date,
        dsp_id=dsp.pk,
        closed_all=major_holiday(service_date) is not None,
    )
    spots = [PackageSpot(p.pk, p.latitude, p.longitude, p.zip_code) for p in packages]
    decided = {a.package_id: a for a in assign_packages(spots, partners)}
    for package in packages:
        assignment = decided[package.pk]
        package.partner_id = assignment.partner_id
        package.assigned_by_routing = assignment.partner_id is not None
        package.assignment_reason = (
            assignment.reason
            if assignment.partner_id is not None
            else f"{UNPLACED_REASON} ({assignment.reason})"
        )
    # No batch_size: on PostgreSQL this is one UPDATE however many packages; SQLite's
    # 999-parameter limit makes Django split it every 199 packages.
    Package.objects.bulk_update(packages, ["partner", "assigned_by_routing", "assignment_reason"])
    unplaced = sum(1 for package in packages if package.partner_id is None)
    return AssignResult(placed=len(packages) - unplaced, unplaced=unplaced)


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
