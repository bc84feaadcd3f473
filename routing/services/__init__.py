"""Every change routing makes, split by capability: the capacity check, routes, coverage and
assignment. Reads live in routing.selectors. The actions other modules call are re-exported
here."""

from routing.services.assignment import AssignResult, packages_assign
from routing.services.capacity import capacity_check_run, capacity_checks_due
from routing.services.coverage import coverage_update
from routing.services.reroute import RerouteResult, packages_reassign_closed
from routing.services.routes import dropoff_route_build, partner_route_build

__all__ = [
    "AssignResult",
    "RerouteResult",
    "capacity_check_run",
    "capacity_checks_due",
    "coverage_update",
    "dropoff_route_build",
    "packages_assign",
    "packages_reassign_closed",
    "partner_route_build",
]
