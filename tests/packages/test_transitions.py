"""The package status transition table tells the whole truth (issue 14, finding 11).

Three days of one partner walk every service that changes a package's status. Then every
package's custody log must be an unbroken chain of status changes ending in its status (no
change without its event), and the changes made must be exactly the table's: none outside
it, and no entry that no service makes.
"""

import datetime
from dataclasses import dataclass

import pytest
import time_machine

from accounts.models import User
from hubdelivery.exceptions import InvalidTransition
from packages import services
from packages.models import (
    ALLOWED_HANDOFF_TRANSITIONS,
    ALLOWED_PACKAGE_TRANSITIONS,
    Dsp,
    Handoff,
    HandoffDirection,
    Incident,
    Package,
    PackageEvent,
    PackageEventType,
    PackageStatus,
)
from packages.services.common import packages_transition
from partners.models import Partner
from tests.factories import ManifestFactory, PackageFactory
from tests.packages.conftest import new_key

DAY_0 = datetime.datetime(2026, 11, 24, 14, 0, tzinfo=datetime.UTC)  # 9:00 in Boston
S = PackageStatus


@dataclass
class Walk:
    """The people of one partner and its DSP, and short names for the services."""

    partner: Partner
    dsp: Dsp
    driver: User
    owner: User
    ops: User

    def packages(self, *labels: str) -> dict[str, Package]:
        manifest = ManifestFactory(dsp=self.dsp, partner=self.partner)
        return {label: PackageFactory(manifest=manifest) for label in labels}

    def open(self, direction: str) -> Handoff:
        return services.handoff_open(
            actor=self.driver,
            partner=self.partner,
            dsp=self.dsp,
            direction=direction,
            idempotency_key=new_key(),
        ).handoff

    def scan(self, service, handoff: Handoff, package: Package) -> None:
        service(
            actor=self.driver,
            handoff=handoff,
            tracking_id=package.tracking_id,
            idempotency_key=new_key(),
        )

    def close(self, handoff: Handoff) -> None:
        for actor in (self.driver, self.owner):
            services.handoff_confirm(actor=actor, handoff=handoff, idempotency_key=new_key())

    def act(self, service, package: Package, **extra) -> None:
        package.refresh_from_db()
        service(actor=self.owner, package=package, idempotency_key=new_key(), **extra)

    def resolve(self, package: Package, resolution: str) -> None:
        incident = Incident.objects.get(package=package, status="open")
        services.incident_resolve(
            actor=self.ops, incident=incident, resolution=resolution, idempotency_key=new_key()
        )


def day_0(walk: Walk) -> dict[str, Package]:
    """A drop-off that closes with one package scanned and one never scanned."""
    p = walk.packages("kept", "unscanned")
    drop_off = walk.open(HandoffDirection.DROP_OFF)
    walk.scan(services.package_receive, drop_off, p["kept"])  # manifested -> received
    walk.close(drop_off)  # unscanned: manifested -> missing
    return p


def day_1(walk: Walk, kept: Package) -> dict[str, Package]:
    """The return of yesterday's package, a drop-off with every outcome, the day's work."""
    returns = walk.open(HandoffDirection.RETURN)
    walk.scan(services.package_return_to_dsp, returns, kept)  # received -> returned
    walk.close(returns)
    p = walk.packages("crushed", "dented", "late", "lost", "tried", "stored", "out")
    drop_off = walk.open(HandoffDirection.DROP_OFF)
    walk.scan(services.package_receive, drop_off, p["crushed"])
    walk.scan(services.package_mark_damaged, drop_off, p["crushed"])  # received -> damaged
    walk.scan(services.package_mark_damaged, drop_off, p["dented"])  # manifested -> damaged
    walk.scan(services.package_mark_missing, drop_off, p["late"])  # manifested -> missing
    walk.scan(services.package_receive, drop_off, p["late"])  # missing -> received
    walk.scan(services.package_mark_missing, drop_off, p["lost"])
    walk.scan(services.package_mark_damaged, drop_off, p["lost"])  # missing -> damaged
    for label in ("tried", "stored", "out"):
        walk.scan(services.package_receive, drop_off, p[label])
    walk.close(drop_off)
    day_1_deliveries(walk, p)
    return p


def day_1_deliveries(walk: Walk, p: dict[str, Package]) -> None:
    late, tried = p["late"], p["tried"]
    walk.act(services.delivery_start, late)  # received -> out for delivery
    walk.act(services.package_deliver, late, recipient_name="Jo")  # out -> delivered
    walk.act(services.package_delivery_undo, late)  # delivered -> out for delivery
    walk.act(services.package_queue_for_return, late)  # out -> queued for return
    walk.act(services.package_deliver, tried, recipient_name="Jo")  # received -> delivered
    walk.act(services.package_delivery_undo, tried)  # delivered -> received
    walk.act(services.package_attempt, tried, reason="unsafe")  # received -> attempted
    walk.resolve(tried, "re_attempt")  # attempted -> received (tomorrow)
    walk.act(services.delivery_start, tried)
    walk.act(services.package_attempt, tried, reason="no_access")  # out -> attempted
    walk.resolve(tried, "return_to_dsp")  # attempted -> queued for return
    walk.act(services.delivery_start, p["out"])
    services.day_close(  # "stored": received -> queued; "out": out for delivery -> queued
        actor=walk.owner,
        partner=walk.partner,
        service_date=p["stored"].service_date,
        idempotency_key=new_key(),
    )


def day_2(walk: Walk, p: dict[str, Package]) -> None:
    """Everything left goes back: damaged and queued packages -> returned."""
    returns = walk.open(HandoffDirection.RETURN)
    for label in ("crushed", "dented", "lost", "late", "tried", "stored", "out"):
        walk.scan(services.package_return_to_dsp, returns, p[label])
    walk.close(returns)


def status_changes_checked() -> set[tuple[str, str]]:
    """Every (from, to) the custody log records, after checking that each package's events
    form one chain from `manifested` to its current status."""
    changes = set()
    for package in Package.objects.all():
        status = S.MANIFESTED
        for event in package.events.order_by("received_at", "id"):
            assert event.from_status == status, (package, event, "a change without its event")
            changes.add((event.from_status, event.to_status))
            status = event.to_status
        assert package.status == status, (package, "a change without its event")
    return changes


@pytest.fixture
def walk(partner, dsp, dsp_driver, partner_owner, reviewer) -> Walk:
    return Walk(partner, dsp, dsp_driver, partner_owner, reviewer)


def test_every_status_change_of_every_service_is_in_the_table_and_nothing_else_is(walk):
    # given / when: three days that use every service changing a package's status
    with time_machine.travel(DAY_0):
        p0 = day_0(walk)
    with time_machine.travel(DAY_0 + datetime.timedelta(days=1)):
        p1 = day_1(walk, p0["kept"])
    with time_machine.travel(DAY_0 + datetime.timedelta(days=2)):
        day_2(walk, p1)
    # then: each change is logged, and the changes made are exactly the table
    table = {(old, new) for old, targets in ALLOWED_PACKAGE_TRANSITIONS.items() for new in targets}
    made = status_changes_checked()
    assert made - table == set(), "changes the table does not list"
    assert table - made == set(), "table entries no service makes"
    assert set(ALLOWED_PACKAGE_TRANSITIONS) == set(S.values)


def test_every_handoff_status_change_is_in_the_handoff_table(walk):
    # given / when: a drop-off opened and closed
    with time_machine.travel(DAY_0):
        day_0(walk)
    # then
    closed = PackageEvent.objects.get(event_type=PackageEventType.HANDOFF_CLOSED)
    assert closed.to_status in ALLOWED_HANDOFF_TRANSITIONS[closed.from_status]


def test_a_package_received_at_an_earlier_handoff_cannot_be_marked_damaged_at_a_new_one(
    drop_off, dsp_driver, partner_owner, partner, dsp, received
):
    # given: the drop-off closed (two packages missing), a second one opened for them
    for actor in (dsp_driver, partner_owner):
        services.handoff_confirm(actor=actor, handoff=drop_off, idempotency_key=new_key())
    second = services.handoff_open(
        actor=dsp_driver,
        partner=partner,
        dsp=dsp,
        direction=HandoffDirection.DROP_OFF,
        idempotency_key=new_key(),
    ).handoff
    # when / then: the package the first one received is not the second one's to damage
    with pytest.raises(InvalidTransition, match="earlier handoff"):
        services.package_mark_damaged(
            actor=dsp_driver,
            handoff=second,
            tracking_id=received.tracking_id,
            idempotency_key=new_key(),
        )
    received.refresh_from_db()
    assert received.status == S.RECEIVED


def test_the_bulk_change_at_close_checks_the_table_for_every_package(manifested):
    # given: one of the packages is already returned (returned -> missing is not in the table)
    Package.objects.filter(pk=manifested[0].pk).update(status=S.RETURNED)
    packages = list(Package.objects.filter(pk__in=[p.pk for p in manifested]).order_by("pk"))
    # when / then: the whole change is refused and no package moves
    with pytest.raises(InvalidTransition):
        packages_transition(packages=packages, to_status=S.MISSING)
    assert not Package.objects.filter(status=S.MISSING).exists()
