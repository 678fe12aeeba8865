"""The checker must reject every kind of broken plan it claims to detect."""

from __future__ import annotations

import pytest

from comptoir.delivery.planner.check import check_routes
from comptoir.delivery.planner.model import TaskRef
from tests.delivery.planner.factories import line_problem


def P(i: int) -> TaskRef:
    return TaskRef("pickup", i)


def D(i: int) -> TaskRef:
    return TaskRef("delivery", i)


@pytest.fixture
def problem():
    return line_problem([0, 1, 2, 3, 4], [(1, 3), (2, 4)], capacity=1, windows={4: (0.0, 9.0)})


def test_valid_plan_passes_and_distance_is_recomputed(problem) -> None:
    report = check_routes(problem, [(0, [P(1), D(1), P(2), D(2)])])
    assert report.ok, report.errors
    assert report.distance == 10.0  # 1 + 2 + 1 + 2 + 4
    assert report.vehicles == 1


def test_delivery_before_pickup_is_rejected(problem) -> None:
    report = check_routes(problem, [(0, [D(1), P(1), P(2), D(2)])])
    assert any("before its pickup" in e for e in report.errors)


def test_pickup_and_delivery_on_different_routes_are_rejected(problem) -> None:
    report = check_routes(problem, [(0, [P(1), D(2)]), (1, [P(2), D(1)])])
    assert not report.ok


def test_missing_and_duplicated_tasks_are_rejected(problem) -> None:
    report = check_routes(problem, [(0, [P(1), D(1), P(1), D(1)])])
    assert "pickup of task 1 served 2 times" in report.errors
    assert "delivery of task 2 served 0 times" in report.errors


def test_capacity_excess_is_rejected(problem) -> None:
    report = check_routes(problem, [(0, [P(1), P(2), D(1), D(2)])])
    assert any("load [2]" in e for e in report.errors)


def test_one_vehicle_on_two_routes_is_rejected(problem) -> None:
    report = check_routes(problem, [(0, [P(1), D(1)]), (0, [P(2), D(2)])])
    assert "a vehicle drives two routes" in report.errors


def test_late_service_is_rejected() -> None:
    # Resident 4 closes at 5; the detour 0-2-1-3-4 reaches it at 2 + 1 + 2 + 1 = 6.
    late = line_problem([0, 1, 2, 3, 4], [(1, 3), (2, 4)], windows={4: (0.0, 5.0)})
    report = check_routes(late, [(0, [P(2), P(1), D(1), D(2)])])
    assert report.errors == ["vehicle 0: delivery 2 reached at 6.0000, after its windows"]


def test_shift_end_is_enforced() -> None:
    problem = line_problem([0, 600, 700], [(1, 2)])
    report = check_routes(problem, [(0, [P(1), D(1)])])
    assert any("after its shift" in e for e in report.errors)
