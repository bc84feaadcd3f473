"""Package-to-partner assignment: pure, no database."""

import dataclasses
import math
import random

from hubdelivery.lib.distance_text import distance_text
from hubdelivery.lib.geo import METRES_PER_MILE, haversine_miles
from routing.assignment import (
    Assignment,
    CoverageIndex,
    PackageSpot,
    PartnerCoverage,
    assign_packages,
)

# Along one street in Back Bay; 0.001 degrees of latitude is about 0.07 miles.
LAT, LNG = 42.3500, -71.0800


def partner(
    partner_id: str,
    north: float,
    *,
    zips: tuple[str, ...] = ("02116",),
    radius: float = 0.0,
    capacity: int = 30,
    closed: bool = False,
) -> PartnerCoverage:
    return PartnerCoverage(
        id=partner_id,
        lat=LAT + north,
        lng=LNG,
        zip_codes=frozenset(zips),
        radius_miles=radius,
        remaining_capacity=capacity,
        closed=closed,
    )


def package(package_id: int, north: float, zip_code: str = "02116") -> PackageSpot:
    return PackageSpot(id=package_id, lat=LAT + north, lng=LNG, zip_code=zip_code)


def partner_ids(assignments: list[Assignment]) -> list[str | None]:
    return [a.partner_id for a in assignments]


def test_package_goes_to_the_nearest_covering_partner():
    # given
    partners = [partner("far", 0.02), partner("near", 0.002)]
    # when
    [result] = assign_packages([package(1, 0.0)], partners)
    # then
    assert result.partner_id == "near"
    assert result.reason.startswith("nearest covering partner with room, 0.1 mi away")
    assert "serves the ZIP" in result.reason


def test_a_nearer_partner_that_does_not_cover_the_zip_is_passed_over():
    partners = [partner("other-zip", 0.001, zips=("02115",)), partner("covers", 0.01)]
    [result] = assign_packages([package(1, 0.0)], partners)
    assert result.partner_id == "covers"


def test_radius_covers_a_package_outside_the_partners_zips():
    # given: the package's ZIP is not served, but it is 0.7 miles from the shop
    partners = [partner("radius", 0.01, zips=(), radius=1.0)]
    # when
    [result] = assign_packages([package(1, 0.0, zip_code="02118")], partners)
    # then
    assert result.partner_id == "radius"
    assert "within its 1 mi radius" in result.reason


def test_package_outside_every_zip_and_radius_stays_with_the_dsp():
    partners = [partner("radius", 0.05, zips=(), radius=1.0)]
    [result] = assign_packages([package(1, 0.0, zip_code="02118")], partners)
    assert result == Assignment(1, None, "no partner serves ZIP 02118 or is within range")


def test_closed_partner_is_skipped_for_the_next_nearest():
    # given
    partners = [partner("shut", 0.001, closed=True), partner("open", 0.01)]
    # when
    [result] = assign_packages([package(1, 0.0)], partners)
    # then
    assert result.partner_id == "open"
    assert result.reason.endswith("; nearer: shut closed")


def test_full_partner_overflows_to_the_next_nearest_then_to_the_dsp():
    # given: room for one at the near shop and one at the far shop, three packages
    partners = [partner("near", 0.001, capacity=1), partner("far", 0.01, capacity=1)]
    packages = [package(1, 0.0), package(2, -0.0002), package(3, -0.0004)]
    # when
    results = assign_packages(packages, partners)
    # then
    assert partner_ids(results) == ["near", "far", None]
    assert results[1].reason.endswith("; nearer: near full")
    assert results[2].reason == "every covering partner is closed or full: near full, far full"


def test_when_capacity_runs_short_the_farthest_package_stays_with_the_dsp():
    # given: listed far-first, room for two
    partners = [partner("shop", 0.0, capacity=2)]
    packages = [package(1, 0.03), package(2, 0.001), package(3, 0.002)]
    # when
    results = assign_packages(packages, partners)
    # then
    assert partner_ids(results) == [None, "shop", "shop"]


def test_partner_with_no_capacity_left_takes_nothing():
    partners = [partner("handed-off-full", 0.0, capacity=0)]
    [result] = assign_packages([package(1, 0.0)], partners)
    assert result.partner_id is None


def test_equally_near_partners_are_chosen_by_id():
    partners = [partner("b", 0.001), partner("a", -0.001)]
    [result] = assign_packages([package(1, 0.0)], partners)
    assert result.partner_id == "a"


def test_assignment_does_not_depend_on_input_order():
    # given: 60 packages, 3 partners with 40 places between them
    rng = random.Random(5)
    packages = [package(k, rng.uniform(-0.02, 0.02)) for k in range(60)]
    partners = [
        partner("north", 0.015, capacity=15),
        partner("middle", 0.0, capacity=10),
        partner("south", -0.015, capacity=15),
    ]
    # when
    first = assign_packages(packages, partners)
    shuffled = packages[:]
    rng.shuffle(shuffled)
    second = assign_packages(shuffled, list(reversed(partners)))
    # then
    assert {a.package_id: a for a in first} == {a.package_id: a for a in second}
    assert sum(a.partner_id is None for a in first) == 20


def test_assignment_returns_one_result_per_package_in_input_order():
    packages = [package(k, 0.001 * k) for k in (5, 3, 9)]
    results = assign_packages(packages, [partner("shop", 0.0)])
    assert [a.package_id for a in results] == [5, 3, 9]


def test_no_packages_assign_nothing():
    assert assign_packages([], [partner("shop", 0.0)]) == []


def test_reasons_name_the_partners_passed_over():
    # given the nearest partner, by name, is closed
    shut = PartnerCoverage(
        "p1", LAT, LNG, frozenset({"02116"}), 0.0, 30, closed=True, name="Blooms"
    )
    [result] = assign_packages([package(1, 0.0)], [shut, partner("p2", 0.01)])
    assert result.reason.endswith("; nearer: Blooms closed")


def covering_by_brute_force(spot: PackageSpot, partners: list[PartnerCoverage]) -> set:
    return {
        p.id
        for p in partners
        if spot.zip_code in p.zip_codes
        or haversine_miles(spot.lat, spot.lng, p.lat, p.lng) <= p.radius_miles
    }


def random_world(rng: random.Random, lat: float, lng: float, spread: float):
    def near(centre: float) -> float:  # a longitude near `centre`, in [-180, 180)
        return (centre + rng.uniform(-spread, spread) + 180.0) % 360.0 - 180.0

    partners = [
        PartnerCoverage(
            id=k,
            lat=lat + rng.uniform(-spread, spread),
            lng=near(lng),
            zip_codes=frozenset(rng.sample(["02116", "02118", "99546"], rng.randint(0, 1))),
            radius_miles=rng.choice([0.0, 1.0, 3.0, 10.0]),
            remaining_capacity=5,
        )
        for k in range(120)
    ]
    packages = [
        PackageSpot(
            id=k,
            lat=lat + rng.uniform(-spread, spread),
            lng=near(lng),
            zip_code=rng.choice(["02116", "02118", "99546", "10001"]),
        )
        for k in range(300)
    ]
    return partners, packages


def test_the_index_finds_exactly_the_covering_partners_anywhere_on_earth():
    """Boston, the Aleutians across the antimeridian, and near the pole: the index finds the
    partners comparing with every partner would find, nearest first."""
    rng = random.Random(11)
    for lat, lng, spread in [(42.35, -71.06, 0.3), (52.0, 179.95, 0.3), (89.4, 0.0, 0.5)]:
        partners, packages = random_world(rng, lat, lng, spread)
        index = CoverageIndex(partners)
        for spot in packages:
            found = index.covering(spot)
            assert {p.id for p in found} == covering_by_brute_force(spot, partners), spot
            assert len(found) == len({p.id for p in found})
            miles = [haversine_miles(spot.lat, spot.lng, p.lat, p.lng) for p in found]
            assert miles == sorted(miles)


def assign_by_brute_force(
    packages: list[PackageSpot], partners: list[PartnerCoverage]
) -> list[Assignment]:
    """The rule spelled out, every package against every partner: nearest-first placing,
    nearest open covering partner with room, the same reasons."""

    def covering(spot: PackageSpot) -> list[tuple[float, PartnerCoverage, bool]]:
        found = []
        for p in partners:
            miles = haversine_miles(spot.lat, spot.lng, p.lat, p.lng)
            if spot.zip_code in p.zip_codes or miles <= p.radius_miles:
                found.append((miles, p, spot.zip_code in p.zip_codes))
        return sorted(found, key=lambda found: (found[0], found[1].id))

    def nearest_open(spot: PackageSpot) -> float:
        return min((miles for miles, p, _ in covering(spot) if not p.closed), default=math.inf)

    remaining = {p.id: p.remaining_capacity for p in partners}
    decided = {}
    for spot in sorted(packages, key=lambda spot: (nearest_open(spot), spot.id)):
        passed_over = []
        for miles, p, by_zip in covering(spot):
            if p.closed or remaining[p.id] <= 0:
                passed_over.append(f"{p} {'closed' if p.closed else 'full'}")
                continue
            remaining[p.id] -= 1
            how = "serves the ZIP" if by_zip else f"within its {p.radius_miles:g} mi radius"
            away = distance_text(metres=miles * METRES_PER_MILE)
            reason = f"nearest covering partner with room, {away} away ({how})"
            nearer = "; nearer: " + ", ".join(passed_over) if passed_over else ""
            decided[spot.id] = Assignment(spot.id, p.id, reason + nearer)
            break
        else:
            reason = (
                "every covering partner is closed or full: " + ", ".join(passed_over)
                if passed_over
                else f"no partner serves ZIP {spot.zip_code} or is within range"
            )
            decided[spot.id] = Assignment(spot.id, None, reason)
    return [decided[spot.id] for spot in packages]


def test_assignment_equals_the_brute_force_when_partners_run_full_or_are_closed():
    """Boston, the Aleutians and near the pole, with little room and some partners closed:
    the indexed assignment places every package as comparing with every partner would, with
    the same reasons (so also the same partners passed over)."""
    rng = random.Random(23)
    for lat, lng, spread in [(42.35, -71.06, 0.3), (52.0, 179.95, 0.3), (89.4, 0.0, 0.5)]:
        # given partners with 0-3 places, one in ten closed
        partners, packages = random_world(rng, lat, lng, spread)
        partners = [
            dataclasses.replace(p, remaining_capacity=rng.randint(0, 3),
                                closed=rng.random() < 0.1, name=f"Shop {p.id}")
            for p in partners
        ]  # fmt: skip
        # when
        results = assign_packages(packages, partners)
        # then
        assert results == assign_by_brute_force(packages, partners)
        assert any("full" in a.reason for a in results)
        assert any("closed" in a.reason for a in results)


def test_a_car_radius_partner_does_not_widen_the_walking_partners_cells():
    # given 400 walking-radius partners over 40 miles and one car-radius partner
    rng = random.Random(3)
    partners = [
        PartnerCoverage(k, LAT + rng.uniform(-0.3, 0.3), LNG + rng.uniform(-0.3, 0.3),
                        frozenset(), 1.0, 5)
        for k in range(400)
    ] + [PartnerCoverage("car", LAT + 0.1, LNG, frozenset(), 10.0, 5)]  # fmt: skip
    # when the index is asked who may cover a package
    near = CoverageIndex(partners).near(package(1, 0.0))
    # then it still measures the walking partners of a few small cells only (plus the car)
    assert 0 < len(near) < 41


def test_the_index_compares_a_package_with_nearby_partners_only():
    # given 400 walking-radius partners spread over 40 miles, and one package
    rng = random.Random(3)
    partners = [
        PartnerCoverage(k, LAT + rng.uniform(-0.3, 0.3), LNG + rng.uniform(-0.3, 0.3),
                        frozenset(), 1.0, 5)
        for k in range(400)
    ]  # fmt: skip
    # when the index is asked who may cover it
    near = CoverageIndex(partners).near(package(1, 0.0))
    # then it measures the distance to a few cells' partners, not to all 400
    assert 0 < len(near) < 40
