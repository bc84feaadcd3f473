"""routing.services.finding_apply / zip_move_undo: a capacity finding's ZIPs move to its
neighbour for its date in one audited action, undone until a drop-off for the date opens."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from hubdelivery.exceptions import DomainError, InvalidInput, InvalidTransition, NotAllowed
from packages.models import Package, PackageEvent, PackageEventType
from partners.models import PartnerEvent, PartnerEventKind, PartnerStatus
from routing.models import CapacityFinding, Coverage, FindingKind, ZipMove
from routing.services import capacity_check_run, finding_apply, packages_assign, zip_move_undo
from tests.factories import PartnerFactory
from tests.routing.conftest import open_handoff, packages_for

NY = "America/New_York"
DATE = datetime.date(2026, 12, 2)  # a Wednesday, no holiday
NOW = datetime.datetime(2026, 12, 2, 1, 30, tzinfo=datetime.UTC)  # Dec 1 evening in New York


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def busy(db):
    return PartnerFactory(trade_name="Busy Florist")


@pytest.fixture
def helper(db):
    return PartnerFactory(trade_name="Helpful Cafe", latitude=42.3440, longitude=-71.0700)


def over_capacity_finding(busy, helper, moving: int = 4) -> CapacityFinding:
    """Busy: 30 packages in 02116 and `moving` in 02118 on DATE (capacity 30); the check
    suggests moving ZIP 02118 to the helper."""
    packages_for(busy, DATE, 30, zip_code="02116")
    packages_for(busy, DATE, moving, zip_code="02118")
    report = capacity_check_run(service_date=DATE, time_zone=NY)
    finding = report.findings.get(kind=FindingKind.OVER_DAILY_CAPACITY)
    assert finding.neighbour == helper
    if moving < 30:  # the smaller ZIP group holds the overflow
        assert finding.zip_codes == ["02118"]
    return finding


def ids(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


def test_apply_moves_exactly_the_findings_zip_on_its_date(busy, helper, reviewer):
    # given the finding, and packages of the same ZIP that must stay: another date, another
    # partner
    finding = over_capacity_finding(busy, helper)
    packages_for(busy, DATE + datetime.timedelta(days=1), 2, zip_code="02118")
    other = PartnerFactory(trade_name="Other Shop")
    packages_for(other, DATE, 2, zip_code="02118")
    expected = ids(Package.objects.filter(partner=busy, service_date=DATE, zip_code="02118"))
    # when
    move = finding_apply(finding=finding, actor=reviewer)
    # then
    assert ids(Package.objects.filter(partner=helper)) == expected
    assert ids(move.packages.all()) == expected
    assert Package.objects.filter(partner=busy, service_date=DATE).count() == 30
    assert Package.objects.filter(partner=other).count() == 2
    assert not Package.objects.filter(pk__in=expected, assigned_by_routing=True).exists()
    assert (move.partner_from, move.partner_to, move.zip_codes) == (busy, helper, ["02118"])
    assert (move.service_date, move.applied_by, move.undone_at) == (DATE, reviewer, None)


def test_apply_logs_one_event_per_package_and_audits_both_partners(busy, helper, reviewer):
    # given
    finding = over_capacity_finding(busy, helper)
    # when
    move = finding_apply(finding=finding, actor=reviewer)
    # then one REASSIGNED event per package, saying from, to and why
    events = PackageEvent.objects.filter(event_type=PackageEventType.REASSIGNED)
    assert sorted(events.values_list("package_id", flat=True)) == sorted(ids(move.packages))
    event = events.first()
    assert event.actor == reviewer
    assert event.get_event_type_display() == "Moved to another partner"
    assert (event.detail["from_partner_id"], event.detail["to_partner_id"]) == (busy.pk, helper.pk)
    assert event.move_text == f"From {busy.trade_name} to {helper.trade_name}."
    assert "Helpful Cafe" in event.detail["reason"] and "02118" in event.detail["reason"]
    # and a partner event on each side
    audited = PartnerEvent.objects.filter(kind=PartnerEventKind.ZIP_MOVE_APPLIED)
    assert set(audited.values_list("partner_id", flat=True)) == {busy.pk, helper.pk}
    assert audited.first().actor == reviewer
    assert audited.first().detail == ("ZIPs 02118 on Dec 2, 2026: Busy Florist -> Helpful Cafe")


def test_the_audit_page_lists_the_move(client, busy, helper, reviewer, ops_admin):
    # given
    finding_apply(finding=over_capacity_finding(busy, helper), actor=reviewer)
    # when
    client.force_login(ops_admin)
    html = client.get(reverse("dashboard:ops-audit")).content.decode()
    # then
    assert "ZIPs moved to a neighbour for a day" in html
    assert "ZIPs 02118 on Dec 2, 2026: Busy Florist -&gt; Helpful Cafe" in html
    assert "reviewer@mail.test" in html


def test_applying_twice_is_refused(busy, helper, reviewer):
    # given
    finding = over_capacity_finding(busy, helper)
    finding_apply(finding=finding, actor=reviewer)
    # when / then
    with pytest.raises(InvalidTransition, match=f"already applied by {reviewer}"):
        finding_apply(finding=finding, actor=reviewer)
    assert ZipMove.objects.count() == 1
    assert PackageEvent.objects.filter(event_type=PackageEventType.REASSIGNED).count() == 4


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"neighbour": None}, "neighbour", "names no neighbour partner"),
        ({"zip_codes": []}, "zip_codes", "names no ZIP codes"),
    ],
)
def test_a_finding_without_neighbour_or_zips_is_refused_naming_the_field(
    busy, helper, reviewer, change, field, message
):
    # given
    finding = over_capacity_finding(busy, helper)
    CapacityFinding.objects.filter(pk=finding.pk).update(**change)
    # when / then
    with pytest.raises(InvalidInput, match=message) as refused:
        finding_apply(finding=finding, actor=reviewer)
    assert refused.value.field == field
    assert not ZipMove.objects.exists()


def test_a_neighbour_no_longer_active_is_refused(busy, helper, reviewer):
    finding = over_capacity_finding(busy, helper)
    helper.status = PartnerStatus.PAUSED
    helper.save(update_fields=["status"])
    with pytest.raises(InvalidInput, match="Helpful Cafe is not active") as refused:
        finding_apply(finding=finding, actor=reviewer)
    assert refused.value.field == "neighbour"


@pytest.mark.parametrize("opened_by", ["busy", "helper"])
def test_apply_is_refused_once_a_drop_off_for_the_date_opened(busy, helper, reviewer, opened_by):
    # given the finding, and a drop-off for the date at one of the partners
    finding = over_capacity_finding(busy, helper)
    open_handoff({"busy": busy, "helper": helper}[opened_by], DATE)
    # when / then
    with pytest.raises(DomainError, match="drop-off for Dec 2, 2026 has opened"):
        finding_apply(finding=finding, actor=reviewer)
    assert not Package.objects.filter(partner=helper).exists()


def test_only_ops_may_apply_or_undo(busy, helper, reviewer, dsp_driver):
    finding = over_capacity_finding(busy, helper)
    with pytest.raises(NotAllowed):
        finding_apply(finding=finding, actor=dsp_driver)
    move = finding_apply(finding=finding, actor=reviewer)
    with pytest.raises(NotAllowed):
        zip_move_undo(move=move, actor=dsp_driver)
    assert ZipMove.objects.get().undone_at is None


def test_undo_gives_the_packages_back_as_they_were(busy, helper, reviewer, ops_admin):
    # given two of the four packages placed by routing, then the move applied
    finding = over_capacity_finding(busy, helper)
    moving = list(Package.objects.filter(zip_code="02118").order_by("pk"))
    Package.objects.filter(pk__in=[moving[0].pk, moving[1].pk]).update(assigned_by_routing=True)
    move = finding_apply(finding=finding, actor=reviewer)
    # when
    zip_move_undo(move=move, actor=ops_admin)
    # then
    back = Package.objects.filter(pk__in=[p.pk for p in moving]).order_by("pk")
    assert {p.partner_id for p in back} == {busy.pk}
    assert [p.assigned_by_routing for p in back] == [True, True, False, False]
    move.refresh_from_db()
    assert (move.undone_by, move.undone_at) == (ops_admin, NOW)
    undo_events = PackageEvent.objects.filter(
        event_type=PackageEventType.REASSIGNED, detail__to_partner_id=busy.pk
    )
    assert sorted(undo_events.values_list("package_id", flat=True)) == [p.pk for p in back]
    assert undo_events.first().detail["from_partner_id"] == helper.pk
    undone = PartnerEvent.objects.filter(kind=PartnerEventKind.ZIP_MOVE_UNDONE)
    assert set(undone.values_list("partner_id", flat=True)) == {busy.pk, helper.pk}


def test_undo_twice_changes_nothing_and_a_new_apply_is_allowed(busy, helper, reviewer):
    finding = over_capacity_finding(busy, helper)
    move = finding_apply(finding=finding, actor=reviewer)
    zip_move_undo(move=move, actor=reviewer)
    zip_move_undo(move=move, actor=reviewer)
    assert PackageEvent.objects.filter(event_type=PackageEventType.REASSIGNED).count() == 8
    again = finding_apply(finding=finding, actor=reviewer)
    assert again.pk != move.pk
    assert Package.objects.filter(partner=helper).count() == 4


@pytest.mark.parametrize("opened_by", ["busy", "helper"])
def test_undo_is_refused_once_a_drop_off_for_the_date_opened(busy, helper, reviewer, opened_by):
    # given the move, then a drop-off of the date at one of the two partners
    move = finding_apply(finding=over_capacity_finding(busy, helper), actor=reviewer)
    open_handoff({"busy": busy, "helper": helper}[opened_by], DATE)
    # when / then
    with pytest.raises(InvalidTransition, match="can no longer be undone"):
        zip_move_undo(move=move, actor=reviewer)
    assert Package.objects.filter(partner=helper).count() == 4
    assert ZipMove.objects.get().undone_at is None


def test_a_later_assignment_run_keeps_the_move(busy, helper, reviewer):
    # given packages of 02118 that routing placed with the busy partner (its coverage), and
    # the finding applied
    for partner in (busy, helper):
        Coverage.objects.create(
            partner=partner, zip_codes=["02118"], radius_miles=0, updated_at=NOW
        )
    finding = over_capacity_finding(busy, helper)
    Package.objects.filter(zip_code="02118").update(assigned_by_routing=True)
    moved = finding_apply(finding=finding, actor=reviewer).packages.all()
    dsp = moved[0].dsp
    # when the assignment runs again for the date
    packages_assign(dsp=dsp, service_date=DATE)
    # then the packages stay with the neighbour
    assert {p.partner_id for p in moved} == {helper.pk}


def test_a_rerun_of_the_check_keeps_the_move_on_its_finding(busy, helper, reviewer):
    # given the finding applied, then the night re-run (findings replaced)
    finding = over_capacity_finding(busy, helper, moving=10)
    move = finding_apply(finding=finding, actor=reviewer)
    report = capacity_check_run(service_date=DATE, time_zone=NY)
    # then the move still belongs to the report and the partner
    assert ZipMove.objects.get(report=report, partner_from=busy) == move
    assert Package.objects.filter(partner=helper).count() == 10


@pytest.mark.parametrize(
    "count",
    [
        10,
        40,
        # SQLite's 999-parameter limit splits the events' INSERT past 76 rows
        pytest.param(100, marks=pytest.mark.skipif(
            connection.vendor != "postgresql", reason="one INSERT on PostgreSQL only")),
    ],
)  # fmt: skip
def test_apply_and_undo_take_the_same_queries_for_10_or_100_packages(
    busy, helper, reviewer, count, django_assert_num_queries
):
    # given a finding moving `count` packages (and, past 30, the 30 of the other ZIP too)
    finding = over_capacity_finding(busy, helper, moving=count)
    Package.objects.filter(
        pk__in=list(Package.objects.order_by("pk").values_list("pk", flat=True))[::2]
    ).update(assigned_by_routing=True)  # undo restores both kinds
    reviewer.roles  # noqa: B018 - read once per request, like the page's user
    # then: savepoint, lock the report, the finding, an active move?, drop-offs, lock the
    # packages, the move (in its own savepoint), its package rows, one UPDATE, the route
    # stops, the events, two partner events, release
    with django_assert_num_queries(16):
        move = finding_apply(finding=finding, actor=reviewer)
    assert move.packages.count() == (count if count < 30 else count + 30)
    # and: savepoint, lock the move, drop-offs, lock the packages, two UPDATEs, the route
    # stops, the events, the move, two partner events, release
    with django_assert_num_queries(12):
        zip_move_undo(move=move, actor=reviewer)
