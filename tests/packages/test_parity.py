"""Issue 14: every package action offered by both the pages and the API is proven to reach the
same service with the same rules. The proofs live in two modules (handoffs, deliveries); this
one holds the issue's list and fails when an action loses its proof."""

from tests.packages import test_parity_deliveries, test_parity_handoffs

# The actions a partner or a driver can take on a page and through the API, each with where
# its parity proof lives (the action's name in that module's list).
ACTIONS_ON_BOTH_PATHS = {
    "scan": (test_parity_handoffs.ACTIONS_COVERED, "scan (receive at a drop-off)"),
    "hand back": (test_parity_handoffs.ACTIONS_COVERED, "scan (hand back at a return)"),
    "mark damaged": (test_parity_handoffs.ACTIONS_COVERED, "mark damaged"),
    "mark missing": (test_parity_handoffs.ACTIONS_COVERED, "mark missing"),
    "open a handoff": (test_parity_handoffs.ACTIONS_COVERED, "handoff open"),
    "confirm": (test_parity_handoffs.ACTIONS_COVERED, "handoff confirm"),
    "deliver": (test_parity_deliveries.PARITY_ACTIONS, "deliver"),
    "attempt": (test_parity_deliveries.PARITY_ACTIONS, "attempt"),
    "undo": (test_parity_deliveries.PARITY_ACTIONS, "undo"),
    "queue for return": (test_parity_deliveries.PARITY_ACTIONS, "queue_for_return"),
    "incident resolve": (test_parity_deliveries.PARITY_ACTIONS, "incident_resolve"),
}


def test_every_action_on_both_paths_has_its_parity_proof():
    missing = [
        action for action, (covered, name) in ACTIONS_ON_BOTH_PATHS.items() if name not in covered
    ]
    assert missing == []


def test_every_delivery_action_has_a_bad_input_case():
    with_case = {action for action, _ in test_parity_deliveries.PARITY_CASES}
    assert set(test_parity_deliveries.PARITY_ACTIONS) <= with_case
