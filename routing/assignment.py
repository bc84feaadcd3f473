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
from django.utils.translation import gettext as _

from hubdelivery.lib.distance_text import distance_text
from hubdelivery.lib.geo import EARTH_RADIUS_MILES, METRES_PER_MILE


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

    1. For each package find its covering partners, nearest first (ties: lower partner id).
    2. Place packages nearest-first (by distance to their nearest open covering partner, then
       by id), so when capacity runs short it is the far packages that stay with the DSP and
       the result does not depend on the order the packages came in.
    3. Each goes to its nearest open covering partner with capacity left, else to the DSP.
    """
    table = CoverageIndex(partners).covering_table(packages)
    remaining = {partner.id: partner.remaining_capacity for partner in partners}
    nearest_open = table.nearest_open_miles.tolist()
    placing_order = sorted(
        range(len(packages)), key=lambda k: (nearest_open[k], _sort_id(packages[k].id))
    )
    decided: dict[int, Assignment] = {}
    for k in placing_order:
        decided[k] = _place(packages[k], table.candidates(k), remaining)
    return [decided[k] for k in range(len(packages))]


@dataclass(frozen=True)
class _Group:
    """Packages that share a cell of a tier (or a ZIP) against the partners that may cover
    them: `positions` in id order, and |packages| x |positions| matrices."""

    positions: np.ndarray
    covered: np.ndarray
    miles: np.ndarray
    by_zip: np.ndarray


class CoveringTable:
    """Every package's covering partners (from CoverageIndex.covering_table). Each group's
    nearest covering partner and nearest open one are taken from its small matrices as it
    comes in (argmin over partners in id order: ties go to the lower id), so the common
    case needs no per-package sort; `candidates` sorts one package's partners when asked."""

    def __init__(self, index: "CoverageIndex", packages: int, passes: int) -> None:
        self.index = index
        self.groups: list[_Group] = []
        self.group_of = np.full((passes, packages), -1, dtype=np.intp)
        self.row_of = np.zeros((passes, packages), dtype=np.intp)
        self.nearest_open_miles = np.full(packages, np.inf)
        self.first_miles = np.full(packages, np.inf)
        self.first_rank = np.full(packages, len(index.partners), dtype=np.intp)
        self.first_by_zip = np.zeros(packages, dtype=bool)

    def add(self, pass_number: int, packages: np.ndarray, group: _Group) -> None:
        self.group_of[pass_number, packages] = len(self.groups)
        self.row_of[pass_number, packages] = np.arange(packages.size)
        self.groups.append(group)
        within = np.where(group.covered, group.miles, np.inf)
        open_within = np.where(self.index.closed[group.positions], np.inf, within)
        self.nearest_open_miles[packages] = np.minimum(
            self.nearest_open_miles[packages], open_within.min(axis=1)
        )
        rows, column = np.arange(packages.size), within.argmin(axis=1)
        miles, rank = within[rows, column], self.index.id_rank[group.positions[column]]
        known = self.first_miles[packages], self.first_rank[packages]
        nearer = group.covered[rows, column] & (
            (miles < known[0]) | ((miles == known[0]) & (rank < known[1]))
        )
        taken = packages[nearer]
        self.first_miles[taken], self.first_rank[taken] = miles[nearer], rank[nearer]
        self.first_by_zip[taken] = group.by_zip[rows, column][nearer]

    def done(self) -> "CoveringTable":
        found = self.first_rank < len(self.index.partners)
        position = np.full(found.size, -1, dtype=np.intp)
        position[found] = self.index.by_rank[self.first_rank[found]]
        self.first = list(zip(position.tolist(), self.first_miles.tolist(),
                              self.first_by_zip.tolist(), strict=True))  # fmt: skip
        return self

    def candidates(self, k: int) -> Iterator[_Candidate]:
        """Package k's covering partners, nearest first (ties: lower id). The nearest is
        known already; the rest are sorted only if the caller asks for more."""
        position, miles, by_zip = self.first[k]
        if position < 0:
            return
        yield _Candidate(self.index.partners[position], miles, by_zip)
        positions, all_miles, all_by_zip = (
            np.concatenate(column) for column in zip(*self._covering(k), strict=True)
        )
        order = np.lexsort((self.index.id_rank[positions], all_miles))[1:]
        for position, miles, by_zip in zip(positions[order].tolist(), all_miles[order].tolist(),
                                           all_by_zip[order].tolist(), strict=True):  # fmt: skip
            yield _Candidate(self.index.partners[position], miles, by_zip)

    def _covering(self, k: int) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        for pass_number in range(self.group_of.shape[0]):
            found = self.group_of[pass_number, k]
            if found >= 0:
                group, row = self.groups[found], self.row_of[pass_number, k]
                columns = np.flatnonzero(group.covered[row])
                yield (
                    group.positions[columns],
                    group.miles[row, columns],
                    group.by_zip[row, columns],
                )


class _Tier:
    """Partners whose radii are alike (the same power of two of miles) on a grid of cells at
    least as tall and wide as the tier's largest radius reaches, so a partner whose radius
    reaches a package sits in the package's cell or one of the eight around it. A grid per
    tier keeps walking-radius cells small where car-radius partners are also about."""

    def __init__(self, number: int, partners: Sequence[PartnerCoverage],
                 positions: list[int]) -> None:  # fmt: skip
        self.number = number
        self.row_degrees, self.columns = _grid_shape([partners[k] for k in positions])
        lat = np.array([partners[k].lat for k in positions], dtype=float)
        lng = np.array([partners[k].lng for k in positions], dtype=float)
        rows, columns = self.cells_of(lat, lng)
        self.rows, self.columns_of = rows, columns
        self.cells = _positions_by(
            ((row, column), k)
            for row, column, k in zip(rows.tolist(), columns.tolist(), positions, strict=True)
        )

    def cells_of(self, lat: np.ndarray, lng: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(rows, columns) of points given in degrees; columns wrap at the antimeridian."""
        rows = np.floor((lat + 90.0) / self.row_degrees).astype(np.intp)
        columns = np.floor((lng + 180.0) / 360.0 * self.columns).astype(np.intp) % self.columns
        return rows, columns

    def around(self, row: int, column: int) -> np.ndarray:
        """The tier's partners in the cell and the eight around it, each once."""
        columns = {(column + step) % self.columns for step in (-1, 0, 1)}
        return np.concatenate([
            self.cells.get((near_row, near_column), NO_POSITIONS)
            for near_row in (row - 1, row, row + 1)
            for near_column in columns
        ])  # fmt: skip

    def is_around(self, rows: np.ndarray, columns: np.ndarray, partner_rows: np.ndarray,
                  partner_columns: np.ndarray) -> np.ndarray:  # fmt: skip
        """Whether each partner cell is a package cell or one of the eight around it."""
        step = (partner_columns - columns) % self.columns
        return (np.abs(partner_rows - rows) <= 1) & ((step <= 1) | (step == self.columns - 1))


class CoverageIndex:
    """Finds packages' covering partners without comparing each with every partner: a
    lookup by ZIP, plus per radius tier a grid (_Tier). Packages are taken a cell at a time:
    the distances from a cell's packages to the tier's partners in the nine cells around it
    are one numpy matrix, so the work follows the partners actually near each package."""

    def __init__(self, partners: Sequence[PartnerCoverage]) -> None:
        self.partners = list(partners)
        self.lat = np.radians([p.lat for p in self.partners])
        self.lng = np.radians([p.lng for p in self.partners])
        self.cos_lat = np.cos(self.lat)
        self.radius = np.array([p.radius_miles for p in self.partners], dtype=float)
        self.closed = np.array([p.closed for p in self.partners], dtype=bool)
        self.by_rank = np.array(
            sorted(range(len(self.partners)), key=lambda k: _sort_id(self.partners[k].id)),
            dtype=np.intp,
        )
        self.id_rank = np.empty(len(self.partners), dtype=np.intp)
        self.id_rank[self.by_rank] = np.arange(len(self.partners))
        self.zip_numbers: dict[str, int] = {}
        listings = [(self._zip_number(z), k) for k, p in enumerate(self.partners)
                    for z in sorted(p.zip_codes)]  # fmt: skip
        self.by_zip = _positions_by(listings)
        self.listing_zip = np.array([z for z, _ in listings], dtype=np.intp)
        # Listings are in partner order: partner k's are listing_start[k]:listing_end[k].
        partner_listings = np.bincount(
            np.array([k for _, k in listings], dtype=np.intp), minlength=len(self.partners)
        )
        self.listing_end = np.cumsum(partner_listings)
        self.listing_start = self.listing_end - partner_listings
        self.tiers = self._tiers()

    def _zip_number(self, zip_code: str) -> int:
        return self.zip_numbers.setdefault(zip_code, len(self.zip_numbers))

    def _tiers(self) -> list[_Tier]:
        by_tier: dict[int, list[int]] = defaultdict(list)
        for k, partner in enumerate(self.partners):
            if partner.radius_miles > 0:
                by_tier[math.frexp(partner.radius_miles)[1]].append(k)
        tiers = [_Tier(n, self.partners, by_tier[key]) for n, key in enumerate(sorted(by_tier))]
        # Where each partner with a radius sits: its tier and cell (tier -1: ZIPs only).
        self.tier_of = np.full(len(self.partners), -1, dtype=np.intp)
        self.cell_row = np.zeros(len(self.partners), dtype=np.intp)
        self.cell_column = np.zeros(len(self.partners), dtype=np.intp)
        for tier, key in zip(tiers, sorted(by_tier), strict=True):
            self.tier_of[by_tier[key]] = tier.number
            self.cell_row[by_tier[key]], self.cell_column[by_tier[key]] = tier.rows, tier.columns_of
        return tiers

    def covering(self, package: PackageSpot) -> list[PartnerCoverage]:
        """The partners that cover the package, nearest first (ties: lower id)."""
        return [c.partner for c in self.covering_table([package]).candidates(0)]

    def near(self, package: PackageSpot) -> np.ndarray:
        """Positions of every partner that may cover the package (a superset), each once:
        each tier's partners in the nine cells around it, and those serving its ZIP from
        elsewhere."""
        spots = _Spots(self, [package])
        found = [tier.around(int(spots.rows[n][0]), int(spots.columns[n][0]))
                 for n, tier in enumerate(self.tiers)]  # fmt: skip
        serving = self.by_zip.get(int(spots.zips[0]), NO_POSITIONS)
        found.append(serving[~self._is_around(spots, np.zeros(1, dtype=np.intp), serving)[0]])
        return np.concatenate(found)

    def covering_table(self, packages: Sequence[PackageSpot]) -> CoveringTable:
        """Every package's covering partners: per tier the partners around its cell within
        their radius or serving its ZIP, plus those serving its ZIP from farther away."""
        spots = _Spots(self, packages)
        table = CoveringTable(self, len(packages), passes=len(self.tiers) + 1)
        for tier in self.tiers:
            self._radius_pass(spots, tier, table)
        self._zip_pass(spots, table)
        return table.done()

    def _radius_pass(self, spots: "_Spots", tier: _Tier, table: CoveringTable) -> None:
        rows, columns = spots.rows[tier.number], spots.columns[tier.number]
        for group in _groups(rows * tier.columns + columns):
            positions = self._in_id_order(tier.around(int(rows[group[0]]), int(columns[group[0]])))
            if positions.size:
                miles = self._miles(spots, group, positions)
                by_zip = self._serves(spots.zips[group], positions)
                covered = by_zip | (miles <= self.radius[positions])
                table.add(tier.number, group, _Group(positions, covered, miles, by_zip))

    def _zip_pass(self, spots: "_Spots", table: CoveringTable) -> None:
        """Partners serving the package's ZIP from outside every tier's nine cells around it
        (the radius passes found the others)."""
        for group in _groups(spots.zips):
            positions = self._in_id_order(self.by_zip.get(int(spots.zips[group[0]]), NO_POSITIONS))
            if positions.size:
                covered = ~self._is_around(spots, group, positions)
                miles = self._miles(spots, group, positions)
                by_zip = np.broadcast_to(True, covered.shape)
                table.add(len(self.tiers), group, _Group(positions, covered, miles, by_zip))

    def _in_id_order(self, positions: np.ndarray) -> np.ndarray:
        return positions[np.argsort(self.id_rank[positions])]

    def _is_around(self, spots: "_Spots", group: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """|group| x |positions|: whether the partner is in its tier's nine cells around the
        package (never for a partner without a radius)."""
        around = np.zeros((group.size, positions.size), dtype=bool)
        for tier in self.tiers:
            in_tier = np.nonzero(self.tier_of[positions] == tier.number)[0]
            if in_tier.size:
                around[:, in_tier] = tier.is_around(
                    spots.rows[tier.number][group, None],
                    spots.columns[tier.number][group, None],
                    self.cell_row[positions[in_tier]],
                    self.cell_column[positions[in_tier]],
                )
        return around

    def _serves(self, zips: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """|zips| x |positions|: whether the partner lists the package's ZIP."""
        serves = np.zeros((zips.size, positions.size), dtype=bool)
        lengths = self.listing_end[positions] - self.listing_start[positions]
        if not lengths.any():
            return serves
        column = np.repeat(np.arange(positions.size), lengths)
        listing = np.arange(column.size) + np.repeat(
            self.listing_start[positions] - (np.cumsum(lengths) - lengths), lengths
        )
        rows, found = np.nonzero(zips[:, None] == self.listing_zip[listing][None, :])
        serves[rows, column[found]] = True
        return serves

    def _miles(self, spots: "_Spots", group: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """|group| x |positions| haversine distances, as hubdelivery.lib.geo.haversine_miles
        computes one."""
        lat, lng = spots.lat[group, None], spots.lng[group, None]
        half_dlat = (self.lat[positions] - lat) / 2
        half_dlng = (self.lng[positions] - lng) / 2
        a = np.sin(half_dlat) ** 2 + spots.cos_lat[group, None] * self.cos_lat[positions] * (
            np.sin(half_dlng) ** 2
        )
        return 2 * EARTH_RADIUS_MILES * np.arcsin(np.sqrt(a))


class _Spots:
    """Packages as arrays: radians, the cosine of the latitude, the ZIP's number (-1: no
    partner lists it) and the cell in each tier."""

    def __init__(self, index: CoverageIndex, packages: Sequence[PackageSpot]) -> None:
        self.size = len(packages)
        lat = np.array([p.lat for p in packages], dtype=float)
        lng = np.array([p.lng for p in packages], dtype=float)
        self.lat = np.array([math.radians(p.lat) for p in packages], dtype=float)
        self.lng = np.array([math.radians(p.lng) for p in packages], dtype=float)
        self.cos_lat = np.array([math.cos(x) for x in self.lat.tolist()], dtype=float)
        self.zips = np.array([index.zip_numbers.get(p.zip_code, -1) for p in packages],
                             dtype=np.intp)  # fmt: skip
        cells = [tier.cells_of(lat, lng) for tier in index.tiers]
        self.rows = [rows for rows, _ in cells]
        self.columns = [columns for _, columns in cells]


def _groups(keys: np.ndarray) -> list[np.ndarray]:
    """Indices of `keys` grouped by equal key (negative keys left out)."""
    order = np.argsort(keys, kind="stable")
    order = order[keys[order] >= 0]
    boundaries = np.nonzero(np.diff(keys[order]))[0] + 1
    return np.split(order, boundaries) if order.size else []


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
            passed_over.append(_("%(partner)s closed") % {"partner": partner})
        elif remaining[partner.id] <= 0:
            passed_over.append(_("%(partner)s full") % {"partner": partner})
        else:
            remaining[partner.id] -= 1
            return Assignment(package.id, partner.id, _assigned_reason(candidate, passed_over))
    if not passed_over:
        reason = _("no partner serves ZIP %(zip)s or is within range") % {"zip": package.zip_code}
        return Assignment(package.id, None, reason)
    reason = _("every covering partner is closed or full: %(partners)s") % {
        "partners": ", ".join(passed_over)
    }
    return Assignment(package.id, None, reason)


def _assigned_reason(candidate: _Candidate, passed_over: list[str]) -> str:
    values = {
        "distance": distance_text(metres=candidate.miles * METRES_PER_MILE),
        "radius": f"{candidate.partner.radius_miles:g}",
    }
    if candidate.by_zip:
        reason = _("nearest covering partner with room, %(distance)s away (serves the ZIP)")
    else:
        reason = _(
            "nearest covering partner with room, %(distance)s away "
            "(within its %(radius)s mi radius)"
        )
    reason %= values
    if passed_over:
        reason = _("%(reason)s; nearer: %(partners)s") % {
            "reason": reason,
            "partners": ", ".join(passed_over),
        }
    return reason
