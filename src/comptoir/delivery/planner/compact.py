"""A flat, list-based copy of a `Problem` for the hot loops of our own search.

The improvement phase evaluates millions of insertions; attribute look-ups on
dataclasses and per-location indirection would dominate. Here every task end is a
node with its own row in node-by-node matrices, and each vehicle has its own start
and end nodes carrying the shift as their window.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from comptoir.delivery.planner.model import Problem, Solution, Stop, TaskRef

EPS = 1e-6


@dataclass(frozen=True)
class FleetVehicle:
    id: int
    start: int
    end: int
    capacity: tuple[int, ...]
    profile: int = 0
    """Index into `Compact.travels` and `Compact.dists`."""


@dataclass
class Compact:
    travels: list[list[list[float]]]
    dists: list[list[list[float]]]
    early: list[float]
    late: list[float]
    service: list[float]
    delta: list[list[int]]
    start_load: list[list[int]]
    request_of: list[int]
    requests: list[tuple[int, ...]]
    refs: list[TaskRef]
    vehicles: list[FleetVehicle]
    weight: list[list[int]] | None = None
    """Per dimension and node, the load a single-stop task adds to its route's peak, set
    only when every task is a single stop and all deliver (or all collect): then a route
    fits its vehicle exactly when the weights add up within capacity."""

    @property
    def dims(self) -> int:
        return len(self.delta)


def supports(problem: Problem) -> bool:
    """Our search handles one window per stop and no breaks or travel-time caps (VROOM does)."""
    stops = [s.pickup for s in problem.shipments] + [s.delivery for s in problem.shipments]
    stops += [j.stop for j in problem.jobs]
    if any(len(s.time_windows) != 1 for s in stops):
        return False
    return all(not v.breaks and v.max_travel_time is None for v in problem.vehicles)


def compact(problem: Problem) -> Compact:
    dims = problem.dimensions
    locations: list[int] = []
    windows: list[tuple[float, float]] = []
    service: list[float] = []
    delta: list[list[int]] = [[] for _ in range(dims)]
    start_load: list[list[int]] = [[] for _ in range(dims)]
    request_of: list[int] = []
    requests: list[tuple[int, ...]] = []
    refs: list[TaskRef] = []

    def add(stop: Stop, change: Sequence[int], preload: Sequence[int], ref: TaskRef) -> int:
        locations.append(stop.location)
        windows.append(stop.time_windows[0])
        service.append(stop.service)
        for k in range(dims):
            delta[k].append(change[k] if k < len(change) else 0)
            start_load[k].append(preload[k] if k < len(preload) else 0)
        request_of.append(len(requests))
        refs.append(ref)
        return len(locations) - 1

    for s in problem.shipments:
        p = add(s.pickup, s.amount, (), TaskRef("pickup", s.id))
        d = add(s.delivery, [-a for a in s.amount], (), TaskRef("delivery", s.id))
        requests.append((p, d))
    for j in problem.jobs:
        change = [
            (j.pickup[k] if k < len(j.pickup) else 0) - (j.delivery[k] if k < len(j.delivery) else 0)
            for k in range(dims)
        ]
        requests.append((add(j.stop, change, j.delivery, TaskRef("job", j.id)),))
    fleet = []
    profiles = problem.profile_names()
    for v in problem.vehicles:
        ends = []
        for location in (v.start, v.end):
            ends.append(add(Stop(location, 0.0, (v.shift,)), (), (), TaskRef("job", -1)))
            request_of[-1] = -1
        fleet.append(
            FleetVehicle(
                v.id,
                ends[0],
                ends[1],
                tuple(v.capacity) + (0,) * (dims - len(v.capacity)),
                profiles.index(v.profile),
            )
        )
    pairs = [problem.profiles[name] if name else (problem.durations, problem.distances) for name in profiles]
    all_deliver = all(not any(j.pickup) for j in problem.jobs)
    all_collect = all(not any(j.delivery) for j in problem.jobs)
    weight = None
    if not problem.shipments and (all_deliver or all_collect):
        weight = [
            [pre + max(d, 0) for pre, d in zip(start_load[k], delta[k], strict=True)] for k in range(dims)
        ]
    return Compact(
        travels=[[[float(dur[a][b]) for b in locations] for a in locations] for dur, _ in pairs],
        dists=[[[float(dis[a][b]) for b in locations] for a in locations] for _, dis in pairs],
        early=[w[0] for w in windows],
        late=[w[1] for w in windows],
        service=service,
        delta=delta,
        start_load=start_load,
        request_of=request_of,
        requests=requests,
        refs=refs,
        vehicles=fleet,
        weight=weight,
    )


Plan = list[tuple[int, list[int]]]
"""Vehicle rank and its task nodes in visiting order, one entry per non-empty route."""


def plan_from_solution(c: Compact, solution: Solution) -> Plan:
    node_of: dict[tuple[str, int | None], int] = {
        (ref.kind, ref.task_id): n for n, ref in enumerate(c.refs) if c.request_of[n] >= 0
    }
    rank_of = {v.id: k for k, v in enumerate(c.vehicles)}
    plan: Plan = []
    for route in solution.routes:
        nodes = [node_of[s.kind, s.task_id] for s in route.steps if s.kind not in ("start", "end", "break")]
        if nodes:
            plan.append((rank_of[route.vehicle_id], nodes))
    return plan


def plan_refs(c: Compact, plan: Plan) -> dict[int, list[TaskRef]]:
    """Plan as task references keyed by vehicle id, the form solvers exchange."""
    return {c.vehicles[rank].id: [c.refs[n] for n in nodes] for rank, nodes in plan}
