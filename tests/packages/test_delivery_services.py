import datetime
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from hubdelivery.exceptions import DomainError, InvalidTransition
from hubdelivery.lib.dates import local_date
from packages import services
from packages.models import (
    AttemptOutcome,
    AttemptReason,
    DeliveryAttempt,
    Incident,
    IncidentResolution,
    IncidentStatus,
    PackageEvent,
    PackageEventType,
    PackageStatus,
)
from partners.models import BackgroundCheck, PartnerMember
from tests.packages.conftest import new_key


def png_bytes() -> bytes:
    """A small valid PNG."""
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return buffer.getvalue()


PNG_BYTES = png_bytes()


def deliver(actor, package, key=None, **proof):
    proof = proof or {"recipient_name": "Jo Recipient"}
    return services.package_deliver(
        actor=actor, package=package, idempotency_key=key or new_key(), **proof
    )


# ------------------------------------------------------------------------------
# delivery_start
# ------------------------------------------------------------------------------
def test_start_takes_a_received_package_out(partner_staff, received):
    event = services.delivery_start(
        actor=partner_staff, package=received, idempotency_key=new_key()
    )
    received.refresh_from_db()
    assert received.status == PackageStatus.OUT_FOR_DELIVERY
    assert event.event_type == PackageEventType.DELIVERY_STARTED
    again = services.delivery_start(
        actor=partner_staff, package=received, idempotency_key=new_key()
    )
    assert again.replayed and again.pk == event.pk


def test_start_refused_for_a_package_still_with_the_dsp(partner_owner, manifested):
    with pytest.raises(InvalidTransition, match="not in your custody"):
        services.delivery_start(
            actor=partner_owner, package=manifested[0], idempotency_key=new_key()
        )


# ------------------------------------------------------------------------------
# package_deliver
# ------------------------------------------------------------------------------
def test_deliver_with_recipient_name_writes_event_and_proof(partner_owner, received):
    # when
    event = deliver(partner_owner, received, recipient_name="Jo Recipient")
    # then
    received.refresh_from_db()
    assert received.status == PackageStatus.DELIVERED
    assert (event.actor, event.from_status, event.to_status) == (
        partner_owner,
        PackageStatus.RECEIVED,
        PackageStatus.DELIVERED,
    )
    attempt = DeliveryAttempt.objects.get(event=event)
    assert attempt.outcome == AttemptOutcome.DELIVERED and attempt.recipient_name == "Jo Recipient"


def test_deliver_with_photo_stores_it_privately(partner_owner, received, settings):
    photo = SimpleUploadedFile("door.png", PNG_BYTES, content_type="image/png")
    event = deliver(partner_owner, received, photo=photo)
    attempt = DeliveryAttempt.objects.get(event=event)
    assert attempt.photo.name.startswith("proofs/")
    assert str(settings.MEDIA_ROOT) in attempt.photo.path


def test_deliver_refuses_a_photo_that_is_not_an_image(partner_owner, received):
    fake = SimpleUploadedFile("door.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    with pytest.raises(DomainError, match="JPEG"):
        deliver(partner_owner, received, photo=fake)


def test_deliver_needs_a_proof(partner_owner, received):
    with pytest.raises(DomainError, match="proof"):
        deliver(partner_owner, received, safe_place_note="  ")


def test_deliver_retry_with_the_same_key_returns_the_first_result(partner_owner, received):
    key = new_key()
    first = deliver(partner_owner, received, key)
    # when: the phone retries after a timeout
    again = deliver(partner_owner, received, key)
    # then
    assert again.replayed and again.pk == first.pk
    assert PackageEvent.objects.filter(event_type=PackageEventType.DELIVERED).count() == 1
    assert DeliveryAttempt.objects.count() == 1


def test_deliver_twice_is_refused(partner_owner, received):
    deliver(partner_owner, received)
    with pytest.raises(InvalidTransition, match="already delivered"):
        deliver(partner_owner, received)


def test_deliver_package_not_in_custody_is_refused(partner_owner, manifested):
    with pytest.raises(InvalidTransition, match="not in your custody"):
        deliver(partner_owner, manifested[2])
    assert not DeliveryAttempt.objects.exists()


def test_staff_without_clear_background_check_cannot_deliver(partner_staff, received):
    PartnerMember.objects.filter(user=partner_staff).update(
        background_check=BackgroundCheck.PENDING
    )
    with pytest.raises(services.ActorNotAllowed, match="background check"):
        deliver(partner_staff, received)
    received.refresh_from_db()
    assert received.status == PackageStatus.RECEIVED


@pytest.mark.parametrize("outsider", ["other_partner_owner", "driver", "reviewer"])
def test_only_the_partners_members_deliver(outsider, received, other_partner, dsp_driver, reviewer):
    actor = {"other_partner_owner": other_partner.owner, "driver": dsp_driver, "reviewer": reviewer}
    with pytest.raises(services.ActorNotAllowed):
        deliver(actor[outsider], received)


# ------------------------------------------------------------------------------
# package_attempt and incidents
# ------------------------------------------------------------------------------
def attempt(actor, package, reason=AttemptReason.NO_ACCESS):
    return services.package_attempt(
        actor=actor, package=package, reason=reason, idempotency_key=new_key(), note="gate locked"
    )


def test_attempt_opens_an_incident(partner_owner, received):
    event = attempt(partner_owner, received)
    received.refresh_from_db()
    incident = Incident.objects.get(package=received)
    assert received.status == PackageStatus.ATTEMPTED
    assert incident.status == IncidentStatus.OPEN and incident.reason == AttemptReason.NO_ACCESS
    assert incident.attempt.event == event
    assert event.detail == {"reason": "no_access", "note": "gate locked"}


def test_attempt_twice_is_refused(partner_owner, received):
    attempt(partner_owner, received)
    with pytest.raises(InvalidTransition, match="already attempted"):
        attempt(partner_owner, received)
    assert Incident.objects.count() == 1


def test_attempt_with_unknown_reason_is_refused(partner_owner, received):
    with pytest.raises(DomainError, match="Unknown reason"):
        attempt(partner_owner, received, reason="weather")


@pytest.fixture
def incident(partner_owner, received) -> Incident:
    attempt(partner_owner, received)
    return Incident.objects.get(package=received)


def test_resolve_re_attempt_puts_it_back_for_tomorrow(reviewer, incident, partner):
    # when
    event = services.incident_resolve(
        actor=reviewer,
        incident=incident,
        resolution=IncidentResolution.RE_ATTEMPT,
        idempotency_key=new_key(),
    )
    # then
    incident.refresh_from_db()
    package = incident.package
    package.refresh_from_db()
    tomorrow = local_date(tz_name=partner.time_zone) + datetime.timedelta(days=1)
    assert incident.status == IncidentStatus.RESOLVED and incident.resolved_by == reviewer
    assert (package.status, package.service_date) == (PackageStatus.RECEIVED, tomorrow)
    assert event.to_status == PackageStatus.RECEIVED


def test_resolve_return_queues_it_for_the_dsp(ops_admin, incident):
    services.incident_resolve(
        actor=ops_admin,
        incident=incident,
        resolution=IncidentResolution.RETURN_TO_DSP,
        idempotency_key=new_key(),
    )
    incident.package.refresh_from_db()
    assert incident.package.status == PackageStatus.RETURN_PENDING
    # a repeat is a no-op, a different decision is refused
    again = services.incident_resolve(
        actor=ops_admin,
        incident=incident,
        resolution=IncidentResolution.RETURN_TO_DSP,
        idempotency_key=new_key(),
    )
    assert again.replayed
    with pytest.raises(InvalidTransition, match="already resolved"):
        services.incident_resolve(
            actor=ops_admin,
            incident=incident,
            resolution=IncidentResolution.RE_ATTEMPT,
            idempotency_key=new_key(),
        )


def test_partner_cannot_resolve_incidents(partner_owner, incident):
    with pytest.raises(services.ActorNotAllowed):
        services.incident_resolve(
            actor=partner_owner,
            incident=incident,
            resolution=IncidentResolution.RE_ATTEMPT,
            idempotency_key=new_key(),
        )


# ------------------------------------------------------------------------------
# package_delivery_undo
# ------------------------------------------------------------------------------
def test_undo_within_15_minutes_restores_the_status(partner_owner, partner_staff, received):
    services.delivery_start(actor=partner_staff, package=received, idempotency_key=new_key())
    delivered = deliver(partner_staff, received)
    # when: 14 minutes later the owner undoes it
    with time_machine.travel(delivered.received_at + datetime.timedelta(minutes=14)):
        event = services.package_delivery_undo(
            actor=partner_owner, package=received, idempotency_key=new_key()
        )
    # then
    received.refresh_from_db()
    assert received.status == PackageStatus.OUT_FOR_DELIVERY
    assert event.event_type == PackageEventType.DELIVERY_UNDONE
    assert event.detail == {"undone_event": delivered.pk}
    assert DeliveryAttempt.objects.get(event=delivered).undone_at is not None


def test_undo_after_15_minutes_is_refused(partner_owner, received):
    delivered = deliver(partner_owner, received)
    with (
        time_machine.travel(delivered.received_at + datetime.timedelta(minutes=16)),
        pytest.raises(InvalidTransition, match="15 minutes"),
    ):
        services.package_delivery_undo(
            actor=partner_owner, package=received, idempotency_key=new_key()
        )
    received.refresh_from_db()
    assert received.status == PackageStatus.DELIVERED


def test_undo_of_an_undelivered_package_is_refused(partner_owner, received):
    with pytest.raises(InvalidTransition, match="not delivered"):
        services.package_delivery_undo(
            actor=partner_owner, package=received, idempotency_key=new_key()
        )


def test_other_partner_cannot_undo(partner_owner, other_partner, received):
    deliver(partner_owner, received)
    with pytest.raises(services.ActorNotAllowed):
        services.package_delivery_undo(
            actor=other_partner.owner, package=received, idempotency_key=new_key()
        )
