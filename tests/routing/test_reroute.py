"""Closures and holidays move packages (routing.services.reroute): a closed partner's packages
of the closed days go to the nearest covering open partner with room, each with one event;
what no one can take stays with the DSP; owners and ops are told once."""

import datetime
import math
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.urls import reverse

from accounts.roles import Role
from packages.models import Package, PackageEvent, PackageEventType, PackageStatus
from partners.closing import ClosingCause
from partners.models import Closure, HolidayKind, MemberRole
from partners.services.closures import (
    closure_cancel,
    closure_declare,
    closure_declare_beyond_allowance,
)
from partners.services.holidays import holiday_add
from routing.models import Coverage
from tests.factories import (
    MarketFactory,
    PartnerApplicationFactory,
    PartnerFactory,
    PartnerMemberFactory,
    UserFactory,
)
from tests.i18n_support import assert_spanish
from tests.routing.conftest import open_handoff, packages_for

TODAY = datetime.date(2026, 11, 30)
DAY = datetime.date(2026, 12, 2)  # an ordinary Wednesday, two days ahead
BACK_BAY = (42.3492, -71.0768)
SOUTH_END = (42.3398, -71.0693)  # 1.1 mi from Back Bay
CAMBRIDGE = (42.3736, -71.1097)  # 2.3 mi from Back Bay


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2026, 11, 30, 15, tzinfo=datetime.UTC)):
        yield


def covering_partner(name: str, at: tuple[float, float], *, radius: float = 3, **fields):
    owner = UserFactory(email=f"{name.lower()}@mail.test", roles=[Role.PARTNER_OWNER])
    partner = PartnerFactory(
        owner=owner, trade_name=name, latitude=at[0], longitude=at[1], **fields
    )
    PartnerMemberFactory(partner=partner, user=owner, role=MemberRole.OWNER)
    Coverage.objects.create(
        partner=partner, zip_codes=[], radius_miles=radius,
        updated_at=datetime.datetime.now(datetime.UTC),
    )  # fmt: skip
    return partner


@pytest.fixture
def florist(db):
    return covering_partner("Florist", BACK_BAY)


@pytest.fixture
def cafe(db):
    return covering_partner("Cafe", SOUTH_END, radius=4)


@pytest.fixture
def bookshop(db):
    return covering_partner("Bookshop", CAMBRIDGE)


def fill(partner, *, room: int) -> None:
    """Packages of the partner's own for the day, leaving `room` of its daily capacity."""
    packages_for(partner, DAY, partner.daily_capacity - room)


def close(partner, *, start=DAY, end=DAY, reason="Family wedding"):
    return closure_declare(
        partner=partner, actor=partner.owner, start_date=start, end_date=end, reason=reason
    )


def packages_of(partner) -> list[Package]:
    return list(Package.objects.filter(partner=partner).order_by("id"))


def moved_events() -> list[PackageEvent]:
    return list(PackageEvent.objects.filter(event_type=PackageEventType.REASSIGNED))


def test_a_closure_moves_packages_to_the_nearest_open_covering_partner(florist, cafe, bookshop):
    # given packages the DSP named the florist for (assigned_by_routing False)
    packages_for(florist, DAY, 3)
    # when the florist closes that day
    close(florist)
    # then they go to the café, nearer than the bookshop, placed by routing with the reason
    moved = Package.objects.filter(service_date=DAY)
    assert {p.partner_id for p in moved} == {cafe.pk}
    assert all(p.assigned_by_routing for p in moved)
    assert all(p.assignment_reason.startswith("Florist closed (Family wedding); ") for p in moved)
    assert all("nearest covering partner with room" in p.assignment_reason for p in moved)


def test_each_move_writes_one_event_with_its_reason(florist, cafe):
    # given two packages on the florist
    packages_for(florist, DAY, 2)
    # when the florist closes
    close(florist)
    # then one event per package says from where to where and why
    events = moved_events()
    assert sorted(e.package_id for e in events) == sorted(p.pk for p in packages_of(cafe))
    event = events[0]
    assert event.actor == florist.owner
    assert event.detail["from_partner"] == "Florist"
    assert event.detail["to_partner"] == "Cafe"
    assert event.detail["cause"] == ClosingCause.CLOSURE
    assert event.detail["reason"] == "Family wedding"
    assert event.move_text == "From Florist to Cafe."
    assert event.reason_label == "The partner declared a closure: Family wedding"


def test_what_no_open_partner_can_take_stays_with_the_dsp_with_a_reason(florist, cafe):
    # given the café has room for two more and the florist holds five
    fill(cafe, room=2)
    packages_for(florist, DAY, 5)
    # when the florist closes
    close(florist)
    # then two go to the café, three stay with the DSP saying why
    assert len(packages_of(cafe)) == cafe.daily_capacity
    left = list(Package.objects.filter(partner__isnull=True))
    assert len(left) == 3
    assert all("stays with the DSP" in p.assignment_reason for p in left)
    assert all("Cafe full" in p.assignment_reason for p in left)
    assert all(not p.assigned_by_routing for p in left)
    to_dsp = [e for e in moved_events() if not e.detail["to_partner"]]
    assert len(to_dsp) == 3
    assert to_dsp[0].move_text.startswith("From Florist back to the DSP")


def test_handed_off_and_received_packages_and_other_days_never_move(florist, cafe):
    # given a drop-off already opened for the day, a package already received, and packages
    # for a day after the closure
    packages_for(florist, DAY, 2)
    handoff = open_handoff(florist, DAY)
    Package.objects.filter(partner=florist).update(dsp=handoff.dsp)
    packages_for(florist, DAY, 1, status=PackageStatus.RECEIVED)
    later = DAY + datetime.timedelta(days=3)
    packages_for(florist, later, 2)
    # when the florist closes on the day
    close(florist)
    # then nothing moved
    assert len(packages_of(florist)) == 5
    assert not moved_events()
    assert not mail.outbox


def test_only_the_closed_days_packages_of_a_longer_closure_move(florist, cafe):
    # given packages on three days, the last after the closure
    for offset in range(3):
        packages_for(florist, DAY + datetime.timedelta(days=offset), 1)
    # when the florist closes for the first two
    close(florist, end=DAY + datetime.timedelta(days=1))
    # then those two moved and the third stays
    assert sorted(p.service_date for p in packages_of(cafe)) == [
        DAY, DAY + datetime.timedelta(days=1)
    ]  # fmt: skip
    assert [p.service_date for p in packages_of(florist)] == [DAY + datetime.timedelta(days=2)]


def test_owners_get_one_email_and_ops_one_per_declaration(
    florist, cafe, django_capture_on_commit_callbacks, settings
):
    # given packages on two days of the florist
    packages_for(florist, DAY, 3)
    packages_for(florist, DAY + datetime.timedelta(days=1), 2)
    # when the florist closes for both days
    with django_capture_on_commit_callbacks(execute=True):
        close(florist, end=DAY + datetime.timedelta(days=1))
    # then the owner gets one email naming both days, ops one with the counts
    assert sorted(m.to[0] for m in mail.outbox) == sorted([florist.owner.email, settings.OPS_EMAIL])
    owner_mail = next(m for m in mail.outbox if m.to == [florist.owner.email])
    assert owner_mail.subject == "5 packages moved to another partner"
    assert "Florist, Wednesday, December 2: 3 packages" in owner_mail.body
    assert "Florist, Thursday, December 3: 2 packages" in owner_mail.body
    ops_mail = next(m for m in mail.outbox if m.to == [settings.OPS_EMAIL])
    assert "5 packages went to other open partners with room." in ops_mail.body
    assert "0 packages stay with the DSP" in ops_mail.body
    assert "/ops/assignment/?date=2026-12-02" in ops_mail.body


def test_nothing_to_move_sends_no_email(florist, cafe, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        close(florist)
    assert not mail.outbox


def test_a_failure_while_moving_undoes_the_closure_too(florist, cafe):
    # given packages on the florist
    packages_for(florist, DAY, 2)
    # when writing the events fails
    with (
        mock.patch("routing.services.reroute.package_events_record", side_effect=RuntimeError),
        pytest.raises(RuntimeError),
    ):
        close(florist)
    # then no closure, no move
    assert not Closure.objects.exists()
    assert len(packages_of(florist)) == 2


def test_an_ops_override_closure_moves_packages_too(florist, cafe, ops_admin):
    packages_for(florist, DAY, 2)
    closure_declare_beyond_allowance(
        partner=florist, actor=ops_admin, start_date=DAY, end_date=DAY, reason="Flood",
        override_reason="Burst pipe",
    )  # fmt: skip
    assert len(packages_of(cafe)) == 2
    assert {e.actor_id for e in moved_events()} == {ops_admin.pk}


def test_a_state_holiday_moves_that_states_partners_packages(
    florist, cafe, bookshop, ops_admin, django_capture_on_commit_callbacks, settings
):
    # given the café is across the line in New Hampshire (for the test), the bookshop in
    # Massachusetts with the florist, both holding packages
    cafe.state = "NH"
    cafe.save(update_fields=["state"])
    packages_for(florist, DAY, 2)
    packages_for(bookshop, DAY, 1)
    # when ops add a storm day in Massachusetts
    with django_capture_on_commit_callbacks(execute=True):
        holiday_add(
            actor=ops_admin, date=DAY, kind=HolidayKind.AD_HOC, name="Storm day",
            reason="Blizzard warning", state="MA",
        )  # fmt: skip
    # then every package went to the café, with the holiday as the reason
    assert len(packages_of(cafe)) == 3
    assert {e.detail["cause"] for e in moved_events()} == {ClosingCause.HOLIDAY}
    assert {e.detail["reason"] for e in moved_events()} == {"Storm day"}
    # and each owner got one email, ops one
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([florist.owner.email, bookshop.owner.email, settings.OPS_EMAIL])


def test_a_market_day_moves_only_that_markets_partners_packages(florist, cafe, ops_admin):
    # given the florist was approved in the Boston market, the café elsewhere
    boston = MarketFactory()
    PartnerApplicationFactory(partner=florist, market=boston, status="approved")
    packages_for(florist, DAY, 1)
    packages_for(cafe, DAY, 1)
    # when ops add an outage day for the market
    holiday_add(
        actor=ops_admin, date=DAY, kind=HolidayKind.AD_HOC, name="Power outage",
        reason="Grid down", market=boston,
    )  # fmt: skip
    # then only the florist's package moved
    assert len(packages_of(cafe)) == 2
    assert len(moved_events()) == 1


def test_cancelling_the_closure_does_not_move_packages_back(florist, cafe):
    packages_for(florist, DAY, 2)
    closure = close(florist)
    closure_cancel(closure=closure, actor=florist.owner)
    assert len(packages_of(cafe)) == 2


def test_a_holiday_today_in_an_earlier_time_zone_leaves_past_days_alone(cafe, ops_admin):
    # given an Alaska partner with packages for yesterday (Anchorage time) still manifested
    anchorage = covering_partner(
        "Anchorage", (61.2181, -149.9003), state="AK", time_zone="America/Anchorage"
    )
    packages_for(anchorage, TODAY - datetime.timedelta(days=1), 1)
    # when ops add a storm day for that past day
    holiday_add(
        actor=ops_admin, date=TODAY - datetime.timedelta(days=1), kind=HolidayKind.AD_HOC,
        name="Storm", reason="Snow", state="AK",
    )  # fmt: skip
    # then the past day's package stays
    assert len(packages_of(anchorage)) == 1


def _insert_batches(count: int) -> int:
    """INSERTs the event rows take: one on PostgreSQL; SQLite's 999-parameter limit makes
    Django split them (the number of queries then follows the batches, not the rule)."""
    fields = [f for f in PackageEvent._meta.concrete_fields if not f.primary_key]
    per_batch = connection.ops.bulk_batch_size(fields, [None] * count)
    return math.ceil(count / per_batch)


@pytest.mark.parametrize("package_count", [10, 100])
def test_query_count_does_not_grow_with_packages(
    package_count, florist, cafe, bookshop, django_assert_num_queries
):
    # given the florist holds packages, some of which the café has no room for
    fill(cafe, room=5)
    packages_for(florist, DAY, package_count)
    # then: savepoint, lock the partner, overlaps, allowance, the closure, its history line;
    # the move: savepoint, time zones, lock the packages, owners, partner loads, closures, the
    # calendar's day, partners with coverage, one bulk_update, the events, the owner's and
    # ops' emails, two savepoint releases
    with django_assert_num_queries(20 + _insert_batches(package_count) - 1):
        close(florist)
    assert len(moved_events()) == package_count


def test_the_ops_and_partner_pages_show_the_move_in_spanish(
    florist, cafe, reviewer, client, spanish
):
    # given a package moved from the florist to the café
    packages_for(florist, DAY, 1)
    close(florist)
    package = packages_of(cafe)[0]
    # when ops read its page in Spanish
    client.force_login(reviewer)
    ops_page = client.get(reverse("packages:ops-package", args=[package.tracking_id]), **spanish)
    # then the move and its cause read in Spanish
    body = ops_page.content.decode()
    assert_spanish(body, "Trasladado a otro socio", "Moved to another partner")
    assert_spanish(body, "De Florist a Cafe.", "From Florist to Cafe.")
    assert_spanish(body, "El socio declaró un cierre: Family wedding", "declared a closure")
    # and the café's owner sees the same history on the partner page
    client.force_login(cafe.owner)
    page = client.get(reverse("packages:package-history", args=[package.tracking_id]), **spanish)
    assert "De Florist a Cafe." in page.content.decode()


def test_the_florist_no_longer_opens_a_package_that_moved_away(florist, cafe, client):
    packages_for(florist, DAY, 1)
    close(florist)
    client.force_login(florist.owner)
    tracking_id = packages_of(cafe)[0].tracking_id
    response = client.get(reverse("packages:package-history", args=[tracking_id]))
    assert response.status_code == 404


def test_the_ops_assignment_page_shows_what_stayed_with_the_dsp_and_why(
    florist, cafe, reviewer, client
):
    fill(cafe, room=0)
    packages_for(florist, DAY, 1)
    close(florist)
    client.force_login(reviewer)
    page = client.get(reverse("routing:ops-assignment"), {"date": "2026-12-02"})
    body = page.content.decode()
    assert "With the DSP" in body
    assert "Florist closed (Family wedding); no covering partner with room" in body


def test_the_owners_closure_page_moves_the_packages(florist, cafe, client):
    # given packages on the florist
    packages_for(florist, DAY, 2)
    # when the owner declares the closure on the page
    client.force_login(florist.owner)
    response = client.post(
        reverse("partners:partner-closures"),
        {"start_date": "2026-12-02", "end_date": "2026-12-02", "reason": "Family wedding"},
    )
    # then they moved
    assert response.status_code == 302
    assert len(packages_of(cafe)) == 2


def test_the_ops_calendar_page_storm_day_moves_the_packages(florist, cafe, ops_admin, client):
    # given the café is outside the storm's state
    cafe.state = "NH"
    cafe.save(update_fields=["state"])
    packages_for(florist, DAY, 2)
    # when ops add a storm day for Massachusetts on the calendar page
    client.force_login(ops_admin)
    data = {"add-date": "2026-12-02", "add-name": "Storm day", "add-kind": "ad_hoc",
            "add-state": "MA", "add-reason": "Blizzard"}  # fmt: skip
    response = client.post(reverse("partners:ops-holiday-add"), data)
    # then they moved
    assert response.status_code == 302
    assert len(packages_of(cafe)) == 2
