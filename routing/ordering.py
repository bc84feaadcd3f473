"""Stop order for a partner's day and the DSP's drop-off order: pure functions, no ORM.

Node 0 of every matrix is the depot (the shop, or the DSP station); node i >= 1 is stop i - 1.
Distances are whole metres from a `hubdelivery.lib.distances.DistanceMatrixProvider`.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from ortools.constraint_solver import pywrapcp, routing_enums_pb2, routing_parameters_pb2

from hubdelivery.lib.distances import DistanceMatrixProvider, HaversineMatrix, Point

DEPOT = 0
PATH_CHEAPEST_ARC = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
CHRISTOFIDES = routing_enums_pb2.FirstSolutionStrategy.CHRISTOFIDES
# Up to this many stops the exact optimum is found by dynamic programming (about 15 ms at 10).
EXACT_MAX_STOPS = 10
# From this many stops on, a second start pays for halving each start's time.
MULTI_START_MIN_STOPS = 50


@dataclass(frozen=True)
class SearchLimits:
    """Guided local search from each first solution in turn, `time_limit_ms` each.

    Guided local search never stops on its own, so the time limit is what ends every solve.
    The search itself is deterministic: once it has reached the best tour it will find (at
    once for a handful of stops) the answer repeats; on larger days two runs may stop at
    different points and differ slightly.
    """

    time_limit_ms: int
    first_solutions: tuple[int, ...] = (PATH_CHEAPEST_ARC,)


def production_limits(stops: int) -> SearchLimits:
    """Limits tuned in benchmarks/route_quality.py (docs/performance.md, "Route quality").

    About 60 ms in all for 30 stops and 740 ms for 200. On larger days guided local search
    from the cheapest-arc start can stall in a poor valley for seconds, so a second search
    starts from Christofides' tour and the shorter result wins.
    """
    total_ms = min(max(4 * stops - 60, 10), 800)
    if stops < MULTI_START_MIN_STOPS:
        return SearchLimits(time_limit_ms=total_ms)
    return SearchLimits(
        time_limit_ms=total_ms // 2, first_solutions=(PATH_CHEAPEST_ARC, CHRISTOFIDES)
    )


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
    """Solve the tour over `matrix` (node 0 = depot) and never return worse than input order.

    1. With fewer than two stops there is nothing to choose.
    2. Up to EXACT_MAX_STOPS stops, the exact optimum by dynamic programming (Held-Karp):
       cheaper than the solver there, and it does not depend on a time limit being met.
    3. Otherwise OR-Tools: guided local search from each first solution; the shortest wins.
    4. Should no tour be found in time, or the best be no shorter than the input order, the
       input order stands.
    """
    stops = len(matrix) - 1
    candidates = [list(range(1, stops + 1))]
    if 2 <= stops <= EXACT_MAX_STOPS:
        candidates.append(exact_tour(matrix, returns_to_depot=returns_to_depot))
    elif stops > EXACT_MAX_STOPS:
        solver_matrix = matrix if returns_to_depot else _open_tour_matrix(matrix)
        candidates += _tours(solver_matrix, limits or production_limits(stops))
    # min() keeps the first of equals, so the input order wins every tie.
    nodes = min(candidates, key=lambda c: tour_length(matrix, c, returns_to_depot=returns_to_depot))
    legs = _legs(matrix, nodes, returns_to_depot=returns_to_depot)
    return RoutePlan(
        order=tuple(node - 1 for node in nodes),
        leg_distances_m=tuple(legs),
        total_distance_m=sum(legs),
        input_order_distance_m=tour_length(
            matrix, candidates[0], returns_to_depot=returns_to_depot
        ),
        returns_to_depot=returns_to_depot,
    )


def exact_tour(matrix: Sequence[Sequence[int]], *, returns_to_depot: bool) -> list[int]:
    """The shortest order of nodes 1..n from the depot (Held-Karp, O(2^n n^2)).

    best[(visited, last)] is the shortest path from the depot through the set `visited`
    (a bit mask over nodes 1..n) ending at `last`; the tour closes at the depot or not.
    """
    n = len(matrix) - 1
    best: dict[tuple[int, int], tuple[int, int]] = {
        (1 << (node - 1), node): (matrix[DEPOT][node], DEPOT) for node in range(1, n + 1)
    }
    for mask in range(1, 1 << n):
        for last in range(1, n + 1):
            entry = best.get((mask, last))
            if entry is None:
                continue
            for node in range(1, n + 1):
                bit = 1 << (node - 1)
                if mask & bit:
                    continue
                cost = entry[0] + matrix[last][node]
                key = (mask | bit, node)
                if key not in best or cost < best[key][0]:
                    best[key] = (cost, last)
    full = (1 << n) - 1
    closing = [(best[(full, last)][0] + (matrix[last][DEPOT] if returns_to_depot else 0), last)
               for last in range(1, n + 1)]  # fmt: skip
    _, last = min(closing)
    nodes, mask = [], full
    while last != DEPOT:
        nodes.append(last)
        previous = best[(mask, last)][1]
        mask &= ~(1 << (last - 1))
        last = previous
    return nodes[::-1]


def tour_length(
    matrix: Sequence[Sequence[int]], nodes: Sequence[int], *, returns_to_depot: bool = True
) -> int:
    """Length of depot -> nodes... (-> depot), in metres."""
    return sum(_legs(matrix, nodes, returns_to_depot=returns_to_depot))


def _legs(
    matrix: Sequence[Sequence[int]], nodes: Sequence[int], *, returns_to_depot: bool
) -> list[int]:
    path = [DEPOT, *nodes, DEPOT] if returns_to_depot and nodes else [DEPOT, *nodes]
    return [matrix[a][b] for a, b in pairwise(path)]


def _open_tour_matrix(matrix: Sequence[Sequence[int]]) -> list[list[int]]:
    # A free way back to the depot turns the closed-tour solver into an open-path solver.
    return [[0 if col == DEPOT else value for col, value in enumerate(row)] for row in matrix]


def _tours(matrix: Sequence[Sequence[int]], limits: SearchLimits) -> list[list[int]]:
    tours = (solve_tour(matrix, limits.time_limit_ms, start) for start in limits.first_solutions)
    return [tour for tour in tours if tour is not None]


def solve_tour(
    matrix: Sequence[Sequence[int]],
    time_limit_ms: int,
    first_solution: int = PATH_CHEAPEST_ARC,
    *,
    bandit: bool = True,
) -> list[int] | None:
    """Nodes 1..n in the order OR-Tools visits them on one closed tour from node 0.

    `first_solution` is a `FirstSolutionStrategy` value; `bandit=False` is plain guided local
    search, which the benchmark's reference solve also runs. None when the time limit ran out
    before a first solution was built (a tiny limit on a busy machine).
    """
    manager = pywrapcp.RoutingIndexManager(len(matrix), 1, DEPOT)
    routing = pywrapcp.RoutingModel(manager)
    # The matrix goes to the solver as data: no Python callback per arc.
    transit = routing.RegisterTransitMatrix([list(row) for row in matrix])
    routing.SetArcCostEvaluatorOfAllVehicles(transit)
    solution = routing.SolveWithParameters(
        _search_parameters(time_limit_ms, first_solution, bandit)
    )
    if solution is None:
        return None
    index = solution.Value(routing.NextVar(routing.Start(0)))
    nodes = []
    while not routing.IsEnd(index):
        nodes.append(manager.IndexToNode(index))
        index = solution.Value(routing.NextVar(index))
    return nodes


def _search_parameters(
    time_limit_ms: int, first_solution: int, bandit: bool
) -> routing_parameters_pb2.RoutingSearchParameters:
    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = first_solution
    parameters.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    # The bandit favours the operators that have been paying off: in
    # benchmarks/route_quality.py it took 200-stop gaps from 2-4% to under 1% in 0.4 s.
    parameters.use_multi_armed_bandit_concatenate_operators = bandit
    parameters.time_limit.FromMilliseconds(time_limit_ms)
    return parameters
