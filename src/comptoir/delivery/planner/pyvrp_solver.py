"""The PyVRP adapter: distance minimisation at a given fleet, or a plan from scratch.

PyVRP (MIT, C++ iterated local search) models paired pickup-and-delivery shipments
since 0.14, with time windows, capacities, vehicle types with their own routing
profile, shift and fixed cost, and a warm start. It works in integers: matrices are
scaled, travel times rounded up and windows shrunk inwards, so a plan feasible in
integers stays feasible in real numbers; every route is re-timed in floating point
by `schedule.time_route` on the way out, like VROOM's.

What it cannot model (several windows per stop, breaks, travel-time caps) is not
given to it: `supports` says so and the planner keeps VROOM's plan for those.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pyvrp
from pyvrp import Activity, ActivityType
from pyvrp.exceptions import PenaltyBoundWarning
from pyvrp.PenaltyManager import PenaltyParams
from pyvrp.stop import FirstFeasible, MaxRuntime, MultipleCriteria, StoppingCriterion

from comptoir.delivery.planner.model import Problem, Solution, TaskRef, TimeWindow, Vehicle
from comptoir.delivery.planner.schedule import TaskIndex, time_route

MAX_INT = int(np.iinfo(np.int64).max)
VALUE_LIMIT = 1 << 40  # PyVRP warns above 2**44 for any matrix entry or time
COST_RESOLUTION = 10_000  # the dearest cost rate becomes this integer


def supports(problem: Problem) -> bool:
    """One window per stop, no breaks, no travel-time cap."""
    stops = [s.pickup for s in problem.shipments] + [s.delivery for s in problem.shipments]
    stops += [j.stop for j in problem.jobs]
    if any(len(s.time_windows) != 1 for s in stops):
        return False
    return all(not v.breaks and v.max_travel_time is None for v in problem.vehicles)


@dataclass(frozen=True)
class PyvrpSolver:
    """`RouteSolver` backed by PyVRP; `solve_from` starts from given routes (a warm start)."""

    seed: int = 0
    vehicle_cost_legs: float = 0.0
    """Fixed cost of a vehicle, in its dearest legs. A cost above any route (as VROOM gets)
    makes PyVRP's search stall (measured: no move in 5 s on lr104); a few legs nudge it
    towards fewer rounds without that. The planner leaves 0: it fixes the fleet instead."""

    def solve(self, problem: Problem, time_limit: float) -> Solution:
        return self.solve_from(problem, time_limit, {})

    def solve_from(
        self,
        problem: Problem,
        time_limit: float,
        seed: Mapping[int, Sequence[TaskRef]],
        vehicle_ids: Sequence[int] | None = None,
    ) -> Solution:
        """Solve with only `vehicle_ids` (all by default). With a `seed`, only the tasks it
        serves are planned (the others stay unassigned) and the seed is the fallback: PyVRP
        returns the best feasible plan it met, which is never worse than its start."""
        served = {(t.kind, t.task_id) for refs in seed.values() for t in refs} if seed else None
        model = self._model(problem, vehicle_ids, served)
        best = self._run(model, MaxRuntime(max(time_limit, 0.01)), seed)
        if best is None:
            if seed:
                return model.read_refs(seed)
            return Solution((), tuple(s.id for s in problem.shipments), tuple(j.id for j in problem.jobs))
        return model.read(best)

    def reduce_fleet(
        self,
        problem: Problem,
        time_limit: float,
        seed: Mapping[int, Sequence[TaskRef]],
        serve: Collection[TaskRef],
    ) -> Solution | None:
        """A plan of every task in `serve` with only the seed's vehicles, or None.

        The seed may leave some of those tasks out (a round was just taken away): PyVRP's
        penalised search puts them back and repairs the windows it breaks. It stops at the
        first feasible plan (the fleet is the point; distance comes after) or `time_limit`."""
        model = self._model(problem, list(seed), {(t.kind, t.task_id) for t in serve})
        stop = MultipleCriteria([FirstFeasible(), MaxRuntime(max(time_limit, 0.01))])
        best = self._run(model, stop, seed)
        return None if best is None else model.read(best)

    def _model(
        self,
        problem: Problem,
        vehicle_ids: Sequence[int] | None,
        served: Collection[tuple[str, int | None]] | None,
    ) -> _Model:
        if not supports(problem):
            raise ValueError("PyVRP cannot model several windows per stop, breaks or travel-time caps")
        wanted = set(vehicle_ids) if vehicle_ids is not None else None
        vehicles = [v for v in problem.vehicles if wanted is None or v.id in wanted]
        return _Model(problem, vehicles, served, self.vehicle_cost_legs)

    def _run(
        self, model: _Model, stop: StoppingCriterion, seed: Mapping[int, Sequence[TaskRef]]
    ) -> pyvrp.Solution | None:
        initial = model.initial_solution(seed) if seed else None
        with warnings.catch_warnings():  # hard instances hit the penalty bound: the check below decides
            warnings.simplefilter("ignore", PenaltyBoundWarning)
            result = pyvrp.solve(
                model.data,
                stop,
                seed=self.seed,
                collect_stats=False,
                display=False,
                initial_solution=initial,
                params=model.params(),
            )
        best = result.best
        return best if best.is_feasible() and best.is_complete() else None


class _Model:
    """Our problem in PyVRP's terms, and the maps back."""

    def __init__(
        self,
        problem: Problem,
        vehicles: list[Vehicle],
        served: Collection[tuple[str, int | None]] | None,
        legs: float,
    ) -> None:
        """Plans the tasks in `served` (all when None) with `vehicles`."""
        self.problem, self.vehicles = problem, vehicles
        self.shipments = [s for s in problem.shipments if served is None or ("pickup", s.id) in served]
        self.jobs = [j for j in problem.jobs if served is None or ("job", j.id) in served]
        self.scale = _scale(problem)
        dims = problem.dimensions
        profiles = problem.profile_names()
        pairs = [problem.profiles[p] if p else (problem.durations, problem.distances) for p in profiles]
        n = len(problem.durations)
        durations = [
            np.ceil(np.asarray(d, dtype=float) * self.scale - 1e-9).astype(np.int64) for d, _ in pairs
        ]
        distances = [np.rint(np.asarray(d, dtype=float) * self.scale).astype(np.int64) for _, d in pairs]
        depot_locations = sorted({v.start for v in vehicles} | {v.end for v in vehicles})
        depot_of = {loc: k for k, loc in enumerate(depot_locations)}
        rate_d, rate_t, factor = _cost_rates(vehicles)
        self.dearest_rate = max([*rate_d.values(), *rate_t.values(), 1])
        dearest = max(int(m.max(initial=0)) for m in distances) * max(rate_d.values(), default=1)
        dearest += max(int(m.max(initial=0)) for m in durations) * max(rate_t.values(), default=0)
        fixed = round(legs * dearest)
        types: dict[tuple, list[Vehicle]] = {}
        for v in vehicles:
            types.setdefault(_type_key(v), []).append(v)
        self.type_vehicles = list(types.values())
        vehicle_types = [
            pyvrp.VehicleType(
                num_available=len(group),
                capacity=_padded(v.capacity, dims),
                start_depot=depot_of[v.start],
                end_depot=depot_of[v.end],
                fixed_cost=fixed + round(v.fixed_cost * self.scale * factor),
                tw_early=self._early(v.shift),
                tw_late=self._late(v.shift),
                unit_distance_cost=rate_d[v.id],
                unit_duration_cost=rate_t[v.id],
                profile=profiles.index(v.profile),
            )
            for group in self.type_vehicles
            for v in group[:1]
        ]
        clients = [
            pyvrp.Client(
                location=j.stop.location,
                delivery=_padded(j.delivery, dims),
                pickup=_padded(j.pickup, dims),
                service_duration=self._duration(j.stop.service),
                tw_early=self._early(j.stop.time_windows[0]),
                tw_late=self._late(j.stop.time_windows[0]),
            )
            for j in self.jobs
        ]
        shipments = [
            pyvrp.Shipment(
                pickup_location=s.pickup.location,
                delivery_location=s.delivery.location,
                pickup_tw_early=self._early(s.pickup.time_windows[0]),
                pickup_tw_late=self._late(s.pickup.time_windows[0]),
                pickup_service_duration=self._duration(s.pickup.service),
                delivery_tw_early=self._early(s.delivery.time_windows[0]),
                delivery_tw_late=self._late(s.delivery.time_windows[0]),
                delivery_service_duration=self._duration(s.delivery.service),
                amount=_padded(s.amount, dims),
            )
            for s in self.shipments
        ]
        self.data = pyvrp.ProblemData(
            locations=[pyvrp.Location(x=0, y=0) for _ in range(n)],
            clients=clients,
            depots=[pyvrp.Depot(location=loc) for loc in depot_locations],
            vehicle_types=vehicle_types,
            distance_matrices=distances,  # type: ignore[arg-type]  # the stub's ndarray[int] is not a shape
            duration_matrices=durations,  # type: ignore[arg-type]
            shipments=shipments,
        )
        self.type_of = {v.id: k for k, group in enumerate(self.type_vehicles) for v in group}
        self.shipment_rank = {s.id: k for k, s in enumerate(self.shipments)}
        self.job_rank = {j.id: k for k, j in enumerate(self.jobs)}

    def params(self) -> pyvrp.SolveParams:
        """PyVRP's defaults, its penalty bounds scaled by the dearest rate: they are meant
        for a cost of 1 per unit, and breaking a window must stay dearer than driving."""
        default = PenaltyParams()
        penalty = PenaltyParams(
            min_penalty=default.min_penalty * self.dearest_rate,
            max_penalty=default.max_penalty * self.dearest_rate,
        )
        return pyvrp.SolveParams(penalty=penalty)

    def _duration(self, t: float) -> int:
        return math.ceil(t * self.scale - 1e-9)

    def _early(self, window: TimeWindow) -> int:
        return max(math.ceil(window[0] * self.scale - 1e-9), 0)

    def _late(self, window: TimeWindow) -> int:
        late = window[1] * self.scale
        return MAX_INT if late >= VALUE_LIMIT else math.floor(late + 1e-9)

    def initial_solution(self, seed: Mapping[int, Sequence[TaskRef]]) -> pyvrp.Solution:
        routes = []
        kinds = {"pickup": ActivityType.PICKUP, "delivery": ActivityType.DELIVERY}
        for vid, refs in seed.items():
            activities = [
                Activity(ActivityType.CLIENT, self.job_rank[t.task_id])
                if t.kind == "job"
                else Activity(kinds[t.kind], self.shipment_rank[t.task_id])
                for t in refs
                if t.kind != "break"
            ]
            if activities:
                routes.append(pyvrp.Route(self.data, activities, self.type_of[vid]))
        return pyvrp.Solution(self.data, routes)

    def read(self, solution: pyvrp.Solution) -> Solution:
        free = [list(group) for group in self.type_vehicles]
        sequences: dict[int, list[TaskRef]] = {}
        for route in solution.routes():
            refs: list[TaskRef] = []
            for activity in route.schedule():
                if activity.is_client():
                    refs.append(TaskRef("job", self.jobs[activity.idx].id))
                elif activity.is_pickup():
                    refs.append(TaskRef("pickup", self.shipments[activity.idx].id))
                elif activity.is_delivery():
                    refs.append(TaskRef("delivery", self.shipments[activity.idx].id))
            if refs:
                sequences[free[route.vehicle_type()].pop(0).id] = refs
        return self.read_refs(sequences)

    def read_refs(self, sequences: Mapping[int, Sequence[TaskRef]]) -> Solution:
        index = TaskIndex(self.problem)
        by_id = {v.id: v for v in self.vehicles}
        routes = tuple(
            time_route(self.problem, index, by_id[vid], [t for t in refs if t.kind != "break"])
            for vid, refs in sequences.items()
        )
        planned_shipments = {s.id for s in self.shipments}
        planned_jobs = {j.id for j in self.jobs}
        return Solution(
            routes=routes,
            unassigned_shipments=tuple(s.id for s in self.problem.shipments if s.id not in planned_shipments),
            unassigned_jobs=tuple(j.id for j in self.problem.jobs if j.id not in planned_jobs),
        )


def _type_key(v: Vehicle) -> tuple:
    return (v.start, v.end, v.capacity, v.shift, v.profile, v.fixed_cost, v.cost_per_hour, v.cost_per_km)


def _padded(amount: Sequence[int], dims: int) -> list[int]:
    return list(amount) + [0] * (dims - len(amount))


def _scale(problem: Problem) -> int:
    """Largest of 1000…1 keeping every scaled time and route length well inside PyVRP's range
    (finer scales made its penalty manager hit its bounds on Li & Lim instances)."""
    horizon = max((t for v in problem.vehicles for t in v.shift if math.isfinite(t)), default=0.0)
    for durations, distances in [(problem.durations, problem.distances), *problem.profiles.values()]:
        horizon = max(horizon, sum(max(row, default=0) for row in durations))
        horizon = max(horizon, sum(max(row, default=0) for row in distances))
    for scale in (1000, 100, 10):
        if max(horizon, 1.0) * scale < VALUE_LIMIT / 1000:
            return scale
    return 1


def _cost_rates(vehicles: Sequence[Vehicle]) -> tuple[dict[int, int], dict[int, int], float]:
    """Integer cost per scaled distance and time unit, per vehicle id, and the factor
    from our cost units to PyVRP's (per scaled unit).

    Without rates the objective is the distance (the benchmarks'); otherwise each rate is
    per 1000 distance units and per 3600 time units, the dearest becoming
    `COST_RESOLUTION`, so their ratio survives the rounding; then all are divided by their
    greatest common divisor, so one rate alone (a distance-only fleet) becomes 1. Small
    rates matter: PyVRP's penalties for late arrivals and overloads are bounded (its
    `PenaltyParams`), so with a rate of 10 000 per unit of distance its search preferred
    broken windows to longer routes and never came back to a feasible plan (measured:
    Solomon RC202 stuck at its start, 35 % above the best known, after 15 s).
    """
    if all(v.cost_per_hour == 0 and v.cost_per_km == 0 for v in vehicles):
        return {v.id: 1 for v in vehicles}, {v.id: 0 for v in vehicles}, 1.0
    per_d = {v.id: v.cost_per_km / 1000 for v in vehicles}
    per_t = {v.id: v.cost_per_hour / 3600 for v in vehicles}
    factor = COST_RESOLUTION / max([*per_d.values(), *per_t.values()])
    rate_d = {vid: round(r * factor) for vid, r in per_d.items()}
    rate_t = {vid: round(r * factor) for vid, r in per_t.items()}
    common = math.gcd(*rate_d.values(), *rate_t.values()) or 1
    return (
        {vid: r // common for vid, r in rate_d.items()},
        {vid: r // common for vid, r in rate_t.items()},
        factor / common,
    )
