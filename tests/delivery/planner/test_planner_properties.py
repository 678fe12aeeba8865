"""Invariants of any plan on small random problems: every stop once, loads within capacity,
pickups before their deliveries on the same route, served or declared unassigned."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comptoir.delivery.planner.check import check_solution
from comptoir.delivery.planner.improve import PlannerSolver
from comptoir.delivery.planner.model import Job, Problem, Shipment, Stop, Vehicle

coords = st.tuples(st.integers(0, 20), st.integers(0, 20))
window = st.one_of(
    st.just((0.0, 500.0)),
    st.tuples(st.integers(0, 60), st.integers(10, 80)).map(lambda w: (w[0], w[0] + w[1])),
)


@st.composite
def problems(draw: st.DrawFn) -> Problem:
    n_ship = draw(st.integers(1, 5))
    n_jobs = draw(st.integers(0, 3))
    points = draw(st.lists(coords, min_size=1 + 2 * n_ship + n_jobs, max_size=1 + 2 * n_ship + n_jobs))
    matrix = [[math.dist(a, b) for b in points] for a in points]
    capacity = draw(st.integers(2, 6))

    def stop(location: int) -> Stop:
        return Stop(location, float(draw(st.integers(0, 5))), (draw(window),))

    shipments = tuple(
        Shipment(k, stop(1 + 2 * k), stop(2 + 2 * k), (draw(st.integers(1, 3)),)) for k in range(n_ship)
    )
    jobs = tuple(
        Job(100 + k, stop(1 + 2 * n_ship + k), delivery=(draw(st.integers(0, 2)),)) for k in range(n_jobs)
    )
    fleet = tuple(
        Vehicle(k, 0, 0, (capacity,), shift=(0.0, 500.0), cost_per_km=1000.0)
        for k in range(draw(st.integers(1, 3)))
    )
    return Problem(matrix, matrix, fleet, shipments=shipments, jobs=jobs)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_planner_plans_pass_the_independent_checker(problem: Problem) -> None:
    solution = PlannerSolver().solve(problem, 0.1)
    report = check_solution(problem, solution)
    assert report.ok, report.errors
    visited = [(s.kind, s.task_id) for r in solution.routes for s in r.steps if s.task_id is not None]
    assert len(visited) == len(set(visited))
    for route in solution.routes:
        capacity = next(v.capacity for v in problem.vehicles if v.id == route.vehicle_id)
        assert all(0 <= s.load[0] <= capacity[0] for s in route.steps)
        order = [(s.kind, s.task_id) for s in route.steps]
        for kind, task in order:
            if kind == "delivery":
                assert order.index(("pickup", task)) < order.index(("delivery", task))
    served = {t for k, t in visited if k == "pickup"}
    assert served | set(solution.unassigned_shipments) == {s.id for s in problem.shipments}
    assert report.distance == solution.distance or math.isclose(report.distance, solution.distance)
