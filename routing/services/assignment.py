"""Assignment of a DSP's packages to partners: the nearest covering partner with room."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from packages.models import Dsp, Package
from routing import selectors
from routing.assignment import Assignment, PackageSpot, assign_packages


@dataclass(frozen=True)
class AssignResult:
    placed: int
    unplaced: int


def assignment_reason_text(assignment: Assignment) -> str:
    """What a package's row says about its assignment: the rule's reason, and for a package
    no partner can take, that it stays with the DSP."""
    if assignment.partner_id is not None:
        return assignment.reason
    return _("no covering partner with room: stays with the DSP (%(why)s)") % {
        "why": assignment.reason
    }


@transaction.atomic
def packages_assign(*, dsp: Dsp, service_date: datetime.date) -> AssignResult:
    """Assign the DSP's movable packages of the date with routing.assignment.

    1. Lock the movable packages (still MANIFESTED; partner NULL or chosen by routing), so a
       handoff cannot scan one in while it moves, and a parallel run waits.
    2. Gather every ACTIVE partner's coverage and remaining room on the date (selectors).
    3. Assign (pure, deterministic), then write partner, reason and `assigned_by_routing`
       in one bulk_update. Packages no partner can take keep partner NULL and a reason.

    A fixed number of queries whatever the number of packages or partners. Re-running with
    the same data gives the same result; handed-off packages are never selected.
    """
    packages = list(
        selectors.packages_assign_movable(dsp_id=dsp.pk, service_date=service_date)
        .select_for_update()
        .only("id", "latitude", "longitude", "zip_code", "partner_id")
        .order_by("id")
    )
    if not packages:
        return AssignResult(placed=0, unplaced=0)
    partners = selectors.partner_coverages_for_assignment(service_date=service_date, dsp_id=dsp.pk)
    spots = [PackageSpot(p.pk, p.latitude, p.longitude, p.zip_code) for p in packages]
    decided = {a.package_id: a for a in assign_packages(spots, partners)}
    for package in packages:
        assignment = decided[package.pk]
        package.partner_id = assignment.partner_id
        package.assigned_by_routing = assignment.partner_id is not None
        package.assignment_reason = assignment_reason_text(assignment)
    # No batch_size: on PostgreSQL this is one UPDATE however many packages; SQLite's
    # 999-parameter limit makes Django split it every 199 packages.
    Package.objects.bulk_update(packages, ["partner", "assigned_by_routing", "assignment_reason"])
    unplaced = sum(1 for package in packages if package.partner_id is None)
    return AssignResult(placed=len(packages) - unplaced, unplaced=unplaced)
