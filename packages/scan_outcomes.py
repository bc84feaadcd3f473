"""What a scan does to a label's outcome at a handoff: the one statement of that rule.

The scan services decide by it (services.scans for a scan in, services.handoffs for damaged,
missing and a hand-back), and the handoff page hands the whole table to the phone
(outbox.js), which counts the scans still waiting on the phone by it. No ORM here.

The inputs:
- `direction`: the handoff's (HandoffDirection).
- `before`: the label's outcome at this handoff so far (HandoffOutcome), None before its
  first.
- `expected`: the label is a package the handoff takes now (handoff_takes): at a drop-off
  the partner's and DSP's package on manifest or missing; at a return one that may go back.
- `action`: the scan, as the phone's outbox names it (SCAN_ACTIONS).

The answer: the outcome after, or REPEAT (the label already has the scan's result: answered
with the event that gave it) or REFUSED (the services say why). An outcome after still goes
through the package's own lifecycle (models.ALLOWED_PACKAGE_TRANSITIONS): a package missing
since an earlier drop-off is taken in (found) but not marked missing again. The phone never
meets that case: it calls expected only the labels still to scan, all on the manifest.
"""

from packages.models import (
    ALLOWED_PACKAGE_TRANSITIONS,
    HandoffDirection,
    HandoffOutcome,
    PackageStatus,
    SyncEventType,
)

SCAN_ACTIONS = (SyncEventType.RECEIVED, SyncEventType.DAMAGED, SyncEventType.MISSING)
REPEAT = "repeat"
REFUSED = "refused"

# What a drop-off hands over: packages not yet with the partner (a package marked missing
# that turns up is scanned in after all).
DROP_OFF_SOURCE_STATUSES = (PackageStatus.MANIFESTED, PackageStatus.MISSING)

_RECEIVED, _DAMAGED = HandoffOutcome.RECEIVED, HandoffOutcome.DAMAGED
_MISSING, _UNEXPECTED = HandoffOutcome.MISSING, HandoffOutcome.UNEXPECTED


def handoff_takes(*, direction: str, status: str) -> bool:
    """`expected` for a package in `status`: a drop-off takes what is on the manifest or was
    missing; a return what may go back to the DSP."""
    if direction == HandoffDirection.DROP_OFF:
        return status in DROP_OFF_SOURCE_STATUSES
    return PackageStatus.RETURNED in ALLOWED_PACKAGE_TRANSITIONS[status]


def scan_outcome_after(*, direction: str, before: str | None, expected: bool, action: str) -> str:
    """The label's outcome at the handoff after `action`, or REPEAT, or REFUSED."""
    if direction == HandoffDirection.RETURN:
        return _return_after(before=before, expected=expected, action=action)
    if action == SyncEventType.RECEIVED:
        return _receive_after(before=before, expected=expected)
    if action == SyncEventType.DAMAGED:
        return _damaged_after(before=before, expected=expected)
    return _missing_after(before=before, expected=expected)


def _receive_after(*, before: str | None, expected: bool) -> str:
    """A label still to scan is received, any other unexpected; a missing one is found."""
    if before is None:
        return _RECEIVED if expected else _UNEXPECTED
    return _RECEIVED if before == _MISSING and expected else REPEAT


def _damaged_after(*, before: str | None, expected: bool) -> str:
    """A package still to scan, received here or missing here may be damaged; a label not
    on the manifest may not."""
    if before == _DAMAGED:
        return REPEAT
    if before in (_RECEIVED, _MISSING):
        return _DAMAGED
    return _DAMAGED if expected else REFUSED


def _missing_after(*, before: str | None, expected: bool) -> str:
    """Only a package not handed over yet may be missing: never one received or damaged."""
    if before == _MISSING:
        return REPEAT
    if before in (_RECEIVED, _DAMAGED):
        return REFUSED
    return _MISSING if expected else REFUSED


def _return_after(*, before: str | None, expected: bool, action: str) -> str:
    """A return only hands packages back (its scan button); damaged and missing belong to a
    drop-off."""
    if action != SyncEventType.RECEIVED:
        return REFUSED
    if before is not None:
        return REPEAT
    return _RECEIVED if expected else REFUSED


def scan_outcome_table(*, direction: str) -> dict[str, dict[str, dict[str, str]]]:
    """Every answer for `direction`: action -> outcome before ("" for none) -> "expected" /
    "other" -> the answer. The handoff page's `scan-outcomes` JSON."""
    befores: list[str | None] = [None, *HandoffOutcome.values]
    return {
        str(action): {
            before or "": {
                name: scan_outcome_after(
                    direction=direction, before=before, expected=expected, action=action
                )
                for name, expected in (("expected", True), ("other", False))
            }
            for before in befores
        }
        for action in SCAN_ACTIONS
    }
