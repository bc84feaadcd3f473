"""Stop order for a partner's day and the DSP's drop-off order: pure functions, no ORM.

Node 0 of every matrix is the depot (the shop, or the DSP station); node i >= 1 is stop i - 1.
Distances are whole metres from a `hubdelivery.lib.distances.DistanceMatrixProvider`.

Every answer is at least as short as a tour built and improved here, with a fixed amount
of work: the quality of a route does not depend on how busy the machine is. The input
order (e.g. address order) is never the fallback.
"""

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from itertools import pairwise

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2, routing_parameters_pb2

from hubdelivery.lib.distances import DistanceMatrixProvider, HaversineMatrix, Point

DEPOT = 0
PATH_CHEAPEST_ARC = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
CHRISTOFIDES = routing_enums_pb2.FirstSolutionStrategy.CHRISTOFIDES
# Up to this many stops the exact optimum is found by dynamic programming (a few ms at 12).
EXACT_MAX_STOPS = 12
# Longer than any real route; added to it, still far from int64's limit.
UNREACHED = 1 << 50
# Or-opt moves chains of up to this many consecutive stops.
OR_OPT_MAX_CHAIN = 3
# The whole solve's wall-clock cap in production: under the 1 s aim at 200 stops.
SOLVE_BUDGET_MS = 850


@dataclass(frozen=True)
class SearchLimits:
    """OR-Tools' budget for improving the constructed tour.

    `solution_limit` is work: how many solutions guided local search may accept, the same on
    a busy machine as on a quiet one, so small days get the same tour either way.
    `time_limit_ms` caps the whole solve, construction included, so that a large day on a
    busy machine still answers in time: the solver gets what is left of it, and nothing
    when nothing is left. Whatever the solver does, the constructed tour is the floor.
    """

    solution_limit: int
    time_limit_ms: int


def production_limits(stops: int) -> SearchLimits:
    """Limits tuned in benchmarks/route_quality.py (docs/performance.md, "Route quality").

    At 30 stops 120 solutions (about 0.2 s of CPU) took every instance to within 0.6% of
    the reference; from about 200 stops the time cap ends the search instead.
    """
    return SearchLimits(solution_limit=max(100, 4 * stops), time_limit_ms=SOLVE_BUDGET_MS)


@dataclass(frozen=True)
class RoutePlan:
    """A tour from the depot through every stop.

    `order` holds stop indices (into the caller's stop list) in visiting order.
    `leg_distances_m[k]` is the leg that ends at the k-th stop; when the route returns to the
    depot, one more leg (last stop -> depot) ends the tuple. `input_order_distance_m` is the
    length of the stops taken in the order given (e.g. address order), for comparison.
    """

    order: tuple[int, ...]
    leg_distances_m: tuple[int, ...]
    total_distance_m: int
    input_order_distance_m: int
    returns_to_depot: bool


def stop_order(
    shop: Point,
    stops: Sequence[Point],
    *,
    provider: DistanceMatrixProvider | None = None,
    limits: SearchLimits | None = None,
) -> RoutePlan:
    """The partner's day: from the shop through every stop once, and back to the shop."""
    matrix = (provider or HaversineMatrix()).matrix([shop, *stops])
    return plan_from_matrix(matrix, returns_to_depot=True, limits=limits)


def dsp_dropoff_order(
    station: Point,
    partner_points: Sequence[Point],
    *,
    provider: DistanceMatrixProvider | None = None,
    limits: SearchLimits | None = None,
) -> RoutePlan:
    """The driver's morning: from the station to every partner once, ending at the last one.

    The route is open because the drop-off run is not the driver's whole day: after the last
    partner the driver goes on to their own deliveries, so the way back is not part of it.
    """
    matrix = (provider or HaversineMatrix()).matrix([station, *partner_points])
    return plan_from_matrix(matrix, returns_to_depot=False, limits=limits)


def plan_from_matrix(
    matrix: Sequence[Sequence[int]],
    *,
    returns_to_depot: bool = True,
    limits: SearchLimits | None = None,
) -> RoutePlan:
    """Solve the tour over `matrix` (node 0 = depot); see `best_tour` for how."""
    stops = len(matrix) - 1
    costs = closed_tour_costs(matrix, returns_to_depot=returns_to_depot)
    nodes = best_tour(costs, limits or production_limits(stops))
    legs = _legs(matrix, nodes, returns_to_depot=returns_to_depot)
    return RoutePlan(
        order=tuple(node - 1 for node in nodes),
        leg_distances_m=tuple(legs),
        total_distance_m=sum(legs),
        input_order_distance_m=tour_length(
            matrix, range(1, stops + 1), returns_to_depot=returns_to_depot
        ),
        returns_to_depot=returns_to_depot,
    )


def closed_tour_costs(matrix: Sequence[Sequence[int]], *, returns_to_depot: bool) -> np.ndarray:
    """The matrix as int64; for an open route every way back to the depot is free.

    A free way back turns the open path into a closed tour of the same length, so one
    closed-tour search serves both.
    """
    costs = np.array(matrix, dtype=np.int64).reshape(len(matrix), len(matrix))
    if not returns_to_depot:
        costs[:, DEPOT] = 0
    return costs


def best_tour(costs: np.ndarray, limits: SearchLimits) -> list[int]:
    """The nodes 1..n in visiting order on a closed tour from the depot.

    1. With fewer than two stops there is nothing to choose.
    2. Up to EXACT_MAX_STOPS stops, the exact optimum (Held-Karp): cheap there, and it does
       not depend on any limit being met.
    3. Otherwise the constructed tour (`constructed_tour`: insertion, then 2-opt and Or-opt
       to a local optimum) is the floor, and OR-Tools, starting from it, improves on it
       within `limits`; the shorter of the two wins, the constructed tour on a tie. Once the
       time limit is spent the constructed tour is the answer.
    """
    started = time.perf_counter()
    stops = len(costs) - 1
    if stops < 2:
        return list(range(1, stops + 1))
    if stops <= EXACT_MAX_STOPS:
        return exact_tour(costs)
    constructed = constructed_tour(costs)
    left_ms = limits.time_limit_ms - int(1000 * (time.perf_counter() - started))
    if left_ms <= 0:
        return constructed
    improved = solver_tour(costs, constructed, replace(limits, time_limit_ms=left_ms))
    if improved is None or _length(costs, improved) >= _length(costs, constructed):
        return constructed
    return improved


# -- exact: Held-Karp ------------------------------------------------------------------------


def exact_tour(costs: np.ndarray) -> list[int]:
    """The shortest closed tour of nodes 1..n from the depot (Held-Karp, O(2^n n^2)).

    best[visited, last] is the shortest path from the depot through the set `visited` (a bit
    mask over stops 0..n-1, i.e. nodes 1..n) ending at stop `last`. The sets are extended one
    stop at a time, all sets of one size at once; each (set, last) pair is reached from
    exactly one smaller set, so every entry is written once.
    """
    n = len(costs) - 1
    between = costs[1:, 1:]
    best = np.full((1 << n, n), UNREACHED, dtype=np.int64)
    came_from = np.full((1 << n, n), -1, dtype=np.int64)
    stop_ids = np.arange(n)
    best[1 << stop_ids, stop_ids] = costs[DEPOT, 1:]
    masks = np.arange(1 << n)
    sizes = np.bitwise_count(masks)
    for size in range(1, n):
        layer = masks[sizes == size]
        via = best[layer][:, :, None] + between[None, :, :]  # (set, last, next)
        last = via.argmin(axis=1)
        length = np.take_along_axis(via, last[:, None, :], axis=1)[:, 0, :]
        rows, nexts = np.nonzero((layer[:, None] >> stop_ids) & 1 == 0)
        grown = layer[rows] | (1 << nexts)
        best[grown, nexts] = length[rows, nexts]
        came_from[grown, nexts] = last[rows, nexts]
    return _walk_back(best, came_from, costs[1:, DEPOT])


def _walk_back(best: np.ndarray, came_from: np.ndarray, closing: np.ndarray) -> list[int]:
    mask = best.shape[0] - 1
    last = int((best[mask] + closing).argmin())
    stops = []
    while last >= 0:
        stops.append(last + 1)
        mask, last = mask & ~(1 << last), int(came_from[mask, last])
    return stops[::-1]


# -- constructed tour: cheapest insertion, 2-opt, Or-opt -------------------------------------


def constructed_tour(costs: np.ndarray) -> list[int]:
    """The shorter of two insertion tours, each improved by 2-opt and Or-opt to a local optimum.

    Cheapest and farthest insertion fall into different local optima (either alone was up to
    14% off the reference at 25 stops). Deterministic and bounded by work, not time: every
    move shortens the tour by at least a metre, and `_improve` stops after 50n moves.
    """
    tours = [_improve(costs, _inserted(costs, farthest)) for farthest in (False, True)]
    return min((tour[1:-1].tolist() for tour in tours), key=lambda nodes: _length(costs, nodes))


def _inserted(costs: np.ndarray, farthest: bool) -> np.ndarray:
    """Depot, stops, depot: each step inserts a stop where it lengthens the tour least.

    The stop is the one that lengthens the tour least (cheapest insertion) or the one
    farthest from the tour (farthest insertion, which sketches the outline first).
    """
    path = np.array([DEPOT, DEPOT])
    outside = np.arange(1, len(costs))
    apart = np.minimum(costs, costs.T)
    while len(outside):
        starts, ends = path[:-1], path[1:]
        added = (
            costs[starts][:, outside] + costs[outside][:, ends].T - costs[starts, ends][:, None]
        )  # (edge, stop)
        if farthest:
            pick = int(apart[np.ix_(path[:-1], outside)].min(axis=0).argmax())
            edge = int(added[:, pick].argmin())
        else:
            edge, pick = np.unravel_index(int(added.argmin()), added.shape)
        path = np.insert(path, edge + 1, outside[pick])
        outside = np.delete(outside, pick)
    return path


def _improve(costs: np.ndarray, path: np.ndarray) -> np.ndarray:
    """Apply the best 2-opt or Or-opt move while one shortens the tour (at most 50n moves).

    `path` is depot, stops..., depot. 2-opt reverses a stretch; on a one-way street the
    stretch costs differently backwards, which the deltas include.
    """
    for _ in range(50 * len(costs)):
        gain, move = _best_two_opt(costs, path)
        or_gain, or_move = _best_or_opt(costs, path)
        if max(gain, or_gain) <= 0:
            break
        path = _reversed_stretch(path, *move) if gain >= or_gain else _moved_chain(path, *or_move)
    return path


def _along(costs: np.ndarray, path: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The matrix in path order (`legs[a, b]` = path[a] -> path[b]), and the running length
    of the path forwards and of its legs driven backwards.

    With the matrix in path order, every term of a move's saving is a slice of it.
    """
    legs = costs[np.ix_(path, path)]
    forwards = np.concatenate(([0], np.cumsum(np.diagonal(legs, 1))))
    backwards = np.concatenate(([0], np.cumsum(np.diagonal(legs, -1))))
    return legs, forwards, backwards


def _best_two_opt(costs: np.ndarray, path: np.ndarray) -> tuple[int, tuple[int, int]]:
    """The largest saving from reversing path[i..j] (1 <= i < j <= n), and (i, j)."""
    n = len(path) - 2
    legs, forwards, backwards = _along(costs, path)
    step = np.diagonal(legs, 1)  # step[a] = path[a] -> path[a + 1]
    turned = (backwards[1 : n + 1] - forwards[1 : n + 1])[None, :] - (
        backwards[1 : n + 1] - forwards[1 : n + 1]
    )[:, None]  # [i, j]: the stretch i..j driven backwards minus forwards
    saving = (
        step[0:n, None]
        + step[None, 1 : n + 1]
        - legs[0:n, 1 : n + 1]
        - legs[1 : n + 1, 2 : n + 2]
        - turned
    )
    saving = np.triu(saving, 1)
    best = int(saving.argmax())
    return int(saving.flat[best]), (best // n + 1, best % n + 1)


def _best_or_opt(costs: np.ndarray, path: np.ndarray) -> tuple[int, tuple[int, int, int, bool]]:
    """The largest saving from moving a chain path[i..i+k-1] between path[q] and path[q+1].

    Returns (saving, (i, k, q, reversed)); the chain may go in either direction.
    """
    n = len(path) - 2
    legs, forwards, backwards = _along(costs, path)
    step = np.diagonal(legs, 1)
    best_saving, best_move = 0, (1, 1, 0, False)
    for k in range(1, min(OR_OPT_MAX_CHAIN, n - 1) + 1):
        starts = n - k + 1  # i = 1..starts; the chain's last stop is i + k - 1
        removed = step[0:starts] + step[k : n + 1] - np.diagonal(legs, k + 1)
        turned = (backwards[k : n + 1] - backwards[1 : starts + 1]) - (
            forwards[k : n + 1] - forwards[1 : starts + 1]
        )
        kept = removed[:, None] + step[None, :]
        ahead = kept - legs[0 : n + 1, 1 : starts + 1].T - legs[k : n + 1, 1 : n + 2]
        behind = kept - legs[0 : n + 1, k : n + 1].T - legs[1 : starts + 1, 1 : n + 2]
        behind -= turned[:, None]
        saving = np.where(_or_opt_legal(n, k), np.maximum(ahead, behind), 0)
        pick = int(saving.argmax())
        if saving.flat[pick] > best_saving:
            row, col = divmod(pick, saving.shape[1])
            is_reversed = bool(behind.flat[pick] > ahead.flat[pick])
            best_saving, best_move = int(saving.flat[pick]), (row + 1, k, col, is_reversed)
    return best_saving, best_move


@cache
def _or_opt_legal(n: int, k: int) -> np.ndarray:
    """[i - 1, q]: may the chain path[i..i+k-1] go between path[q] and path[q + 1]?"""
    i = np.arange(1, n - k + 2)[:, None]
    q = np.arange(0, n + 1)[None, :]
    return (q < i - 1) | (q > i + k - 1)


def _reversed_stretch(path: np.ndarray, i: int, j: int) -> np.ndarray:
    return np.concatenate((path[:i], path[i : j + 1][::-1], path[j + 1 :]))


def _moved_chain(path: np.ndarray, i: int, k: int, q: int, is_reversed: bool) -> np.ndarray:
    chain = path[i : i + k][::-1] if is_reversed else path[i : i + k]
    if q < i:
        return np.concatenate((path[: q + 1], chain, path[q + 1 : i], path[i + k :]))
    return np.concatenate((path[:i], path[i + k : q + 1], chain, path[q + 1 :]))


# -- OR-Tools --------------------------------------------------------------------------------


def solver_tour(costs: np.ndarray, initial: list[int], limits: SearchLimits) -> list[int] | None:
    """Guided local search from `initial` within `limits`; None if the solver gave nothing."""
    manager, routing = _routing_model(costs)
    parameters = _search_parameters(limits.time_limit_ms)
    parameters.solution_limit = limits.solution_limit
    routing.CloseModelWithParameters(parameters)
    start = routing.ReadAssignmentFromRoutes([[manager.NodeToIndex(n) for n in initial]], True)
    if start is None:
        return None
    return _visits(manager, routing, routing.SolveFromAssignmentWithParameters(start, parameters))


def solve_tour(
    matrix: Sequence[Sequence[int]],
    time_limit_ms: int,
    first_solution: int = PATH_CHEAPEST_ARC,
    *,
    bandit: bool = True,
) -> list[int] | None:
    """Nodes 1..n in the order OR-Tools visits them on one closed tour from node 0.

    The benchmark's long reference solve. `first_solution` is a `FirstSolutionStrategy`
    value; `bandit=False` is plain guided local search. None when the time limit ran out
    before a first solution was built.
    """
    manager, routing = _routing_model(np.array(matrix, dtype=np.int64))
    parameters = _search_parameters(time_limit_ms, bandit=bandit)
    parameters.first_solution_strategy = first_solution
    return _visits(manager, routing, routing.SolveWithParameters(parameters))


def _routing_model(
    costs: np.ndarray,
) -> tuple[pywrapcp.RoutingIndexManager, pywrapcp.RoutingModel]:
    manager = pywrapcp.RoutingIndexManager(len(costs), 1, DEPOT)
    routing = pywrapcp.RoutingModel(manager)
    # The matrix goes to the solver as data: no Python callback per arc.
    transit = routing.RegisterTransitMatrix(costs.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(transit)
    return manager, routing


def _visits(
    manager: pywrapcp.RoutingIndexManager,
    routing: pywrapcp.RoutingModel,
    solution: pywrapcp.Assignment | None,
) -> list[int] | None:
    if solution is None:
        return None
    index = solution.Value(routing.NextVar(routing.Start(0)))
    nodes = []
    while not routing.IsEnd(index):
        nodes.append(manager.IndexToNode(index))
        index = solution.Value(routing.NextVar(index))
    return nodes


def _search_parameters(
    time_limit_ms: int, *, bandit: bool = True
) -> routing_parameters_pb2.RoutingSearchParameters:
    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    # The bandit favours the operators that have been paying off: in
    # benchmarks/route_quality.py it took 200-stop gaps from 2-4% to under 1% in 0.4 s.
    parameters.use_multi_armed_bandit_concatenate_operators = bandit
    parameters.time_limit.FromMilliseconds(time_limit_ms)
    return parameters


# -- lengths ---------------------------------------------------------------------------------


def tour_length(
    matrix: Sequence[Sequence[int]], nodes: Sequence[int], *, returns_to_depot: bool = True
) -> int:
    """Length of depot -> nodes... (-> depot), in metres."""
    return sum(_legs(matrix, nodes, returns_to_depot=returns_to_depot))


def _length(costs: np.ndarray, nodes: Sequence[int]) -> int:
    path = [DEPOT, *nodes, DEPOT]
    return int(costs[path[:-1], path[1:]].sum())


def _legs(
    matrix: Sequence[Sequence[int]], nodes: Sequence[int], *, returns_to_depot: bool
) -> list[int]:
    path = [DEPOT, *nodes, DEPOT] if returns_to_depot and nodes else [DEPOT, *nodes]
    return [int(matrix[a][b]) for a, b in pairwise(path)]
