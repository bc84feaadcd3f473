"""Writes of the dashboard app: weekly statements."""

import datetime

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import User
from dashboard.models import NotificationPreference, WeeklyStatement
from dashboard.pay import amount_earned, last_complete_week, partner_rate
from packages.models import Package, PackageStatus
from partners.models import Partner, PartnerStatus


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
