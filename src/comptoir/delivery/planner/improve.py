"""The full planner: VROOM first plan, our route elimination, then distance improvement.

VROOM alone is fast and good on distance but keeps extra rounds; our guided
ejection search removes rounds. At the round count found, VROOM is asked again
with only that many vehicles (its gaps filled by ejection search), our
ruin-and-recreate shortens the best plan, and VROOM seeded with it polishes the
result, never adding a round back.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

from comptoir.delivery.planner.compact import Compact, Plan, compact, plan_from_solution, plan_refs, supports
from comptoir.delivery.planner.ejection import EjectionSettings, insert_all, minimise_routes
from comptoir.delivery.planner.lns import LnsSettings, improve_distance
from comptoir.delivery.planner.model import Problem, Solution
from comptoir.delivery.planner.schedule import TaskIndex, time_route
from comptoir.delivery.planner.vroom_solver import VroomSolver


@dataclass(frozen=True)
class PlannerSolver:
    """`RouteSolver`: fewer rounds first, then distance, within `time_limit` seconds."""

    seed: int = 0
    route_share: float = 0.65
    polish_share: float = 0.1
    vroom: VroomSolver = field(default_factory=VroomSolver)
    ejection: EjectionSettings = field(default_factory=EjectionSettings)
    lns: LnsSettings = field(default_factory=LnsSettings)

    def solve(self, problem: Problem, time_limit: float) -> Solution:
        started = time.monotonic()
        deadline = started + time_limit
        first = self.vroom.solve(problem, time_limit / 4)
        if not supports(problem) or first.unassigned_shipments or first.unassigned_jobs:
            return first
        rng = random.Random(self.seed)
        c = compact(problem)
        routes_deadline = started + self.route_share * time_limit
        plan = minimise_routes(c, plan_from_solution(c, first), routes_deadline, rng, self.ejection)
        candidates = [first, *self._round_count_candidates(problem, c, plan, rng, deadline)]
        best = min(candidates, key=_rank)
        polish_time = self.polish_share * time_limit
        shorter = improve_distance(c, plan_from_solution(c, best), deadline - polish_time, rng, self.lns)
        return min(
            [best, _to_solution(problem, c, shorter), self._polish(problem, c, shorter, deadline)], key=_rank
        )

    def _round_count_candidates(
        self, problem: Problem, c: Compact, plan: Plan, rng: random.Random, deadline: float
    ) -> list[Solution]:
        """Our plan, and VROOM's own plan with exactly that many vehicles, often shorter:
        offered every vehicle, VROOM settles in a different, sometimes worse, local optimum."""
        found = [_to_solution(problem, c, plan)]
        budget = time.monotonic() + 0.1 * (deadline - time.monotonic())
        fresh = self._vroom_with(problem, c, _vehicle_ids(c, plan), rng, budget)
        if fresh is not None:
            found.append(_to_solution(problem, c, fresh))
        return found

    def _polish(self, problem: Problem, c: Compact, plan: Plan, deadline: float) -> Solution:
        """VROOM local search from `plan`, restricted to its vehicles."""
        seed = plan_refs(c, plan)
        remaining = max(deadline - time.monotonic(), 0.5)
        return self.vroom.solve_from(problem, remaining, seed, vehicle_ids=list(seed))

    def _vroom_with(
        self, problem: Problem, c: Compact, ids: list[int], rng: random.Random, deadline: float
    ) -> Plan | None:
        """VROOM from scratch with only vehicles `ids`; its unassigned tasks put in by ejection."""
        remaining = max(deadline - time.monotonic(), 0.5)
        solution = self.vroom.solve_from(problem, remaining, {}, vehicle_ids=ids)
        plan = plan_from_solution(c, solution)
        pool = sorted(set(range(len(c.requests))) - _served(c, plan))
        if not pool:
            return plan
        return insert_all(c, plan, pool, deadline, rng, self.ejection)


def _vehicle_ids(c: Compact, plan: Plan) -> list[int]:
    return [c.vehicles[rank].id for rank, _ in plan]


def _served(c: Compact, plan: Plan) -> set[int]:
    return {c.request_of[n] for _, nodes in plan for n in nodes}


def _rank(s: Solution) -> tuple[int, int, float]:
    """Hierarchical: everything served, then fewer rounds, then less cost."""
    return (len(s.unassigned_shipments) + len(s.unassigned_jobs), s.vehicles_used, s.cost)


def _to_solution(problem: Problem, c: Compact, plan: Plan) -> Solution:
    index = TaskIndex(problem)
    refs = plan_refs(c, plan)
    vehicles = {v.id: v for v in problem.vehicles}
    return Solution(
        routes=tuple(time_route(problem, index, vehicles[vid], tasks) for vid, tasks in refs.items())
    )
