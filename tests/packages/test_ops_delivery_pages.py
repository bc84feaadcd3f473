"""Ops pages over handoffs and deliveries: handoff list and detail, the incident queue and its
resolve actions, and a package's custody timeline."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from packages import services
from packages.models import IncidentStatus, PackageStatus
from tests.conftest import client_for
from tests.packages.conftest import new_key


@pytest.fixture
def incident(partner_owner, received):
    services.package_attempt(
        actor=partner_owner, package=received, reason="unsafe", idempotency_key=new_key()
    )
    return received.incidents.get()


def test_ops_handoff_list_and_detail_show_discrepancies_and_late_scans(
    reviewer, dsp_driver, drop_off, manifested
):
    services.package_mark_damaged(
        actor=dsp_driver,
        handoff=drop_off,
        tracking_id=manifested[0].tracking_id,
        idempotency_key=new_key(),
    )
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=45)):
        services.package_receive(
            actor=dsp_driver,
            handoff=drop_off,
            tracking_id=manifested[1].tracking_id,
            idempotency_key=new_key(),
        )
    client = client_for(reviewer)
    listing = client.get(reverse("packages:ops-handoffs")).content.decode()
    assert drop_off.partner.trade_name in listing
    detail = client.get(reverse("packages:ops-handoff", args=[drop_off.pk]))
    body = detail.content.decode()
    assert "Discrepancies" in body and "Late scan" in body
    assert detail.context["tallies"].late == 1


def test_ops_resolve_an_incident_with_a_re_attempt(reviewer, incident):
    client = client_for(reviewer)
    assert (
        incident.package.tracking_id
        in client.get(reverse("packages:ops-incidents")).content.decode()
    )
    client.post(
        reverse("packages:ops-incident-resolve", args=[incident.pk]),
        {"resolution": "re_attempt", "idempotency_key": new_key()},
    )
    incident.refresh_from_db()
    incident.package.refresh_from_db()
    assert incident.status == IncidentStatus.RESOLVED
    assert incident.package.status == PackageStatus.RECEIVED


def test_ops_resolve_an_incident_with_a_return_to_the_dsp(ops_admin, incident):
    client_for(ops_admin).post(
        reverse("packages:ops-incident-resolve", args=[incident.pk]),
        {"resolution": "return_to_dsp", "note": "Recipient moved", "idempotency_key": new_key()},
    )
    incident.package.refresh_from_db()
    assert incident.package.status == PackageStatus.RETURN_PENDING


def test_package_page_shows_the_whole_custody_timeline_in_local_time(reviewer, incident, partner):
    response = client_for(reviewer).get(
        reverse("packages:ops-package", args=[incident.package.tracking_id])
    )
    body = response.content.decode()
    assert [e.event_type for e in response.context["events"]] == ["received", "attempted"]
    assert "Server:" in body and "Device:" in body and partner.time_zone in body


@pytest.mark.parametrize("persona", ["partner_owner", "dsp_driver"])
def test_ops_pages_are_for_ops_only(request, persona, incident, drop_off):
    client = client_for(request.getfixturevalue(persona))
    urls = [
        reverse("packages:ops-handoffs"),
        reverse("packages:ops-handoff", args=[drop_off.pk]),
        reverse("packages:ops-incidents"),
        reverse("packages:ops-package", args=[incident.package.tracking_id]),
    ]
    for url in urls:
        assert client.get(url).status_code == 403
    response = client.post(
        reverse("packages:ops-incident-resolve", args=[incident.pk]),
        {"resolution": "re_attempt", "idempotency_key": new_key()},
    )
    assert response.status_code == 403
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.OPEN


def test_pages_are_linked_from_the_homes(partner_owner, reviewer, dsp_driver):
    assert (
        reverse("packages:today")
        in client_for(partner_owner).get(reverse("partners:partner-home")).content.decode()
    )
    ops_home = client_for(reviewer).get(reverse("partners:ops-home")).content.decode()
    assert reverse("packages:ops-incidents") in ops_home
    assert (
        reverse("packages:handoff-start")
        in client_for(dsp_driver).get(reverse("packages:driver-home")).content.decode()
    )


def test_ops_find_a_package_by_tracking_id(reviewer, received):
    response = client_for(reviewer).get(
        reverse("packages:ops-package-lookup"), {"tracking_id": f" {received.tracking_id} "}
    )
    assert response.url == reverse("packages:ops-package", args=[received.tracking_id])
    unknown = client_for(reviewer).get(reverse("packages:ops-package", args=["NOPE"]))
    assert unknown.status_code == 404
