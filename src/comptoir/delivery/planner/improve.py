"""The full planner, a portfolio: VROOM's first plan, our route elimination, PyVRP's distance.

Each does what it is best at. VROOM gives a good plan in a second or two but keeps
extra rounds; our guided ejection search removes rounds (each is a courier shift) and
hands the round it could not remove to PyVRP, whose penalised search
finishes it when it can (`_fewer_rounds`); PyVRP, seeded with the best plan and given
exactly that many vehicles, then shortens it much further than any pure-Python search
could in the time. Tasks VROOM left out are put back by the ejection search first (idle
vehicles may open a round). Every candidate is re-checked by the independent checker
and the best by (unserved, rounds, cost) is returned, so a solver bug can cost quality
but never a wrong plan.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

from comptoir.delivery.planner.check import check_solution
from comptoir.delivery.planner.compact import Compact, Plan, compact, plan_from_solution, plan_refs, supports
from comptoir.delivery.planner.ejection import (
    EjectionSettings,
    Reduction,
    complete,
    lower_bound,
    minimise_routes,
)
from comptoir.delivery.planner.model import Problem, Solution
from comptoir.delivery.planner.pyvrp_solver import PyvrpSolver
from comptoir.delivery.planner.schedule import TaskIndex, time_route
from comptoir.delivery.planner.vroom_solver import VroomSolver


@dataclass(frozen=True)
class PlannerSolver:
    """`RouteSolver`: fewer rounds first, then distance, within `time_limit` seconds."""

    seed: int = 0
    first_share: float = 0.25
    """At most this share of the limit for VROOM's first plan (it usually needs far less)."""
    route_share: float = 0.65
    """Our ejection search ends by this share of the limit at the latest."""
    patience_share: float | None = None
    """With a value, it also ends as soon as one attempt has not made its pool smaller for this
    share of the limit. Off: at 0.1 it gave PyVRP more time but lost a round on Li & Lim lc103
    and Solomon RC106 (0009)."""
    reduce_share: float = 0.3
    """Each PyVRP try at one round fewer gets at most this share of the time left."""
    vroom: VroomSolver = field(default_factory=VroomSolver)
    pyvrp: PyvrpSolver = field(default_factory=PyvrpSolver)
    ejection: EjectionSettings = field(default_factory=EjectionSettings)

    def solve(self, problem: Problem, time_limit: float) -> Solution:
        started = time.monotonic()
        deadline = started + time_limit
        first = self.vroom.solve(problem, self.first_share * time_limit)
        if not supports(problem) or not problem.vehicles:
            return first
        rng = random.Random(self.seed)
        c = compact(problem)
        plan = plan_from_solution(c, first)
        routes_deadline = started + self.route_share * time_limit
        missing = sorted(set(range(len(c.requests))) - _served(c, plan))
        if missing:
            plan = complete(c, plan, missing, routes_deadline, rng, self.ejection)
        patience = None if self.patience_share is None else self.patience_share * time_limit
        found = minimise_routes(c, plan, routes_deadline, rng, self.ejection, patience)
        ours = _to_solution(problem, c, found.plan)
        candidates = [first, ours]
        # PyVRP starts from the better of the two: our search scrambles routes (random relocations),
        # so when it removed no round VROOM's plan is the shorter start.
        best = min(candidates, key=_rank)
        if found.attempt is not None and _rank(ours)[:2] == _rank(best)[:2]:
            best = self._fewer_rounds(problem, c, found, best, deadline, lower_bound(c))
            candidates.append(best)
        seed = plan_refs(c, plan_from_solution(c, best))
        if seed:
            remaining = max(deadline - time.monotonic(), 0.1)
            candidates.append(self.pyvrp.solve_from(problem, remaining, seed, vehicle_ids=list(seed)))
        checked = [s for s in candidates if check_solution(problem, s).ok]
        return min(checked or [first], key=_rank)

    def _fewer_rounds(
        self, problem: Problem, c: Compact, found: Reduction, start: Solution, deadline: float, floor: int
    ) -> Solution:
        """PyVRP takes over where our search stagnated: from its last attempt (one round fewer,
        some requests left out), then from each plan it finds minus its smallest round, until a
        try fails or the demand bound is reached. Each try ends at its first feasible plan."""
        serve = [t for refs in plan_refs(c, found.plan).values() for t in refs]
        attempt: Plan | None = found.attempt
        best = start
        while attempt is not None and time.monotonic() < deadline:
            budget = self.reduce_share * (deadline - time.monotonic())
            fewer = self.pyvrp.reduce_fleet(problem, budget, plan_refs(c, attempt), serve)
            if fewer is None or not check_solution(problem, fewer).ok or _rank(fewer) >= _rank(best):
                break
            best = fewer
            plan = plan_from_solution(c, fewer)
            attempt = sorted(plan, key=lambda route: len(route[1]))[1:] if len(plan) > floor else None
        return best


def _served(c: Compact, plan: Plan) -> set[int]:
    return {c.request_of[n] for _, nodes in plan for n in nodes}


def _rank(s: Solution) -> tuple[int, int, float]:
    """Hierarchical: everything served, then fewer rounds, then less cost."""
    return (len(s.unassigned_shipments) + len(s.unassigned_jobs), s.vehicles_used, s.cost)


def _to_solution(problem: Problem, c: Compact, plan: Plan) -> Solution:
    index = TaskIndex(problem)
    refs = plan_refs(c, plan)
    vehicles = {v.id: v for v in problem.vehicles}
    served = {(t.kind, t.task_id) for tasks in refs.values() for t in tasks}
    return Solution(
        routes=tuple(time_route(problem, index, vehicles[vid], tasks) for vid, tasks in refs.items()),
        unassigned_shipments=tuple(s.id for s in problem.shipments if ("pickup", s.id) not in served),
        unassigned_jobs=tuple(j.id for j in problem.jobs if ("job", j.id) not in served),
    )
