"""The portfolio planner and its parts: PyVRP's adapter, per-profile matrices, the own search
when VROOM leaves tasks out, breaks in the checker, groups kept together or out whole."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pytest

from comptoir.delivery.planner.check import check_routes, check_solution
from comptoir.delivery.planner.improve import PlannerSolver
from comptoir.delivery.planner.model import Break, Problem, Shipment, Solution, Stop, TaskRef, Vehicle
from comptoir.delivery.planner.pyvrp_solver import PyvrpSolver, _cost_rates, _Model
from comptoir.delivery.planner.schedule import TaskIndex, time_route
from comptoir.delivery.planner.together import keep_together, whole_groups
from comptoir.delivery.planner.vroom_solver import VroomSolver

# Depot 0, shop 1, homes 2 and 3, on a line: 0 --100-- 1 --100-- 2 --100-- 3.
LINE = [[abs(a - b) * 100.0 for b in range(4)] for a in range(4)]


def _shipment(i: int, home: int, window: tuple[float, float] = (0.0, 10_000.0), amount: int = 1) -> Shipment:
    return Shipment(i, Stop(1, 0.0, ((0.0, 10_000.0),)), Stop(home, 0.0, (window,)), (amount,))


def _van(i: int = 0, capacity: int = 10, profile: str = "") -> Vehicle:
    return Vehicle(i, 0, 0, (capacity,), (0.0, 10_000.0), profile=profile)


def test_pyvrp_plans_paired_shipments_feasibly_pickup_first() -> None:
    problem = Problem(
        LINE, LINE, (_van(0, 2), _van(1, 2)), shipments=tuple(_shipment(i, 2 + i % 2) for i in range(4))
    )
    solution = PyvrpSolver().solve(problem, 0.5)
    assert check_solution(problem, solution).ok
    # Two vans each to one home (1000 m), or one van twice through the shop (800 m): PyVRP may stop at either.
    assert solution.unassigned_shipments == ()
    assert (solution.vehicles_used, solution.distance) in [(2, 1000.0), (1, 800.0)]
    for route in solution.routes:
        kinds = [(s.kind, s.task_id) for s in route.steps if s.task_id is not None]
        for kind, task in kinds:
            if kind == "delivery":
                assert kinds.index(("pickup", task)) < kinds.index((kind, task))


def test_pyvrp_from_a_seed_never_returns_worse_and_keeps_the_fleet_given() -> None:
    problem = Problem(
        LINE, LINE, (_van(0), _van(1), _van(2)), shipments=tuple(_shipment(i, 3) for i in range(3))
    )
    seed = {
        0: [TaskRef("pickup", 0), TaskRef("delivery", 0)],
        1: [TaskRef("pickup", 1), TaskRef("delivery", 1)],
    }
    solution = PyvrpSolver().solve_from(problem, 0.3, seed, vehicle_ids=[0, 1])
    # Only the seed's tasks are planned, and only with vehicles 0 and 1; one van takes both.
    assert solution.unassigned_shipments == (2,)
    assert {r.vehicle_id for r in solution.routes} <= {0, 1}
    assert solution.distance == 600.0
    assert check_solution(problem, solution).ok


PROFILES = {
    "car": ([[abs(a - b) * 100.0 for b in range(4)] for a in range(4)], LINE),
    "bicycle": ([[abs(a - b) * 300.0 for b in range(4)] for a in range(4)], LINE),
}


@pytest.mark.parametrize("solver", [VroomSolver(exploration_level=1, threads=1), PyvrpSolver()])
def test_each_vehicle_travels_by_its_own_profile(solver: object) -> None:
    # The drop closes at 450 s: a van (car times, 200 s to the home) makes it, a bike (600 s) cannot.
    shipment = _shipment(0, 2, window=(0.0, 450.0))
    van = Problem(LINE, LINE, (_van(0, profile="car"),), shipments=(shipment,), profiles=PROFILES)
    bike = Problem(LINE, LINE, (_van(0, profile="bicycle"),), shipments=(shipment,), profiles=PROFILES)
    by_van = solver.solve(van, 0.3)  # type: ignore[attr-defined]
    assert check_solution(van, by_van).ok
    assert [s.arrival for s in by_van.routes[0].steps] == [0.0, 100.0, 200.0, 400.0]
    by_bike = solver.solve(bike, 0.3)  # type: ignore[attr-defined]
    assert (by_bike.routes, by_bike.unassigned_shipments) == ((), (0,))


def test_a_vehicle_naming_an_unknown_profile_is_refused() -> None:
    with pytest.raises(ValueError, match="profiles without matrices"):
        Problem(LINE, LINE, (_van(0, profile="boat"),), profiles=PROFILES)


@dataclass(frozen=True)
class ForgetfulVroom:
    """VROOM that leaves shipment 1 out, as it does when its time runs out."""

    def solve(self, problem: Problem, time_limit: float) -> Solution:
        full = VroomSolver(exploration_level=1, threads=1).solve(problem, time_limit)
        route = full.routes[0]
        steps = tuple(s for s in route.steps if s.task_id != 1 or s.kind in ("start", "end"))
        kept = type(route)(route.vehicle_id, steps, route.distance, route.duration, route.cost)
        return Solution((kept,), unassigned_shipments=(1,))


def test_the_own_search_puts_back_what_vroom_left_out() -> None:
    problem = Problem(LINE, LINE, (_van(0), _van(1)), shipments=tuple(_shipment(i, 3) for i in range(3)))
    solution = PlannerSolver(vroom=ForgetfulVroom(), first_share=0.1).solve(problem, 1.0)  # type: ignore[arg-type]
    assert solution.unassigned_shipments == ()
    assert solution.vehicles_used == 1
    assert check_solution(problem, solution).ok


def _with_break(window: tuple[float, float]) -> Problem:
    van = Vehicle(0, 0, 0, (10,), (0.0, 10_000.0), breaks=(Break(7, (window,), 50.0),))
    return Problem(LINE, LINE, (van,), shipments=(_shipment(0, 2, window=(0.0, 260.0)),))


def test_the_checker_times_breaks_and_requires_each_once() -> None:
    route = [TaskRef("pickup", 0), TaskRef("break", 7), TaskRef("delivery", 0)]
    assert check_routes(_with_break((0.0, 500.0)), [(0, route)]).errors == []
    # The 50 s break after the pickup makes the drop arrive at 250 + ... : 100 + 50 + 100 = 250 ≤ 260.
    late = check_routes(_with_break((120.0, 500.0)), [(0, route)]).errors
    assert late == ["vehicle 0: delivery 0 reached at 270.0000, after its windows"]
    closed = check_routes(_with_break((0.0, 50.0)), [(0, route)]).errors
    assert closed == ["vehicle 0: break 7 reached at 100.0000, after its windows"]
    missing = check_routes(_with_break((0.0, 500.0)), [(0, [TaskRef("pickup", 0), TaskRef("delivery", 0)])])
    assert missing.errors == ["vehicle 0: breaks taken [], expected [7]"]


SPLIT = {
    0: [TaskRef("pickup", 0), TaskRef("delivery", 0)],
    1: [TaskRef("pickup", 1), TaskRef("pickup", 2), TaskRef("delivery", 2), TaskRef("delivery", 1)],
}


def _timed(problem: Problem, sequences: dict[int, list[TaskRef]]) -> Solution:
    index = TaskIndex(problem)
    vans = {v.id: v for v in problem.vehicles}
    return Solution(tuple(time_route(problem, index, vans[vid], refs) for vid, refs in sequences.items()))


def _split_problem(home3: float = 10_000.0, home2: float = 10_000.0, capacities: tuple[int, int] = (10, 10)):
    """Parcels 0 and 1 go to home 3 (one order, group 5), carried by two vans; parcel 2 to home 2."""
    shipments = (_shipment(0, 3, (0.0, home3)), _shipment(1, 3, (0.0, home3)), _shipment(2, 2, (0.0, home2)))
    problem = Problem(LINE, LINE, (_van(0, capacities[0]), _van(1, capacities[1])), shipments=shipments)
    return problem, _timed(problem, SPLIT)


def test_an_order_split_over_two_rounds_is_gathered_when_cheap_enough() -> None:
    problem, split = _split_problem()
    assert split.distance == 1200.0
    gathered, splits = keep_together(problem, split, {5: [0, 1]}, max_extra_percent=10.0)
    assert splits == []
    assert check_solution(problem, gathered).ok
    # Van 1 takes parcel 0 too (it passes the shop and the door anyway): van 0 stays at the depot.
    assert [r.vehicle_id for r in gathered.routes] == [1]
    steps = gathered.routes[0].steps[1:-1]
    assert [s.kind for s in steps] == ["pickup"] * 3 + ["delivery"] * 3
    assert [s.location for s in steps if s.task_id in (0, 1) and s.kind == "delivery"] == [3, 3]
    assert gathered.distance == 600.0


def test_an_order_is_left_split_when_gathering_costs_more_than_allowed() -> None:
    # Home 2 closes at 250 s: van 1 must drop parcel 2 first; gathering in van 0 then adds
    # a trip (0→1→3→0 = 600 m becomes 0→1→3→0 carrying both: equal) ... measured through the threshold:
    problem, split = _split_problem()
    kept, splits = keep_together(problem, split, {5: [0, 1]}, max_extra_percent=-60.0)
    assert [(s.group, s.rounds, s.extra_percent) for s in splits] == [(5, 2, -50.0)]
    assert kept.distance == split.distance


def test_an_order_no_single_round_can_take_is_left_split_with_its_reason() -> None:
    # Home 3 closes at 350 s and home 2 at 250 s; van 0 carries one parcel, van 1 two at a time.
    problem, split = _split_problem(home3=350.0, home2=250.0, capacities=(1, 2))
    assert check_solution(problem, split).ok
    # Without time to move another parcel (deadline passed), no round can take the order as it is.
    kept, splits = keep_together(problem, split, {5: [0, 1]}, max_extra_percent=10.0, deadline=0.0)
    assert [(s.group, s.rounds, s.extra_percent) for s in splits] == [(5, 2, None)]
    assert kept.distance == split.distance
    # With time, parcel 2 moves to van 0 and van 1 takes both parcels of the order.
    moved, splits = keep_together(problem, split, {5: [0, 1]}, max_extra_percent=10.0)
    assert splits == []
    assert {r.vehicle_id: sorted({s.task_id for s in r.steps[1:-1]}) for r in moved.routes} == {
        0: [2],
        1: [0, 1],
    }
    assert check_solution(problem, moved).ok


def test_a_group_with_a_parcel_left_out_is_taken_out_whole() -> None:
    problem, split = _split_problem()
    partial = Solution(split.routes[1:], unassigned_shipments=(0,))
    whole = whole_groups(problem, partial, {5: [0, 1], 6: [2]})
    assert whole.unassigned_shipments == (0, 1)
    assert [(s.kind, s.task_id) for s in whole.routes[0].steps[1:-1]] == [("pickup", 2), ("delivery", 2)]
    assert check_solution(problem, whole).ok
    assert math.isclose(whole.distance, 400.0)


def test_a_full_round_makes_room_for_an_order_by_moving_one_other_parcel() -> None:
    # Shifts end at 650 s. Van 0 (2 parcels at a time) carries parcel 0 for home 3 and parcel 2 for
    # home 2; van 1 (1 at a time) parcel 1 for home 3; van 2 parcel 3 for home 2. Neither holder can
    # take both parcels of the order (0 and 1) as it is; once parcel 2 moves to van 2, van 0 can.
    vans = (
        Vehicle(0, 0, 0, (2,), (0.0, 650.0)),
        Vehicle(1, 0, 0, (1,), (0.0, 650.0)),
        Vehicle(2, 0, 0, (10,), (0.0, 650.0)),
    )
    shipments = (_shipment(0, 3), _shipment(1, 3), _shipment(2, 2), _shipment(3, 2))
    problem = Problem(LINE, LINE, vans, shipments=shipments)
    split = _timed(problem, {
        0: [TaskRef("pickup", 0), TaskRef("pickup", 2), TaskRef("delivery", 2), TaskRef("delivery", 0)],
        1: [TaskRef("pickup", 1), TaskRef("delivery", 1)],
        2: [TaskRef("pickup", 3), TaskRef("delivery", 3)],
    })  # fmt: skip
    assert check_solution(problem, split).ok and split.distance == 1600.0
    gathered, splits = keep_together(problem, split, {5: [0, 1]}, max_extra_percent=10.0)
    assert splits == []
    assert check_solution(problem, gathered).ok
    carried = {r.vehicle_id: sorted({s.task_id for s in r.steps[1:-1]}) for r in gathered.routes}
    assert carried == {0: [0, 1], 2: [2, 3]}
    assert gathered.distance == 1000.0


def test_pyvrp_costs_are_the_smallest_integers_with_the_right_ratio() -> None:
    # A distance-only fleet (the benchmarks': 1000 per 1000 m) costs 1 per unit, as PyVRP's
    # penalty bounds expect; with 10 000 per unit it preferred broken windows to longer routes.
    by_km = Vehicle(0, 0, 0, (10,), cost_per_km=1000.0)
    assert _cost_rates([by_km]) == ({0: 1}, {0: 0}, 1.0)
    # The city day's bikes: 22.60 per hour and 0.06 per km become 625 per s and 6 per m (ratio kept
    # to the rounding of the dearest rate to 10 000, then divided by their common divisor 16).
    bike = Vehicle(0, 0, 0, (10,), cost_per_hour=2260.0, cost_per_km=6.0)
    per_m, per_s, factor = _cost_rates([bike])
    assert (per_m, per_s) == ({0: 6}, {0: 625})
    assert factor == pytest.approx(10_000 / (2260.0 / 3600) / 16)


def test_pyvrp_penalty_bounds_scale_with_the_dearest_rate() -> None:
    bike = Vehicle(0, 0, 0, (10,), cost_per_hour=2260.0, cost_per_km=6.0)
    problem = Problem(LINE, LINE, (bike,), shipments=(_shipment(0, 2),))
    penalty = _Model(problem, [bike], None, 0.0).params().penalty
    assert (penalty.min_penalty, penalty.max_penalty) == pytest.approx((62.5, 62_500_000.0))
    plain = Problem(LINE, LINE, (_van(0),), shipments=(_shipment(0, 2),))
    penalty = _Model(plain, [plain.vehicles[0]], None, 0.0).params().penalty
    assert (penalty.min_penalty, penalty.max_penalty) == pytest.approx((0.1, 100_000.0))
