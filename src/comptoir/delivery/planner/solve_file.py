"""Solve one benchmark instance file: the body of `comptoir planner solve`."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from comptoir.delivery.planner.improve import PlannerSolver
from comptoir.delivery.planner.instances import load_instance
from comptoir.delivery.planner.ports import RouteSolver
from comptoir.delivery.planner.pyvrp_solver import PyvrpSolver
from comptoir.delivery.planner.vroom_solver import VroomSolver


def solver_named(name: str, seed: int = 0) -> RouteSolver:
    """The full planner, or one of the solvers it combines, alone (for comparison)."""
    solvers: dict[str, RouteSolver] = {
        "planner": PlannerSolver(seed=seed),
        "vroom": VroomSolver(),
        "pyvrp": PyvrpSolver(seed=seed),
    }
    if name not in solvers:
        raise ValueError(f"unknown solver {name!r} (expected one of {', '.join(solvers)})")
    return solvers[name]


def solve_instance_file(
    path: str | Path, fmt: str, time_limit: float, seed: int = 0, solver: str = "planner"
) -> dict[str, Any]:
    """Vehicles, distance (2 dp), routes as node ids without the depot, unserved tasks, wall seconds."""
    started = time.monotonic()
    problem = load_instance(path, fmt)
    solution = solver_named(solver, seed).solve(problem, time_limit)
    routes = [
        [s.location for s in r.steps if s.kind not in ("start", "end", "break")] for r in solution.routes
    ]
    routes = [r for r in routes if r]
    return {
        "vehicles": len(routes),
        "distance": round(solution.distance, 2),
        "routes": routes,
        "unserved": len(solution.unassigned_shipments) + len(solution.unassigned_jobs),
        "seconds": round(time.monotonic() - started, 2),
    }
