"""Fewer rounds: our search stops when it stagnates and hands its last attempt to PyVRP,
which finishes it (one round fewer) or says it cannot."""

from __future__ import annotations

import random
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from comptoir.delivery.planner.check import check_solution
from comptoir.delivery.planner.compact import compact, plan_from_solution
from comptoir.delivery.planner.ejection import minimise_routes
from comptoir.delivery.planner.improve import PlannerSolver
from comptoir.delivery.planner.model import Problem, Shipment, Solution, Stop, TaskRef, Vehicle
from comptoir.delivery.planner.pyvrp_solver import PyvrpSolver
from comptoir.delivery.planner.schedule import TaskIndex, time_route
from tests.delivery.planner.factories import line_problem

# Depot 0, shop 1, homes 2 and 3, on a line: 0 --100-- 1 --100-- 2 --100-- 3.
LINE = [[abs(a - b) * 100.0 for b in range(4)] for a in range(4)]


def _to_home_3(count: int, vans: int) -> Problem:
    shipments = tuple(
        Shipment(i, Stop(1, 0.0, ((0.0, 10_000.0),)), Stop(3, 0.0, ((0.0, 10_000.0),)), (1,))
        for i in range(count)
    )
    fleet = tuple(Vehicle(i, 0, 0, (10,), (0.0, 10_000.0)) for i in range(vans))
    return Problem(LINE, LINE, fleet, shipments=shipments)


def _one_each(problem: Problem) -> Solution:
    """Each shipment in its own van: the plan a hurried first solver may return."""
    index = TaskIndex(problem)
    return Solution(
        tuple(
            time_route(problem, index, van, [TaskRef("pickup", s.id), TaskRef("delivery", s.id)])
            for van, s in zip(problem.vehicles, problem.shipments, strict=False)
        )
    )


def _opposite_deadlines() -> Problem:
    # Both residents must be served at time 10, at opposite ends: one courier cannot.
    return line_problem([0, -1, 1, -10, 10], [(1, 3), (2, 4)], windows={3: (10.0, 10.0), 4: (10.0, 10.0)})


def test_the_ejection_search_stops_when_its_pool_stops_shrinking_and_hands_over_its_attempt() -> None:
    problem = _opposite_deadlines()
    c = compact(problem)
    plan = plan_from_solution(c, _one_each(problem))
    started = time.monotonic()
    found = minimise_routes(c, plan, started + 60.0, random.Random(0), patience=0.2)
    # It gave up on stagnation, long before its deadline (60 s) …
    assert time.monotonic() - started < 30.0
    # … keeping the two rounds, and handing over the failed attempt: one round, one request out.
    assert sorted(found.plan) == sorted(plan)
    assert found.attempt is not None and len(found.attempt) == 1
    ((_, kept),) = found.attempt
    assert kept in [nodes for _, nodes in plan]
    assert found.left_out == tuple({0, 1} - {c.request_of[kept[0]]})


def test_the_ejection_search_hands_over_nothing_at_the_demand_bound() -> None:
    problem = _to_home_3(2, 2)
    c = compact(problem)
    found = minimise_routes(
        c, plan_from_solution(c, _one_each(problem)), time.monotonic() + 5.0, random.Random(0)
    )
    assert (len(found.plan), found.attempt, found.left_out) == (1, None, ())


def test_pyvrp_finishes_an_attempt_with_one_round_fewer() -> None:
    problem = _to_home_3(3, 3)
    seed = {0: [TaskRef("pickup", 0), TaskRef("pickup", 1), TaskRef("delivery", 1), TaskRef("delivery", 0)]}
    serve = [TaskRef(kind, i) for i in range(3) for kind in ("pickup", "delivery")]
    solution = PyvrpSolver().reduce_fleet(problem, 2.0, seed, serve)
    assert solution is not None
    assert check_solution(problem, solution).ok
    assert solution.unassigned_shipments == ()
    assert [r.vehicle_id for r in solution.routes] == [0]  # only the seed's van
    assert solution.distance == 600.0


def test_pyvrp_says_when_it_cannot_finish_an_attempt() -> None:
    problem = _opposite_deadlines()
    seed = {0: [TaskRef("pickup", 1), TaskRef("delivery", 1)]}
    serve = [TaskRef(kind, i) for i in (1, 2) for kind in ("pickup", "delivery")]
    assert PyvrpSolver().reduce_fleet(problem, 0.5, seed, serve) is None


@dataclass(frozen=True)
class OneEachVroom:
    def solve(self, problem: Problem, time_limit: float) -> Solution:
        return _one_each(problem)


@dataclass(frozen=True)
class CountingPyvrp(PyvrpSolver):
    calls: list[tuple[int, int | None]] = field(default_factory=list)

    def reduce_fleet(
        self,
        problem: Problem,
        time_limit: float,
        seed: Mapping[int, Sequence[TaskRef]],
        serve: Collection[TaskRef],
    ) -> Solution | None:
        found = super().reduce_fleet(problem, time_limit, seed, serve)
        self.calls.append((len(seed), found.vehicles_used if found is not None else None))
        return found


def test_the_planner_lets_pyvrp_remove_the_round_its_own_search_gave_up_on() -> None:
    problem = _to_home_3(2, 2)
    pyvrp = CountingPyvrp()
    # No patience at all: our search gives up at once, its attempt (one round) goes to PyVRP.
    planner = PlannerSolver(vroom=OneEachVroom(), pyvrp=pyvrp, patience_share=0.0)  # type: ignore[arg-type]
    solution = planner.solve(problem, 1.0)
    assert pyvrp.calls == [(1, 1)]
    assert check_solution(problem, solution).ok
    assert (solution.vehicles_used, solution.distance, solution.unassigned_shipments) == (1, 600.0, ())
