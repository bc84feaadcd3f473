"""Many scans at one drop-off at once (packages.services.scans, for the sync batch): the same
answers, items, counters and statuses as the same scans one by one through package_scan_in,
the handoff page's service."""

import pytest

from hubdelivery.exceptions import DomainError
from packages import services
from packages.models import HandoffItem, HandoffStatus
from packages.services.scans import Scan, package_scans_in
from tests.packages.conftest import new_key


def one_by_one(actor, handoff, scans):
    answers = []
    for scan in scans:
        try:
            answers.append(
                services.package_scan_in(
                    actor=actor,
                    handoff=handoff,
                    tracking_id=scan.tracking_id,
                    idempotency_key=scan.idempotency_key,
                    device_time=scan.device_time,
                )
            )
        except DomainError as refusal:
            answers.append(refusal)
    return answers


def at_once(actor, handoff, scans):
    return package_scans_in(actor=actor, handoff=handoff, scans=scans)


@pytest.mark.parametrize("scan_all", [one_by_one, at_once])
def test_scans_at_once_follow_the_single_scans_rules(scan_all, dsp_driver, drop_off, manifested):
    # given one package scanned in earlier, one marked missing earlier
    first, scanned, missing = manifested
    services.package_scan_in(
        actor=dsp_driver, handoff=drop_off, tracking_id=scanned.tracking_id,
        idempotency_key=new_key(),
    )  # fmt: skip
    services.package_mark_missing(
        actor=dsp_driver, handoff=drop_off, tracking_id=missing.tracking_id,
        idempotency_key=new_key(),
    )  # fmt: skip
    repeated_key = new_key()
    scans = [
        Scan(first.tracking_id, repeated_key),  # received
        Scan(scanned.tracking_id, new_key()),  # scanned before: its first event
        Scan("STRAY-1", new_key()),  # not on the manifest: unexpected
        Scan(first.tracking_id, new_key()),  # a second scan of a label: its first event
        Scan(missing.tracking_id, new_key()),  # marked missing, found after all: received
        Scan("   ", new_key()),  # no label: refused, alone
        Scan(first.tracking_id, repeated_key),  # a key sent again: its first event
        Scan(" STRAY-1 ", new_key()),  # the stray label again
    ]
    # when
    answers = scan_all(dsp_driver, drop_off, scans)
    # then
    assert [
        "refused" if isinstance(a, DomainError) else (a.event_type, a.replayed) for a in answers
    ] == [
        ("received", False),
        ("received", True),
        ("unexpected", False),
        ("received", True),
        ("received", False),
        "refused",
        ("received", True),
        ("unexpected", True),
    ]
    assert answers[3].pk == answers[0].pk and answers[7].pk == answers[2].pk
    drop_off.refresh_from_db()
    assert (drop_off.received, drop_off.unexpected, drop_off.missing, drop_off.status) == (
        3, 1, 0, HandoffStatus.OPEN,
    )  # fmt: skip
    assert dict(drop_off.items.values_list("tracking_id", "outcome")) == {
        first.tracking_id: "received",
        scanned.tracking_id: "received",
        missing.tracking_id: "received",
        "STRAY-1": "unexpected",
    }
    for package in manifested:
        package.refresh_from_db()
        assert package.status == "received"
    assert HandoffItem.objects.count() == 4


def test_scans_at_once_at_a_closed_handoff_are_refused_together(
    dsp_driver, partner_owner, drop_off, manifested
):
    for actor in (dsp_driver, partner_owner):
        services.handoff_confirm(actor=actor, handoff=drop_off, idempotency_key=new_key())
    with pytest.raises(DomainError, match="closed"):
        at_once(dsp_driver, drop_off, [Scan(p.tracking_id, new_key()) for p in manifested])


def test_scans_at_once_by_an_outsider_are_refused(other_dsp_driver, drop_off, manifested):
    with pytest.raises(DomainError):
        at_once(other_dsp_driver, drop_off, [Scan(p.tracking_id, new_key()) for p in manifested])


def test_a_key_another_person_used_is_refused_for_that_scan_only(
    dsp_driver, partner_owner, drop_off, manifested
):
    key = new_key()
    services.package_scan_in(
        actor=partner_owner, handoff=drop_off, tracking_id=manifested[0].tracking_id,
        idempotency_key=key,
    )  # fmt: skip
    answers = at_once(
        dsp_driver, drop_off, [Scan("ANY-1", key), Scan(manifested[1].tracking_id, new_key())]
    )
    assert isinstance(answers[0], DomainError)
    assert answers[1].event_type == "received" and not answers[1].replayed
