"""Solve one benchmark instance file: the body of `comptoir planner solve`."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from comptoir.delivery.planner.improve import PlannerSolver
from comptoir.delivery.planner.instances import load_instance


def solve_instance_file(path: str | Path, fmt: str, time_limit: float, seed: int = 0) -> dict[str, Any]:
    """Vehicles, distance (2 dp), routes as node ids without the depot, and wall seconds."""
    started = time.monotonic()
    problem = load_instance(path, fmt)
    solution = PlannerSolver(seed=seed).solve(problem, time_limit)
    routes = [
        [s.location for s in r.steps if s.kind not in ("start", "end", "break")] for r in solution.routes
    ]
    routes = [r for r in routes if r]
    return {
        "vehicles": len(routes),
        "distance": round(solution.distance, 2),
        "routes": routes,
        "seconds": round(time.monotonic() - started, 2),
    }
