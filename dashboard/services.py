"""Writes of the dashboard app: the daily facts roll-up, weekly statements, preferences."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.access import ops_admin_require
from accounts.models import User
from dashboard.models import (
    DailyFacts,
    FactsRollup,
    MarketRate,
    NotificationPreference,
    StatementAdjustment,
    StatementLine,
    WeeklyStatement,
)
from dashboard.pay import (
    amount_earned,
    last_complete_week,
    partner_market,
    rate_on,
)
from dashboard.selectors.board import dashboard_tables
from dashboard.selectors.common import DashboardFilters, time_zones_in_use
from dashboard.selectors.facts import FACTS_COUNTS, FACTS_KEYS, facts_rollup
from dashboard.selectors.partner_map import partner_map_points
from dashboard.selectors.pay import rate_history
from dashboard.tables import Table
from hubdelivery.exceptions import InvalidInput, InvalidTransition
from hubdelivery.lib.dates import local_date
from packages.models import Package, PackageEvent, PackageStatus
from partners.models import Market, Partner, PartnerStatus

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
    (partner, week_start) constraint, so a retried task never duplicates a statement; a paid
    week is never recomputed, and its adjustments stay.

    1. count each partner's packages by service date (one grouped query), read the delivered
       packages (one query) and the markets' rates of the week (one query);
    2. price each delivery at the rate in force on its service date, one line per package;
    3. upsert the rows in one statement, then replace their lines."""
    if week_start.weekday() != 0:
        raise ValueError("A statement week starts on a Monday.")
    week_end = week_start + datetime.timedelta(days=6)
    paid = WeeklyStatement.objects.filter(week_start=week_start, paid_at__isnull=False)
    packages = Package.objects.filter(service_date__range=(week_start, week_end)).exclude(
        partner__in=paid.values("partner_id")
    )
    partners = Partner.objects.exclude(pk__in=paid.values("partner_id"))
    if time_zone:
        packages = packages.filter(partner__time_zone=time_zone)
        partners = partners.filter(time_zone=time_zone)
    counts = dict(
        packages.order_by()
        .values("partner_id")
        .annotate(n=Count("pk"))
        .values_list("partner_id", "n")
    )
    delivered: dict[int, list[tuple[int, str, datetime.date]]] = {}
    for row in (
        packages.filter(status=PackageStatus.DELIVERED)
        .order_by("service_date", "tracking_id")
        .values_list("partner_id", "pk", "tracking_id", "service_date")
    ):
        delivered.setdefault(row[0], []).append(row[1:])
    partners = list(
        partners.filter(
            Q(status__in=[PartnerStatus.ACTIVE, PartnerStatus.PAUSED]) | Q(pk__in=counts)
        ).select_related("application__market")
    )
    markets = [m for m in map(partner_market, partners) if m is not None]
    history = rate_history(market_ids=[m.pk for m in markets], until=week_end)
    now = timezone.now()
    statements, lines = [], []
    for partner in partners:
        market = partner_market(partner)
        priced = []
        for package_id, tracking_id, day in delivered.get(partner.pk, []):
            rate = rate_on(market=market, history=history, day=day)
            amount = amount_earned(rate=rate, delivered=1)
            priced.append(
                StatementLine(
                    package_id=package_id,
                    tracking_id=tracking_id,
                    service_date=day,
                    rate=rate,
                    amount=amount,
                )
            )
        statements.append(
            WeeklyStatement(
                partner=partner,
                week_start=week_start,
                week_end=week_end,
                packages=counts.get(partner.pk, 0),
                delivered=len(priced),
                rate_per_package=rate_on(market=market, history=history, day=week_start),
                amount=sum((line.amount for line in priced), Decimal("0.00")),
                computed_at=now,
            )
        )
        lines.append(priced)
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
    StatementLine.objects.filter(statement__in=[s.pk for s in statements]).delete()
    for statement, priced in zip(statements, lines, strict=True):
        for line in priced:
            line.statement = statement
    StatementLine.objects.bulk_create([line for priced in lines for line in priced])
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
    preference, _created = NotificationPreference.objects.select_for_update().get_or_create(
        user=user
    )
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


# ------------------------------------------------------------------------------
# Pay: market rates, adjustments, paid weeks (ops admins only, each row its own audit)
# ------------------------------------------------------------------------------
MAX_RATE = Decimal("100.00")
MAX_ADJUSTMENT = Decimal("100000.00")


def _pay_admin_require(actor: User) -> None:
    ops_admin_require(actor=actor, message=_("Only ops admins may change rates and pay."))


@transaction.atomic
def market_rate_set(
    *, actor: User, market: Market, rate_per_package: Decimal, effective_from: datetime.date
) -> MarketRate:
    """Set the market's rate from `effective_from` on. A date inside or before a week that
    already has a statement for one of the market's partners is refused: a built statement
    keeps the figures it was priced at."""
    _pay_admin_require(actor)
    if not Decimal("0") < rate_per_package <= MAX_RATE:
        raise InvalidInput(
            _("The rate must be more than $0 and at most $%(max)s.") % {"max": MAX_RATE},
            field="rate_per_package",
        )
    market = Market.objects.select_for_update().get(pk=market.pk)
    built = WeeklyStatement.objects.filter(
        partner__application__market=market, week_end__gte=effective_from
    )
    if built.exists():
        raise InvalidInput(
            _(
                "Statements are already built for the week of %(date)s: choose a date after "
                "the last statement's week."
            )
            % {"date": effective_from.isoformat()},
            field="effective_from",
        )
    previous = rate_on(
        market=market,
        history=rate_history(market_ids=[market.pk], until=effective_from),
        day=effective_from,
    )
    return MarketRate.objects.create(
        market=market,
        rate_per_package=rate_per_package,
        previous_rate=previous,
        effective_from=effective_from,
        set_by=actor,
    )


def _statement_lock_unpaid(statement: WeeklyStatement) -> WeeklyStatement:
    locked = WeeklyStatement.objects.select_for_update().get(pk=statement.pk)
    if locked.is_paid:
        raise InvalidTransition(
            _("This week is paid (reference %(reference)s): it can no longer change.")
            % {"reference": locked.paid_reference}
        )
    return locked


@transaction.atomic
def statement_adjust(
    *, actor: User, statement: WeeklyStatement, amount: Decimal, reason: str
) -> StatementAdjustment:
    """A credit (amount > 0) or debit (amount < 0) on an unpaid week; the total follows."""
    _pay_admin_require(actor)
    reason = reason.strip()
    if amount == 0 or abs(amount) > MAX_ADJUSTMENT:
        raise InvalidInput(
            _("Enter a credit or a debit other than $0, at most $%(max)s.")
            % {"max": MAX_ADJUSTMENT},
            field="amount",
        )
    if not reason:
        raise InvalidInput(_("Say why the week is adjusted."), field="reason")
    locked = _statement_lock_unpaid(statement)
    adjustment = StatementAdjustment.objects.create(
        statement=locked, amount=amount, reason=reason[:300], created_by=actor
    )
    locked.adjustments_total += amount
    locked.save(update_fields=["adjustments_total"])
    return adjustment


@transaction.atomic
def statement_mark_paid(
    *, actor: User, statement: WeeklyStatement, reference: str
) -> WeeklyStatement:
    """Record the payment provider's reference; the week's figures are final from then on."""
    _pay_admin_require(actor)
    reference = reference.strip()
    if not reference or len(reference) > 100:
        raise InvalidInput(
            _("Enter the payment reference (at most 100 characters)."), field="reference"
        )
    locked = _statement_lock_unpaid(statement)
    locked.paid_reference = reference
    locked.paid_at = timezone.now()
    locked.paid_by = actor
    locked.save(update_fields=["paid_reference", "paid_at", "paid_by"])
    return locked
