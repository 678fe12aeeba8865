"""Shipments that belong together: one resident's parcels of one order.

A resident should open the door once per order, not once per shop: `keep_together`
moves a group split over several rounds into one of them when that adds at most a
given share of those rounds' length, and says why it did not otherwise.
`whole_groups` makes a group all-or-nothing: a group with any parcel left out of
the plan is taken out entirely, so no booking is ever half planned.

Both work on visiting orders and re-time every route they change with
`schedule.time_route`; the caller re-checks the result with `check.py`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from comptoir.delivery.planner.compact import Compact, compact, plan_from_solution, plan_refs, supports
from comptoir.delivery.planner.model import Problem, Solution, TaskRef
from comptoir.delivery.planner.routes import (
    BEST,
    RouteState,
    insert_request,
    requests_in,
    with_request,
    without,
)
from comptoir.delivery.planner.schedule import TaskIndex, time_route


@dataclass(frozen=True)
class Split:
    """A group left in `rounds` rounds: one round would add `extra_percent` % (None: none can take it)."""

    group: int
    rounds: int
    extra_percent: float | None


def keep_together(
    problem: Problem,
    solution: Solution,
    groups: Mapping[int, Sequence[int]],
    max_extra_percent: float,
    deadline: float | None = None,
) -> tuple[Solution, list[Split]]:
    """Gather each group's shipments (ids) into one route when it costs at most `max_extra_percent`
    % more distance than the routes it changes; the groups left split, with why.

    When no route that holds part of the group can take all of it (full rounds), one other
    request of that route may move to another round to make room. After `deadline`
    (`time.monotonic()`), only the plain gathering is tried.
    """
    if not supports(problem):
        return solution, []
    c = compact(problem)
    routes = {rank: RouteState(c, rank, nodes) for rank, nodes in plan_from_solution(c, solution)}
    request_of_shipment = {s.id: k for k, s in enumerate(problem.shipments)}
    splits: list[Split] = []
    for key, shipment_ids in groups.items():
        requests = [request_of_shipment[i] for i in shipment_ids if i in request_of_shipment]
        holders = [r for r in routes.values() if any(c.request_of[n] in requests for n in r.nodes)]
        if len(holders) < 2:
            continue
        changes = _cheapest_gathering(c, routes, holders, requests, deadline)
        if changes is None:
            splits.append(Split(key, len(holders), None))
            continue
        before = sum(routes[rank].cost for rank in changes)
        after = sum(_length(c, rank, nodes) for rank, nodes in changes.items())
        extra = 100.0 * (after - before) / before if before > 0 else 0.0
        if extra > max_extra_percent:
            splits.append(Split(key, len(holders), round(extra, 1)))
            continue
        for rank, nodes in changes.items():
            routes[rank].update(c, nodes)
    plan = [(rank, r.nodes) for rank, r in sorted(routes.items()) if r.nodes]
    return _timed(problem, plan_refs(c, plan), solution), splits


Changes = dict[int, list[int]]
"""New task nodes per vehicle rank, for the routes a move changes."""


def _cheapest_gathering(
    c: Compact,
    routes: dict[int, RouteState],
    holders: list[RouteState],
    requests: list[int],
    deadline: float | None,
) -> Changes | None:
    stripped = {r.vehicle: without(c, r.nodes, requests) for r in holders}
    options: list[Changes] = []
    for target in holders:
        nodes = _gathered(c, target.vehicle, stripped[target.vehicle], requests)
        if nodes is not None:
            options.append({**stripped, target.vehicle: nodes})
    if not options and (deadline is None or time.monotonic() < deadline):
        options = _gatherings_with_one_move(c, routes, stripped, requests, deadline)
    if not options:
        return None
    return min(options, key=lambda ch: sum(_length(c, k, n) - routes[k].cost for k, n in ch.items()))


def _gatherings_with_one_move(
    c: Compact, routes: dict[int, RouteState], stripped: Changes, requests: list[int], deadline: float | None
) -> list[Changes]:
    """Per holding route, the first other request whose move elsewhere lets the whole group in."""
    found: list[Changes] = []
    for target, base in stripped.items():
        for other in requests_in(c, base):
            if deadline is not None and time.monotonic() > deadline:
                return found
            nodes = _gathered(c, target, without(c, base, (other,)), requests)
            if nodes is None:
                continue
            moved = _cheapest_elsewhere(c, routes, stripped, target, other)
            if moved is not None:
                found.append({**stripped, target: nodes, moved[0]: moved[1]})
                break
    return found


def _cheapest_elsewhere(
    c: Compact, routes: dict[int, RouteState], stripped: Changes, target: int, request: int
) -> tuple[int, list[int]] | None:
    best: tuple[float, int, list[int]] | None = None
    for rank, route in routes.items():
        if rank == target:
            continue
        state = RouteState(c, rank, stripped[rank]) if rank in stripped else route
        found = insert_request(c, state, request, BEST)
        if found and (best is None or found[0][0] < best[0]):
            best = (found[0][0], rank, with_request(c, state.nodes, request, found[0]))
    return None if best is None else (best[1], best[2])


def _length(c: Compact, rank: int, nodes: list[int]) -> float:
    return RouteState(c, rank, nodes).cost


def _gathered(c: Compact, vehicle: int, nodes: list[int], requests: list[int]) -> list[int] | None:
    """`nodes` with every request of the group, each inserted where it adds least; None if one cannot fit."""
    probe = RouteState(c, vehicle, list(nodes))
    for request in requests:
        found = insert_request(c, probe, request, BEST)
        if not found:
            return None
        probe.update(c, with_request(c, probe.nodes, request, found[0]))
    return probe.nodes


def whole_groups(problem: Problem, solution: Solution, groups: Mapping[int, Sequence[int]]) -> Solution:
    """Take out of the routes every group with a shipment unassigned: all of a group, or none."""
    unassigned = set(solution.unassigned_shipments)
    partial = {i for ids in groups.values() if unassigned & set(ids) for i in ids}
    if not partial - unassigned:
        return solution
    sequences = {
        route.vehicle_id: [
            TaskRef(s.kind, s.task_id)  # type: ignore[arg-type]
            for s in route.steps
            if s.kind in ("pickup", "delivery", "job", "break")
            and s.task_id is not None
            and not (s.kind in ("pickup", "delivery") and s.task_id in partial)
        ]
        for route in solution.routes
    }
    return _timed(problem, sequences, solution, unassigned | partial)


def _timed(
    problem: Problem,
    sequences: Mapping[int, Sequence[TaskRef]],
    solution: Solution,
    unassigned: set[int] | None = None,
) -> Solution:
    index = TaskIndex(problem)
    vehicles = {v.id: v for v in problem.vehicles}
    routes = tuple(
        time_route(problem, index, vehicles[vid], refs)
        for vid, refs in sequences.items()
        if any(t.kind != "break" for t in refs)
    )
    left = set(solution.unassigned_shipments) if unassigned is None else unassigned
    return Solution(
        routes=routes,
        unassigned_shipments=tuple(s.id for s in problem.shipments if s.id in left),
        unassigned_jobs=solution.unassigned_jobs,
    )
