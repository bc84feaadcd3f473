"""Which partner delivers each package of a service date: pure functions, no ORM.

Rule: the nearest covering partner that still has capacity; what no partner can take stays
with the DSP. Every decision carries a reason a person can read.
"""

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from hubdelivery.lib.geo import EARTH_RADIUS_MILES


@dataclass(frozen=True)
class PackageSpot:
    id: Hashable
    lat: float
    lng: float
    zip_code: str


@dataclass(frozen=True)
class PartnerCoverage:
    """A partner as assignment sees it for one service date.

    Covers a package whose ZIP is in `zip_codes` or that lies within `radius_miles` of the
    shop (0 = ZIPs only). `remaining_capacity` is what is left after packages that are already
    placed and must not move (e.g. handed off); `closed` is a closure or holiday that day.
    """

    id: Hashable
    lat: float
    lng: float
    zip_codes: frozenset[str]
    radius_miles: float
    remaining_capacity: int
    closed: bool = False
    name: str = ""

    def __str__(self) -> str:
        return self.name or str(self.id)

    def covers(self, *, zip_code: str, miles: float, margin_miles: float = 0.0) -> bool:
        """A package with this ZIP, `miles` from the shop: its ZIP is listed, or the partner
        has a radius and the package lies within it (plus `margin_miles`)."""
        if zip_code in self.zip_codes:
            return True
        return self.radius_miles > 0 and miles <= self.radius_miles + margin_miles


@dataclass(frozen=True)
class Assignment:
    package_id: Hashable
    partner_id: Hashable | None  # None: stays with the DSP
    reason: str


@dataclass(frozen=True)
class _Candidate:
    partner: PartnerCoverage
    miles: float
    by_zip: bool


def assign_packages(
    packages: Sequence[PackageSpot], partners: Sequence[PartnerCoverage]
) -> list[Assignment]:
    """One assignment per package, in the order of `packages`.

    1. For each package list its covering partners, nearest first (ties: lower partner id).
    2. Place packages nearest-first (by distance to their nearest open covering partner, then
       by id), so when capacity runs short it is the far packages that stay with the DSP and
       the result does not depend on the order the packages came in.
    3. Each goes to its nearest open covering partner with capacity left, else to the DSP.
    """
    index = CoverageIndex(partners)
    covering = {package.id: index.covering_arrays(package) for package in packages}
    remaining = {partner.id: partner.remaining_capacity for partner in partners}
    decided: dict[Hashable, Assignment] = {}
    placing_order = sorted(packages, key=lambda p: _placing_key(p, index, covering[p.id]))
    for package in placing_order:
        candidates = index.candidates_of(covering[package.id])
        decided[package.id] = _place(package, candidates, remaining)
    return [decided[package.id] for package in packages]


@dataclass(frozen=True)
class _Covering:
    """A package's covering partners, nearest first: their positions in the index, their
    distances in miles, and whether each covers the package by ZIP."""

    positions: np.ndarray
    miles: np.ndarray
    by_zip: np.ndarray


class CoverageIndex:
    """Finds a package's covering partners without comparing it with every partner: a lookup
    by ZIP, plus a grid of cells at least as tall and wide as the largest radius reaches, so a
    partner whose radius reaches a package sits in the package's cell or one of the eight
    around it; distances to those few are computed together (numpy). Columns wrap at the
    antimeridian (the Aleutians cross it)."""

    def __init__(self, partners: Sequence[PartnerCoverage]) -> None:
        self.partners = list(partners)
        self.lat = np.radians([p.lat for p in self.partners])
        self.lng = np.radians([p.lng for p in self.partners])
        self.radius = np.array([p.radius_miles for p in self.partners], dtype=float)
        self.closed = np.array([p.closed for p in self.partners], dtype=bool)
        by_id = sorted(range(len(self.partners)), key=lambda k: _sort_id(self.partners[k].id))
        self.id_rank = np.empty(len(self.partners), dtype=np.intp)
        self.id_rank[by_id] = np.arange(len(self.partners))
        self.by_zip = _positions_by(
            (zip_code, k) for k, p in enumerate(self.partners) for zip_code in p.zip_codes
        )
        in_radius = [p for p in self.partners if p.radius_miles > 0]
        self.row_degrees, self.columns = _grid_shape(in_radius)
        # Each partner with a radius sits in exactly one cell; the others in none (-1).
        cell_keys = [
            self._cell_of(p.lat, p.lng) if p.radius_miles > 0 else (-1, -1) for p in self.partners
        ]
        self.cell_row = np.array([row for row, _ in cell_keys], dtype=np.intp)
        self.cell_column = np.array([column for _, column in cell_keys], dtype=np.intp)
        self.cells = _positions_by(
            (key, k) for k, key in enumerate(cell_keys) if self.partners[k].radius_miles > 0
        )
        self._zip_flags = np.zeros(len(self.partners), dtype=bool)

    def covering(self, package: PackageSpot) -> list[PartnerCoverage]:
        """The partners that cover the package, nearest first (ties: lower id)."""
        return [c.partner for c in self.candidates_of(self.covering_arrays(package))]

    def covering_arrays(self, package: PackageSpot) -> _Covering:
        near = self.near(package)
        zip_positions = self.by_zip.get(package.zip_code, NO_POSITIONS)
        self._zip_flags[zip_positions] = True
        by_zip = self._zip_flags[near]
        self._zip_flags[zip_positions] = False
        miles = self._miles_to(package, near)
        keep = by_zip | (miles <= self.radius[near])
        near, miles, by_zip = near[keep], miles[keep], by_zip[keep]
        order = np.lexsort((self.id_rank[near], miles))
        return _Covering(near[order], miles[order], by_zip[order])

    def candidates_of(self, covering: _Covering) -> Iterator[_Candidate]:
        for position, miles, by_zip in zip(
            covering.positions.tolist(),
            covering.miles.tolist(),
            covering.by_zip.tolist(),
            strict=True,
        ):
            yield _Candidate(self.partners[position], miles, by_zip)

    def near(self, package: PackageSpot) -> np.ndarray:
        """Positions of every partner that may cover the package (a superset), each once:
        the partners in the nine cells around it, and those serving its ZIP from elsewhere."""
        row, column = self._cell_of(package.lat, package.lng)
        columns = {(column + step) % self.columns for step in (-1, 0, 1)}
        found = [
            self.cells.get((near_row, near_column), NO_POSITIONS)
            for near_row in (row - 1, row, row + 1)
            for near_column in columns
        ]
        serving_zip = self.by_zip.get(package.zip_code, NO_POSITIONS)
        in_found_cells = (np.abs(self.cell_row[serving_zip] - row) <= 1) & np.isin(
            self.cell_column[serving_zip], list(columns)
        )
        found.append(serving_zip[~in_found_cells])
        return np.concatenate(found)

    def _miles_to(self, package: PackageSpot, positions: np.ndarray) -> np.ndarray:
        """Haversine distances, as hubdelivery.lib.geo.haversine_miles computes one."""
        lat, lng = math.radians(package.lat), math.radians(package.lng)
        half_dlat = (self.lat[positions] - lat) / 2
        half_dlng = (self.lng[positions] - lng) / 2
        a = np.sin(half_dlat) ** 2 + math.cos(lat) * np.cos(self.lat[positions]) * (
            np.sin(half_dlng) ** 2
        )
        return 2 * EARTH_RADIUS_MILES * np.arcsin(np.sqrt(a))

    def _cell_of(self, lat: float, lng: float) -> tuple[int, int]:
        column = math.floor((lng + 180.0) / 360.0 * self.columns) % self.columns
        return math.floor((lat + 90.0) / self.row_degrees), column


NO_POSITIONS = np.empty(0, dtype=np.intp)


def _positions_by(pairs: Iterable[tuple[Hashable, int]]) -> dict[Hashable, np.ndarray]:
    grouped: dict[Hashable, list[int]] = defaultdict(list)
    for key, position in pairs:
        grouped[key].append(position)
    return {key: np.array(found, dtype=np.intp) for key, found in grouped.items()}


def _grid_shape(in_radius: Sequence[PartnerCoverage]) -> tuple[float, int]:
    """(row height in degrees, number of columns) for partners with a radius.

    Within d miles of a point at latitude phi, latitude changes by at most d/R radians and
    longitude by at most asin(sin(d/R) / cos(phi)); the cells are at least that big for the
    largest radius at the partners' highest latitude (a little more, against rounding)."""
    if not in_radius:
        return 180.0, 1
    reach = max(partner.radius_miles for partner in in_radius) / EARTH_RADIUS_MILES
    row_degrees = min(180.0, math.degrees(reach) * 1.001)
    widest = max(abs(partner.lat) for partner in in_radius)
    ratio = math.sin(min(reach, math.pi / 2)) / max(math.cos(math.radians(widest)), 1e-12)
    if ratio >= 1:  # near a pole every longitude is within reach: one column
        return row_degrees, 1
    column_degrees = math.degrees(math.asin(ratio)) * 1.001
    columns = math.floor(360.0 / column_degrees)
    return row_degrees, columns if columns >= 3 else 1


def _placing_key(
    package: PackageSpot, index: CoverageIndex, covering: _Covering
) -> tuple[float, Any]:
    open_miles = covering.miles[~index.closed[covering.positions]]
    nearest_open = float(open_miles[0]) if open_miles.size else float("inf")
    return (nearest_open, _sort_id(package.id))


def _sort_id(value: Hashable) -> tuple[str, Any]:
    # Type name first, so ints and strings never meet in a comparison.
    return (type(value).__name__, value)


def _place(
    package: PackageSpot, candidates: Iterator[_Candidate], remaining: dict[Hashable, int]
) -> Assignment:
    passed_over = []
    for candidate in candidates:
        partner = candidate.partner
        if partner.closed:
            passed_over.append(f"{partner} closed")
        elif remaining[partner.id] <= 0:
            passed_over.append(f"{partner} full")
        else:
            remaining[partner.id] -= 1
            return Assignment(package.id, partner.id, _assigned_reason(candidate, passed_over))
    if not passed_over:
        return Assignment(
            package.id, None, f"no partner serves ZIP {package.zip_code} or is within range"
        )
    return Assignment(
        package.id, None, "every covering partner is closed or full: " + ", ".join(passed_over)
    )


def _assigned_reason(candidate: _Candidate, passed_over: list[str]) -> str:
    how = (
        "serves the ZIP"
        if candidate.by_zip
        else f"within its {candidate.partner.radius_miles:g} mi radius"
    )
    reason = f"nearest covering partner with room, {candidate.miles:.2f} mi away ({how})"
    if passed_over:
        reason += "; nearer: " + ", ".join(passed_over)
    return reason
