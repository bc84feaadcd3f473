"""Stop order and DSP drop-off order: pure, no database."""

import random
from collections.abc import Sequence
from itertools import permutations

import pytest

from hubdelivery.lib.distances import HaversineMatrix, Point
from routing import ordering
from routing.ordering import (
    RoutePlan,
    SearchLimits,
    dsp_dropoff_order,
    plan_from_matrix,
    production_limits,
    stop_order,
    tour_length,
)

SHOP: Point = (42.3496, -71.0746)  # Back Bay, Boston


def random_points(count: int, seed: int, spread: float = 0.02) -> list[Point]:
    rng = random.Random(seed)
    return [
        (SHOP[0] + rng.uniform(-spread, spread), SHOP[1] + rng.uniform(-spread, spread))
        for _ in range(count)
    ]


def brute_force_length(matrix: Sequence[Sequence[int]], *, returns_to_depot: bool) -> int:
    stops = range(1, len(matrix))
    return min(
        tour_length(matrix, order, returns_to_depot=returns_to_depot)
        for order in permutations(stops)
    )


def assert_visits_every_stop_once(plan: RoutePlan, stops: int) -> None:
    assert sorted(plan.order) == list(range(stops))


class FixedMatrix:
    """A provider that answers with a given matrix, whatever the points."""

    def __init__(self, matrix: list[list[int]]) -> None:
        self._matrix = matrix

    def matrix(self, points: Sequence[Point]) -> list[list[int]]:
        assert len(points) == len(self._matrix)
        return self._matrix


# -- the partner's day -----------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(4))
def test_stop_order_visits_every_stop_once_from_and_back_to_the_shop(seed):
    # given
    stops = random_points(25, seed)
    matrix = HaversineMatrix().matrix([SHOP, *stops])
    # when
    plan = stop_order(SHOP, stops)
    # then
    assert_visits_every_stop_once(plan, len(stops))
    assert plan.returns_to_depot
    assert len(plan.leg_distances_m) == len(stops) + 1
    assert plan.leg_distances_m[0] == matrix[0][plan.order[0] + 1]
    assert plan.leg_distances_m[-1] == matrix[plan.order[-1] + 1][0]
    assert plan.total_distance_m == sum(plan.leg_distances_m)


@pytest.mark.parametrize("stops", [3, 5, 6, 7, 8])
@pytest.mark.parametrize("seed", range(3))
def test_stop_order_is_optimal_for_small_days(stops, seed):
    # given
    points = random_points(stops, seed=100 * stops + seed)
    matrix = HaversineMatrix().matrix([SHOP, *points])
    # when
    plan = stop_order(SHOP, points)
    # then
    assert plan.total_distance_m == brute_force_length(matrix, returns_to_depot=True)


@pytest.mark.parametrize("seed", range(3))
def test_stop_order_is_optimal_on_an_asymmetric_matrix(seed):
    # given: one-way streets make there and back differ
    rng = random.Random(seed)
    size = 8
    matrix = [[0 if i == j else rng.randint(100, 2000) for j in range(size)] for i in range(size)]
    # when
    plan = plan_from_matrix(matrix)
    # then
    assert plan.total_distance_m == brute_force_length(matrix, returns_to_depot=True)


@pytest.mark.parametrize("seed", range(3))
def test_stop_order_is_never_longer_than_the_input_order(seed):
    # given
    stops = random_points(40, seed)
    # when
    plan = stop_order(SHOP, stops)
    # then
    assert plan.total_distance_m <= plan.input_order_distance_m


def test_stop_order_keeps_the_input_order_when_nothing_is_shorter():
    # given: the shop and stops 100 m apart on one street, listed going out; no tour is
    # shorter than out and back, several are as short
    matrix = [[100 * abs(i - j) for j in range(10)] for i in range(10)]
    # when
    plan = stop_order(SHOP, random_points(9, seed=4), provider=FixedMatrix(matrix))
    # then
    assert plan.order == tuple(range(9))
    assert plan.total_distance_m == plan.input_order_distance_m == 1800


def test_stop_order_falls_back_to_the_input_order_when_the_solver_does_worse(monkeypatch):
    # given: a solver that answers with the reverse of a one-way loop
    matrix = [[0, 1, 9, 9], [9, 0, 1, 9], [9, 9, 0, 1], [1, 9, 9, 0]]
    monkeypatch.setattr(ordering, "solve_tour", lambda *_args: [3, 2, 1])
    # when
    plan = plan_from_matrix(matrix)
    # then
    assert plan.order == (0, 1, 2)
    assert plan.total_distance_m == plan.input_order_distance_m == 4


def test_stop_order_falls_back_to_the_input_order_when_the_solver_finds_nothing(monkeypatch):
    # given: the time limit ran out before a first solution
    monkeypatch.setattr(ordering, "solve_tour", lambda *_args: None)
    stops = random_points(ordering.EXACT_MAX_STOPS + 5, seed=1)
    # when
    plan = stop_order(SHOP, stops)
    # then
    assert plan.order == tuple(range(ordering.EXACT_MAX_STOPS + 5))


def test_stop_order_is_deterministic_for_the_same_input():
    # given
    stops = random_points(12, seed=7)
    # when
    plans = {stop_order(SHOP, stops) for _ in range(3)}
    # then
    assert len(plans) == 1


def test_stop_order_of_no_stops_is_empty():
    plan = stop_order(SHOP, [])
    assert plan == RoutePlan(
        order=(),
        leg_distances_m=(),
        total_distance_m=0,
        input_order_distance_m=0,
        returns_to_depot=True,
    )


def test_stop_order_of_one_stop_goes_there_and_back():
    # given
    stop = (SHOP[0] + 0.01, SHOP[1])
    # when
    plan = stop_order(SHOP, [stop])
    # then
    leg = HaversineMatrix().matrix([SHOP, stop])[0][1]
    assert plan.order == (0,)
    assert plan.leg_distances_m == (leg, leg)
    assert plan.total_distance_m == 2 * leg


def test_stop_order_of_two_stops_takes_the_shorter_direction_on_one_way_streets():
    # given: 0 -> 2 -> 1 -> 0 is shorter than the input order 0 -> 1 -> 2 -> 0
    matrix = [[0, 50, 1], [1, 0, 50], [50, 1, 0]]
    # when
    plan = stop_order(SHOP, random_points(2, seed=3), provider=FixedMatrix(matrix))
    # then
    assert plan.order == (1, 0)
    assert plan.leg_distances_m == (1, 1, 1)
    assert plan.input_order_distance_m == 150


def test_stop_order_handles_stops_at_the_same_place():
    # given: three parcels for one building, two at the shop's own address
    building = (SHOP[0] + 0.005, SHOP[1] + 0.005)
    stops = [building, SHOP, building, SHOP, building, (SHOP[0] - 0.005, SHOP[1])]
    matrix = HaversineMatrix().matrix([SHOP, *stops])
    # when
    plan = stop_order(SHOP, stops)
    # then
    assert_visits_every_stop_once(plan, len(stops))
    assert plan.total_distance_m == brute_force_length(matrix, returns_to_depot=True)


def test_stop_order_when_every_stop_is_at_the_shop_is_zero_long():
    plan = stop_order(SHOP, [SHOP] * 5)
    assert plan.total_distance_m == 0
    assert_visits_every_stop_once(plan, 5)


def test_stop_order_result_is_immutable():
    plan = stop_order(SHOP, random_points(3, seed=1))
    with pytest.raises(AttributeError):
        plan.total_distance_m = 0  # type: ignore[misc]


def test_stop_order_honours_explicit_limits():
    stops = random_points(10, seed=2)
    plan = stop_order(SHOP, stops, limits=SearchLimits(time_limit_ms=20))
    assert_visits_every_stop_once(plan, len(stops))


@pytest.mark.parametrize(("stops", "starts"), [(30, 1), (49, 1), (50, 2), (200, 2)])
def test_production_limits_add_a_second_start_for_large_days(stops, starts):
    limits = production_limits(stops)
    assert len(limits.first_solutions) == starts
    # Whole budget stays under the aims: 0.1 s at 30 stops, 1 s at 200.
    assert limits.time_limit_ms * starts <= (60 if stops <= 30 else 800)


# -- the DSP's drop-off run ------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(3))
def test_dsp_dropoff_order_is_an_optimal_open_route_from_the_station(seed):
    # given
    station = (42.3601, -71.0589)
    partners = random_points(7, seed=seed, spread=0.05)
    matrix = HaversineMatrix().matrix([station, *partners])
    # when
    plan = dsp_dropoff_order(station, partners)
    # then
    assert_visits_every_stop_once(plan, len(partners))
    assert not plan.returns_to_depot
    assert len(plan.leg_distances_m) == len(partners)
    assert plan.leg_distances_m[0] == matrix[0][plan.order[0] + 1]
    assert plan.total_distance_m == brute_force_length(matrix, returns_to_depot=False)
    assert plan.total_distance_m <= plan.input_order_distance_m


def test_dsp_dropoff_order_ends_at_the_far_partner_rather_than_coming_back():
    # given: partners on a line east of the station, listed out of order
    station = (42.36, -71.06)
    partners = [(42.36, -71.06 + 0.01 * k) for k in (3, 1, 4, 2)]
    # when
    plan = dsp_dropoff_order(station, partners)
    # then
    assert plan.order == (1, 3, 0, 2)


def test_dsp_dropoff_order_of_no_partners_is_empty():
    plan = dsp_dropoff_order((42.36, -71.06), [])
    assert plan.order == ()
    assert plan.total_distance_m == 0


@pytest.mark.parametrize("returns_to_depot", [True, False])
def test_exact_tour_matches_brute_force_up_to_the_exact_limit(returns_to_depot):
    # given a random asymmetric matrix of seven stops
    rng = random.Random(11)
    size = 8
    matrix = [[0 if i == j else rng.randint(100, 2000) for j in range(size)] for i in range(size)]
    # when
    nodes = ordering.exact_tour(matrix, returns_to_depot=returns_to_depot)
    # then
    assert sorted(nodes) == list(range(1, size))
    assert ordering.tour_length(
        matrix, nodes, returns_to_depot=returns_to_depot
    ) == brute_force_length(matrix, returns_to_depot=returns_to_depot)
