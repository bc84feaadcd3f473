"""The nightly capacity check: one report per service date and time zone, replaced on re-run."""

import datetime
import io
import json
from collections.abc import Iterable, Iterator
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.emails import email_send_templated
from hubdelivery.lib.urls import absolute_url
from routing import selectors
from routing.capacity import CheckSettings, Finding, finding_stream
from routing.models import CapacityFinding, CapacityReport, FindingKind


def check_settings() -> CheckSettings:
    return CheckSettings(
        success_target=settings.CAPACITY_SUCCESS_TARGET,
        success_min_packages=settings.CAPACITY_SUCCESS_MIN_PACKAGES,
        neighbour_max_miles=settings.CAPACITY_NEIGHBOUR_MAX_MILES,
        history_days=settings.CAPACITY_HISTORY_DAYS,
    )


FINDING_COLUMNS = (
    "report_id", "partner_id", "kind", "message", "suggested_action", "packages",
    "neighbour_id", "zip_codes",
)  # fmt: skip


COPY_NULL = "\\N"


def copy_value(value: object) -> str:
    """One field in PostgreSQL's COPY text format. Chained replaces: on text that needs no
    escaping (nearly all) they are several times faster than str.translate."""
    if value is None:
        return COPY_NULL
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def copy_line(report_id: int, finding: Finding) -> str:
    """One finding as a COPY text line, in FINDING_COLUMNS order. The ids and counts are
    ints and the kind one of FindingKind's values: none needs escaping, and a night writes
    tens of thousands of these."""
    f = finding
    zip_codes = json.dumps(list(f.zip_codes)) if f.zip_codes else "[]"
    neighbour = COPY_NULL if f.neighbour_id is None else f.neighbour_id
    return (
        f"{report_id}\t{f.partner_id}\t{f.kind}\t{copy_value(f.message[:300])}\t"
        f"{copy_value(f.suggested_action[:300])}\t{f.packages}\t{neighbour}\t"
        f"{copy_value(zip_codes)}\n"
    )


def findings_insert(*, report: CapacityReport, findings: Iterable[Finding]) -> None:
    """Insert the night's findings. On PostgreSQL one COPY that reads them as they come:
    the server stores the first rows while the rules work out the next (Django's
    bulk_create spent most of a 10,000-partner check building the SQL for its rows)."""
    if connection.vendor != "postgresql":
        CapacityFinding.objects.bulk_create(finding_row(report=report, finding=f) for f in findings)
        return
    table, columns = CapacityFinding._meta.db_table, ", ".join(FINDING_COLUMNS)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {table} ({columns}) FROM STDIN", CopyLines(report.pk, findings)
        )


class CopyLines(io.TextIOBase):
    """The findings as a file of COPY text lines that psycopg2 reads a chunk at a time."""

    def __init__(self, report_id: int, findings: Iterable[Finding]) -> None:
        self.report_id = report_id
        self.findings = iter(findings)

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> str:
        """At least `size` characters (all if negative), whole lines; "" at the end."""
        lines, length = [], 0
        for finding in self.findings:
            line = copy_line(self.report_id, finding)
            lines.append(line)
            length += len(line)
            if size is not None and 0 <= size <= length:
                break
        return "".join(lines)


def collected(findings: Iterable[Finding], into: list[Finding]) -> Iterator[Finding]:
    """Each finding, also kept in `into` as it passes."""
    for finding in findings:
        into.append(finding)
        yield finding


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
    holiday = selectors.major_holiday(service_date)
    CapacityFinding.objects.filter(report=report).delete()  # one DELETE: nothing cascades
    findings: list[Finding] = []  # filled as the insert reads them, for the email
    stream = finding_stream(days=days, holiday=holiday, settings=config)
    findings_insert(report=report, findings=collected(stream, into=findings))
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
            "counts": [(FindingKind(kind).label, n) for kind, n in sorted(counts.items())],
            "url": absolute_url(reverse("routing:ops-capacity-report", args=[report.pk])),
        },
        language=settings.LANGUAGE_CODE,  # the ops mailbox is no user: the team's language
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
