"""The dashboard's daily facts: the per-package definitions they roll up (one GROUP BY over
the packages of some service dates) and the reads of the rolled-up rows.

Definitions (per package, over the packages whose service date is in the range):
- manifested: on a manifest;
- handed off: reached the partner (a drop-off scan, or any status past the drop-off other than
  missing);
- delivered: status delivered now; attempted: has a failed attempt that was not undone;
- returned: queued for return or returned; missing: still missing; damaged: scanned in damaged;
- first-attempt success: the first attempt (not undone) delivered, over packages attempted;
- completion: delivered over packages received in good condition (a received scan, or
  delivered), so it never passes 100% (target 98.5%);
- scanned within 30 minutes: of the packages with a drop-off scan, those scanned at most 30
  minutes after the handoff opened (the rest are late scans);
- success (scorecards): packages.selectors.delivery_success_counts, the capacity check's own;
- on time: delivered on or before the service date in the partner's time zone.
"""

import datetime

from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)

from dashboard.models import DailyFacts
from dashboard.selectors.common import (
    FAST_SCAN_MINUTES,
    DashboardFilters,
    local_date_of,
    time_zones_in_use,
)
from packages.models import (
    AttemptOutcome,
    DeliveryAttempt,
    HandoffDirection,
    HandoffItem,
    HandoffOutcome,
    Package,
    PackageStatus,
)
from packages.selectors import delivery_success_counts

FACTS_KEYS = ("partner_id", "dsp_id", "service_date")
FACTS_COUNTS = (
    "manifested",
    "handed_off",
    "scanned",
    "received_ok",
    "delivered",
    "attempted",
    "returned",
    "missing",
    "damaged",
    "first_attempted",
    "first_delivered",
    "fast_scans",
    "success_handled",
    "success_delivered",
    "on_time",
)
NOT_HANDED_OFF = [PackageStatus.MANIFESTED, PackageStatus.MISSING]


def _with_package_facts(packages: QuerySet[Package], zones: list[str]) -> QuerySet[Package]:
    """Per-package facts as correlated subqueries (aliases: not selected, only counted)."""
    drop_off_scans = HandoffItem.objects.filter(
        package=OuterRef("pk"), handoff__direction=HandoffDirection.DROP_OFF
    )
    attempts = DeliveryAttempt.objects.filter(package=OuterRef("pk"), undone_at__isnull=True)
    first_outcome = attempts.order_by("attempted_at", "id").values("outcome")[:1]
    fast = drop_off_scans.filter(
        outcome__in=[HandoffOutcome.RECEIVED, HandoffOutcome.DAMAGED],
        scanned_at__lte=F("handoff__opened_at") + datetime.timedelta(minutes=FAST_SCAN_MINUTES),
    )
    return packages.alias(
        scanned_ok=Exists(drop_off_scans.filter(outcome=HandoffOutcome.RECEIVED)),
        scanned_damaged=Exists(drop_off_scans.filter(outcome=HandoffOutcome.DAMAGED)),
        scanned_fast=Exists(fast),
        failed_attempt=Exists(attempts.filter(outcome=AttemptOutcome.ATTEMPTED)),
        first_outcome=Subquery(first_outcome),
        delivered_on=local_date_of("status_changed_at", tz_field="partner__time_zone", zones=zones),
    )


def _facts_counts() -> dict[str, Count]:
    scanned = Q(scanned_ok=True) | Q(scanned_damaged=True)
    delivered = Q(status=PackageStatus.DELIVERED)
    return {
        "manifested": Count("pk"),
        "handed_off": Count("pk", filter=scanned | ~Q(status__in=NOT_HANDED_OFF)),
        "scanned": Count("pk", filter=scanned),
        "received_ok": Count("pk", filter=Q(scanned_ok=True) | delivered),
        "delivered": Count("pk", filter=delivered),
        "attempted": Count("pk", filter=Q(failed_attempt=True)),
        "returned": Count(
            "pk", filter=Q(status__in=[PackageStatus.RETURN_PENDING, PackageStatus.RETURNED])
        ),
        "missing": Count("pk", filter=Q(status=PackageStatus.MISSING)),
        "damaged": Count("pk", filter=Q(scanned_damaged=True)),
        "first_attempted": Count("pk", filter=Q(first_outcome__isnull=False)),
        "first_delivered": Count("pk", filter=Q(first_outcome=AttemptOutcome.DELIVERED)),
        "fast_scans": Count("pk", filter=Q(scanned_fast=True)),
        **delivery_success_counts(prefix="success_"),
        "on_time": Count("pk", filter=delivered & Q(delivered_on__lte=F("service_date"))),
    }


def facts_rollup(*, where: Q | None, zones: list[str] | None = None) -> QuerySet[Package]:
    """The facts rows of the packages matching `where` (None: all) as one grouped query, its
    columns FACTS_KEYS then FACTS_COUNTS: dashboard.services.facts_refresh inserts them.
    `zones`: the time zones in use, when the caller has them already."""
    packages = Package.objects.order_by()
    if where is not None:
        packages = packages.filter(where)
    counts = _facts_counts()
    zones = time_zones_in_use() if zones is None else zones
    return (
        _with_package_facts(packages, zones)
        .values(*FACTS_KEYS)
        .annotate(**{key: counts[key] for key in FACTS_COUNTS})
        .order_by()
    )


def facts_in(filters: DashboardFilters) -> QuerySet[DailyFacts]:
    """The facts rows of the filters' dates, partners' state and market."""
    facts = DailyFacts.objects.filter(service_date__range=(filters.date_from, filters.date_to))
    if filters.state:
        facts = facts.filter(partner__state=filters.state)
    if filters.market_id:
        facts = facts.filter(partner__application__market_id=filters.market_id)
    return facts.order_by()
