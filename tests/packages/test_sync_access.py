"""Who may send a phone's outbox (issue 19): a partner's members for their partner's
packages, a driver for their DSP's handoffs; DSP system keys record no scans (as for the
single-event API); anonymous callers get 401; the session needs its CSRF token."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from packages.models import PackageEvent, PackageStatus
from tests.packages.conftest import api_client_with_token
from tests.packages.sync_helpers import results_of, sync_as, sync_event, sync_post


def test_anonymous_is_401(received):
    response = sync_post(APIClient(), sync_event("day_close"))
    assert response.status_code == 401


@pytest.mark.parametrize("key", ["dsp_token_key", "other_dsp_token_key"])
def test_a_dsp_system_key_records_nothing(request, key, drop_off, manifested):
    # given a DSP's key, its own DSP's or another's
    client = api_client_with_token(request.getfixturevalue(key))
    event = sync_event("received", handoff=drop_off.pk, tracking_id=manifested[1].tracking_id)
    # when / then: systems send manifests; people record scans
    response = sync_post(client, event)
    assert response.status_code == 403
    assert not PackageEvent.objects.filter(idempotency_key=event["client_id"]).exists()


def test_a_wrong_key_is_401(db):
    response = sync_post(api_client_with_token("not-a-key"), sync_event("day_close"))
    assert response.status_code == 401


def test_an_applicant_is_403(applicant):
    assert sync_as(applicant, sync_event("day_close")).status_code == 403


def test_a_session_without_its_csrf_token_is_403(partner_owner, received):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(partner_owner)
    event = sync_event("delivered", tracking_id=received.tracking_id, recipient_name="Ana")
    response = client.post(reverse("api-sync"), {"events": [event]}, format="json")
    assert response.status_code == 403
    received.refresh_from_db()
    assert received.status == PackageStatus.RECEIVED


def test_another_dsps_driver_may_not_scan_at_this_handoff(other_dsp_driver, drop_off, manifested):
    event = sync_event("received", handoff=drop_off.pk, tracking_id=manifested[1].tracking_id)
    result = results_of(sync_as(other_dsp_driver, event))[0]
    assert (result["outcome"], result["code"]) == ("refused", "not_allowed")
    assert result["late"] is False
    manifested[1].refresh_from_db()
    assert manifested[1].status == PackageStatus.MANIFESTED


def test_another_partners_member_may_not_confirm_this_handoff(other_partner, drop_off):
    event = sync_event("handoff_confirm", handoff=drop_off.pk)
    result = results_of(sync_as(other_partner.owner, event))[0]
    assert (result["outcome"], result["code"]) == ("refused", "not_allowed")
    drop_off.refresh_from_db()
    assert drop_off.partner_confirmed_at is None


def test_an_outsider_naming_a_closed_handoff_learns_nothing_of_it(
    other_dsp_driver, drop_off, dsp_driver, partner_owner
):
    from tests.packages.test_parity_handoffs import close

    close(drop_off, dsp_driver, partner_owner)
    result = results_of(
        sync_as(other_dsp_driver, sync_event("handoff_confirm", handoff=drop_off.pk))
    )[0]
    assert (result["code"], result["late"]) == ("not_allowed", False)


def test_a_driver_may_not_deliver_the_partners_packages(dsp_driver, received):
    event = sync_event("delivered", tracking_id=received.tracking_id, recipient_name="Ana")
    result = results_of(sync_as(dsp_driver, event))[0]
    assert (result["outcome"], result["code"]) == ("refused", "not_allowed")
    received.refresh_from_db()
    assert received.status == PackageStatus.RECEIVED


def test_a_driver_may_not_close_a_partners_day(dsp_driver, received):
    result = results_of(sync_as(dsp_driver, sync_event("day_close")))[0]
    assert (result["outcome"], result["code"]) == ("refused", "not_allowed")


def test_another_partners_member_may_not_undo_this_partners_delivery(other_partner, received):
    event = sync_event("delivery_undone", tracking_id=received.tracking_id)
    result = results_of(sync_as(other_partner.owner, event))[0]
    assert (result["outcome"], result["code"]) == ("refused", "not_allowed")


def test_staff_whose_background_check_is_not_clear_may_not_deliver(partner_staff, received):
    from partners.models import BackgroundCheck, PartnerMember

    PartnerMember.objects.filter(user=partner_staff).update(
        background_check=BackgroundCheck.NOT_CLEAR
    )
    event = sync_event("delivered", tracking_id=received.tracking_id, recipient_name="Ana")
    result = results_of(sync_as(partner_staff, event))[0]
    assert (result["code"], result["message"]) == (
        "not_allowed",
        "Your background check is not clear yet, so you cannot deliver packages. "
        "Ask the owner or ops about its status.",
    )
