"""A hand-counted week: see `ops_day` for every package and what it must count as."""

import datetime
import itertools
from decimal import Decimal

import pytest

from dashboard.services import facts_refresh
from packages.models import (
    AttemptOutcome,
    AttemptReason,
    DeliveryAttempt,
    Handoff,
    HandoffDirection,
    HandoffItem,
    HandoffOutcome,
    HandoffStatus,
    PackageEvent,
    PackageEventType,
    PackageStatus,
)
from partners.models import ApplicationEvent, ApplicationStatus, Lead
from tests.factories import (
    DspFactory,
    LeadFactory,
    ManifestFactory,
    MarketFactory,
    PackageFactory,
    PartnerApplicationFactory,
)

DAY = datetime.date(2026, 11, 20)  # a Friday
UTC = datetime.UTC
_keys = itertools.count()


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=UTC)


def drop_off(partner, dsp, day, opened_at, **counts) -> Handoff:
    return Handoff.objects.create(
        direction=HandoffDirection.DROP_OFF,
        partner=partner,
        dsp=dsp,
        service_date=day,
        status=HandoffStatus.CLOSED,
        opened_at=opened_at,
        closed_at=opened_at + datetime.timedelta(hours=1),
        **counts,
    )


def package(manifest, status, *, scan=None, attempts=(), changed_at=None):
    """A package of `manifest` with its drop-off scan (handoff, outcome, minutes after the
    handoff opened) and its attempts (outcomes in order, an hour apart from 14:00 UTC)."""
    pkg = PackageFactory(manifest=manifest, status=status, status_changed_at=changed_at)
    if scan:
        handoff, outcome, minutes = scan
        HandoffItem.objects.create(
            handoff=handoff,
            package=pkg,
            tracking_id=pkg.tracking_id,
            outcome=outcome,
            scanned_at=handoff.opened_at + datetime.timedelta(minutes=minutes),
        )
    for n, outcome in enumerate(attempts):
        when = at(manifest.service_date, 14 + n)
        event = PackageEvent.objects.create(
            package=pkg,
            tracking_id=pkg.tracking_id,
            event_type=PackageEventType.DELIVERED
            if outcome == AttemptOutcome.DELIVERED
            else PackageEventType.ATTEMPTED,
            received_at=when,
            idempotency_key=f"test-{next(_keys)}",
        )
        DeliveryAttempt.objects.create(
            package=pkg,
            event=event,
            outcome=outcome,
            reason="" if outcome == AttemptOutcome.DELIVERED else AttemptReason.NO_ACCESS,
            attempted_at=when,
        )
    return pkg


def delivered(partner, day: datetime.date, n: int = 1) -> list:
    """`n` of the partner's packages for `day`, delivered."""
    manifest = ManifestFactory(partner=partner, service_date=day)
    return PackageFactory.create_batch(n, manifest=manifest, status=PackageStatus.DELIVERED)


@pytest.fixture
def back_bay_rate(partner):
    """The Back Bay market paying $3.00 a package, with the partner approved in it."""
    market = MarketFactory(name="Back Bay", state="MA", rate_per_package=Decimal("3.00"))
    PartnerApplicationFactory(status=ApplicationStatus.APPROVED, partner=partner, market=market)
    return market


@pytest.fixture
def boston(db):
    return MarketFactory(name="Back Bay", state="MA", active_partner_target=3)


@pytest.fixture
def ops_day(partner, other_partner, boston):
    """Partner "Back Bay Blooms" (Boston market, New York time) and "Hoboken Coffee" moved to
    Los Angeles time, outside markets, on DAY; nothing at all on DAY + 1.

    Back Bay Blooms, DSP "Alpha", handoff opened 13:00 UTC:
      p1 received after 10 min, delivered at the first attempt, same day      -> on time
      p2 received after 45 min (slow), failed then delivered two days later   -> late
      p3 received after 5 min, failed, still attempted
      p4 missing;  p5 damaged after 20 min
    Hoboken Coffee (America/Los_Angeles), DSP "Beta":
      p6 received after 1 min, delivered at 06:00 UTC on DAY + 1 = 22:00 on DAY in LA -> on time
    """
    partner.time_zone = "America/New_York"
    partner.state = "MA"
    partner.save()
    other_partner.time_zone = "America/Los_Angeles"
    other_partner.state = "CA"
    other_partner.save()
    PartnerApplicationFactory(
        status=ApplicationStatus.APPROVED, partner=partner, market=boston, state="MA"
    )
    alpha, beta = DspFactory(name="Alpha"), DspFactory(name="Beta")
    manifest_a = ManifestFactory(dsp=alpha, partner=partner, service_date=DAY)
    manifest_b = ManifestFactory(dsp=beta, partner=other_partner, service_date=DAY)
    handoff_a = drop_off(
        partner, alpha, DAY, at(DAY, 13), expected=5, received=3, missing=1, damaged=1
    )
    handoff_b = drop_off(other_partner, beta, DAY, at(DAY, 15), expected=1, received=1)
    ok, bad = AttemptOutcome.DELIVERED, AttemptOutcome.ATTEMPTED
    received, damaged = HandoffOutcome.RECEIVED, HandoffOutcome.DAMAGED
    next_day, later = DAY + datetime.timedelta(days=1), DAY + datetime.timedelta(days=2)
    package(
        manifest_a,
        PackageStatus.DELIVERED,
        scan=(handoff_a, received, 10),
        attempts=[ok],
        changed_at=at(DAY, 18),
    )
    package(
        manifest_a,
        PackageStatus.DELIVERED,
        scan=(handoff_a, received, 45),
        attempts=[bad, ok],
        changed_at=at(later, 15),
    )
    package(
        manifest_a,
        PackageStatus.ATTEMPTED,
        scan=(handoff_a, received, 5),
        attempts=[bad],
        changed_at=at(DAY, 16),
    )
    package(manifest_a, PackageStatus.MISSING, changed_at=at(DAY, 14))
    HandoffItem.objects.create(
        handoff=handoff_a,
        package=None,
        tracking_id="MISSING-1",
        outcome=HandoffOutcome.MISSING,
        scanned_at=at(DAY, 14),
    )
    package(
        manifest_a, PackageStatus.DAMAGED, scan=(handoff_a, damaged, 20), changed_at=at(DAY, 13, 20)
    )
    package(
        manifest_b,
        PackageStatus.DELIVERED,
        scan=(handoff_b, received, 1),
        attempts=[ok],
        changed_at=at(next_day, 6),
    )
    facts_refresh()
    return {"partner": partner, "other_partner": other_partner}


@pytest.fixture
def funnel(ops_day, boston):
    """Boston: the partner's application (submitted DAY 10:00 UTC, approved 2 days later), one
    rejected after 4 days, one still submitted; two MA leads on DAY (outside markets)."""
    approved = ops_day["partner"].application
    rejected = PartnerApplicationFactory(
        status=ApplicationStatus.REJECTED, market=boston, state="MA"
    )
    waiting = PartnerApplicationFactory(
        status=ApplicationStatus.SUBMITTED, market=boston, state="MA"
    )
    for application, decided, days in [
        (approved, ApplicationStatus.APPROVED, 2),
        (rejected, ApplicationStatus.REJECTED, 4),
        (waiting, None, 0),
    ]:
        type(application).objects.filter(pk=application.pk).update(
            submitted_at=at(DAY, 10), time_zone="America/New_York"
        )
        submitted = ApplicationEvent.objects.create(
            application=application, from_status="draft", to_status="submitted"
        )
        ApplicationEvent.objects.filter(pk=submitted.pk).update(created=at(DAY, 10))
        if decided:
            event = ApplicationEvent.objects.create(
                application=application, from_status="in_review", to_status=decided
            )
            ApplicationEvent.objects.filter(pk=event.pk).update(
                created=at(DAY + datetime.timedelta(days=days), 10)
            )
    LeadFactory.create_batch(2, state="MA", zip_code="01001")
    Lead.objects.update(created=at(DAY, 12))
    return ops_day
