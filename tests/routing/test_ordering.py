"""Stop order and DSP drop-off order: pure, no database."""

import random
from collections.abc import Sequence
from itertools import permutations
from math import cos, pi, sin

import numpy as np
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


def test_stop_order_of_stops_on_one_street_goes_out_and_back():
    # given: the shop and stops 100 m apart on one street; no tour is shorter than out and back
    matrix = [[100 * abs(i - j) for j in range(16)] for i in range(16)]
    # when
    plan = stop_order(SHOP, random_points(15, seed=4), provider=FixedMatrix(matrix))
    # then
    assert plan.total_distance_m == 3000


def bad_input_order_matrix(stops: int) -> list[list[int]]:
    """Stops on a ring road listed every other one, so the input order crosses the ring."""
    rng = random.Random(stops)
    angles = sorted(rng.uniform(0, 6.28) for _ in range(stops))
    ring = [angles[k] for k in (*range(0, stops, 2), *range(1, stops, 2))]
    points = [SHOP] + [(SHOP[0] + 0.02 * cos(a), SHOP[1] + 0.02 * sin(a)) for a in ring]
    return HaversineMatrix().matrix(points)


@pytest.mark.parametrize("returns_to_depot", [True, False])
def test_a_solve_out_of_time_returns_the_constructed_tour_not_the_input_order(
    returns_to_depot,
):
    # given: a day whose input order is bad, and no time at all for the solver
    matrix = bad_input_order_matrix(30)
    costs = ordering.closed_tour_costs(matrix, returns_to_depot=returns_to_depot)
    # when
    plan = plan_from_matrix(
        matrix,
        returns_to_depot=returns_to_depot,
        limits=SearchLimits(solution_limit=1000, time_limit_ms=0),
    )
    # then
    assert [node - 1 for node in ordering.constructed_tour(costs)] == list(plan.order)
    assert plan.order != tuple(range(30))
    assert plan.total_distance_m < 0.6 * plan.input_order_distance_m


def test_a_solver_that_finds_nothing_leaves_the_constructed_tour(monkeypatch):
    # given: the solver gives up without a tour (a tiny time limit on a busy machine)
    monkeypatch.setattr(ordering, "solver_tour", lambda *_args: None)
    matrix = bad_input_order_matrix(20)
    # when
    plan = plan_from_matrix(matrix)
    # then
    constructed = ordering.constructed_tour(
        ordering.closed_tour_costs(matrix, returns_to_depot=True)
    )
    assert list(plan.order) == [node - 1 for node in constructed]
    assert plan.total_distance_m < 0.6 * plan.input_order_distance_m


def test_a_solver_tour_longer_than_the_constructed_tour_is_not_taken(monkeypatch):
    # given: a solver that answers with the input order, which is bad here
    monkeypatch.setattr(ordering, "solver_tour", lambda *_args: list(range(1, 21)))
    matrix = bad_input_order_matrix(20)
    # when
    plan = plan_from_matrix(matrix)
    # then
    assert plan.order != tuple(range(20))
    assert plan.total_distance_m < 0.6 * plan.input_order_distance_m


def test_the_solver_starts_from_the_constructed_tour_and_returns_no_longer_tour():
    # given: the constructed tour of a 25-stop day
    costs = ordering.closed_tour_costs(
        HaversineMatrix().matrix([SHOP, *random_points(25, seed=5)]), returns_to_depot=True
    )
    constructed = ordering.constructed_tour(costs)
    # when: the solver may accept a single solution, i.e. its starting point
    nodes = ordering.solver_tour(costs, constructed, SearchLimits(1, 60_000))
    # then
    assert nodes is not None
    assert tour_length(costs, nodes) <= tour_length(costs, constructed)


@pytest.mark.parametrize("stops", [9, 12, 20])
def test_stop_order_is_deterministic_for_the_same_input(stops):
    # given: a time limit far away, so only the work limit ends the search
    points = random_points(stops, seed=7)
    limits = SearchLimits(
        solution_limit=production_limits(stops).solution_limit, time_limit_ms=60_000
    )
    # when
    plans = {stop_order(SHOP, points, limits=limits) for _ in range(3)}
    # then
    assert len(plans) == 1


@pytest.mark.parametrize("seed", range(3))
def test_constructed_tour_is_deterministic(seed):
    costs = ordering.closed_tour_costs(
        HaversineMatrix().matrix([SHOP, *random_points(40, seed)]), returns_to_depot=True
    )
    assert len({tuple(ordering.constructed_tour(costs)) for _ in range(3)}) == 1


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
    stops = random_points(20, seed=2)
    plan = stop_order(SHOP, stops, limits=SearchLimits(solution_limit=5, time_limit_ms=20))
    assert_visits_every_stop_once(plan, len(stops))


@pytest.mark.parametrize("stops", [13, 30, 200])
def test_production_limits_bound_the_work_and_cap_the_time_under_the_aim(stops):
    limits = production_limits(stops)
    assert limits.solution_limit >= 100
    # The aim: 200 stops in under 1 s.
    assert limits.time_limit_ms < 1000


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
@pytest.mark.parametrize("stops", [2, 5, 8])
def test_exact_tour_matches_brute_force(returns_to_depot, stops):
    # given a random asymmetric matrix
    rng = random.Random(11 + stops)
    size = stops + 1
    matrix = [[0 if i == j else rng.randint(100, 2000) for j in range(size)] for i in range(size)]
    # when
    costs = ordering.closed_tour_costs(matrix, returns_to_depot=returns_to_depot)
    nodes = ordering.exact_tour(costs)
    # then
    assert sorted(nodes) == list(range(1, size))
    assert ordering.tour_length(
        matrix, nodes, returns_to_depot=returns_to_depot
    ) == brute_force_length(matrix, returns_to_depot=returns_to_depot)


def test_stop_order_is_optimal_at_the_exact_limit():
    # given: the shop and twelve stops on a ring, listed shuffled; on a convex ring the
    # shortest tour follows the ring
    ring = [
        (SHOP[0] + 0.01 * cos(2 * pi * k / 13), SHOP[1] + 0.013 * sin(2 * pi * k / 13))
        for k in range(13)
    ]
    shuffled = list(range(1, 13))
    random.Random(3).shuffle(shuffled)
    # when
    plan = stop_order(ring[0], [ring[k] for k in shuffled])
    # then
    around = [shuffled[k] for k in plan.order]
    assert around in (list(range(1, 13)), list(range(12, 0, -1)))
    assert ordering.EXACT_MAX_STOPS == 12


# -- the constructed tour: 2-opt and Or-opt --------------------------------------------------


def random_costs(size: int, seed: int, *, symmetric: bool) -> np.ndarray:
    rng = random.Random(seed)
    costs = np.array(
        [[0 if i == j else rng.randint(100, 2000) for j in range(size)] for i in range(size)]
    )
    return np.minimum(costs, costs.T) if symmetric else costs


def random_path(size: int, seed: int) -> np.ndarray:
    stops = list(range(1, size))
    random.Random(seed).shuffle(stops)
    return np.array([0, *stops, 0])


def path_length(costs: np.ndarray, path: np.ndarray) -> int:
    return int(costs[path[:-1], path[1:]].sum())


@pytest.mark.parametrize("symmetric", [True, False])
@pytest.mark.parametrize("seed", range(4))
def test_two_opt_and_or_opt_moves_shorten_the_tour_by_exactly_their_saving(symmetric, seed):
    # given: a random tour over a matrix that may differ there and back (one-way streets)
    costs = random_costs(25, seed, symmetric=symmetric)
    path = random_path(25, seed)
    # when / then: every best move shortens the tour by the saving it announced
    for _ in range(30):
        gain, move = ordering._best_two_opt(costs, path)
        or_gain, or_move = ordering._best_or_opt(costs, path)
        if gain > 0:
            moved = ordering._reversed_stretch(path, *move)
            assert path_length(costs, path) - path_length(costs, moved) == gain
        if or_gain > 0:
            moved = ordering._moved_chain(path, *or_move)
            assert path_length(costs, path) - path_length(costs, moved) == or_gain
            path = moved
        elif gain > 0:
            path = ordering._reversed_stretch(path, *move)
        else:
            break
        assert sorted(path[1:-1]) == list(range(1, 25))


@pytest.mark.parametrize("symmetric", [True, False])
@pytest.mark.parametrize("seed", range(4))
def test_improving_a_tour_never_lengthens_it_and_ends_at_a_local_optimum(symmetric, seed):
    # given
    costs = random_costs(30, seed, symmetric=symmetric)
    path = random_path(30, seed)
    # when
    improved = ordering._improve(costs, path)
    # then
    assert path_length(costs, improved) <= path_length(costs, path)
    assert improved[0] == improved[-1] == 0
    assert sorted(improved[1:-1]) == list(range(1, 30))
    assert ordering._best_two_opt(costs, improved)[0] <= 0
    assert ordering._best_or_opt(costs, improved)[0] <= 0


def test_improving_a_locally_optimal_tour_leaves_it_as_it_is():
    # given
    costs = random_costs(20, 1, symmetric=False)
    optimum = ordering._improve(costs, random_path(20, 1))
    # when
    again = ordering._improve(costs, optimum)
    # then
    assert again.tolist() == optimum.tolist()


@pytest.mark.parametrize("returns_to_depot", [True, False])
def test_a_large_day_with_many_stops_at_the_same_places_visits_each_once(returns_to_depot):
    # given: 30 parcels for five buildings and the shop itself, beyond exact search
    places = [SHOP, *random_points(5, seed=8)]
    stops = [places[k % 6] for k in range(30)]
    matrix = HaversineMatrix().matrix([SHOP, *stops])
    # when
    plan = plan_from_matrix(matrix, returns_to_depot=returns_to_depot)
    # then: each building once, so no more than the exact tour over the distinct places
    assert_visits_every_stop_once(plan, 30)
    distinct = HaversineMatrix().matrix(places)
    assert plan.total_distance_m == brute_force_length(distinct, returns_to_depot=returns_to_depot)


@pytest.mark.parametrize("seed", range(3))
def test_a_large_open_route_on_one_way_streets_beats_the_input_order(seed):
    # given: 25 stops, distances differing there and back
    rng = random.Random(seed)
    matrix = [[0 if i == j else rng.randint(100, 2000) for j in range(26)] for i in range(26)]
    # when
    plan = plan_from_matrix(matrix, returns_to_depot=False)
    # then
    assert_visits_every_stop_once(plan, 25)
    assert len(plan.leg_distances_m) == 25
    assert plan.total_distance_m == tour_length(
        matrix, [k + 1 for k in plan.order], returns_to_depot=False
    )
    assert plan.total_distance_m < plan.input_order_distance_m
