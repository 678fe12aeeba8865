"""Turn an ordered list of tasks into a timed `Route`, in floating point.

Every solver returns bare visiting orders and lets this module compute arrivals,
loads and costs, so all solutions are timed the same way (earliest service start,
departure at shift start) whatever integer scaling a solver used inside.
"""

from __future__ import annotations

from collections.abc import Sequence

from comptoir.delivery.planner.model import Problem, Route, Step, Stop, TaskRef, TimeWindow, Vehicle


def earliest_start(arrival: float, windows: Sequence[TimeWindow]) -> float:
    """First instant >= arrival inside a window; +inf when every window has closed."""
    for start, end in sorted(windows):
        if arrival <= end:
            return max(arrival, start)
    return float("inf")


class TaskIndex:
    """Look-ups from task ids to stops and amounts, built once per problem."""

    def __init__(self, problem: Problem) -> None:
        dims = problem.dimensions
        self.dims = dims
        self.stops: dict[tuple[str, int], Stop] = {}
        self.deltas: dict[tuple[str, int], tuple[int, ...]] = {}
        self.start_loads: dict[tuple[str, int], tuple[int, ...]] = {}
        zero = (0,) * dims
        for s in problem.shipments:
            amount = _pad(s.amount, dims)
            self.stops["pickup", s.id] = s.pickup
            self.stops["delivery", s.id] = s.delivery
            self.deltas["pickup", s.id] = amount
            self.deltas["delivery", s.id] = tuple(-a for a in amount)
        for j in problem.jobs:
            delivery, pickup = _pad(j.delivery, dims), _pad(j.pickup, dims)
            self.stops["job", j.id] = j.stop
            self.deltas["job", j.id] = tuple(p - d for p, d in zip(pickup, delivery, strict=True))
            self.start_loads["job", j.id] = delivery
        self.zero = zero


def _pad(amount: Sequence[int], dims: int) -> tuple[int, ...]:
    return tuple(amount) + (0,) * (dims - len(amount))


def time_route(problem: Problem, index: TaskIndex, vehicle: Vehicle, tasks: Sequence[TaskRef]) -> Route:
    """Time `tasks` for `vehicle`; infeasible timings show as late starts, never hidden."""
    load = list(index.zero)
    for ref in tasks:
        for k, a in enumerate(index.start_loads.get((ref.kind, ref.task_id), index.zero)):
            load[k] += a
    dur, dist = problem.matrices(vehicle)
    time = vehicle.shift[0]
    here = vehicle.start
    steps = [Step("start", here, time, time, tuple(load))]
    distance = 0.0
    breaks = {b.id: b for b in vehicle.breaks}
    for ref in tasks:
        if ref.kind == "break":
            brk = breaks[ref.task_id]
            begin = earliest_start(time, brk.time_windows)
            steps.append(Step("break", here, time, begin, tuple(load), brk.id))
            time = begin + brk.service
            continue
        stop = index.stops[ref.kind, ref.task_id]
        arrival = time + dur[here][stop.location]
        distance += dist[here][stop.location]
        begin = earliest_start(arrival, stop.time_windows)
        for k, a in enumerate(index.deltas[ref.kind, ref.task_id]):
            load[k] += a
        steps.append(Step(ref.kind, stop.location, arrival, begin, tuple(load), ref.task_id))
        time, here = begin + stop.service, stop.location
    arrival = time + dur[here][vehicle.end]
    distance += dist[here][vehicle.end]
    steps.append(Step("end", vehicle.end, arrival, arrival, tuple(load)))
    duration = arrival - vehicle.shift[0]
    cost = (
        vehicle.fixed_cost + vehicle.cost_per_hour * duration / 3600 + vehicle.cost_per_km * distance / 1000
    )
    return Route(vehicle.id, tuple(steps), distance, duration, cost)
