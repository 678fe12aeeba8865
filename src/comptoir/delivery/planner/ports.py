"""The one port of the planner: whatever turns a `Problem` into a `Solution`.

The delivery app depends on this Protocol only, so tests can pass a fake and the
dispatcher can swap the VROOM-only solver for the full planner without code changes.
"""

from typing import Protocol

from comptoir.delivery.planner.model import Problem, Solution


class RouteSolver(Protocol):
    def solve(self, problem: Problem, time_limit: float) -> Solution:
        """Plan rounds within `time_limit` seconds of wall-clock time."""
        ...
