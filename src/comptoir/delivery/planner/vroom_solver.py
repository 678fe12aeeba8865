"""The VROOM adapter: a fast, good first plan, and a distance polisher for our own plans.

VROOM works in integers and minimises cost, not vehicles. So times are scaled and
travel times rounded up (a plan feasible in integers stays feasible in real
numbers), windows are shrunk inwards, and every vehicle carries a fixed cost larger
than any route's travel cost, which makes one round less always worth it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

import vroom

from comptoir.delivery.planner.model import Problem, Solution, Stop, TaskRef, TimeWindow, Vehicle
from comptoir.delivery.planner.schedule import TaskIndex, time_route

INT_LIMIT = 2_000_000_000


@dataclass(frozen=True)
class VroomSolver:
    """`RouteSolver` backed by pyvroom; `seed` lets it start from given routes."""

    exploration_level: int = 5
    threads: int = 2
    vehicles_first: bool = True

    def solve(self, problem: Problem, time_limit: float) -> Solution:
        return self.solve_from(problem, time_limit, {})

    def solve_from(
        self,
        problem: Problem,
        time_limit: float,
        seed: Mapping[int, Sequence[TaskRef]],
        vehicle_ids: Sequence[int] | None = None,
    ) -> Solution:
        """Solve with only `vehicle_ids` (all by default), starting from `seed` routes."""
        scale = _time_scale(problem)
        vehicles = [v for v in problem.vehicles if vehicle_ids is None or v.id in set(vehicle_ids)]
        data = vroom.Input()
        profiles, dearest = _add_matrices(data, problem, vehicles, scale)
        big = _vehicle_weight(problem, dearest) if self.vehicles_first else 0
        ranks = _task_ranks(problem)
        for rank, vehicle in enumerate(vehicles):
            steps = [TaskRef(t.kind, ranks[t.kind, t.task_id]) for t in seed.get(vehicle.id, ())]
            data.add_vehicle(_vehicle(rank, vehicle, profiles, scale, big, steps))
        for rank, shipment in enumerate(problem.shipments):
            data.add_shipment(
                pickup=_shipment_step(rank, shipment.pickup, scale),
                delivery=_shipment_step(rank, shipment.delivery, scale),
                amount=vroom.Amount(list(_padded(shipment.amount, problem.dimensions))),
            )
        for rank, job in enumerate(problem.jobs):
            data.add_job(_job(rank, job.stop, problem, job.delivery, job.pickup, scale))
        result = data.solve(
            exploration_level=self.exploration_level,
            nb_threads=self.threads,
            timeout=timedelta(seconds=max(time_limit, 0.01)),
        )
        return _read_solution(problem, vehicles, result)


def _task_ranks(problem: Problem) -> dict[tuple[str, int], int]:
    """VROOM knows tasks by their rank in our tuples; seeds name them by our ids."""
    ranks = {("job", j.id): k for k, j in enumerate(problem.jobs)}
    for k, s in enumerate(problem.shipments):
        ranks["pickup", s.id] = ranks["delivery", s.id] = k
    return ranks


def _time_scale(problem: Problem) -> int:
    """Largest of 1000/100/10/1 keeping every scaled time inside 32-bit integers."""
    horizon = max((t for v in problem.vehicles for t in v.shift if math.isfinite(t)), default=1.0)
    for durations, _ in [(problem.durations, None), *problem.profiles.values()]:
        horizon = max(horizon, sum(max(row, default=0) for row in durations), 1.0)
    for scale in (1000, 100, 10, 1):
        if horizon * scale < INT_LIMIT / 4:
            return scale
    return 1


def _padded(amount: Sequence[int], dims: int) -> list[int]:
    return list(amount) + [0] * (dims - len(amount))


def _cost_entry(vehicle: Vehicle, duration: float, distance: float) -> float:
    if vehicle.cost_per_hour == 0 and vehicle.cost_per_km == 0:
        return distance
    return vehicle.cost_per_hour * duration / 3600 + vehicle.cost_per_km * distance / 1000


def _add_matrices(
    data: vroom.Input, problem: Problem, vehicles: Sequence[Vehicle], scale: int
) -> tuple[dict[tuple[str, float, float], str], int]:
    """One VROOM profile per routing profile and cost rate: each vehicle travels by its own
    matrices and is charged its own rate."""
    profiles: dict[tuple[str, float, float], str] = {}
    dearest = 1
    for vehicle in vehicles:
        key = _profile_key(vehicle)
        if key in profiles:
            continue
        name = f"p{len(profiles)}"
        profiles[key] = name
        durations, distances = problem.matrices(vehicle)
        costs = [
            [round(_cost_entry(vehicle, t, d) * scale) for t, d in zip(trow, drow, strict=True)]
            for trow, drow in zip(durations, distances, strict=True)
        ]
        dearest = max(dearest, max(max(row) for row in costs))
        data.set_durations_matrix(name, [[math.ceil(t * scale - 1e-9) for t in row] for row in durations])
        data.set_costs_matrix(name, costs)
    return profiles, dearest


def _profile_key(vehicle: Vehicle) -> tuple[str, float, float]:
    return (vehicle.profile, vehicle.cost_per_hour, vehicle.cost_per_km)


def _vehicle_weight(problem: Problem, dearest_leg: int) -> int:
    """A fixed cost above any possible route cost: fewer rounds always win."""
    legs = 2 * len(problem.shipments) + len(problem.jobs) + 2
    return dearest_leg * legs * 10 + 1


def _window(window: TimeWindow, scale: int) -> vroom.TimeWindow:
    start = math.ceil(window[0] * scale - 1e-9)
    end = window[1] * scale
    return vroom.TimeWindow(start, INT_LIMIT if end >= INT_LIMIT else math.floor(end + 1e-9))


def _windows(stop: Stop, scale: int) -> list[vroom.TimeWindow]:
    return [_window(w, scale) for w in stop.time_windows]


def _shipment_step(rank: int, stop: Stop, scale: int) -> vroom.ShipmentStep:
    return vroom.ShipmentStep(
        rank,
        stop.location,
        default_service=math.ceil(stop.service * scale - 1e-9),
        time_windows=_windows(stop, scale),
    )


def _job(rank: int, stop: Stop, problem: Problem, delivery: Sequence[int], pickup: Sequence[int], scale: int):
    dims = problem.dimensions
    return vroom.Job(
        rank,
        stop.location,
        default_service=math.ceil(stop.service * scale - 1e-9),
        delivery=vroom.Amount(_padded(delivery, dims)),
        pickup=vroom.Amount(_padded(pickup, dims)),
        time_windows=_windows(stop, scale),
    )


def _vehicle(
    rank: int,
    vehicle: Vehicle,
    profiles: dict,
    scale: int,
    big: int,
    seed: Sequence[TaskRef],
) -> vroom.Vehicle:
    steps = [vroom.VehicleStep("start")]
    steps += [vroom.VehicleStep("single" if t.kind == "job" else t.kind, t.task_id) for t in seed]
    steps.append(vroom.VehicleStep("end"))
    max_travel = None if vehicle.max_travel_time is None else math.floor(vehicle.max_travel_time * scale)
    return vroom.Vehicle(
        rank,
        start=vehicle.start,
        end=vehicle.end,
        profile=profiles[_profile_key(vehicle)],
        capacity=vroom.Amount(list(vehicle.capacity)),
        time_window=_window(vehicle.shift, scale),
        breaks=[
            vroom.Break(
                b.id,
                time_windows=[_window(w, scale) for w in b.time_windows],
                service=math.ceil(b.service * scale),
            )
            for b in vehicle.breaks
        ],
        costs=vroom.VehicleCosts(fixed=big + round(vehicle.fixed_cost * scale)),
        max_travel_time=max_travel,
        steps=steps if seed else (),
    )


def _read_solution(problem: Problem, vehicles: Sequence[Vehicle], result) -> Solution:
    """Map VROOM ranks back to our ids and re-time every route in floating point."""
    index = TaskIndex(problem)
    sequences: dict[int, list[TaskRef]] = {}
    for row in result.routes.itertuples(index=False):
        kind = str(row.type)
        if kind in ("start", "end"):
            continue
        rank = int(row.id)
        if kind == "job":
            ref = TaskRef("job", problem.jobs[rank].id)
        elif kind == "break":
            ref = TaskRef("break", rank)
        else:
            ref = TaskRef(kind, problem.shipments[rank].id)  # type: ignore[arg-type]
        sequences.setdefault(int(row.vehicle_id), []).append(ref)
    routes = tuple(
        time_route(problem, index, vehicles[rank], refs)
        for rank, refs in sorted(sequences.items())
        if any(r.kind != "break" for r in refs)
    )
    served_shipments = {r.task_id for refs in sequences.values() for r in refs if r.kind == "pickup"}
    served_jobs = {r.task_id for refs in sequences.values() for r in refs if r.kind == "job"}
    return Solution(
        routes=routes,
        unassigned_shipments=tuple(s.id for s in problem.shipments if s.id not in served_shipments),
        unassigned_jobs=tuple(j.id for j in problem.jobs if j.id not in served_jobs),
    )
