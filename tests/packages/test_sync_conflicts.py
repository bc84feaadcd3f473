"""Conflicts an offline phone meets on sync (issue 19), each refused by the batch with its
code, and the same input refused on the existing paths (the handoff or deliver page and the
single-event API): one rule, one place."""

from packages import services
from packages.models import LateEvent, Package, PackageStatus
from tests.packages.conftest import new_key
from tests.packages.sync_helpers import results_of, sync_as, sync_event
from tests.packages.test_parity_deliveries import by_api, by_page, text_of
from tests.packages.test_parity_handoffs import api_scan, close, page_scan


def deliver(actor, package) -> None:
    services.package_deliver(
        actor=actor, package=package, idempotency_key=new_key(), recipient_name="Ana"
    )


# ------------------------------------------------------------------------------
# Delivered by a teammate
# ------------------------------------------------------------------------------
def test_a_package_a_teammate_delivered_first_is_refused_by_the_batch(
    partner_owner, partner_staff, received
):
    # given a teammate delivered it from another phone while this one was offline
    deliver(partner_staff, received)
    # when this phone's delivery syncs
    event = sync_event("delivered", tracking_id=received.tracking_id, recipient_name="Bo")
    result = results_of(sync_as(partner_owner, event))[0]
    # then it is refused, in plain words naming the teammate
    assert (result["outcome"], result["code"], result["late"]) == (
        "refused",
        "delivered_by_teammate",
        False,
    )
    assert partner_staff.full_name in result["message"]
    assert result["what_to_do"]
    assert received.attempts.count() == 1


def test_a_package_a_teammate_delivered_first_is_refused_on_the_page_and_the_api(
    partner_owner, partner_staff, received
):
    # given
    deliver(partner_staff, received)
    # when the same delivery goes through the deliver page and the single-event API
    page = by_page(partner_owner, received, "delivered", recipient_name="Bo")
    api = by_api(partner_owner, received, "delivered", recipient_name="Bo")
    # then both refuse it: the package is already delivered
    already = f"Package {received.tracking_id} is already delivered."
    assert already in text_of(page)
    assert (api.status_code, api.json()["detail"]) == (409, already)
    assert received.attempts.count() == 1


def test_a_failed_attempt_on_a_package_a_teammate_delivered_is_refused(
    partner_owner, partner_staff, received
):
    deliver(partner_staff, received)
    event = sync_event("attempted", tracking_id=received.tracking_id, reason="unsafe")
    result = results_of(sync_as(partner_owner, event))[0]
    assert result["code"] == "delivered_by_teammate"
    assert not received.incidents.exists()


# ------------------------------------------------------------------------------
# Handoff closed
# ------------------------------------------------------------------------------
def test_a_scan_after_the_handoff_closed_is_refused_and_kept_for_ops(
    drop_off, dsp_driver, partner_owner, manifested
):
    # given the drop-off closed (from the other side's phone)
    close(drop_off, dsp_driver, partner_owner)
    # when a scan recorded offline before the close arrives
    event = sync_event("received", handoff=drop_off.pk, tracking_id=manifested[1].tracking_id)
    result = results_of(sync_as(dsp_driver, event))[0]
    # then refused, late, and kept with its device time for ops
    assert (result["outcome"], result["code"], result["late"]) == (
        "refused",
        "handoff_closed",
        True,
    )
    late = LateEvent.objects.get(client_id=event["client_id"])
    assert (late.handoff, late.partner, late.tracking_id) == (
        drop_off,
        drop_off.partner,
        manifested[1].tracking_id,
    )
    assert late.device_time.isoformat() == event["device_time"]
    assert (late.outcome, late.code) == ("refused", "handoff_closed")


def test_a_scan_after_the_handoff_closed_is_refused_on_the_page_and_the_api(
    drop_off, dsp_driver, partner_owner, manifested
):
    close(drop_off, dsp_driver, partner_owner)
    label = manifested[1].tracking_id
    page = page_scan(dsp_driver, drop_off, label, "received")
    api = api_scan(dsp_driver, drop_off, label, "received")
    assert page["kind"] == "error" and "closed" in page["text"]
    assert api.status_code == 409 and api.json()["detail"] == page["text"]


def test_a_late_event_sent_again_is_kept_once(drop_off, dsp_driver, partner_owner, manifested):
    close(drop_off, dsp_driver, partner_owner)
    event = sync_event("damaged", handoff=drop_off.pk, tracking_id=manifested[1].tracking_id)
    for _ in range(2):
        assert results_of(sync_as(dsp_driver, event))[0]["code"] == "handoff_closed"
    assert LateEvent.objects.filter(client_id=event["client_id"]).count() == 1


# ------------------------------------------------------------------------------
# Moved to another partner, and another partner's package
# ------------------------------------------------------------------------------
def move_to(package: Package, partner) -> None:
    """What an ops correction does: the package now belongs to another partner."""
    Package.objects.filter(pk=package.pk).update(partner=partner)


def test_a_package_moved_to_another_partner_is_refused_by_the_batch(
    partner_owner, received, other_partner
):
    # given the package this partner received was moved to another partner
    move_to(received, other_partner)
    # when
    event = sync_event("delivered", tracking_id=received.tracking_id, recipient_name="Ana")
    result = results_of(sync_as(partner_owner, event))[0]
    # then
    assert (result["outcome"], result["code"]) == ("refused", "package_moved")
    assert "moved to another partner" in result["message"]
    # and nothing is said about the partner that has it now
    assert other_partner.trade_name not in result["message"]
    received.refresh_from_db()
    assert received.status == PackageStatus.RECEIVED


def test_a_package_moved_to_another_partner_is_refused_on_the_page_and_the_api(
    partner_owner, received, other_partner
):
    move_to(received, other_partner)
    page = by_page(partner_owner, received, "delivered", recipient_name="Ana")
    api = by_api(partner_owner, received, "delivered", recipient_name="Ana")
    assert (page.status_code, api.status_code) == (404, 404)


def test_another_partners_package_is_not_allowed_by_the_batch(partner_owner, other_partner_package):
    event = sync_event(
        "delivered", tracking_id=other_partner_package.tracking_id, recipient_name="Ana"
    )
    result = results_of(sync_as(partner_owner, event))[0]
    assert (result["outcome"], result["code"]) == ("refused", "not_allowed")
    assert result["message"] == f"{other_partner_package.tracking_id} is not one of your packages."
    assert other_partner_package.partner.trade_name not in result["message"]


def test_a_label_that_exists_nowhere_gets_the_same_refusal(partner_owner):
    result = results_of(
        sync_as(partner_owner, sync_event("delivered", tracking_id="NO-SUCH", recipient_name="A"))
    )[0]
    assert (result["code"], result["message"]) == (
        "not_allowed",
        "NO-SUCH is not one of your packages.",
    )


def test_another_partners_package_is_refused_on_the_page_and_the_api(
    partner_owner, other_partner_package
):
    page = by_page(partner_owner, other_partner_package, "delivered", recipient_name="Ana")
    api = by_api(partner_owner, other_partner_package, "delivered", recipient_name="Ana")
    # then the pages' and the API's "not yours": 404, as if it did not exist
    assert (page.status_code, api.status_code) == (404, 404)
