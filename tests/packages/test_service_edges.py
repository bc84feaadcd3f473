"""The repeat, illegal-state and wrong-actor cases not covered next to each happy path."""

import pytest

from hubdelivery.exceptions import InvalidTransition
from packages import services
from packages.models import AttemptReason, PackageEvent, PackageEventType, PackageStatus
from tests.packages.conftest import new_key


def test_mark_missing_twice_is_a_no_op_with_one_event(drop_off, dsp_driver, manifested):
    first = services.package_mark_missing(
        actor=dsp_driver,
        handoff=drop_off,
        tracking_id=manifested[0].tracking_id,
        idempotency_key=new_key(),
    )
    again = services.package_mark_missing(
        actor=dsp_driver,
        handoff=drop_off,
        tracking_id=manifested[0].tracking_id,
        idempotency_key=new_key(),
    )
    drop_off.refresh_from_db()
    assert again.replayed and again.pk == first.pk
    assert first.event_type == PackageEventType.MISSING and first.to_status == PackageStatus.MISSING
    assert drop_off.missing == 1


def test_delivered_package_cannot_be_marked_damaged(drop_off, partner_owner, received):
    services.package_deliver(
        actor=partner_owner, package=received, recipient_name="Jo", idempotency_key=new_key()
    )
    with pytest.raises(InvalidTransition):
        services.package_mark_damaged(
            actor=partner_owner,
            handoff=drop_off,
            tracking_id=received.tracking_id,
            idempotency_key=new_key(),
        )


@pytest.mark.parametrize(
    "service",
    [services.package_mark_damaged, services.package_mark_missing, services.package_receive],
)
def test_outsiders_cannot_mark_packages_at_a_handoff(
    service, drop_off, manifested, other_dsp_driver, other_partner
):
    for outsider in (other_dsp_driver, other_partner.owner):
        with pytest.raises(services.ActorNotAllowed):
            service(
                actor=outsider,
                handoff=drop_off,
                tracking_id=manifested[0].tracking_id,
                idempotency_key=new_key(),
            )
    assert not PackageEvent.objects.exclude(event_type=PackageEventType.HANDOFF_OPENED).exists()


def test_outsider_cannot_return_a_package(return_handoff, received, other_dsp_driver):
    with pytest.raises(services.ActorNotAllowed):
        services.package_return_to_dsp(
            actor=other_dsp_driver,
            handoff=return_handoff,
            tracking_id=received.tracking_id,
            idempotency_key=new_key(),
        )


def test_attempted_package_waits_for_ops_before_return(
    return_handoff, received, partner_owner, dsp_driver
):
    services.package_attempt(
        actor=partner_owner,
        package=received,
        reason=AttemptReason.REFUSED,
        idempotency_key=new_key(),
    )
    with pytest.raises(InvalidTransition, match="open incident"):
        services.package_return_to_dsp(
            actor=dsp_driver,
            handoff=return_handoff,
            tracking_id=received.tracking_id,
            idempotency_key=new_key(),
        )


@pytest.mark.parametrize("service", [services.delivery_start, services.package_attempt])
def test_only_the_partners_clear_members_start_or_attempt(
    service, received, other_partner, dsp_driver
):
    extra = {"reason": AttemptReason.UNSAFE} if service is services.package_attempt else {}
    for outsider in (other_partner.owner, dsp_driver):
        with pytest.raises(services.ActorNotAllowed):
            service(actor=outsider, package=received, idempotency_key=new_key(), **extra)
    received.refresh_from_db()
    assert received.status == PackageStatus.RECEIVED


def test_labels_and_texts_too_long_for_their_columns_are_refused(drop_off, dsp_driver, received):
    from hubdelivery.exceptions import DomainError

    with pytest.raises(DomainError, match="not a package label"):
        services.package_receive(
            actor=dsp_driver, handoff=drop_off, tracking_id="X" * 41, idempotency_key=new_key()
        )
    member = received.partner.owner
    with pytest.raises(DomainError, match="longer than 300"):
        services.package_deliver(
            actor=member, package=received, safe_place_note="x" * 301, idempotency_key=new_key()
        )
    with pytest.raises(DomainError, match="longer than 300"):
        services.package_attempt(
            actor=member,
            package=received,
            reason=AttemptReason.UNSAFE,
            note="x" * 301,
            idempotency_key=new_key(),
        )
