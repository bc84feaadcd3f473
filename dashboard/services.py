"""Writes of the dashboard app: the daily facts roll-up, weekly statements, preferences."""

import datetime
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from accounts.models import User
from dashboard.models import DailyFacts, FactsRollup, NotificationPreference, WeeklyStatement
from dashboard.pay import amount_earned, last_complete_week, partner_rate
from dashboard.selectors.common import time_zones_in_use
from dashboard.selectors.facts import FACTS_COUNTS, FACTS_KEYS, facts_rollup
from hubdelivery.lib.dates import local_date
from packages.models import Package, PackageEvent, PackageStatus
from partners.models import Partner, PartnerStatus

# A transaction that writes a package event commits a little after it takes its id, so ids
# seen out of order are possible: every roll-up reads again the events and packages of the
# last few minutes (recomputing a date twice changes nothing).
FACTS_OVERLAP = datetime.timedelta(minutes=5)
# Beyond this many dates one roll-up of every date is simpler than a list of dates.
FACTS_MAX_DATES = 400


@transaction.atomic
def facts_refresh(*, dates: Iterable[datetime.date] | None = None) -> int:
    """Recompute the dashboard's daily facts of some service dates; returns the rows written.

    Without `dates`: the dates whose packages changed since the last roll-up (a package
    event or a new package, read from the watermark in FactsRollup), plus today in every
    partner time zone, whose packages also move without an event (routing reassigns
    manifested packages). The first roll-up recomputes every date. Past dates nobody
    touches stay as they are: closed.

    1. lock the watermark row (a parallel roll-up waits, then finds little to do);
    2. read the next watermark, before the changes, so nothing committed in between is lost;
    3. the changed dates (one UNION query);
    4. delete their rows and insert them again from one INSERT ... SELECT ... GROUP BY.
    A fixed number of queries whatever the number of dates or packages."""
    rollup = _facts_rollup_lock()
    zones = time_zones_in_use()
    next_event_id, next_package_id = _facts_watermark_next(rollup)
    if dates is None:
        dates = _facts_dates_due(rollup, zones=zones)
    dates = None if dates is None or len(set(dates)) > FACTS_MAX_DATES else set(dates)
    written = _facts_write(dates=dates, zones=zones)
    rollup.event_id = max(rollup.event_id, next_event_id)
    rollup.package_id = max(rollup.package_id, next_package_id)
    rollup.refreshed_at = timezone.now()
    rollup.save()
    return written


def _facts_rollup_lock() -> FactsRollup:
    return FactsRollup.objects.select_for_update().get_or_create(pk=1)[0]


def _facts_watermark_next(rollup: FactsRollup) -> tuple[int, int]:
    """The highest event and package ids that no transaction still open can fall under:
    below the first one of the last FACTS_OVERLAP, else the highest seen."""
    cutoff = timezone.now() - FACTS_OVERLAP
    marks = []
    for model, seen, stamp in [
        (PackageEvent, rollup.event_id, "received_at"),
        (Package, rollup.package_id, "created"),
    ]:
        found = model.objects.filter(pk__gt=seen).aggregate(
            recent=Min("pk", filter=Q(**{f"{stamp}__gt": cutoff})), top=Max("pk")
        )
        marks.append(found["recent"] - 1 if found["recent"] is not None else found["top"] or seen)
    return marks[0], marks[1]


def _facts_dates_due(rollup: FactsRollup, *, zones: list[str]) -> set[datetime.date] | None:
    """None before the first roll-up (every date is due)."""
    if rollup.refreshed_at is None:
        return None
    events = PackageEvent.objects.filter(pk__gt=rollup.event_id, package__isnull=False)
    changed = (
        Package.objects.filter(pk__gt=rollup.package_id)
        .order_by()
        .values_list("service_date", flat=True)
        .union(
            Package.objects.filter(pk__in=events.values("package_id"))
            .order_by()
            .values_list("service_date", flat=True)
        )
    )
    today = {local_date(tz_name=zone) for zone in zones or ["UTC"]}
    return set(changed) | today


def _facts_write(*, dates: set[datetime.date] | None, zones: list[str]) -> int:
    """Replace the facts rows of `dates` (None: all) with the roll-up of their packages."""
    stale = (
        DailyFacts.objects.all()
        if dates is None
        else DailyFacts.objects.filter(service_date__in=sorted(dates))
    )
    stale.delete()
    sql, params = facts_rollup(dates=dates, zones=zones).query.sql_with_params()
    columns = ", ".join(connection.ops.quote_name(c) for c in (*FACTS_KEYS, *FACTS_COUNTS))
    table = connection.ops.quote_name(DailyFacts._meta.db_table)
    # Names from the model and SQL compiled by the ORM, values as parameters: the ORM has no
    # INSERT ... SELECT, and one statement keeps the roll-up in the database.
    insert = f"INSERT INTO {table} ({columns}) SELECT {columns} FROM ({sql}) rollup"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(insert, params)
        return cursor.rowcount


@transaction.atomic
def weekly_statements_compute(
    *, week_start: datetime.date, time_zone: str | None = None
) -> list[WeeklyStatement]:
    """Compute (or recompute) the statements of the week starting on Monday `week_start`, for
    the active and paused partners and any partner with packages that week (only those in
    `time_zone` when given). Re-running replaces each partner's row through the unique
    (partner, week_start) constraint, so a retried task never duplicates a statement.

    1. count each partner's packages and deliveries by service date (one grouped query);
    2. price the deliveries at the partner's market rate at the time of computing;
    3. upsert the rows in one statement."""
    if week_start.weekday() != 0:
        raise ValueError("A statement week starts on a Monday.")
    week_end = week_start + datetime.timedelta(days=6)
    packages = Package.objects.filter(service_date__range=(week_start, week_end))
    partners = Partner.objects.all()
    if time_zone:
        packages = packages.filter(partner__time_zone=time_zone)
        partners = partners.filter(time_zone=time_zone)
    counts = {
        r["partner_id"]: r
        for r in packages.order_by()
        .values("partner_id")
        .annotate(n=Count("pk"), delivered=Count("pk", filter=Q(status=PackageStatus.DELIVERED)))
    }
    partners = partners.filter(
        Q(status__in=[PartnerStatus.ACTIVE, PartnerStatus.PAUSED]) | Q(pk__in=counts)
    ).select_related("application__market")
    now = timezone.now()
    statements = []
    for partner in partners:
        row = counts.get(partner.pk, {"n": 0, "delivered": 0})
        rate = partner_rate(partner)
        statements.append(
            WeeklyStatement(
                partner=partner,
                week_start=week_start,
                week_end=week_end,
                packages=row["n"],
                delivered=row["delivered"],
                rate_per_package=rate,
                amount=amount_earned(rate=rate, delivered=row["delivered"]),
                computed_at=now,
            )
        )
    WeeklyStatement.objects.bulk_create(
        statements,
        update_conflicts=True,
        unique_fields=["partner", "week_start"],
        update_fields=[
            "week_end",
            "packages",
            "delivered",
            "rate_per_package",
            "amount",
            "computed_at",
        ],
    )
    return statements


@transaction.atomic
def weekly_statements_compute_due(*, at: datetime.datetime | None = None) -> dict[str, str]:
    """For each partner time zone, the latest week that has ended there: {zone: Monday}.
    weekly_statements_compute_task then sends each zone's owners their statement email."""
    done = {}
    zones = Partner.objects.order_by().values_list("time_zone", flat=True).distinct()
    for zone in sorted(set(zones)):
        week_start = last_complete_week(tz_name=zone, at=at)
        weekly_statements_compute(week_start=week_start, time_zone=zone)
        done[zone] = week_start.isoformat()
    return done


@transaction.atomic
def notification_preferences_update(
    *, user: User, tomorrow_volume: bool, ops_daily_digest: bool, weekly_statement: bool
) -> NotificationPreference:
    preference, _ = NotificationPreference.objects.select_for_update().get_or_create(user=user)
    preference.tomorrow_volume = tomorrow_volume
    preference.ops_daily_digest = ops_daily_digest
    preference.weekly_statement = weekly_statement
    preference.save(update_fields=["tomorrow_volume", "ops_daily_digest", "weekly_statement"])
    return preference
