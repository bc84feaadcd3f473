"""Five weeks of finished work for the demo florists, so every chart, scorecard and statement
shows something real: Back Bay Blooms (Boston, New York time) and Midnight Sun Florist
(Anchorage time). Each past day gets a closed drop-off with its scans, mostly first-attempt
deliveries, a few second attempts, the odd return and missing package; all in final states
(nothing held), so the capacity check's custody rules are not disturbed. Then the four
complete weeks' statements (each partner at its market's rate: Anchorage's is $3.00), a rate
change, an adjustment and a paid week. Bulk-created once per partner and day (the manifest's
external id marks a day done), so a second seed changes nothing.

Runs after routing.demo: its capacity reports are already written (and kept on a re-seed)."""

import datetime
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

from accounts.models import User
from dashboard.models import MarketRate, WeeklyStatement
from dashboard.pay import last_complete_week
from dashboard.services import (
    facts_refresh,
    market_rate_set,
    statement_adjust,
    statement_mark_paid,
    weekly_statements_compute,
)
from hubdelivery.lib.dates import local_date
from packages.demo import demo_dsp_ensure
from packages.events import EventFields, package_events_record
from packages.models import (
    AttemptOutcome,
    AttemptReason,
    DeliveryAttempt,
    Dsp,
    Handoff,
    HandoffDirection,
    HandoffItem,
    HandoffOutcome,
    HandoffStatus,
    Manifest,
    Package,
    PackageEventType,
    PackageStatus,
)
from partners.models import Market, Partner

HISTORY_DAYS = 35
HISTORY_PARTNERS = ["Back Bay Blooms", "Midnight Sun Florist"]
DEMO_MARKET_TARGET = 3
STATEMENT_WEEKS = 4
ANCHORAGE_RATE = Decimal("3.00")


def seed() -> None:
    dsp, _ = demo_dsp_ensure()
    for partner in Partner.objects.filter(trade_name__in=HISTORY_PARTNERS).order_by("pk"):
        demo_history_ensure(partner=partner, dsp=dsp)
    Market.objects.filter(active_partner_target=0).update(active_partner_target=DEMO_MARKET_TARGET)
    last = last_complete_week(tz_name="America/New_York")
    demo_anchorage_rate_ensure(first_week=last - datetime.timedelta(weeks=STATEMENT_WEEKS - 1))
    for weeks_back in range(STATEMENT_WEEKS):
        weekly_statements_compute(week_start=last - datetime.timedelta(weeks=weeks_back))
    demo_pay_ensure(last_week=last)
    facts_refresh()  # what the beat task does every minute: the dashboard reads these rows


def demo_anchorage_rate_ensure(*, first_week: datetime.date) -> None:
    """Anchorage pays $3.00 a package from the first statement week, so Midnight Sun Florist's
    statements show its market's rate (Back Bay Blooms earns Boston's $2.50). Set once, before
    any of its statements is built (a built week refuses an earlier rate)."""
    anchorage = Market.objects.get(name="Anchorage")
    if MarketRate.objects.filter(market=anchorage).exists():
        return
    if WeeklyStatement.objects.filter(partner__application__market=anchorage).exists():
        return
    market_rate_set(
        actor=User.objects.get(email="opsadmin@demo.hub"),
        market=anchorage,
        rate_per_package=ANCHORAGE_RATE,
        effective_from=first_week,
    )


def demo_pay_ensure(*, last_week: datetime.date) -> None:
    """The Boston market's rate goes up 25 cents from next Monday; Back Bay Blooms' last week
    has a credit and the week before is paid. Each made once."""
    admin = User.objects.get(email="opsadmin@demo.hub")
    market, _ = Market.objects.get_or_create(
        name="Boston",
        defaults={"state": "MA", "center_zip": "02108", "latitude": 42.3576, "longitude": -71.0684},
    )
    next_monday = last_week + datetime.timedelta(weeks=2)
    if not MarketRate.objects.filter(market=market, effective_from__gte=next_monday):
        market_rate_set(
            actor=admin,
            market=market,
            rate_per_package=market.rate_per_package + Decimal("0.25"),
            effective_from=next_monday,
        )
    statements = WeeklyStatement.objects.filter(partner__trade_name="Back Bay Blooms")
    last = statements.filter(week_start=last_week).first()
    if last and not last.is_paid and not last.adjustments.exists():
        statement_adjust(
            actor=admin,
            statement=last,
            amount=Decimal("12.00"),
            reason="Credit: two deliveries in the storm",
        )
    before = statements.filter(week_start=last_week - datetime.timedelta(weeks=1)).first()
    if before and not before.is_paid:
        statement_mark_paid(actor=admin, statement=before, reference="ACH-DEMO-0001")


def demo_history_ensure(*, partner: Partner, dsp: Dsp) -> None:
    today = local_date(tz_name=partner.time_zone)
    days = [today - datetime.timedelta(days=n) for n in range(1, HISTORY_DAYS + 1)]
    ids = {day: f"HIST-{partner.pk}-{day:%Y%m%d}" for day in days}
    done = set(Manifest.objects.filter(dsp=dsp, external_id__in=ids.values()).values_list(
        "external_id", flat=True
    ))  # fmt: skip
    for day in days:
        if ids[day] not in done:
            demo_day_create(partner=partner, dsp=dsp, day=day, external_id=ids[day])


def demo_day_create(*, partner: Partner, dsp: Dsp, day: datetime.date, external_id: str) -> None:
    """One finished day: 18-26 packages, a drop-off opened at 08:00 local, scans 2-40 minutes
    later; about 1 in 25 needs a second attempt, 1 in 80 goes back, 1 in 120 is missing."""
    rng = random.Random(external_id)  # noqa: S311 (repeatable demo data, not secrets)
    opened = datetime.datetime.combine(day, datetime.time(8), tzinfo=ZoneInfo(partner.time_zone))
    plan = [_fate(rng) for _ in range(rng.randint(18, 26))]
    manifest = Manifest.objects.create(
        dsp=dsp, external_id=external_id, partner=partner, service_date=day, source="api",
        package_count=len(plan),
    )  # fmt: skip
    missing = plan.count("missing")
    handoff = Handoff.objects.create(
        direction=HandoffDirection.DROP_OFF, partner=partner, dsp=dsp, service_date=day,
        status=HandoffStatus.CLOSED, opened_at=opened,
        closed_at=opened + datetime.timedelta(minutes=45), expected=len(plan),
        received=len(plan) - missing, missing=missing,
    )  # fmt: skip
    packages = Package.objects.bulk_create(
        _package(partner, dsp, manifest, n, fate, opened) for n, fate in enumerate(plan)
    )
    HandoffItem.objects.bulk_create(
        HandoffItem(
            handoff=handoff, package=package, tracking_id=package.tracking_id,
            outcome=HandoffOutcome.MISSING if fate == "missing" else HandoffOutcome.RECEIVED,
            scanned_at=opened + datetime.timedelta(minutes=rng.randint(2, 40)),
        )
        for package, fate in zip(packages, plan, strict=True)
    )  # fmt: skip
    _attempts_create(packages, plan, opened)


def _fate(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 1 / 120:
        return "missing"
    if roll < 1 / 120 + 1 / 80:
        return "returned"
    if roll < 1 / 120 + 1 / 80 + 1 / 25:
        return "second_attempt"
    return "delivered"


def _package(partner, dsp, manifest, n: int, fate: str, opened) -> Package:
    status = {
        "missing": PackageStatus.MISSING,
        "returned": PackageStatus.RETURNED,
    }.get(fate, PackageStatus.DELIVERED)
    return Package(
        tracking_id=f"H{manifest.external_id[5:]}{n:03d}".replace("-", "")[:40],
        dsp=dsp, manifest=manifest, partner=partner, service_date=manifest.service_date,
        recipient_name="Demo Recipient", address_line=f"{10 + 4 * n} Demo St",
        city=partner.city, zip_code=partner.zip_code, latitude=partner.latitude,
        longitude=partner.longitude, status=status,
        status_changed_at=opened + datetime.timedelta(hours=3, minutes=7 * n),
    )  # fmt: skip


def _attempts_create(packages: list[Package], plan: list[str], opened) -> None:
    outcomes = {
        "delivered": [AttemptOutcome.DELIVERED],
        "second_attempt": [AttemptOutcome.ATTEMPTED, AttemptOutcome.DELIVERED],
        "returned": [AttemptOutcome.ATTEMPTED],
        "missing": [],
    }
    pairs = []
    for package, fate in zip(packages, plan, strict=True):
        for k, outcome in enumerate(outcomes[fate]):
            when = package.status_changed_at - datetime.timedelta(
                hours=2 * (len(outcomes[fate]) - 1 - k)
            )
            event = EventFields(
                actor=None, package=package,
                event_type=PackageEventType.DELIVERED if outcome == AttemptOutcome.DELIVERED
                else PackageEventType.ATTEMPTED,
                received_at=when, idempotency_key=f"demo-history-{package.tracking_id}-{k}",
            )  # fmt: skip
            pairs.append((event, outcome))
    events = package_events_record(events=[event for event, _ in pairs])
    DeliveryAttempt.objects.bulk_create(
        DeliveryAttempt(
            package=event.package, event=event, outcome=outcome,
            reason="" if outcome == AttemptOutcome.DELIVERED else AttemptReason.NO_ACCESS,
            attempted_at=event.received_at,
            recipient_name="Demo Recipient" if outcome == AttemptOutcome.DELIVERED else "",
        )
        for event, (_, outcome) in zip(events, pairs, strict=True)
    )  # fmt: skip
