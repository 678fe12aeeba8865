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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from comptoir.delivery.planner.compact import Compact, compact, plan_from_solution, plan_refs, supports
from comptoir.delivery.planner.model import Problem, Solution, TaskRef
from comptoir.delivery.planner.routes import BEST, RouteState, insert_request, with_request, without
from comptoir.delivery.planner.schedule import TaskIndex, time_route


@dataclass(frozen=True)
class Split:
    """A group left in `rounds` rounds: one round would add `extra_percent` % (None: none can take it)."""

    group: int
    rounds: int
    extra_percent: float | None


def keep_together(
    problem: Problem, solution: Solution, groups: Mapping[int, Sequence[int]], max_extra_percent: float
) -> tuple[Solution, list[Split]]:
    """Gather each group's shipments (ids) into one route when it costs at most `max_extra_percent`
    % more distance than the routes it was spread over; the groups left split, with why."""
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
        before = sum(r.cost for r in holders)
        best: tuple[float, int, list[int]] | None = None
        for target in holders:
            nodes = _gathered(c, target, requests)
            if nodes is None:
                continue
            after = sum(r.cost for r in holders if r is not target) - _removed_saving(
                c, holders, target, requests
            )
            after += RouteState(c, target.vehicle, nodes).cost
            if best is None or after < best[0]:
                best = (after, target.vehicle, nodes)
        if best is None:
            splits.append(Split(key, len(holders), None))
            continue
        extra = 100.0 * (best[0] - before) / before if before > 0 else 0.0
        if extra > max_extra_percent:
            splits.append(Split(key, len(holders), round(extra, 1)))
            continue
        for r in holders:
            r.update(c, best[2] if r.vehicle == best[1] else without(c, r.nodes, requests))
    plan = [(rank, r.nodes) for rank, r in sorted(routes.items()) if r.nodes]
    return _timed(problem, plan_refs(c, plan), solution), splits


def _gathered(c: Compact, target: RouteState, requests: list[int]) -> list[int] | None:
    """`target` with every request of the group, each inserted where it adds least; None if one cannot fit."""
    probe = RouteState(c, target.vehicle, without(c, target.nodes, requests))
    for request in requests:
        found = insert_request(c, probe, request, BEST)
        if not found:
            return None
        probe.update(c, with_request(c, probe.nodes, request, found[0]))
    return probe.nodes


def _removed_saving(c: Compact, holders: list[RouteState], target: RouteState, requests: list[int]) -> float:
    """Distance the other routes save by losing the group's requests."""
    saving = 0.0
    for r in holders:
        if r is not target:
            saving += r.cost - RouteState(c, r.vehicle, without(c, r.nodes, requests)).cost
    return saving


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
