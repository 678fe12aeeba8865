"""An independent checker for any plan, sharing no code with the solvers.

A solver bug must not be able to certify itself, so the timing, loads and distance
are recomputed here from the visiting order alone, from the problem's raw data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import cast

from comptoir.delivery.planner.model import Problem, Route, Solution, Stop, TaskKind, TaskRef, Vehicle

TOLERANCE = 1e-6


@dataclass
class CheckReport:
    errors: list[str] = field(default_factory=list)
    vehicles: int = 0
    distance: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.errors


def check_solution(problem: Problem, solution: Solution) -> CheckReport:
    """Check a model `Solution` by the order of its steps; its own timings are ignored."""
    routes = [(r.vehicle_id, _task_refs(r)) for r in solution.routes]
    unserved = {("pickup", i) for i in solution.unassigned_shipments}
    unserved |= {("delivery", i) for i in solution.unassigned_shipments}
    unserved |= {("job", i) for i in solution.unassigned_jobs}
    return check_routes(problem, routes, unserved)


def _task_refs(route: Route) -> list[TaskRef]:
    """Tasks and breaks in visiting order: a break shifts every later arrival."""
    return [
        TaskRef(cast(TaskKind, s.kind), s.task_id)
        for s in route.steps
        if s.kind in ("pickup", "delivery", "job", "break") and s.task_id is not None
    ]


def check_location_routes(problem: Problem, routes: Sequence[Sequence[int]]) -> CheckReport:
    """Check routes given as location ids (benchmark output), one vehicle each in order."""
    task_at: dict[int, TaskRef] = {}
    for s in problem.shipments:
        task_at[s.pickup.location] = TaskRef("pickup", s.id)
        task_at[s.delivery.location] = TaskRef("delivery", s.id)
    for j in problem.jobs:
        task_at[j.stop.location] = TaskRef("job", j.id)
    if len(task_at) != 2 * len(problem.shipments) + len(problem.jobs):
        raise ValueError("locations do not identify tasks uniquely; use check_routes")
    report = CheckReport()
    unknown = [loc for route in routes for loc in route if loc not in task_at]
    if unknown:
        report.errors.append(f"unknown locations {unknown}")
        return report
    if len(routes) > len(problem.vehicles):
        report.errors.append(f"{len(routes)} routes for {len(problem.vehicles)} vehicles")
        return report
    vehicles = [v.id for v in problem.vehicles]
    return check_routes(problem, [(vehicles[k], [task_at[loc] for loc in r]) for k, r in enumerate(routes)])


def check_routes(
    problem: Problem,
    routes: Sequence[tuple[int, Sequence[TaskRef]]],
    unserved: set[tuple[str, int]] | frozenset[tuple[str, int]] = frozenset(),
) -> CheckReport:
    """Every task end served exactly once, except those declared `unserved` (never); every
    break of a vehicle that drives taken exactly once, within one of its windows."""
    report = CheckReport()
    stops, amounts = _task_data(problem)
    vehicles = {v.id: v for v in problem.vehicles}
    seen: dict[tuple[str, int], int] = {}
    used = [vid for vid, refs in routes if any(r.kind != "break" for r in refs)]
    if len(set(used)) != len(used):
        report.errors.append("a vehicle drives two routes")
    for vid, refs in routes:
        if vid not in vehicles:
            report.errors.append(f"unknown vehicle {vid}")
            continue
        if vid in used:
            _check_breaks(vehicles[vid], refs, report.errors)
        for ref in refs:
            key = (ref.kind, ref.task_id)
            if ref.kind == "break":
                continue
            if key not in stops:
                report.errors.append(f"unknown task {key}")
                continue
            seen[key] = seen.get(key, 0) + 1
        known = {b.id for b in vehicles[vid].breaks}
        if vid in used and all(
            (r.task_id in known) if r.kind == "break" else (r.kind, r.task_id) in stops for r in refs
        ):
            report.distance += _check_route(problem, vehicles[vid], refs, stops, amounts, report.errors)
    for end in stops:
        if seen.get(end, 0) != (0 if end in unserved else 1):
            report.errors.append(f"{end[0]} of task {end[1]} served {seen.get(end, 0)} times")
    report.vehicles = len(used)
    return report


def _check_breaks(vehicle: Vehicle, refs: Sequence[TaskRef], errors: list[str]) -> None:
    taken = sorted(r.task_id for r in refs if r.kind == "break")
    expected = sorted(b.id for b in vehicle.breaks)
    if taken != expected:
        errors.append(f"vehicle {vehicle.id}: breaks taken {taken}, expected {expected}")


def _task_data(
    problem: Problem,
) -> tuple[dict[tuple[str, int], Stop], dict[tuple[str, int], tuple[list[int], list[int]]]]:
    """Per task end: its stop, and (amount loaded at the start, change at the stop)."""
    stops: dict[tuple[str, int], Stop] = {}
    amounts: dict[tuple[str, int], tuple[list[int], list[int]]] = {}
    dims = problem.dimensions
    for s in problem.shipments:
        amount = _pad(s.amount, dims)
        stops["pickup", s.id], stops["delivery", s.id] = s.pickup, s.delivery
        amounts["pickup", s.id] = ([0] * dims, amount)
        amounts["delivery", s.id] = ([0] * dims, [-a for a in amount])
    for j in problem.jobs:
        delivery, pickup = _pad(j.delivery, dims), _pad(j.pickup, dims)
        stops["job", j.id] = j.stop
        amounts["job", j.id] = (delivery, [p - d for p, d in zip(pickup, delivery, strict=True)])
    return stops, amounts


def _pad(amount: Sequence[int], dims: int) -> list[int]:
    return list(amount) + [0] * (dims - len(amount))


def _check_route(
    problem: Problem,
    vehicle: Vehicle,
    refs: Sequence[TaskRef],
    stops: dict[tuple[str, int], Stop],
    amounts: dict[tuple[str, int], tuple[list[int], list[int]]],
    errors: list[str],
) -> float:
    dims = problem.dimensions
    load = [sum(amounts[r.kind, r.task_id][0][k] for r in refs if r.kind != "break") for k in range(dims)]
    _check_load(vehicle, load, "start", errors)
    picked: set[int] = set()
    durations, distances = problem.matrices(vehicle)
    here, clock, distance, travel = vehicle.start, vehicle.shift[0], 0.0, 0.0
    breaks = {b.id: b for b in vehicle.breaks}
    for ref in refs:
        if ref.kind == "break":
            brk = breaks[ref.task_id]
            start = min((max(clock, a) for a, b in brk.time_windows if clock <= b + TOLERANCE), default=None)
            if start is None:
                errors.append(
                    f"vehicle {vehicle.id}: break {brk.id} reached at {clock:.4f}, after its windows"
                )
                start = clock
            clock = start + brk.service
            continue
        stop = stops[ref.kind, ref.task_id]
        leg = durations[here][stop.location]
        travel += leg
        distance += distances[here][stop.location]
        arrival = clock + leg
        begin = min((max(arrival, a) for a, b in stop.time_windows if arrival <= b + TOLERANCE), default=None)
        if begin is None:
            errors.append(
                f"vehicle {vehicle.id}: {ref.kind} {ref.task_id} reached at {arrival:.4f}, after its windows"
            )
            begin = arrival
        if ref.kind == "pickup":
            picked.add(ref.task_id)
        if ref.kind == "delivery" and ref.task_id not in picked:
            errors.append(f"vehicle {vehicle.id}: delivery {ref.task_id} before its pickup on this route")
        for k, change in enumerate(amounts[ref.kind, ref.task_id][1]):
            load[k] += change
        _check_load(vehicle, load, f"{ref.kind} {ref.task_id}", errors)
        clock, here = begin + stop.service, stop.location
    travel += durations[here][vehicle.end]
    distance += distances[here][vehicle.end]
    end = clock + durations[here][vehicle.end]
    if end > vehicle.shift[1] + TOLERANCE:
        errors.append(f"vehicle {vehicle.id}: back at {end:.4f}, after its shift ends at {vehicle.shift[1]}")
    if vehicle.max_travel_time is not None and travel > vehicle.max_travel_time + TOLERANCE:
        errors.append(f"vehicle {vehicle.id}: travels {travel:.4f}, over its limit")
    return distance


def _check_load(vehicle: Vehicle, load: list[int], where: str, errors: list[str]) -> None:
    capacity = _pad(vehicle.capacity, len(load))
    if any(x > cap or x < 0 for x, cap in zip(load, capacity, strict=True)):
        errors.append(f"vehicle {vehicle.id}: load {load} at {where} outside 0..{capacity}")
