"""The partner's day through HTTP: the list, delivering with each proof, attempts, undo,
photos, the background check, and the evening summary."""

import datetime
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts.roles import Role
from hubdelivery.exceptions import InvalidTransition
from packages import services
from packages.models import (
    DeliveryAttempt,
    HandoffDirection,
    Incident,
    IncidentStatus,
    Package,
    PackageEvent,
    PackageEventType,
    PackageStatus,
)
from partners.models import BackgroundCheck, MemberRole
from tests.conftest import client_for
from tests.factories import ManifestFactory, PackageFactory, PartnerMemberFactory, UserFactory
from tests.packages.conftest import new_key

HTMX = {"HTTP_HX_REQUEST": "true"}


def jpeg_upload(width=3000, height=2000, name="door.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def deliver(client, package, **proof):
    return client.post(
        reverse("packages:package-deliver", args=[package.tracking_id]),
        {"idempotency_key": new_key(), **proof},
    )


# ------------------------------------------------------------------------------
# The list
# ------------------------------------------------------------------------------
def test_today_lists_the_partners_packages_in_route_order(partner_owner, partner, dsp, today):
    manifest = ManifestFactory(dsp=dsp, partner=partner, service_date=today)
    second = PackageFactory(manifest=manifest, route_sequence=2, address_line="1 A St")
    first = PackageFactory(manifest=manifest, route_sequence=1, address_line="9 Z St")
    unrouted = PackageFactory(manifest=manifest, route_sequence=None, address_line="5 M St")
    PackageFactory(
        manifest=ManifestFactory(
            dsp=dsp, partner=partner, service_date=today + datetime.timedelta(days=1)
        )
    )
    response = client_for(partner_owner).get(reverse("packages:today"))
    assert [p.pk for p in response.context["packages"]] == [first.pk, second.pk, unrouted.pk]
    assert response.context["summary"].total == 3
    assert "Evening summary" in response.content.decode()


def test_staff_see_the_same_list_without_the_owners_summary(partner_staff, received):
    response = client_for(partner_staff).get(reverse("packages:today"))
    assert received in response.context["packages"]
    assert "Evening summary" not in response.content.decode()


# ------------------------------------------------------------------------------
# Deliver: label first, then proof
# ------------------------------------------------------------------------------
def test_label_scan_confirms_the_package_and_shows_the_proof_form(partner_owner, received):
    response = client_for(partner_owner).get(
        reverse("packages:deliver-check"), {"tracking_id": received.tracking_id}, **HTMX
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert received.tracking_id in body and "Delivered" in body
    assert 'name="photo"' in body and 'name="recipient_name"' in body


def test_label_of_another_partners_package_is_not_found(partner_owner, other_partner_package):
    client = client_for(partner_owner)
    url = reverse("packages:deliver-check")
    htmx = client.get(url, {"tracking_id": other_partner_package.tracking_id}, **HTMX)
    assert "is not one of your packages" in htmx.content.decode()
    assert client.get(url, {"tracking_id": other_partner_package.tracking_id}).status_code == 404


def test_deliver_with_the_recipients_name(partner_owner, received):
    response = deliver(client_for(partner_owner), received, recipient_name="Ana Diaz")
    assert response.status_code == 302
    received.refresh_from_db()
    assert received.status == PackageStatus.DELIVERED
    assert DeliveryAttempt.objects.get(package=received).recipient_name == "Ana Diaz"


def test_deliver_with_a_safe_place_note(partner_staff, received):
    deliver(client_for(partner_staff), received, safe_place_note="Behind the blue gate")
    attempt = DeliveryAttempt.objects.get(package=received)
    assert attempt.safe_place_note == "Behind the blue gate"


def test_deliver_with_a_photo_resizes_it_and_serves_it_privately(
    partner_owner, received, reviewer, dsp_driver, other_partner
):
    deliver(client_for(partner_owner), received, photo=jpeg_upload())
    attempt = DeliveryAttempt.objects.get(package=received)
    # then the stored photo is a JPEG at most 1600 px on its longest side
    with Image.open(attempt.photo.path) as stored:
        assert stored.format == "JPEG" and max(stored.size) == 1600
    url = reverse("packages:proof-photo", args=[attempt.pk])
    # and the today page links it, and only the partner and ops may see it
    assert url in client_for(partner_owner).get(reverse("packages:today")).content.decode()
    assert client_for(partner_owner).get(url).status_code == 200
    assert client_for(reviewer).get(url)["Content-Type"] == "image/jpeg"
    assert client_for(other_partner.owner).get(url).status_code == 404
    assert client_for(dsp_driver).get(url).status_code == 404


def test_a_file_that_is_not_an_image_is_refused(partner_owner, received):
    fake = SimpleUploadedFile("door.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    response = deliver(client_for(partner_owner), received, photo=fake)
    assert response.status_code == 400
    assert "must be a JPEG" in response.content.decode()
    received.refresh_from_db()
    assert received.status == PackageStatus.RECEIVED


def test_deliver_without_proof_is_refused(partner_owner, received):
    response = deliver(client_for(partner_owner), received)
    assert response.status_code == 400
    assert "Give a proof of delivery" in response.content.decode()


def test_staff_without_a_clear_background_check_cannot_deliver(partner, received):
    pending = UserFactory(email="pending@mail.test", roles=[Role.PARTNER_STAFF])
    PartnerMemberFactory(
        partner=partner,
        user=pending,
        role=MemberRole.STAFF,
        background_check=BackgroundCheck.PENDING,
    )
    client = client_for(pending)
    page = client.get(reverse("packages:today")).content.decode()
    assert "background check is not clear" in page
    response = deliver(client, received, recipient_name="Ana Diaz")
    assert response.status_code == 403
    assert "background check is not clear" in response.content.decode()
    received.refresh_from_db()
    assert received.status == PackageStatus.RECEIVED


# ------------------------------------------------------------------------------
# Attempt and undo
# ------------------------------------------------------------------------------
def test_attempt_with_a_reason_opens_an_incident(partner_owner, received):
    response = client_for(partner_owner).post(
        reverse("packages:package-attempt", args=[received.tracking_id]),
        {"idempotency_key": new_key(), "reason": "no_access", "note": "Gate locked"},
    )
    assert response.status_code == 302
    incident = Incident.objects.get(package=received)
    assert incident.status == IncidentStatus.OPEN and incident.reason == "no_access"


def test_undo_within_15_minutes(partner_owner, received):
    client = client_for(partner_owner)
    deliver(client, received, recipient_name="Ana Diaz")
    assert "Undo delivery of" in client.get(reverse("packages:today")).content.decode()
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=14)):
        client.post(
            reverse("packages:package-undo", args=[received.tracking_id]),
            {"idempotency_key": new_key()},
        )
    received.refresh_from_db()
    assert received.status == PackageStatus.RECEIVED


def test_undo_after_15_minutes_is_refused(partner_owner, received):
    client = client_for(partner_owner)
    deliver(client, received, recipient_name="Ana Diaz")
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=16)):
        assert "Undo delivery of" not in client.get(reverse("packages:today")).content.decode()
        response = client.post(
            reverse("packages:package-undo", args=[received.tracking_id]),
            {"idempotency_key": new_key()},
            follow=True,
        )
    assert "only be undone within 15 minutes" in response.content.decode()
    received.refresh_from_db()
    assert received.status == PackageStatus.DELIVERED


# ------------------------------------------------------------------------------
# End of day
# ------------------------------------------------------------------------------
def test_end_of_day_says_what_is_still_open(partner_owner, received, manifested):
    client = client_for(partner_owner)
    page = client.get(reverse("packages:today")).content.decode()
    assert "3 packages still open" in page
    for package in manifested[1:]:
        package.status = PackageStatus.RETURN_PENDING
        package.save()
    deliver(client, received, recipient_name="Ana Diaz")
    page = client.get(reverse("packages:today")).content.decode()
    assert "Every package is delivered or queued for return" in page


def close_day(client, key=None, **form):
    return client.post(
        reverse("packages:day-close"),
        {"idempotency_key": key or new_key(), **form},
    )


def test_closing_the_day_keeps_what_is_still_held_for_the_return(
    partner_staff, partner, received, manifested, dsp, today
):
    # given one package in custody, one out for delivery, one still with the DSP (manifested)
    client = client_for(partner_staff)
    out = manifested[1]
    out.status = PackageStatus.OUT_FOR_DELIVERY
    out.save()
    assert "Keep 2 for the return" in client.get(reverse("packages:today")).content.decode()
    # when a member ticks that they are in the secure storage area and closes the day
    response = close_day(client, kept_safe="on")
    # then both held packages are queued for the return handoff, each with its event
    assert response.status_code == 302
    statuses = {p.pk: p.status for p in Package.objects.filter(partner=partner)}
    assert statuses[received.pk] == statuses[out.pk] == PackageStatus.RETURN_PENDING
    assert statuses[manifested[2].pk] == PackageStatus.MANIFESTED
    events = PackageEvent.objects.filter(event_type=PackageEventType.QUEUED_FOR_RETURN)
    assert {(e.package_id, e.from_status, e.actor_id) for e in events} == {
        (received.pk, PackageStatus.RECEIVED, partner_staff.pk),
        (out.pk, PackageStatus.OUT_FOR_DELIVERY, partner_staff.pk),
    }
    page = client.get(reverse("packages:today")).content.decode()
    assert "2 packages kept for the driver" in page
    assert "Keep 2 for the return" not in page


def test_closing_the_day_without_the_storage_tick_changes_nothing(partner_owner, received):
    response = close_day(client_for(partner_owner))
    assert response.status_code == 400
    assert "secure storage area, then tick" in response.content.decode()
    received.refresh_from_db()
    assert received.status == PackageStatus.RECEIVED


def test_a_retried_close_answers_with_the_first_result(partner_owner, received):
    client = client_for(partner_owner)
    key = new_key()
    close_day(client, key, kept_safe="on")
    # when the phone retries the same request after the package was queued
    response = close_day(client, key, kept_safe="on")
    # then it says the same, and nothing more is written
    assert response.status_code == 302
    assert "1 package kept for the driver" in client.get(reverse("packages:today")).content.decode()
    assert PackageEvent.objects.filter(event_type=PackageEventType.QUEUED_FOR_RETURN).count() == 1


def test_queued_packages_go_back_at_the_return_handoff(
    partner_owner, dsp_driver, received, return_handoff
):
    # given the day was closed with a package kept for the return
    close_day(client_for(partner_owner), kept_safe="on")
    # when the driver scans it at the return handoff
    services.package_return_to_dsp(
        actor=dsp_driver,
        handoff=return_handoff,
        tracking_id=received.tracking_id,
        idempotency_key=new_key(),
    )
    # then it is back with the DSP
    received.refresh_from_db()
    assert received.status == PackageStatus.RETURNED


def test_another_partners_member_cannot_close_this_partners_day(other_partner, received):
    # when another partner's owner closes their own (empty) day
    response = close_day(client_for(other_partner.owner), kept_safe="on")
    # then this partner's package is untouched
    assert response.status_code == 302
    received.refresh_from_db()
    assert received.status == PackageStatus.RECEIVED


@pytest.mark.parametrize("outsider", ["dsp_driver", "reviewer", "applicant"])
def test_only_partner_members_close_a_day(request, outsider, received):
    response = close_day(client_for(request.getfixturevalue(outsider)), kept_safe="on")
    assert response.status_code in (302, 403)
    if response.status_code == 302:  # sent to log in or to their own home, never served
        assert "today" not in response.headers["Location"]
    received.refresh_from_db()
    assert received.status == PackageStatus.RECEIVED


def test_queue_for_return_refuses_a_delivered_package(partner_owner, received):
    services.package_deliver(
        actor=partner_owner, package=received, idempotency_key=new_key(), recipient_name="Ana"
    )
    with pytest.raises(InvalidTransition, match="only packages still to deliver"):
        services.package_queue_for_return(
            actor=partner_owner, package=received, idempotency_key=new_key()
        )


# ------------------------------------------------------------------------------
# Access: another partner's member gets a 404 for every package URL
# ------------------------------------------------------------------------------
@pytest.mark.parametrize("url_name", ["package-deliver", "package-attempt", "package-undo"])
def test_another_partners_member_gets_404(other_partner, received, url_name):
    response = client_for(other_partner.owner).post(
        reverse(f"packages:{url_name}", args=[received.tracking_id]),
        {"idempotency_key": new_key(), "recipient_name": "X", "reason": "unsafe"},
    )
    assert response.status_code == 404
    received.refresh_from_db()
    assert received.status == PackageStatus.RECEIVED


@pytest.mark.parametrize("outsider", ["dsp_driver", "other_dsp_driver", "other_partner"])
def test_every_package_url_is_404_for_drivers_and_other_partners(request, outsider, received):
    """The package's own DSP's driver included: delivering is the partner's business."""
    user = request.getfixturevalue(outsider)
    client = client_for(user.owner if outsider == "other_partner" else user)
    form = {"idempotency_key": new_key(), "recipient_name": "X", "reason": "unsafe"}
    for url_name in ("package-deliver", "package-attempt", "package-undo"):
        url = reverse(f"packages:{url_name}", args=[received.tracking_id])
        assert client.post(url, form).status_code == 404, url_name
    check = client.get(reverse("packages:deliver-check"), {"tracking_id": received.tracking_id})
    assert check.status_code == 404
    received.refresh_from_db()
    assert received.status == PackageStatus.RECEIVED


@pytest.mark.parametrize("outsider", ["dsp_driver", "other_dsp_driver", "other_partner"])
def test_proof_photo_is_404_for_drivers_and_other_partners(
    request, outsider, partner_owner, received
):
    deliver(client_for(partner_owner), received, photo=jpeg_upload(400, 300))
    attempt = DeliveryAttempt.objects.get(package=received)
    user = request.getfixturevalue(outsider)
    client = client_for(user.owner if outsider == "other_partner" else user)
    assert client.get(reverse("packages:proof-photo", args=[attempt.pk])).status_code == 404


def test_drivers_have_no_today_page(dsp_driver):
    assert client_for(dsp_driver).get(reverse("packages:today")).status_code == 403


# ------------------------------------------------------------------------------
# Constant queries
# ------------------------------------------------------------------------------
@pytest.mark.parametrize("size", [10, 100])
def test_today_page_renders_in_constant_queries(
    size, partner_owner, partner, dsp, dsp_driver, today, django_assert_max_num_queries
):
    manifest = ManifestFactory(dsp=dsp, partner=partner, service_date=today)
    packages = PackageFactory.create_batch(size, manifest=manifest)
    handoff = services.handoff_open(
        actor=dsp_driver,
        partner=partner,
        dsp=dsp,
        direction=HandoffDirection.DROP_OFF,
        service_date=today,
        idempotency_key=new_key(),
    ).handoff
    for package in packages[:4]:
        services.package_receive(
            actor=dsp_driver,
            handoff=handoff,
            tracking_id=package.tracking_id,
            idempotency_key=new_key(),
        )
    services.package_deliver(
        actor=partner_owner,
        package=packages[0],
        photo=jpeg_upload(40, 30),
        idempotency_key=new_key(),
    )
    services.package_attempt(
        actor=partner_owner, package=packages[1], reason="unsafe", idempotency_key=new_key()
    )
    client = client_for(partner_owner)
    with django_assert_max_num_queries(7):
        response = client.get(reverse("packages:today"))
    assert len(response.context["packages"]) == size


def test_a_resent_delivery_form_is_answered_once(partner_owner, received):
    """Without JavaScript the page's own key goes with the form: sending it twice (a double
    tap, a retry on a bad connection) delivers once and writes one event."""
    client = client_for(partner_owner)
    form = {"idempotency_key": new_key(), "recipient_name": "Ana Diaz"}
    url = reverse("packages:package-deliver", args=[received.tracking_id])
    first, second = client.post(url, form), client.post(url, form)
    assert first.status_code == second.status_code == 302
    assert received.events.filter(event_type="delivered").count() == 1
    assert DeliveryAttempt.objects.filter(package=received).count() == 1


def test_each_undo_form_carries_its_own_key_without_javascript(
    partner_owner, dsp_driver, drop_off, manifested, received
):
    services.package_receive(
        actor=dsp_driver,
        handoff=drop_off,
        tracking_id=manifested[1].tracking_id,
        idempotency_key=new_key(),
    )
    client = client_for(partner_owner)
    for package in manifested[:2]:
        deliver(client, package, recipient_name="Ana Diaz")
    # when the owner undoes both with the keys the page holds
    page = client.get(reverse("packages:today"))
    keys = {p.tracking_id: p.undo_key for p in page.context["packages"] if p.undo_key}
    assert len(set(keys.values())) == 2
    # (every other row has None: a row without the attribute costs the template exceptions)
    assert {p.undo_key for p in page.context["packages"] if p.tracking_id not in keys} == {None}
    for tracking_id, key in keys.items():
        client.post(reverse("packages:package-undo", args=[tracking_id]), {"idempotency_key": key})
    # then both are undone
    for package in manifested[:2]:
        package.refresh_from_db()
        assert package.status == PackageStatus.RECEIVED


# ------------------------------------------------------------------------------
# A package's history, for the partner
# ------------------------------------------------------------------------------
def test_a_member_follows_a_package_from_the_list_to_its_custody_timeline(
    partner_staff, partner, received, drop_off
):
    # given the package was received and then delivered with a photo
    client = client_for(partner_staff)
    deliver(client, received, photo=jpeg_upload(), recipient_name="Ana Diaz")
    # when staff open it from today's list
    today_page = client.get(reverse("packages:today")).content.decode()
    url = reverse("packages:package-history", args=[received.tracking_id])
    assert f'href="{url}"' in today_page
    response = client.get(url)
    # then every step shows, in the partner's time zone, with the proof and the handoff
    body = response.content.decode()
    assert response.status_code == 200
    assert "Received at the handoff" in body and "Delivered" in body
    assert "→ At the partner" in body
    assert partner.time_zone in body
    assert reverse("packages:handoff", args=[drop_off.pk]) in body
    attempt = DeliveryAttempt.objects.get(package=received)
    assert reverse("packages:proof-photo", args=[attempt.pk]) in body
    assert "handed to Ana Diaz" in body


def test_the_package_history_keeps_a_constant_number_of_queries(
    partner_owner, received, django_assert_max_num_queries
):
    client = client_for(partner_owner)
    url = reverse("packages:package-history", args=[received.tracking_id])
    with django_assert_max_num_queries(7):
        client.get(url)
    for _ in range(4):  # deliver and undo: two more events each time
        deliver(client, received, recipient_name="Ana")
        services.package_delivery_undo(
            actor=partner_owner, package=received, idempotency_key=new_key()
        )
    with django_assert_max_num_queries(7):
        response = client.get(url)
    assert response.content.decode().count("Delivery undone") == 4
