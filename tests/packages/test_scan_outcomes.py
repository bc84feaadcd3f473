"""A scan's outcome at a handoff, stated once (packages.scan_outcomes): the services decide by
it, and the handoff page hands it to the phone, whose offline counters (outbox.js) count by
it. These tests run every state a label can reach through the real services and hold the
table to what they did, so a service's rule cannot change without the table."""

import collections
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from hubdelivery.exceptions import DomainError
from packages import services
from packages.models import (
    Handoff,
    HandoffDirection,
    HandoffItem,
    HandoffOutcome,
    Package,
    PackageStatus,
)
from packages.scan_outcomes import (
    REFUSED,
    REPEAT,
    SCAN_ACTIONS,
    handoff_takes,
    scan_outcome_after,
    scan_outcome_table,
)
from tests.conftest import client_for
from tests.factories import PackageFactory
from tests.packages.conftest import new_key

pytestmark = pytest.mark.django_db

# The outbox's scan types and the services the sync API sends them to (services.sync).
SERVICE_OF = {
    "received": services.package_scan_in,
    "damaged": services.package_mark_damaged,
    "missing": services.package_mark_missing,
}
COUNTERS = ("received", "damaged", "missing", "unexpected")
NOT_ON_MANIFEST = "NOT-ON-ANY-MANIFEST"


def scan(actor, handoff: Handoff, label: str, action: str):
    return SERVICE_OF[action](
        actor=actor, handoff=handoff, tracking_id=label, idempotency_key=new_key()
    )


def outcome_at(handoff: Handoff, label: str) -> str | None:
    item = HandoffItem.objects.filter(handoff=handoff, tracking_id=label).first()
    return item.outcome if item else None


def counters_of(handoff: Handoff) -> dict[str, int]:
    handoff.refresh_from_db()
    return {name: getattr(handoff, name) for name in COUNTERS}


def state_made(state: str, *, actor, handoff: Handoff, manifest) -> str:
    """A label in `state` at the open `handoff`, made through the services; its label."""
    if state in ("not_on_manifest", "unexpected"):
        label = NOT_ON_MANIFEST
    else:
        label = PackageFactory(manifest=manifest).tracking_id
    if state == "received_earlier":
        Package.objects.filter(tracking_id=label).update(status=PackageStatus.RECEIVED)
    if state == "missing_then_found":
        scan(actor, handoff, label, "missing")
    for action in {
        "received": ["received"],
        "damaged": ["damaged"],
        "missing": ["missing"],
        "missing_then_found": ["received"],
        "received_then_damaged": ["received", "damaged"],
        "unexpected": ["received"],
    }.get(state, []):
        scan(actor, handoff, label, action)
    return label


def then_the_table_says_what_the_service_did(actor, handoff: Handoff, label: str, action: str):
    # given what the service reads: the outcome so far, and whether the handoff takes it
    before = outcome_at(handoff, label)
    package = Package.objects.filter(tracking_id=label).first()
    expected = package is not None and handoff_takes(
        direction=handoff.direction, status=package.status
    )
    counted = counters_of(handoff)
    # when the scan goes through its real service
    try:
        event = scan(actor, handoff, label, action)
    except DomainError:
        did = REFUSED
    else:
        did = REPEAT if event.replayed else outcome_at(handoff, label)
    # then the table gives the same answer, and the counters moved from before to after
    assert did == scan_outcome_after(
        direction=handoff.direction, before=before, expected=expected, action=action
    )
    moved = collections.Counter()
    if did not in (REPEAT, REFUSED):
        moved[did] += 1
        if before is not None:
            moved[before] -= 1
    now = counters_of(handoff)
    assert {name: now[name] - counted[name] for name in COUNTERS} == {
        name: moved[name] for name in COUNTERS
    }


DROP_OFF_STATES = (
    "to_scan",
    "not_on_manifest",
    "received_earlier",
    "received",
    "damaged",
    "missing",
    "missing_then_found",
    "received_then_damaged",
    "unexpected",
)


@pytest.mark.parametrize("action", SCAN_ACTIONS)
@pytest.mark.parametrize("state", DROP_OFF_STATES)
def test_every_scan_at_a_drop_off_does_what_the_table_says(
    state, action, dsp_driver, drop_off, manifested
):
    label = state_made(state, actor=dsp_driver, handoff=drop_off, manifest=manifested[0].manifest)
    then_the_table_says_what_the_service_did(dsp_driver, drop_off, label, action)


@pytest.mark.parametrize("action", SCAN_ACTIONS)
@pytest.mark.parametrize("state", ("to_hand_back", "handed_back", "attempted", "not_on_manifest"))
def test_every_scan_at_a_return_does_what_the_table_says(
    state, action, dsp_driver, return_handoff, received
):
    # given a label in `state` at the open return (yesterday's received package goes back)
    label = received.tracking_id
    if state == "handed_back":
        scan(dsp_driver, return_handoff, label, "received")
    elif state == "attempted":
        Package.objects.filter(pk=received.pk).update(status=PackageStatus.ATTEMPTED)
    elif state == "not_on_manifest":
        label = NOT_ON_MANIFEST
    then_the_table_says_what_the_service_did(dsp_driver, return_handoff, label, action)


def test_a_package_missing_since_an_earlier_drop_off_is_not_missing_again(
    dsp_driver, drop_off, manifested
):
    # given a package missing at an earlier drop-off: the drop-off takes it (found after all)
    package = manifested[0]
    Package.objects.filter(pk=package.pk).update(status=PackageStatus.MISSING)
    assert scan_outcome_after(
        direction=HandoffDirection.DROP_OFF, before=None, expected=True, action="missing"
    ) == (HandoffOutcome.MISSING)
    # when it is marked missing here, then its own lifecycle refuses (missing -> missing is no
    # move of models.ALLOWED_PACKAGE_TRANSITIONS), on top of the table
    with pytest.raises(DomainError, match="cannot become missing"):
        scan(dsp_driver, drop_off, package.tracking_id, "missing")
    # and scanned in, it is found: received
    scan(dsp_driver, drop_off, package.tracking_id, "received")
    assert outcome_at(drop_off, package.tracking_id) == HandoffOutcome.RECEIVED


def test_the_drop_off_table_in_words():
    table = scan_outcome_table(direction=HandoffDirection.DROP_OFF)
    # a label still to scan is received, damaged or missing; any other only unexpected
    assert {action: table[action][""]["expected"] for action in SCAN_ACTIONS} == {
        "received": "received",
        "damaged": "damaged",
        "missing": "missing",
    }
    assert {action: table[action][""]["other"] for action in SCAN_ACTIONS} == {
        "received": "unexpected",
        "damaged": REFUSED,
        "missing": REFUSED,
    }
    # a missing package is found, or damaged; a received one only damaged
    assert table["received"]["missing"]["expected"] == "received"
    assert table["damaged"]["missing"]["expected"] == "damaged"
    assert table["damaged"]["received"]["other"] == "damaged"
    assert table["missing"]["received"]["other"] == REFUSED
    assert table["received"]["received"]["other"] == REPEAT


def outcomes_json(html: str):
    found = re.search(r'<script id="scan-outcomes" type="application/json">(.*?)</script>', html)
    return json.loads(found.group(1)) if found else None


def test_the_drop_off_page_gives_the_phone_the_table_and_what_each_scanned_label_is(
    partner_owner, dsp_driver, drop_off, manifested, received
):
    # given one package received and one missing at the drop-off
    scan(dsp_driver, drop_off, manifested[1].tracking_id, "missing")
    # when the partner opens it on the phone
    html = client_for(partner_owner).get(reverse("packages:handoff", args=[drop_off.pk]))
    html = html.content.decode()
    # then the page carries the whole table, and marks the scanned package the drop-off
    # still takes (the missing one: it may be found) for outbox.js
    assert outcomes_json(html) == scan_outcome_table(direction=HandoffDirection.DROP_OFF)
    assert f'data-scanned="{manifested[1].tracking_id}" data-outcome="missing" data-taken' in html
    assert f'data-scanned="{received.tracking_id}" data-outcome="received">' in html


def test_a_scan_answer_marks_its_row_as_the_page_does(partner_owner, drop_off, manifested):
    # when the partner marks a package missing on the page (htmx)
    response = client_for(partner_owner).post(
        reverse("packages:handoff-scan", args=[drop_off.pk]),
        {
            "tracking_id": manifested[2].tracking_id,
            "action": "missing",
            "idempotency_key": new_key(),
            "device_time": timezone.now().isoformat(),
        },
        headers={"HX-Request": "true"},
    )
    # then the row it swaps in says the drop-off still takes the package
    assert 'data-outcome="missing" data-taken' in response.content.decode()


def test_a_return_page_gives_the_phone_the_return_table(partner_owner, return_handoff):
    html = client_for(partner_owner).get(reverse("packages:handoff", args=[return_handoff.pk]))
    assert outcomes_json(html.content.decode()) == scan_outcome_table(
        direction=HandoffDirection.RETURN
    )
