"""Package-to-partner assignment (routing.assignment) at scale, against a floor.

    .venv/bin/python benchmarks/assignment.py [--partners 10000] [--packages 20000]
                                              [--rounds 3] [--brute-sample 200] [--scale 3]

One DSP's day: `--packages` packages spread over four metro areas and `--partners` active
partners in the same areas (walking, bike and car radii of 1, 3 and 10 miles; half also serve
their own ZIP), 30 places each. It times `assign_packages` (the coverage index: a ZIP lookup
and per radius tier a grid of cells as wide as the tier's largest radius) and, as the floor,
the least any assignment must do: one distance per package and a sort. It also times the
brute force it replaced (every package against every partner) on `--brute-sample` packages
and scales that up. Prints the medians and the ratios. Aim: the indexed run under 10 s for
10,000 partners and 20,000 packages; the script exits 1 when it is missed.

With `--scale K` it also builds a day K times as big: K times the partners and packages,
spread over K times as many metro areas (the same density, so each package has as many
partners within reach). Each round times the day at 1x and at Kx back to back (CPU time of
this process, so other work on the machine matters less) and prints their ratio. Aim: growth
that stays linear, the ratio at most 7/6 of K (3.5 at 3x); the script exits 1 when missed.
"""

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hubdelivery.lib.geo import haversine_miles
from routing.assignment import (
    CoverageIndex,
    PackageSpot,
    PartnerCoverage,
    assign_packages,
)

AIM_SECONDS = 10.0
AIM_GROWTH = 7 / 6  # the Kx day may take at most 7/6 of K times the 1x day
# Boston, New York, Philadelphia, Providence, then the metro areas a bigger day adds
# (Washington, Norfolk, Pittsburgh, Hartford; Albany, Buffalo, Rochester, Cleveland;
# Richmond, Syracuse, Harrisburg, Allentown). About 0.2 degrees is 14 miles.
METROS = [
    (42.35, -71.06), (40.73, -73.99), (39.95, -75.16), (41.82, -71.41),
    (38.90, -77.04), (36.85, -76.29), (40.44, -80.00), (41.76, -72.69),
    (42.65, -73.76), (42.89, -78.88), (43.16, -77.61), (41.50, -81.69),
    (37.54, -77.44), (43.05, -76.15), (40.27, -76.88), (40.60, -75.49),
]  # fmt: skip
METROS_AT_1X = 4
SPREAD_DEGREES = 0.2
RADII = [1.0, 3.0, 10.0]


def zip_of(lat: float, lng: float) -> str:
    """A stand-in ZIP: a 0.02-degree cell (about a mile and a half across)."""
    return f"{round(lat * 50)}:{round(lng * 50)}"


def world(partners: int, packages: int, seed: int = 7, metros: int = METROS_AT_1X):
    rng = random.Random(seed)
    centres = METROS[:metros]

    def spot() -> tuple[float, float]:
        lat, lng = rng.choice(centres)
        return (
            lat + rng.uniform(-SPREAD_DEGREES, SPREAD_DEGREES),
            lng + rng.uniform(-SPREAD_DEGREES, SPREAD_DEGREES),
        )

    coverages = []
    for k in range(partners):
        lat, lng = spot()
        zips = frozenset({zip_of(lat, lng)}) if k % 2 else frozenset()
        coverages.append(PartnerCoverage(k, lat, lng, zips, rng.choice(RADII), 30))
    spots = []
    for k in range(packages):
        lat, lng = spot()
        spots.append(PackageSpot(k, lat, lng, zip_of(lat, lng)))
    return coverages, spots


def floor_run(spots: list[PackageSpot], partners: list[PartnerCoverage]) -> None:
    """One distance per package (to a partner chosen by a dict lookup) and a sort."""
    first = {spot.zip_code: partners[0] for spot in spots}
    nearest = [
        haversine_miles(s.lat, s.lng, first[s.zip_code].lat, first[s.zip_code].lng) for s in spots
    ]
    sorted(range(len(spots)), key=nearest.__getitem__)


def brute_force_run(spots: list[PackageSpot], partners: list[PartnerCoverage]) -> None:
    for spot in spots:
        for partner in partners:
            haversine_miles(spot.lat, spot.lng, partner.lat, partner.lng)


def median_seconds(run, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def cpu_seconds(run) -> float:
    started = time.process_time()
    run()
    return time.process_time() - started


def report_size(args: argparse.Namespace) -> float:
    """Times the 1x day against the floor and the brute force; returns the indexed median."""
    partners, spots = world(args.partners, args.packages)
    index = CoverageIndex(partners)
    looked_at = statistics.mean(len(index.near(s)) for s in spots[:2000])
    in_reach = statistics.mean(len(index.covering(s)) for s in spots[:500])
    indexed = median_seconds(lambda: assign_packages(spots, partners), args.rounds)
    floor = median_seconds(lambda: floor_run(spots, partners), args.rounds)
    sample = spots[: args.brute_sample]
    brute = median_seconds(lambda: brute_force_run(sample, partners), 1)
    brute_scaled = brute * len(spots) / len(sample)
    placed = sum(a.partner_id is not None for a in assign_packages(spots, partners))

    print(f"{args.partners:,} partners, {args.packages:,} packages, {placed:,} placed")
    print(f"partners looked at per package (mean): {looked_at:,.0f} of {args.partners:,}; "
          f"within reach: {in_reach:,.0f}")  # fmt: skip
    print(f"{'run':<34}{'seconds':>10}{'x floor':>10}")
    for label, seconds in [
        ("floor (one distance + sort)", floor),
        ("assign_packages (index)", indexed),
        ("brute force distances (scaled)", brute_scaled),
    ]:
        print(f"{label:<34}{seconds:>10.3f}{seconds / floor:>10.1f}")
    print(f"index vs brute force: {brute_scaled / indexed:.1f}x faster")
    return indexed


def report_growth(args: argparse.Namespace) -> bool:
    """Times the 1x and the Kx day back to back each round; True when the aim is met."""
    scale = args.scale
    small = world(args.partners, args.packages)
    large = world(args.partners * scale, args.packages * scale, metros=METROS_AT_1X * scale)
    print(f"\ngrowth: {scale}x partners and packages over {METROS_AT_1X * scale} metro areas "
          f"(CPU seconds)")  # fmt: skip
    print(f"{'round':<8}{'1x':>10}{f'{scale}x':>10}{'ratio':>10}")
    ratios = []
    for round_number in range(1, args.rounds + 1):
        one = cpu_seconds(lambda: assign_packages(small[1], small[0]))
        many = cpu_seconds(lambda: assign_packages(large[1], large[0]))
        ratios.append(many / one)
        print(f"{round_number:<8}{one:>10.2f}{many:>10.2f}{many / one:>10.2f}")
    aim = AIM_GROWTH * scale
    print(f"ratio min {min(ratios):.2f}, median {statistics.median(ratios):.2f} "
          f"(aim <= {aim:.2f})")  # fmt: skip
    return statistics.median(ratios) <= aim


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--packages", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--brute-sample", type=int, default=200)
    parser.add_argument("--scale", type=int, default=1,
                        help=f"also time a day this many times as big (up to "
                             f"{len(METROS) // METROS_AT_1X})")  # fmt: skip
    args = parser.parse_args()
    if not 1 <= args.scale <= len(METROS) // METROS_AT_1X:
        parser.error(f"--scale must be between 1 and {len(METROS) // METROS_AT_1X}")

    indexed = report_size(args)
    grew_linearly = args.scale == 1 or report_growth(args)
    if indexed > AIM_SECONDS:
        print(f"MISSED: assignment took {indexed:.1f} s (aim < {AIM_SECONDS:g} s)")
    if not grew_linearly:
        print(f"MISSED: the {args.scale}x day grew faster than {AIM_GROWTH:.2f} x {args.scale}")
    if indexed > AIM_SECONDS or not grew_linearly:
        sys.exit(1)


if __name__ == "__main__":
    main()
