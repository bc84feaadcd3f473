"""Writes of the dashboard app: the daily facts roll-up, weekly statements, preferences."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import get_language

from accounts.models import User
from dashboard.models import DailyFacts, FactsRollup, NotificationPreference, WeeklyStatement
from dashboard.pay import amount_earned, last_complete_week, partner_rate
from dashboard.selectors.board import dashboard_tables
from dashboard.selectors.common import DashboardFilters, time_zones_in_use
from dashboard.selectors.facts import FACTS_COUNTS, FACTS_KEYS, facts_rollup
from dashboard.selectors.partner_map import partner_map_points
from dashboard.tables import Table
from hubdelivery.lib.dates import local_date
from packages.models import Package, PackageEvent, PackageStatus
from partners.models import Partner, PartnerStatus

# A transaction that writes a package event takes its id a little before it commits, so ids
# can become visible out of order: the watermark trails the highest ids by FACTS_OVERLAP, and
# every roll-up reads again the events and packages of those minutes (recomputing a row twice
# changes nothing).
FACTS_OVERLAP = datetime.timedelta(minutes=2)
# Beyond this many dates one roll-up of every date is simpler than a list of pairs.
FACTS_MAX_DATES = 400

Pair = tuple[int | None, datetime.date]


@transaction.atomic
def facts_refresh(*, dates: Iterable[datetime.date] = (), include_today: bool = False) -> int:
    """Recompute the dashboard's daily facts that may be out of date; returns the rows written.

    Always the (partner, service date) pairs whose packages changed since the last roll-up (a
    package event or a new package past the watermark in FactsRollup); also every partner of
    `dates`, and of today in each partner time zone with `include_today` (the beat task's
    minute: routing moves manifested packages between partners without an event). The first
    roll-up recomputes every date. Past dates nobody touches stay as they are: closed.

    1. lock the watermark row (a parallel roll-up waits, then finds little to do);
    2. read the highest ids before the changes, so nothing committed in between is lost;
    3. the changed pairs (one UNION query);
    4. delete their rows and insert them again from one INSERT ... SELECT ... GROUP BY.
    A fixed number of queries whatever the number of dates, partners or packages."""
    rollup = _facts_rollup_lock()
    zones = time_zones_in_use()
    now = timezone.now()
    tops = _facts_ids_top()
    first = rollup.refreshed_at is None
    if not first:
        _facts_watermark_settle(rollup, now=now)
    pairs = set() if first else _facts_pairs_changed(rollup)
    whole = set(dates) | ({local_date(tz_name=zone) for zone in zones} if include_today else set())
    everything = first or len(whole | {day for _, day in pairs}) > FACTS_MAX_DATES
    written = _facts_write(where=None if everything else _facts_where(pairs, whole), zones=zones)
    if first:
        rollup.event_id, rollup.package_id = tops
    else:
        rollup.pending.append([now.isoformat(), *tops])
    rollup.refreshed_at = now
    rollup.save()
    return written


def _facts_rollup_lock() -> FactsRollup:
    return FactsRollup.objects.select_for_update().get_or_create(pk=1)[0]


def _facts_ids_top() -> tuple[int, int]:
    events = PackageEvent.objects.aggregate(top=Max("pk"))["top"] or 0
    packages = Package.objects.aggregate(top=Max("pk"))["top"] or 0
    return events, packages


def _facts_watermark_settle(rollup: FactsRollup, *, now: datetime.datetime) -> None:
    """Move the watermark up to the highest ids seen at least FACTS_OVERLAP ago: a transaction
    that took a lower id has committed since, unless it ran for longer than that."""
    cutoff = now - FACTS_OVERLAP
    waiting = []
    for seen_at, event_id, package_id in rollup.pending:
        if datetime.datetime.fromisoformat(seen_at) <= cutoff:
            rollup.event_id = max(rollup.event_id, event_id)
            rollup.package_id = max(rollup.package_id, package_id)
        else:
            waiting.append([seen_at, event_id, package_id])
    rollup.pending = waiting


def _facts_pairs_changed(rollup: FactsRollup) -> set[Pair]:
    events = PackageEvent.objects.filter(pk__gt=rollup.event_id, package__isnull=False)
    new = Package.objects.filter(pk__gt=rollup.package_id).order_by()
    touched = Package.objects.filter(pk__in=events.values("package_id")).order_by()
    keys = ("partner_id", "service_date")
    return set(new.values_list(*keys).union(touched.values_list(*keys)))


def _facts_where(pairs: set[Pair], dates: set[datetime.date]) -> Q:
    """Packages (or facts rows) of the pairs and of every partner on `dates`. Never empty SQL:
    with nothing to do the statements still run, matching no row (a steady query count)."""
    where = Q(service_date__isnull=True) | Q(service_date__in=sorted(dates))
    partners_by_date: dict[datetime.date, set[int | None]] = {}
    for partner_id, day in pairs:
        if day not in dates:
            partners_by_date.setdefault(day, set()).add(partner_id)
    for day, partner_ids in sorted(partners_by_date.items()):
        ids = sorted(pk for pk in partner_ids if pk is not None)
        of_day = Q(partner_id__in=ids) if ids else Q(partner_id__isnull=True)
        if None in partner_ids:
            of_day |= Q(partner_id__isnull=True)
        where |= Q(service_date=day) & of_day
    return where


def _facts_write(*, where: Q | None, zones: list[str]) -> int:
    """Replace the facts rows matching `where` (None: all) with the roll-up of their packages."""
    DailyFacts.objects.filter(where or Q()).delete()
    sql, params = facts_rollup(where=where, zones=zones).query.sql_with_params()
    columns = ", ".join(connection.ops.quote_name(c) for c in (*FACTS_KEYS, *FACTS_COUNTS))
    table = connection.ops.quote_name(DailyFacts._meta.db_table)
    # Names from the model and SQL compiled by the ORM, values as parameters: the ORM has no
    # INSERT ... SELECT, and one statement keeps the roll-up in the database.
    insert = f"INSERT INTO {table} ({columns}) SELECT {columns} FROM ({sql}) rollup"  # noqa: S608
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The per-package subqueries make the planner's cost estimate huge, so PostgreSQL
            # JIT-compiles the statement: measured at 11 s of compiling for 0.3 s of work.
            cursor.execute("SET LOCAL jit = off")
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


# ------------------------------------------------------------------------------
# The ops dashboard's snapshot
# ------------------------------------------------------------------------------
# Every ops user's page reads the same snapshot for a minute: numbers a minute old serve a
# dashboard (the page says how old they are).
SNAPSHOT_SECONDS = 60


@dataclass(frozen=True)
class DashboardSnapshot:
    tables: dict[str, Table]
    map_points: dict[str, Any]
    built_at: datetime.datetime  # the figures are as of this time: the build or the roll-up


def dashboard_snapshot(*, filters: DashboardFilters) -> DashboardSnapshot:
    """The dashboard's tables under these filters, built at most once a minute from the daily
    facts as they stand. A build never rolls the facts up: facts_refresh_task does it every
    minute, so no ops request pays for a roll-up nor slows the partners' requests with it, and
    the snapshot's time is its roll-up's when that is older than the build."""
    # v2: the snapshot carries its map pins and rendered rows; a v1 snapshot left in a shared
    # cache by the previous release must not be read as one. The rows' words are rendered in
    # the reader's language, so each language has its own snapshot.
    key = "dashboard:v2:{}:{}:{}:{}:{}".format(
        get_language(), filters.date_from, filters.date_to, filters.state, filters.market_id or ""
    )
    snapshot = cache.get(key)
    if snapshot is None:
        built_at = timezone.now()
        rolled_up_at = FactsRollup.objects.values_list("refreshed_at", flat=True).first()
        tables = dashboard_tables(filters=filters)
        for table in tables.values():
            table.body_html  # noqa: B018 (rendered once here, then cached with the snapshot)
        snapshot = DashboardSnapshot(
            tables, partner_map_points(filters), min(built_at, rolled_up_at or built_at)
        )
        cache.set(key, snapshot, SNAPSHOT_SECONDS)
    return snapshot
