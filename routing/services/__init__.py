"""Every change routing makes, split by capability: the capacity check, routes, coverage,
assignment and the ZIP moves that apply capacity findings. Reads live in routing.selectors.
The actions other modules call are re-exported here."""

from routing.services.assignment import AssignResult, packages_assign
from routing.services.capacity import capacity_check_run, capacity_checks_due
from routing.services.coverage import coverage_update
from routing.services.reroute import RerouteResult, packages_reassign_closed
from routing.services.routes import dropoff_route_build, partner_route_build
from routing.services.zip_moves import finding_apply, zip_move_undo, zip_moves_mark_undoable

__all__ = [
    "AssignResult",
    "RerouteResult",
    "capacity_check_run",
    "capacity_checks_due",
    "coverage_update",
    "dropoff_route_build",
    "finding_apply",
    "packages_assign",
    "packages_reassign_closed",
    "partner_route_build",
    "zip_move_undo",
    "zip_moves_mark_undoable",
]
