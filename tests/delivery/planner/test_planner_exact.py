"""Exact values on hand-made problems whose optimum is known."""

from __future__ import annotations

import itertools

import pytest

from comptoir.delivery.planner.check import check_solution
from comptoir.delivery.planner.improve import PlannerSolver
from comptoir.delivery.planner.model import Problem
from comptoir.delivery.planner.vroom_solver import VroomSolver
from tests.delivery.planner.factories import line_problem


def brute_force_one_vehicle(problem: Problem) -> float:
    """Shortest feasible single-vehicle tour by enumerating every visiting order."""
    ends = [(s.id, "p", s.pickup.location) for s in problem.shipments]
    ends += [(s.id, "d", s.delivery.location) for s in problem.shipments]
    cap = problem.vehicles[0].capacity[0]
    amount = {s.id: s.amount[0] for s in problem.shipments}
    best = float("inf")
    for order in itertools.permutations(ends):
        seen, load, ok = set(), 0, True
        for sid, kind, _ in order:
            if kind == "d" and sid not in seen:
                ok = False
                break
            seen.add(sid)
            load += amount[sid] if kind == "p" else -amount[sid]
            ok = ok and load <= cap
        if ok:
            path = [0, *[loc for _, _, loc in order], 0]
            best = min(best, sum(problem.distances[a][b] for a, b in itertools.pairwise(path)))
    return best


def test_three_shipments_one_sweep() -> None:
    problem = line_problem([0, 1, 2, 3, 4, 5, 6], [(1, 4), (2, 5), (3, 6)])
    solution = PlannerSolver().solve(problem, 0.5)
    assert solution.vehicles_used == 1
    assert solution.distance == pytest.approx(12.0)
    assert check_solution(problem, solution).ok


def test_unit_capacity_forces_alternation() -> None:
    problem = line_problem([0, 1, 2, 3, 4, 5, 6], [(1, 4), (2, 5), (3, 6)], vehicles=1, capacity=1)
    assert brute_force_one_vehicle(problem) == pytest.approx(20.0)
    solution = PlannerSolver().solve(problem, 0.5)
    assert solution.distance == pytest.approx(20.0)
    assert check_solution(problem, solution).ok


def test_simultaneous_deadlines_need_two_rounds() -> None:
    # Both residents must be served at time 10, at opposite ends: one courier cannot.
    problem = line_problem([0, -1, 1, -10, 10], [(1, 3), (2, 4)], windows={3: (10.0, 10.0), 4: (10.0, 10.0)})
    solution = PlannerSolver().solve(problem, 0.5)
    assert solution.vehicles_used == 2
    assert solution.distance == pytest.approx(40.0)
    assert check_solution(problem, solution).ok


def test_vroom_adapter_reports_timings_in_real_numbers() -> None:
    problem = line_problem([0, 0.5, 1.25], [(1, 2)], service=0.1)
    solution = VroomSolver().solve(problem, 1.0)
    (route,) = solution.routes
    assert [s.kind for s in route.steps] == ["start", "pickup", "delivery", "end"]
    assert [s.arrival for s in route.steps] == pytest.approx([0.0, 0.5, 1.35, 2.7])
    assert [s.load for s in route.steps] == [(0,), (1,), (0,), (0,)]
    assert route.distance == pytest.approx(2.5)


def test_unservable_shipment_is_reported_unassigned() -> None:
    problem = line_problem([0, 1, 50], [(1, 2)], windows={2: (0.0, 5.0)})
    solution = PlannerSolver().solve(problem, 0.3)
    assert solution.routes == ()
    assert solution.unassigned_shipments == (1,)
