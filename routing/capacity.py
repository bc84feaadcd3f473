"""The capacity check's rules, as pure functions over per-partner facts (no ORM).

`routing.selectors.partner_days_for_check` gathers the facts in a fixed number of queries;
`capacity_findings` turns them into findings with suggested actions.
"""

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hubdelivery.lib.distance_text import distance_text
from hubdelivery.lib.geo import METRES_PER_MILE, haversine_miles

MILES_PER_DEGREE_LATITUDE = 69.0
GRID_DEGREES = 0.02  # the coarsest cell; halved down to GRID_DEGREES / 16 where partners crowd
FINEST_GRID_DEGREES = GRID_DEGREES / 16
PARTNERS_PER_CELL = 4  # what an occupied cell holds on average, at most, once halved


@dataclass(frozen=True)
class CheckSettings:
    success_target: float = 0.985
    success_min_packages: int = 20
    neighbour_max_miles: float = 5.0
    under_used_ratio: float = 0.5
    under_used_min_days: int = 7
    history_days: int = 14


@dataclass
class PartnerDay:
    """What the check knows about one partner for the service date."""

    partner_id: int
    name: str
    latitude: float
    longitude: float
    receiving: bool  # active (not paused)
    daily_capacity: int
    storage_capacity: int
    assigned: int = 0
    zip_counts: dict[str, int] = field(default_factory=dict)
    held_before: int = 0  # still in custody from earlier days
    stale: int = 0  # held past their service date
    open_handoffs: int = 0
    closed: bool = False
    history_handled: int = 0
    history_delivered: int = 0
    history_volume: int = 0
    history_days_active: int = 0
    taken: int = 0  # overflow from other partners already suggested to this one

    @property
    def room(self) -> int:
        """Packages it could still take on the date without passing either capacity."""
        if not self.receiving or self.closed:
            return 0
        load = self.assigned + self.taken
        daily = self.daily_capacity - load
        storage = self.storage_capacity - self.held_before - load
        return max(0, min(daily, storage))


@dataclass(frozen=True)
class Finding:
    partner_id: int
    kind: str
    message: str
    suggested_action: str
    packages: int = 0
    neighbour_id: int | None = None
    zip_codes: tuple[str, ...] = ()


def grid_degrees(days: list[PartnerDay]) -> float:
    """The cell size for these partners: GRID_DEGREES, halved while the occupied cells hold
    more than PARTNERS_PER_CELL on average. A fixed size made a lookup read three times as
    many partners when a city had three times as many; this keeps it at a few."""
    degrees = GRID_DEGREES
    while degrees > FINEST_GRID_DEGREES:
        occupied = {_cell(day.latitude, day.longitude, degrees) for day in days}
        if len(days) <= PARTNERS_PER_CELL * len(occupied):
            break
        degrees /= 2
    return degrees


def _cell(latitude: float, longitude: float, degrees: float) -> tuple[int, int]:
    return (math.floor(latitude / degrees), math.floor(longitude / degrees))


class NeighbourIndex:
    """Partners with room, bucketed on a lat/lng grid as fine as their density asks
    (grid_degrees). A lookup searches rings of cells outwards from the partner and stops as
    soon as no farther ring can hold a nearer one, so dense cities cost a few cells, not
    every partner in range. Candidates are compared by a flat-earth distance (exact enough
    within a few miles); only the winner gets haversine."""

    def __init__(self, days: Iterable[PartnerDay], max_miles: float) -> None:
        self.max_miles = max_miles
        with_room = [day for day in days if day.room > 0]
        self.degrees = grid_degrees(with_room)
        self.cells: dict[tuple[int, int], list[PartnerDay]] = defaultdict(list)
        for day in with_room:
            self.cells[self.cell(day.latitude, day.longitude)].append(day)

    def cell(self, latitude: float, longitude: float) -> tuple[int, int]:
        return _cell(latitude, longitude, self.degrees)

    def ring(self, row: int, col: int, radius: int) -> Iterator[PartnerDay]:
        """Partners in the cells exactly `radius` cells away (a square ring) from (row, col)."""
        for r in range(row - radius, row + radius + 1):
            edge = r in (row - radius, row + radius)
            cols = range(col - radius, col + radius + 1) if edge else (col - radius, col + radius)
            for c in cols:
                yield from self.cells.get((r, c), ())

    def take(self, day: PartnerDay, packages: int) -> None:
        """Record overflow suggested to `day`; a partner left without room leaves the index."""
        day.taken += packages
        if day.room <= 0:
            self.cells[self.cell(day.latitude, day.longitude)].remove(day)

    def nearest_with_room(self, day: PartnerDay) -> tuple[PartnerDay, float] | None:
        row, col = self.cell(day.latitude, day.longitude)
        lng_miles = MILES_PER_DEGREE_LATITUDE * math.cos(math.radians(min(abs(day.latitude), 89.0)))
        # The narrower side of a cell, in miles: a ring k cells out is at least this far x k.
        cell_miles = lng_miles * self.degrees
        limit_squared = self.max_miles**2
        best: tuple[float, int, PartnerDay] | None = None
        for radius in range(math.ceil(self.max_miles / cell_miles) + 1):
            if best is not None and best[0] <= ((radius - 1) * cell_miles) ** 2:
                break
            for other in self.ring(row, col, radius):
                if other.partner_id == day.partner_id:
                    continue
                dy = (other.latitude - day.latitude) * MILES_PER_DEGREE_LATITUDE
                dx = (other.longitude - day.longitude) * lng_miles
                squared = dx * dx + dy * dy
                if squared <= limit_squared and (
                    best is None or (squared, other.partner_id) < best[:2]
                ):
                    best = (squared, other.partner_id, other)
        if best is None:
            return None
        other = best[2]
        return other, haversine_miles(day.latitude, day.longitude, other.latitude, other.longitude)


def zips_to_move(zip_counts: dict[str, int], packages: int) -> tuple[str, ...]:
    """The fewest whole ZIP groups, smallest first, that together hold `packages`."""
    chosen, total = [], 0
    for zip_code, count in sorted(zip_counts.items(), key=lambda item: (item[1], item[0])):
        if total >= packages:
            break
        chosen.append(zip_code)
        total += count
    return tuple(sorted(chosen))


def overflow_finding(
    *, day: PartnerDay, kind: str, message: str, overflow: int, index: NeighbourIndex
) -> Finding:
    """Suggest the nearest partner with room for (part of) the overflow, else the DSP."""
    zips = zips_to_move(day.zip_counts, overflow)
    nearest = index.nearest_with_room(day)
    if nearest is None:
        action = ngettext(
            "Keep %(count)d package with the DSP.",
            "Keep %(count)d packages with the DSP.",
            overflow,
        ) % {"count": overflow}
        return Finding(day.partner_id, kind, message, action, overflow, None, zips)
    neighbour, miles = nearest
    moved = min(overflow, neighbour.room)
    index.take(neighbour, moved)  # later suggestions see the room this one used
    values = {"count": moved, "zips": ", ".join(zips), "name": neighbour.name,
              "distance": distance_text(metres=miles * METRES_PER_MILE),
              "kept": overflow - moved}  # fmt: skip
    if zips:
        action = (
            ngettext(
                "Move %(count)d package (ZIP %(zips)s) to %(name)s, %(distance)s away",
                "Move %(count)d packages (ZIP %(zips)s) to %(name)s, %(distance)s away",
                moved,
            )
            % values
        )
    else:
        action = (
            ngettext(
                "Move %(count)d package to %(name)s, %(distance)s away",
                "Move %(count)d packages to %(name)s, %(distance)s away",
                moved,
            )
            % values
        )
    if moved < overflow:
        action = _("%(action)s; keep %(kept)d with the DSP.") % {"action": action, **values}
    else:
        action = _("%(action)s.") % {"action": action}
    return Finding(day.partner_id, kind, message, action, overflow, neighbour.partner_id, zips)


def volume_findings(day: PartnerDay, holiday: str | None, index: NeighbourIndex) -> list[Finding]:
    if day.assigned == 0:
        return []
    if holiday:
        values = {"count": day.assigned, "holiday": holiday}
        message = (
            ngettext(
                "%(count)d package assigned on %(holiday)s.",
                "%(count)d packages assigned on %(holiday)s.",
                day.assigned,
            )
            % values
        )
        action = (
            ngettext(
                "Keep the %(count)d package with the DSP until the next service day.",
                "Keep the %(count)d packages with the DSP until the next service day.",
                day.assigned,
            )
            % values
        )
        return [Finding(day.partner_id, "holiday", message, action, day.assigned)]
    if day.closed or not day.receiving:
        if day.closed:
            message = ngettext(
                "%(count)d package assigned while the partner is closed.",
                "%(count)d packages assigned while the partner is closed.",
                day.assigned,
            ) % {"count": day.assigned}
        else:
            message = ngettext(
                "%(count)d package assigned while the partner is paused.",
                "%(count)d packages assigned while the partner is paused.",
                day.assigned,
            ) % {"count": day.assigned}
        return [overflow_finding(day=day, kind="closed", message=message,
                                 overflow=day.assigned, index=index)]  # fmt: skip
    findings = []
    over_daily = day.assigned - day.daily_capacity
    if over_daily > 0:
        message = ngettext(
            "%(count)d package assigned, daily capacity %(capacity)d.",
            "%(count)d packages assigned, daily capacity %(capacity)d.",
            day.assigned,
        ) % {"count": day.assigned, "capacity": day.daily_capacity}
        findings.append(overflow_finding(day=day, kind="over_daily_capacity", message=message,
                                         overflow=over_daily, index=index))  # fmt: skip
    load = day.held_before + day.assigned
    over_storage = load - day.storage_capacity - max(over_daily, 0)
    if over_storage > 0:
        message = ngettext(
            "%(count)d package to store (%(held)d still held), storage holds %(storage)d.",
            "%(count)d packages to store (%(held)d still held), storage holds %(storage)d.",
            load,
        ) % {"count": load, "held": day.held_before, "storage": day.storage_capacity}
        findings.append(overflow_finding(day=day, kind="over_storage", message=message,
                                         overflow=over_storage, index=index))  # fmt: skip
    return findings


def custody_findings(day: PartnerDay) -> list[Finding]:
    findings = []
    if day.stale:
        held = ngettext(
            "%(count)d package held past the service date.",
            "%(count)d packages held past the service date.",
            day.stale,
        ) % {"count": day.stale}
        back = ngettext(
            "Return the %(count)d package to the DSP at the next morning handoff.",
            "Return the %(count)d packages to the DSP at the next morning handoff.",
            day.stale,
        ) % {"count": day.stale}
        findings.append(Finding(day.partner_id, "stale_packages", held, back, day.stale))
    if day.open_handoffs:
        findings.append(Finding(
            day.partner_id, "handoff_not_closed",
            ngettext(
                "%(count)d handoff from earlier days still open.",
                "%(count)d handoffs from earlier days still open.",
                day.open_handoffs,
            ) % {"count": day.open_handoffs},
            _("Ask the driver and the partner to confirm it, or review its discrepancies."),
        ))  # fmt: skip
    return findings


def performance_findings(day: PartnerDay, settings: CheckSettings) -> list[Finding]:
    findings = []
    handled = day.history_handled
    if handled >= settings.success_min_packages:
        # delivered / handled: the counts of packages.selectors.delivery_success_counts,
        # the definition the dashboard's scorecards show too.
        rate = day.history_delivered / handled
        if rate < settings.success_target:
            findings.append(Finding(
                day.partner_id, "low_success",
                _("%(rate)s delivered over the last %(days)d days (target %(target)s).") % {
                    "rate": f"{rate:.1%}", "days": settings.history_days,
                    "target": f"{settings.success_target:.1%}",
                },
                _("Review the open incidents with the partner and lower its daily volume."),
                handled - day.history_delivered,
            ))  # fmt: skip
    if day.receiving and day.history_days_active >= settings.under_used_min_days:
        average = day.history_volume / day.history_days_active
        if average < settings.under_used_ratio * day.daily_capacity:
            findings.append(Finding(
                day.partner_id, "under_used",
                _("%(average)s packages a day on average, capacity %(capacity)d.") % {
                    "average": f"{average:.0f}", "capacity": day.daily_capacity,
                },
                _("Route more ZIPs to this partner, or agree a lower daily capacity."),
            ))  # fmt: skip
    return findings


def capacity_findings(
    *, days: list[PartnerDay], holiday: str | None, settings: CheckSettings
) -> list[Finding]:
    """Every finding for the date (see finding_stream)."""
    return list(finding_stream(days=days, holiday=holiday, settings=settings))


def finding_stream(
    *, days: list[PartnerDay], holiday: str | None, settings: CheckSettings
) -> Iterator[Finding]:
    """Every finding for the date, one at a time, busiest partners first so they get the
    nearest room. A generator so the check can write the first findings while it works out
    the rest.

    1. volume: holiday, closed/paused, over daily capacity, over storage (with neighbours);
    2. custody: stale packages, handoffs left open;
    3. performance over the history window: low success, under-use.
    """
    index = NeighbourIndex(days, settings.neighbour_max_miles)
    for day in sorted(days, key=lambda d: (-(d.assigned - d.daily_capacity), d.partner_id)):
        yield from volume_findings(day, holiday, index)
    for day in sorted(days, key=lambda d: d.partner_id):
        yield from custody_findings(day)
        yield from performance_findings(day, settings)
