"""The morning handoff and the return, through HTTP (htmx requests included)."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from packages import services
from packages.models import (
    Handoff,
    HandoffDirection,
    HandoffOutcome,
    Package,
    PackageEvent,
    PackageStatus,
)
from tests.conftest import client_for
from tests.factories import ManifestFactory, PackageFactory
from tests.packages.conftest import new_key

HTMX = {"HTTP_HX_REQUEST": "true"}


def scan(client, handoff, tracking_id, action="receive", **extra):
    return client.post(
        reverse("packages:handoff-scan", args=[handoff.pk]),
        {"tracking_id": tracking_id, "action": action, "idempotency_key": new_key()},
        **HTMX,
        **extra,
    )


# ------------------------------------------------------------------------------
# Opening
# ------------------------------------------------------------------------------
def test_driver_picks_the_partner_from_todays_manifests_and_opens_the_drop_off(
    dsp_driver, partner, manifested
):
    client = client_for(dsp_driver)
    # given the start page lists the partner with a manifest today
    page = client.get(reverse("packages:handoff-start"))
    assert partner.trade_name in page.content.decode()
    # when the driver opens the drop-off
    response = client.post(
        reverse("packages:handoff-start"),
        {"partner": partner.pk, "direction": "drop_off", "idempotency_key": new_key()},
    )
    # then the handoff page opens with the expected count
    handoff = Handoff.objects.get(partner=partner)
    assert response.url == reverse("packages:handoff", args=[handoff.pk])
    assert handoff.expected == 3
    assert handoff.direction == HandoffDirection.DROP_OFF


def test_partner_opens_the_drop_off_with_its_dsp(partner_owner, partner, dsp, manifested):
    client = client_for(partner_owner)
    response = client.post(
        reverse("packages:handoff-start"),
        {"dsp": dsp.pk, "direction": "drop_off", "idempotency_key": new_key()},
    )
    handoff = Handoff.objects.get(partner=partner)
    assert response.status_code == 302
    assert handoff.opened_by == partner_owner


def test_driver_cannot_open_a_handoff_for_a_partner_without_a_manifest(
    dsp_driver, other_partner, manifested
):
    response = client_for(dsp_driver).post(
        reverse("packages:handoff-start"),
        {"partner": other_partner.pk, "direction": "drop_off", "idempotency_key": new_key()},
    )
    assert response.status_code == 200
    assert not Handoff.objects.exists()


# ------------------------------------------------------------------------------
# Scanning
# ------------------------------------------------------------------------------
def test_scan_of_a_known_label_answers_received_with_live_counters(
    dsp_driver, drop_off, manifested
):
    # when the driver scans a label on the manifest
    response = scan(client_for(dsp_driver), drop_off, manifested[0].tracking_id)
    # then the answer and the out-of-band counters come back at once
    body = response.content.decode()
    assert response.status_code == 200
    assert "Received" in body
    assert 'id="handoff-counters" hx-swap-oob="true"' in body
    manifested[0].refresh_from_db()
    assert manifested[0].status == PackageStatus.RECEIVED
    drop_off.refresh_from_db()
    assert (drop_off.expected, drop_off.received) == (3, 1)


def test_scan_of_an_unknown_label_answers_not_on_this_manifest(partner_owner, drop_off):
    response = scan(client_for(partner_owner), drop_off, "NOT-OURS-1")
    assert "Not on this manifest" in response.content.decode()
    drop_off.refresh_from_db()
    assert drop_off.unexpected == 1
    assert drop_off.items.get().outcome == HandoffOutcome.UNEXPECTED


def test_repeated_scan_answers_already_scanned_and_counts_once(dsp_driver, drop_off, manifested):
    client = client_for(dsp_driver)
    scan(client, drop_off, manifested[0].tracking_id)
    # when the same label is scanned again (a new key, as a second scan has)
    response = scan(client, drop_off, manifested[0].tracking_id)
    # then it is answered as a repeat and nothing counts twice
    assert "Already scanned" in response.content.decode()
    drop_off.refresh_from_db()
    assert drop_off.received == 1
    assert PackageEvent.objects.filter(package=manifested[0]).count() == 1


def test_scan_without_javascript_redirects_back_with_the_answer(dsp_driver, drop_off, manifested):
    client = client_for(dsp_driver)
    response = client.post(
        reverse("packages:handoff-scan", args=[drop_off.pk]),
        {"tracking_id": manifested[1].tracking_id, "idempotency_key": new_key()},
        follow=True,
    )
    assert f"{manifested[1].tracking_id}: Received" in response.content.decode()


def test_marking_damaged_and_missing(partner_owner, drop_off, manifested):
    client = client_for(partner_owner)
    # when one label is scanned damaged and another marked missing
    damaged = scan(client, drop_off, manifested[0].tracking_id, action="damaged")
    missing = scan(client, drop_off, manifested[1].tracking_id, action="missing")
    # then both answers come back and the counters move
    assert "Marked damaged" in damaged.content.decode()
    assert "Marked missing" in missing.content.decode()
    drop_off.refresh_from_db()
    assert (drop_off.damaged, drop_off.missing) == (1, 1)
    statuses = set(Package.objects.values_list("status", flat=True))
    assert {PackageStatus.DAMAGED, PackageStatus.MISSING} <= statuses


def test_scan_after_30_minutes_is_shown_late(dsp_driver, drop_off, manifested):
    client = client_for(dsp_driver)
    scan(client, drop_off, manifested[0].tracking_id)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=31)):
        response = scan(client, drop_off, manifested[1].tracking_id)
    body = response.content.decode()
    assert body.count("chip-late") == 1
    assert response.context["tallies"].late == 1
    page = client.get(reverse("packages:handoff", args=[drop_off.pk]))
    assert page.context["tallies"].late == 1


# ------------------------------------------------------------------------------
# Confirming
# ------------------------------------------------------------------------------
def test_both_sides_confirm_on_their_own_log_ins_and_the_handoff_closes(
    dsp_driver, partner_owner, drop_off, manifested
):
    driver, owner = client_for(dsp_driver), client_for(partner_owner)
    scan(driver, drop_off, manifested[0].tracking_id)
    scan(driver, drop_off, "STRAY-1")
    confirm_url = reverse("packages:handoff-confirm", args=[drop_off.pk])
    # when the driver confirms, the handoff waits for the partner
    driver.post(confirm_url, {"idempotency_key": new_key()})
    drop_off.refresh_from_db()
    assert drop_off.is_open and drop_off.driver_confirmed_by == dsp_driver
    page = owner.get(reverse("packages:handoff", args=[drop_off.pk]))
    assert "Confirm as partner" in page.content.decode()
    # and when the partner confirms on its own log-in
    response = owner.post(confirm_url, {"idempotency_key": new_key()}, follow=True)
    # then it closes with its counts and discrepancies
    drop_off.refresh_from_db()
    assert not drop_off.is_open
    assert drop_off.partner_confirmed_by == partner_owner
    assert (drop_off.received, drop_off.missing, drop_off.unexpected) == (1, 2, 1)
    body = response.content.decode()
    assert "Both sides confirmed" in body
    assert "Discrepancies" in body and "STRAY-1" in body


def test_scan_on_a_closed_handoff_is_refused_with_a_message(
    dsp_driver, partner_owner, drop_off, manifested
):
    for user in (dsp_driver, partner_owner):
        services.handoff_confirm(actor=user, handoff=drop_off, idempotency_key=new_key())
    response = scan(client_for(dsp_driver), drop_off, manifested[0].tracking_id)
    assert "closed" in response.content.decode()


# ------------------------------------------------------------------------------
# The return handoff
# ------------------------------------------------------------------------------
@pytest.fixture
def queued_for_return(partner, dsp, today):
    """Two packages of yesterday's manifest, queued for return, and the next morning."""
    manifest = ManifestFactory(
        dsp=dsp, partner=partner, service_date=today - datetime.timedelta(days=1)
    )
    return PackageFactory.create_batch(2, manifest=manifest, status=PackageStatus.RETURN_PENDING)


def test_return_handoff_takes_back_what_is_scanned_and_flags_the_rest(
    dsp_driver, partner_owner, partner, queued_for_return
):
    driver = client_for(dsp_driver)
    # given the driver opens the return (the partner has yesterday's manifest)
    driver.post(
        reverse("packages:handoff-start"),
        {"partner": partner.pk, "direction": "return", "idempotency_key": new_key()},
    )
    handoff = Handoff.objects.get(direction=HandoffDirection.RETURN)
    assert handoff.expected == 2
    # when one of the two packages is scanned back and both sides confirm
    response = scan(driver, handoff, queued_for_return[0].tracking_id)
    assert "Handed back" in response.content.decode()
    for client in (driver, client_for(partner_owner)):
        client.post(
            reverse("packages:handoff-confirm", args=[handoff.pk]), {"idempotency_key": new_key()}
        )
    # then the scanned one is returned, the other stays with the partner and is flagged
    handoff.refresh_from_db()
    assert not handoff.is_open and (handoff.received, handoff.missing) == (1, 1)
    statuses = {p.tracking_id: p.status for p in Package.objects.all()}
    assert statuses[queued_for_return[0].tracking_id] == PackageStatus.RETURNED
    assert statuses[queued_for_return[1].tracking_id] == PackageStatus.RETURN_PENDING
    page = driver.get(reverse("packages:handoff", args=[handoff.pk])).content.decode()
    assert "Not handed back" in page and queued_for_return[1].tracking_id in page


def test_damaged_button_is_refused_on_a_return(dsp_driver, partner, dsp, today, queued_for_return):
    # given an open return
    handoff = services.handoff_open(
        actor=dsp_driver,
        partner=partner,
        dsp=dsp,
        direction=HandoffDirection.RETURN,
        service_date=today,
        idempotency_key=new_key(),
    ).handoff
    # when the damaged button is pressed there
    response = scan(client_for(dsp_driver), handoff, queued_for_return[0].tracking_id, "damaged")
    # then the service refuses it (the page no longer decides) and nothing changes
    assert response.context["answer"]["kind"] == "error"
    assert "at a drop-off" in response.context["answer"]["text"]
    queued_for_return[0].refresh_from_db()
    assert queued_for_return[0].status == PackageStatus.RETURN_PENDING


# ------------------------------------------------------------------------------
# Access: another partner's member or another DSP's driver gets a 404
# ------------------------------------------------------------------------------
@pytest.mark.parametrize("outsider", ["other_dsp_driver", "other_partner"])
@pytest.mark.parametrize(
    ("method", "url_name"),
    [
        ("get", "packages:handoff"),
        ("post", "packages:handoff-scan"),
        ("post", "packages:handoff-confirm"),
    ],
)
def test_outsiders_get_404_for_every_handoff_url(
    request, drop_off, manifested, outsider, method, url_name
):
    user = request.getfixturevalue(outsider)
    user = user.owner if outsider == "other_partner" else user
    url = reverse(url_name, args=[drop_off.pk])
    data = {"tracking_id": manifested[0].tracking_id, "idempotency_key": new_key()}
    response = getattr(client_for(user), method)(url, data if method == "post" else None)
    assert response.status_code == 404
    manifested[0].refresh_from_db()
    assert manifested[0].status == PackageStatus.MANIFESTED


# ------------------------------------------------------------------------------
# Constant queries
# ------------------------------------------------------------------------------
@pytest.mark.parametrize("size", [10, 100])
def test_handoff_page_renders_in_constant_queries(
    size, dsp_driver, partner, dsp, today, django_assert_max_num_queries
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
    for package in packages[: size // 2]:
        services.package_receive(
            actor=dsp_driver,
            handoff=handoff,
            tracking_id=package.tracking_id,
            idempotency_key=new_key(),
        )
    client = client_for(dsp_driver)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("packages:handoff", args=[handoff.pk]))
    assert response.status_code == 200
    assert len(response.context["items"]) == size // 2


def test_an_empty_scan_is_answered_with_a_hint(dsp_driver, drop_off):
    response = scan(client_for(dsp_driver), drop_off, "")
    assert "Scan or type a tracking id" in response.content.decode()
    drop_off.refresh_from_db()
    assert drop_off.received == drop_off.unexpected == 0


def test_start_page_asks_for_the_return_first(
    dsp_driver, partner_owner, partner, queued_for_return
):
    for user in (dsp_driver, partner_owner):
        page = client_for(user).get(reverse("packages:handoff-start")).content.decode()
        assert "Hand these back first" in page
        assert f"{partner.trade_name}: 2 packages queued for return" in page


def test_other_dsps_driver_sees_no_return_queue(other_dsp_driver, queued_for_return):
    page = client_for(other_dsp_driver).get(reverse("packages:handoff-start")).content.decode()
    assert "Hand these back first" not in page


def handoff_half_scanned(*, size, driver, partner, dsp, today):
    """An open drop-off of `size` packages, the first half scanned in."""
    manifest = ManifestFactory(dsp=dsp, partner=partner, service_date=today)
    packages = PackageFactory.create_batch(size, manifest=manifest)
    handoff = services.handoff_open(
        actor=driver,
        partner=partner,
        dsp=dsp,
        direction=HandoffDirection.DROP_OFF,
        service_date=today,
        idempotency_key=new_key(),
    ).handoff
    for package in packages[: size // 2]:
        services.package_receive(
            actor=driver,
            handoff=handoff,
            tracking_id=package.tracking_id,
            idempotency_key=new_key(),
        )
    return handoff, packages


@pytest.mark.parametrize("size", [10, 60])
def test_scan_answer_takes_13_statements_whatever_the_handoff_size(
    size, partner_owner, dsp_driver, partner, dsp, today, django_assert_num_queries
):
    # given an open drop-off half scanned in
    handoff, packages = handoff_half_scanned(
        size=size, driver=dsp_driver, partner=partner, dsp=dsp, today=today
    )
    client = client_for(partner_owner)
    # when the partner scans one more label with htmx
    # then 13 statements: session, user, roles (3); the key's earlier event, savepoint (2); the
    # handoff locked with the actor's side, the package locked with its item (2); package,
    # item, counters, event, release (5); the changed row with the tallies (1)
    with django_assert_num_queries(13):
        response = scan(client, handoff, packages[-1].tracking_id)
    assert response.context["tallies"].scanned == size // 2 + 1


def test_scan_answer_swaps_only_the_changed_row_and_the_counters(
    partner_owner, dsp_driver, partner, dsp, today
):
    # given a drop-off of 10 packages, 5 scanned in
    handoff, packages = handoff_half_scanned(
        size=10, driver=dsp_driver, partner=partner, dsp=dsp, today=today
    )
    # when the partner scans the last label
    response = scan(client_for(partner_owner), handoff, packages[-1].tracking_id)
    body = response.content.decode()
    # then the answer carries the counters, the one new row (into the top of the list) and
    # the removal of its "still to scan" row, and no other package's row
    assert 'id="handoff-counters" hx-swap-oob="true"' in body
    assert 'hx-swap-oob="afterbegin:#scan-list"' in body
    assert f'<li id="expected-{packages[-1].pk}" hx-swap-oob="delete">' in body
    assert '<span id="still-count" hx-swap-oob="true" data-count="still">4</span>' in body
    assert '<span id="scanned-count" hx-swap-oob="true" data-count="scanned">6</span>' in body
    assert body.count("<li") == 2
    assert packages[-1].tracking_id in body
    for other in packages[:-1]:
        assert other.tracking_id not in body
    assert 'id="handoff-items"' not in body


def test_scan_answer_replaces_the_row_of_a_package_marked_damaged_after_it_was_received(
    partner_owner, drop_off, manifested
):
    # given a package scanned in at the drop-off
    client = client_for(partner_owner)
    scan(client, drop_off, manifested[0].tracking_id)
    item = drop_off.items.get()
    # when the partner marks it damaged
    response = scan(client, drop_off, manifested[0].tracking_id, action="damaged")
    body = response.content.decode()
    # then its row is swapped in place (no second row, no still-to-scan change)
    assert f'<li id="item-{item.pk}" hx-swap-oob="true" ' in body
    assert "afterbegin" not in body
    assert "still-count" not in body
    assert "chip-damaged" in body


def test_repeated_scan_answer_swaps_the_counters_and_no_row(dsp_driver, drop_off, manifested):
    client = client_for(dsp_driver)
    scan(client, drop_off, manifested[0].tracking_id)
    # when the same label is scanned again
    response = scan(client, drop_off, manifested[0].tracking_id)
    body = response.content.decode()
    # then the counters come back current, with no row
    assert "Already scanned" in body
    assert 'id="handoff-counters" hx-swap-oob="true"' in body
    assert "<li" not in body
    assert response.context["tallies"].scanned == 1


def test_scan_without_javascript_still_records_and_redirects_with_the_answer(
    partner_owner, drop_off, manifested
):
    # when the form posts without htmx
    response = client_for(partner_owner).post(
        reverse("packages:handoff-scan", args=[drop_off.pk]),
        {"tracking_id": manifested[2].tracking_id, "idempotency_key": new_key()},
    )
    # then the scan is recorded and the page is shown again
    assert response.status_code == 302
    assert response.url == reverse("packages:handoff", args=[drop_off.pk])
    manifested[2].refresh_from_db()
    assert manifested[2].status == PackageStatus.RECEIVED
