"""The daily facts (dashboard.services.facts_refresh): equal to a direct count of the packages,
kept current incrementally, and read by the dashboard in a fixed number of queries."""

import datetime
from collections import Counter
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboard import selectors, services
from dashboard.models import DailyFacts
from dashboard.selectors import DashboardFilters
from dashboard.services import facts_refresh
from dashboard.tasks import facts_refresh_task
from hubdelivery.celery import app
from hubdelivery.lib.dates import local_date
from packages.models import (
    AttemptOutcome,
    HandoffDirection,
    HandoffOutcome,
    Package,
    PackageEvent,
    PackageEventType,
    PackageStatus,
)
from tests.dashboard.conftest import DAY, at, drop_off, package
from tests.factories import DspFactory, ManifestFactory, PackageFactory, PartnerFactory

NEXT_DAY = DAY + datetime.timedelta(days=1)
FACT_FIELDS = [
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
]
OK, BAD = AttemptOutcome.DELIVERED, AttemptOutcome.ATTEMPTED
RECEIVED, DAMAGED = HandoffOutcome.RECEIVED, HandoffOutcome.DAMAGED


def direct_facts() -> dict[tuple, Counter]:
    """Every count of every package, computed package by package in Python from the
    definitions in dashboard.selectors.facts (no SQL aggregation)."""
    handled = {"received", "out_for_delivery", "attempted", "delivered", "return_pending"}
    handled.add("returned")
    facts: dict[tuple, Counter] = {}
    for pkg in Package.objects.select_related("partner"):
        items = [
            i
            for i in pkg.handoff_items.select_related("handoff")
            if i.handoff.direction == HandoffDirection.DROP_OFF
        ]
        attempts = sorted(
            pkg.attempts.filter(undone_at__isnull=True), key=lambda a: (a.attempted_at, a.id)
        )
        ok = any(i.outcome == RECEIVED for i in items)
        damaged = any(i.outcome == DAMAGED for i in items)
        fast = any(
            i.outcome in (RECEIVED, DAMAGED)
            and i.scanned_at <= i.handoff.opened_at + datetime.timedelta(minutes=30)
            for i in items
        )
        delivered = pkg.status == PackageStatus.DELIVERED
        zone = ZoneInfo(pkg.partner.time_zone if pkg.partner else "UTC")
        changed = pkg.status_changed_at
        on_time = delivered and changed and changed.astimezone(zone).date() <= pkg.service_date
        row = facts.setdefault((pkg.partner_id, pkg.dsp_id, pkg.service_date), Counter())
        row.update(
            {
                "manifested": 1,
                "handed_off": ok or damaged or pkg.status not in ("manifested", "missing"),
                "scanned": ok or damaged,
                "received_ok": ok or delivered,
                "delivered": delivered,
                "attempted": any(a.outcome == BAD for a in attempts),
                "returned": pkg.status in ("return_pending", "returned"),
                "missing": pkg.status == PackageStatus.MISSING,
                "damaged": damaged,
                "first_attempted": bool(attempts),
                "first_delivered": bool(attempts) and attempts[0].outcome == OK,
                "fast_scans": fast,
                "success_handled": pkg.status in handled,
                "success_delivered": delivered,
                "on_time": on_time,
            }
        )
    return {key: Counter({f: int(row[f]) for f in FACT_FIELDS}) for key, row in facts.items()}


def stored_facts() -> dict[tuple, Counter]:
    return {
        (f.partner_id, f.dsp_id, f.service_date): Counter(
            {field: getattr(f, field) for field in FACT_FIELDS}
        )
        for f in DailyFacts.objects.all()
    }


@pytest.fixture
def varied(ops_day):
    """ops_day (New York and Los Angeles partners, deliveries, attempts, missing, damaged) plus
    an Anchorage partner whose evening crosses the UTC midnight, an undone delivery, a return
    and a package no partner holds, from two DSPs over two days."""
    anchorage = PartnerFactory(trade_name="Midnight Sun", time_zone="America/Anchorage")
    alpha, gamma = DspFactory(name="Anchor DSP"), DspFactory(name="Gamma")
    manifest = ManifestFactory(dsp=alpha, partner=anchorage, service_date=DAY)
    handoff = drop_off(anchorage, alpha, DAY, at(DAY, 17))
    # delivered 22:30 in Anchorage (07:30 UTC the next day): on time
    package(manifest, "delivered", scan=(handoff, RECEIVED, 20), attempts=[OK])
    Package.objects.filter(manifest=manifest).update(status_changed_at=at(NEXT_DAY, 7, 30))
    # delivered 00:30 in Anchorage the next day (09:30 UTC): late
    late = package(manifest, "delivered", scan=(handoff, RECEIVED, 50), attempts=[BAD, OK])
    Package.objects.filter(pk=late.pk).update(status_changed_at=at(NEXT_DAY, 9, 30))
    # delivered, then undone within the window: received again, no attempt counts
    undone = package(manifest, "received", scan=(handoff, RECEIVED, 5), attempts=[OK])
    undone.attempts.update(undone_at=at(DAY, 15, 5))
    package(manifest, "returned", scan=(handoff, RECEIVED, 10), attempts=[BAD, BAD])
    package(manifest, "return_pending", scan=(handoff, DAMAGED, 40), changed_at=at(DAY, 19))
    package(manifest, "missing", changed_at=at(DAY, 18))
    other_day = ManifestFactory(dsp=gamma, partner=anchorage, service_date=NEXT_DAY)
    package(other_day, "manifested")
    unassigned = ManifestFactory(dsp=gamma, partner=None, service_date=DAY)
    PackageFactory(manifest=unassigned)
    return anchorage


def test_facts_equal_a_direct_count_of_every_package(varied):
    # when
    facts_refresh()
    # then
    assert stored_facts() == direct_facts()
    assert len(stored_facts()) == 5  # (partner, DSP, date) of the packages, none without


def test_dashboard_figures_from_the_facts_match_the_direct_count(varied):
    # given
    facts_refresh()
    direct = direct_facts()
    filters = DashboardFilters(DAY, NEXT_DAY)
    # when
    days = {row["label"]: row for row in selectors.operations_by_day(filters).rows}
    cards = {row["partner_id"]: row for row in selectors.partner_scorecards(filters).rows}
    # then: every operations count of each day is the sum of its packages' counts
    for day in (DAY, NEXT_DAY):
        of_day = [row for (_, _, d), row in direct.items() if d == day]
        for field in ["manifested", "handed_off", "delivered", "attempted", "returned"]:
            assert days[day.isoformat()][field] == sum(row[field] for row in of_day), field
    # and the Anchorage partner's scorecard: on time in its own zone across the UTC midnight
    card = cards[varied.pk]
    assert (card["volume"], card["delivered"], card["days_active"]) == (7, 2, 1)
    assert card["on_time_rate"] == 50  # 22:30 on DAY on time; 00:30 on the next day late
    assert card["success_rate"] == Decimal("40.0")  # 2 of the 5 that reached the partner


def test_a_refresh_recomputes_what_changed_and_leaves_closed_days_alone(varied, monkeypatch):
    # given facts rolled up, and the watermark trailing by nothing (no transaction in flight)
    monkeypatch.setattr(services, "FACTS_OVERLAP", datetime.timedelta(0))
    facts_refresh()
    missing = Package.objects.get(manifest__partner=varied, status="missing")
    # when a past package changes without an event (nothing a service does), nothing moves
    Package.objects.filter(pk=missing.pk).update(status=PackageStatus.RECEIVED)
    assert facts_refresh() == 0
    # when the change comes with its event, as every service writes one
    PackageEvent.objects.create(
        package=missing,
        tracking_id=missing.tracking_id,
        event_type=PackageEventType.RECEIVED,
        received_at=at(NEXT_DAY, 8),
        idempotency_key="facts-found",
    )
    written = facts_refresh()
    # then only that partner's row of that day is written again, and it is right
    assert written == 1
    assert stored_facts() == direct_facts()


def test_a_new_manifest_is_rolled_up_at_the_next_refresh(varied):
    # given
    facts_refresh()
    # when a DSP sends tomorrow's manifest
    manifest = ManifestFactory(partner=varied, service_date=NEXT_DAY + datetime.timedelta(days=1))
    PackageFactory.create_batch(3, manifest=manifest)
    facts_refresh()
    # then
    assert stored_facts() == direct_facts()


def test_the_beat_task_rolls_up_todays_packages_moved_without_an_event(db, monkeypatch):
    # given today's packages of one partner, rolled up
    monkeypatch.setattr(services, "FACTS_OVERLAP", datetime.timedelta(0))
    first, second = PartnerFactory(), PartnerFactory()
    today = local_date(tz_name=first.time_zone)
    PackageFactory.create_batch(2, manifest=ManifestFactory(partner=first, service_date=today))
    facts_refresh()
    # when routing moves them to another partner (no event), then beat's minute comes
    Package.objects.update(partner=second)
    facts_refresh_task.delay()
    # then today's rows follow the packages
    assert stored_facts() == direct_facts()
    assert DailyFacts.objects.get().partner == second


def dashboard_build_queries(filters: DashboardFilters) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        services.dashboard_snapshot(filters=filters)
    return len(queries)


def add_days_of_work(partner, days: list[datetime.date]) -> None:
    dsp = DspFactory()
    for day in days:
        manifest = ManifestFactory(dsp=dsp, partner=partner, service_date=day)
        handoff = drop_off(partner, dsp, day, at(day, 13))
        package(manifest, "delivered", scan=(handoff, RECEIVED, 4), attempts=[OK])
        package(manifest, "attempted", scan=(handoff, RECEIVED, 45), attempts=[BAD])


def test_a_cold_build_of_30_days_takes_the_queries_of_1_day(partner, django_assert_num_queries):
    # given one day of work, built once (sessions, content types)
    last = DAY
    month = DashboardFilters(last - datetime.timedelta(days=29), last)
    add_days_of_work(partner, [last])
    dashboard_build_queries(month)
    one_day = dashboard_build_queries(DashboardFilters(last, last))
    # when 29 more days of work come in, and the beat task's minute rolls them up
    add_days_of_work(partner, [last - datetime.timedelta(days=n) for n in range(1, 30)])
    facts_refresh()
    # then a cold 30-day build reads them in the same number of queries as a 1-day build
    cache.clear()
    with django_assert_num_queries(one_day):
        snapshot = services.dashboard_snapshot(filters=month)
    assert snapshot.tables["operations-by-day"].rows[-1]["manifested"] == 60


def writes_in(queries: CaptureQueriesContext) -> list[str]:
    verbs = ("INSERT", "UPDATE", "DELETE", "SET")
    return [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().startswith(verbs)]


def test_a_dashboard_build_never_rolls_up_the_facts(partner):
    # given a month of work rolled up, then a new day of work no roll-up has seen yet
    month = DashboardFilters(DAY - datetime.timedelta(days=29), DAY)
    add_days_of_work(partner, [DAY - datetime.timedelta(days=1)])
    facts_refresh()
    rolled_up = stored_facts()
    add_days_of_work(partner, [DAY])
    # when an ops request finds the snapshot cold
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        snapshot = services.dashboard_snapshot(filters=month)
    # then it only read: the facts, their watermark and the figures are as the roll-up left them
    assert writes_in(queries) == []
    assert stored_facts() == rolled_up
    assert snapshot.tables["operations-by-day"].rows[-1]["manifested"] == 2
    # and the beat task's next minute brings the new day into the next build
    facts_refresh_task.delay()
    cache.clear()
    rebuilt = services.dashboard_snapshot(filters=month)
    assert rebuilt.tables["operations-by-day"].rows[-1]["manifested"] == 4


def test_the_figures_are_as_of_the_roll_up_when_it_is_older_than_the_build(partner):
    # given the facts rolled up at 9:00
    add_days_of_work(partner, [DAY])
    with time_machine.travel(datetime.datetime(2026, 11, 25, 9, 0, tzinfo=datetime.UTC)):
        facts_refresh()
    # when the dashboard is built at 9:00:40
    cache.clear()
    with time_machine.travel(datetime.datetime(2026, 11, 25, 9, 0, 40, tzinfo=datetime.UTC)):
        snapshot = services.dashboard_snapshot(filters=DashboardFilters(DAY, DAY))
    # then its figures say 9:00, the roll-up's time
    assert snapshot.built_at == datetime.datetime(2026, 11, 25, 9, 0, tzinfo=datetime.UTC)


@pytest.mark.celery_worker
def test_facts_task_runs_on_a_real_worker(celery_worker_on_redis):
    # given a partner with today's packages
    partner = PartnerFactory()
    today = local_date(tz_name=partner.time_zone)
    PackageFactory.create_batch(2, manifest=ManifestFactory(partner=partner, service_date=today))
    # when beat's task goes through Redis to the worker, twice
    app.send_task("dashboard.tasks.facts_refresh_task").get(timeout=15)
    app.send_task("dashboard.tasks.facts_refresh_task").get(timeout=15)
    # then today's row is there once, with both packages
    assert DailyFacts.objects.get(partner=partner).manifested == 2
