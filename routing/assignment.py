"""Which partner delivers each package of a service date: pure functions, no ORM.

Rule: the nearest covering partner that still has capacity; what no partner can take stays
with the DSP. Every decision carries a reason a person can read.
"""

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from partners.zipdata import haversine_miles


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
    candidates = {package.id: _covering(package, partners) for package in packages}
    remaining = {partner.id: partner.remaining_capacity for partner in partners}
    decided: dict[Hashable, Assignment] = {}
    for package in sorted(packages, key=lambda p: _placing_key(p, candidates[p.id])):
        decided[package.id] = _place(package, candidates[package.id], remaining)
    return [decided[package.id] for package in packages]


def _covering(package: PackageSpot, partners: Sequence[PartnerCoverage]) -> list[_Candidate]:
    found = []
    for partner in partners:
        miles = haversine_miles(package.lat, package.lng, partner.lat, partner.lng)
        by_zip = package.zip_code in partner.zip_codes
        if by_zip or miles <= partner.radius_miles:
            found.append(_Candidate(partner, miles, by_zip))
    return sorted(found, key=lambda c: (c.miles, _sort_id(c.partner.id)))


def _placing_key(package: PackageSpot, candidates: list[_Candidate]) -> tuple[float, Any]:
    nearest_open = next((c.miles for c in candidates if not c.partner.closed), float("inf"))
    return (nearest_open, _sort_id(package.id))


def _sort_id(value: Hashable) -> tuple[str, Any]:
    # Type name first, so ints and strings never meet in a comparison.
    return (type(value).__name__, value)


def _place(
    package: PackageSpot, candidates: list[_Candidate], remaining: dict[Hashable, int]
) -> Assignment:
    if not candidates:
        return Assignment(
            package.id, None, f"no partner serves ZIP {package.zip_code} or is within range"
        )
    passed_over = []
    for candidate in candidates:
        partner = candidate.partner
        if partner.closed:
            passed_over.append(f"{partner.id} closed")
        elif remaining[partner.id] <= 0:
            passed_over.append(f"{partner.id} full")
        else:
            remaining[partner.id] -= 1
            return Assignment(package.id, partner.id, _assigned_reason(candidate, passed_over))
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
