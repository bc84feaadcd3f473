import datetime

import pytest
import time_machine

from hubdelivery.exceptions import DomainError, InvalidTransition
from packages import services
from packages.models import (
    Handoff,
    HandoffDirection,
    HandoffItem,
    HandoffOutcome,
    HandoffStatus,
    PackageEvent,
    PackageEventType,
    PackageStatus,
)
from partners.models import PartnerStatus
from tests.factories import PackageFactory
from tests.packages.conftest import new_key


def open_drop_off(actor, partner, dsp, today, key=None):
    return services.handoff_open(
        actor=actor,
        partner=partner,
        dsp=dsp,
        direction=HandoffDirection.DROP_OFF,
        service_date=today,
        idempotency_key=key or new_key(),
    )


# ------------------------------------------------------------------------------
# handoff_open
# ------------------------------------------------------------------------------
def test_driver_opens_drop_off_expecting_the_days_manifest(
    partner, dsp, dsp_driver, manifested, today
):
    # when
    event = open_drop_off(dsp_driver, partner, dsp, today)
    # then
    handoff = event.handoff
    assert handoff.status == HandoffStatus.OPEN
    assert handoff.expected == 3
    assert handoff.driver.user == dsp_driver
    assert event.event_type == PackageEventType.HANDOFF_OPENED
    assert event.actor == dsp_driver


def test_opening_again_answers_with_the_open_handoff(partner, partner_owner, dsp, drop_off, today):
    # when: the partner opens the same handoff on its own phone
    event = open_drop_off(partner_owner, partner, dsp, today)
    # then
    assert event.replayed
    assert event.handoff == drop_off
    assert Handoff.objects.count() == 1


def test_open_with_same_key_replays(partner, dsp, dsp_driver, manifested, today):
    key = new_key()
    first = open_drop_off(dsp_driver, partner, dsp, today, key)
    services.handoff_confirm(actor=dsp_driver, handoff=first.handoff, idempotency_key=new_key())
    # when: the same request arrives again
    again = open_drop_off(dsp_driver, partner, dsp, today, key)
    # then
    assert again.pk == first.pk and again.replayed
    assert Handoff.objects.count() == 1


def test_driver_of_another_dsp_cannot_open(partner, dsp, other_dsp_driver, today):
    with pytest.raises(services.ActorNotAllowed):
        open_drop_off(other_dsp_driver, partner, dsp, today)
    assert not Handoff.objects.exists()


def test_paused_partner_gets_no_handoff(partner, dsp, dsp_driver, today):
    partner.status = PartnerStatus.PAUSED
    partner.save()
    with pytest.raises(DomainError, match="paused"):
        open_drop_off(dsp_driver, partner, dsp, today)


# ------------------------------------------------------------------------------
# package_receive
# ------------------------------------------------------------------------------
def test_receive_passes_custody_to_the_partner(drop_off, dsp_driver, manifested):
    package = manifested[0]
    # when
    event = services.package_receive(
        actor=dsp_driver,
        handoff=drop_off,
        tracking_id=package.tracking_id,
        idempotency_key=new_key(),
        device_time=datetime.datetime(2026, 11, 25, 12, 0, tzinfo=datetime.UTC),
        latitude=42.35,
        longitude=-71.07,
    )
    # then
    package.refresh_from_db()
    drop_off.refresh_from_db()
    assert package.status == PackageStatus.RECEIVED
    assert drop_off.received == 1
    assert (event.from_status, event.to_status) == (
        PackageStatus.MANIFESTED,
        PackageStatus.RECEIVED,
    )
    assert event.device_time.hour == 12 and event.received_at is not None
    assert event.latitude == 42.35


def test_second_scan_of_a_label_counts_once(drop_off, partner_owner, received):
    first = PackageEvent.objects.get(package=received, event_type=PackageEventType.RECEIVED)
    # when: the partner scans the same label with a new key
    again = services.package_receive(
        actor=partner_owner,
        handoff=drop_off,
        tracking_id=received.tracking_id,
        idempotency_key=new_key(),
    )
    # then
    drop_off.refresh_from_db()
    assert again.replayed and again.pk == first.pk
    assert drop_off.received == 1
    assert PackageEvent.objects.filter(event_type=PackageEventType.RECEIVED).count() == 1


def test_unknown_label_is_recorded_as_unexpected(drop_off, dsp_driver, other_partner_package):
    # when: another partner's package is scanned here
    event = services.package_receive(
        actor=dsp_driver,
        handoff=drop_off,
        tracking_id=other_partner_package.tracking_id,
        idempotency_key=new_key(),
    )
    # then: recorded, but the package is not touched and not linked
    other_partner_package.refresh_from_db()
    drop_off.refresh_from_db()
    assert event.event_type == PackageEventType.UNEXPECTED and event.package is None
    assert other_partner_package.status == PackageStatus.MANIFESTED
    assert drop_off.unexpected == 1
    assert HandoffItem.objects.get(handoff=drop_off).outcome == HandoffOutcome.UNEXPECTED


def test_receive_at_a_closed_handoff_is_refused(drop_off, dsp_driver, partner_owner, manifested):
    services.handoff_confirm(actor=dsp_driver, handoff=drop_off, idempotency_key=new_key())
    services.handoff_confirm(actor=partner_owner, handoff=drop_off, idempotency_key=new_key())
    with pytest.raises(InvalidTransition, match="closed"):
        services.package_receive(
            actor=dsp_driver,
            handoff=drop_off,
            tracking_id=manifested[0].tracking_id,
            idempotency_key=new_key(),
        )


def test_other_partners_owner_cannot_scan(drop_off, other_partner, manifested):
    with pytest.raises(services.ActorNotAllowed):
        services.package_receive(
            actor=other_partner.owner,
            handoff=drop_off,
            tracking_id=manifested[0].tracking_id,
            idempotency_key=new_key(),
        )
    assert not PackageEvent.objects.filter(event_type=PackageEventType.RECEIVED).exists()


def test_a_key_cannot_be_reused_by_someone_else(drop_off, dsp_driver, partner_owner, manifested):
    key = new_key()
    services.package_receive(
        actor=dsp_driver,
        handoff=drop_off,
        tracking_id=manifested[0].tracking_id,
        idempotency_key=key,
    )
    with pytest.raises(DomainError, match="idempotency key"):
        services.package_receive(
            actor=partner_owner,
            handoff=drop_off,
            tracking_id=manifested[1].tracking_id,
            idempotency_key=key,
        )


# ------------------------------------------------------------------------------
# damaged / missing
# ------------------------------------------------------------------------------
def test_mark_damaged_after_scan_moves_the_count(drop_off, partner_owner, received):
    # when
    event = services.package_mark_damaged(
        actor=partner_owner,
        handoff=drop_off,
        tracking_id=received.tracking_id,
        idempotency_key=new_key(),
        note="crushed corner",
    )
    # then
    drop_off.refresh_from_db()
    received.refresh_from_db()
    assert received.status == PackageStatus.DAMAGED
    assert (drop_off.received, drop_off.damaged) == (0, 1)
    assert event.detail == {"note": "crushed corner"}
    # and a repeat changes nothing
    again = services.package_mark_damaged(
        actor=partner_owner,
        handoff=drop_off,
        tracking_id=received.tracking_id,
        idempotency_key=new_key(),
    )
    drop_off.refresh_from_db()
    assert again.replayed and drop_off.damaged == 1


def test_mark_missing_then_found(drop_off, dsp_driver, manifested):
    package = manifested[1]
    services.package_mark_missing(
        actor=dsp_driver,
        handoff=drop_off,
        tracking_id=package.tracking_id,
        idempotency_key=new_key(),
    )
    drop_off.refresh_from_db()
    assert drop_off.missing == 1
    # when: it turns up and is scanned
    services.package_receive(
        actor=dsp_driver,
        handoff=drop_off,
        tracking_id=package.tracking_id,
        idempotency_key=new_key(),
    )
    # then
    drop_off.refresh_from_db()
    package.refresh_from_db()
    assert package.status == PackageStatus.RECEIVED
    assert (drop_off.missing, drop_off.received) == (0, 1)


def test_received_package_cannot_be_marked_missing(drop_off, dsp_driver, received):
    with pytest.raises(InvalidTransition):
        services.package_mark_missing(
            actor=dsp_driver,
            handoff=drop_off,
            tracking_id=received.tracking_id,
            idempotency_key=new_key(),
        )


# ------------------------------------------------------------------------------
# handoff_confirm
# ------------------------------------------------------------------------------
def test_both_confirmations_close_the_handoff_with_counts(
    drop_off, dsp_driver, partner_owner, partner, received, manifested
):
    # when
    driver_event = services.handoff_confirm(
        actor=dsp_driver, handoff=drop_off, idempotency_key=new_key()
    )
    drop_off.refresh_from_db()
    assert drop_off.status == HandoffStatus.OPEN and driver_event.detail == {"side": "driver"}
    services.handoff_confirm(actor=partner_owner, handoff=drop_off, idempotency_key=new_key())
    # then: the two unscanned packages are missing, the handoff closed
    drop_off.refresh_from_db()
    partner.refresh_from_db()
    assert drop_off.status == HandoffStatus.CLOSED and drop_off.closed_at
    assert (drop_off.expected, drop_off.received, drop_off.missing) == (3, 1, 2)
    assert {p.status for p in manifested[1:] if not p.refresh_from_db()} == {PackageStatus.MISSING}
    closed = PackageEvent.objects.get(event_type=PackageEventType.HANDOFF_CLOSED)
    assert closed.detail["missing"] == 2
    assert partner.first_handoff_at is not None


def test_confirming_twice_is_a_no_op(drop_off, dsp_driver):
    first = services.handoff_confirm(actor=dsp_driver, handoff=drop_off, idempotency_key=new_key())
    again = services.handoff_confirm(actor=dsp_driver, handoff=drop_off, idempotency_key=new_key())
    assert again.replayed and again.pk == first.pk


def test_outsider_cannot_confirm(drop_off, other_dsp_driver, other_partner):
    for outsider in (other_dsp_driver, other_partner.owner):
        with pytest.raises(services.ActorNotAllowed):
            services.handoff_confirm(actor=outsider, handoff=drop_off, idempotency_key=new_key())


# ------------------------------------------------------------------------------
# package_return_to_dsp
# ------------------------------------------------------------------------------
def test_return_hands_the_package_back(return_handoff, dsp_driver, received):
    assert return_handoff.expected == 1
    # when
    event = services.package_return_to_dsp(
        actor=dsp_driver,
        handoff=return_handoff,
        tracking_id=received.tracking_id,
        idempotency_key=new_key(),
    )
    # then
    received.refresh_from_db()
    assert received.status == PackageStatus.RETURNED
    assert event.from_status == PackageStatus.RECEIVED
    again = services.package_return_to_dsp(
        actor=dsp_driver,
        handoff=return_handoff,
        tracking_id=received.tracking_id,
        idempotency_key=new_key(),
    )
    assert again.replayed


def test_delivered_package_cannot_be_returned(return_handoff, dsp_driver, partner_owner, received):
    services.package_deliver(
        actor=partner_owner, package=received, recipient_name="Jo", idempotency_key=new_key()
    )
    with pytest.raises(InvalidTransition):
        services.package_return_to_dsp(
            actor=dsp_driver,
            handoff=return_handoff,
            tracking_id=received.tracking_id,
            idempotency_key=new_key(),
        )


def test_scan_meant_for_a_drop_off_is_refused_at_a_return(return_handoff, dsp_driver, partner):
    package = PackageFactory(manifest__partner=partner)
    with pytest.raises(DomainError, match="return"):
        services.package_receive(
            actor=dsp_driver,
            handoff=return_handoff,
            tracking_id=package.tracking_id,
            idempotency_key=new_key(),
        )


def test_return_handoff_close_counts_what_was_not_handed_back(
    return_handoff, dsp_driver, partner_owner
):
    services.handoff_confirm(actor=dsp_driver, handoff=return_handoff, idempotency_key=new_key())
    with time_machine.travel(datetime.timedelta(minutes=5)):
        services.handoff_confirm(
            actor=partner_owner, handoff=return_handoff, idempotency_key=new_key()
        )
    return_handoff.refresh_from_db()
    assert return_handoff.status == HandoffStatus.CLOSED
    assert (return_handoff.expected, return_handoff.missing) == (1, 1)


def test_longest_client_keys_still_close_a_handoff(drop_off, dsp_driver, partner_owner):
    # the closing and auto-missing events derive their keys from the client's 100 characters
    services.handoff_confirm(actor=dsp_driver, handoff=drop_off, idempotency_key="d" * 100)
    services.handoff_confirm(actor=partner_owner, handoff=drop_off, idempotency_key="p" * 100)
    drop_off.refresh_from_db()
    assert drop_off.status == HandoffStatus.CLOSED and drop_off.missing == 3
