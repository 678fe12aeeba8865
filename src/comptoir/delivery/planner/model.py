"""The planning problem and its solution, as plain frozen dataclasses.

Everything the delivery app knows about a slot is translated into these before any
solver runs, so solvers, the checker and the benchmark share one vocabulary and
none of them needs Django. Units are the caller's: durations and time windows in
one time unit (seconds in production), distances in one length unit (metres).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

TimeWindow = tuple[float, float]
Matrix = Sequence[Sequence[float]]
Amount = tuple[int, ...]

ALWAYS: TimeWindow = (0.0, math.inf)

TaskKind = Literal["pickup", "delivery", "job", "break"]
StepKind = Literal["start", "pickup", "delivery", "job", "break", "end"]


@dataclass(frozen=True)
class Stop:
    """One place where a courier spends `service` time, within one of the windows."""

    location: int
    service: float = 0.0
    time_windows: tuple[TimeWindow, ...] = (ALWAYS,)


@dataclass(frozen=True)
class Shipment:
    """A parcel collected at `pickup` (a shop) and dropped at `delivery` (a resident)."""

    id: int
    pickup: Stop
    delivery: Stop
    amount: Amount


@dataclass(frozen=True)
class Job:
    """A single stop: `delivery` is loaded at the vehicle start, `pickup` carried to its end."""

    id: int
    stop: Stop
    delivery: Amount = ()
    pickup: Amount = ()


@dataclass(frozen=True)
class Break:
    """A courier pause that must start within one of its windows."""

    id: int
    time_windows: tuple[TimeWindow, ...]
    service: float


@dataclass(frozen=True)
class Vehicle:
    """A cargo bike or van with its courier's shift.

    Costs are per 3600 time units and per 1000 length units, so seconds and metres
    give the usual per hour and per km rates.
    """

    id: int
    start: int
    end: int
    capacity: Amount
    shift: TimeWindow = ALWAYS
    max_travel_time: float | None = None
    fixed_cost: float = 0.0
    cost_per_hour: float = 0.0
    cost_per_km: float = 0.0
    breaks: tuple[Break, ...] = ()
    profile: str = ""
    """Routing profile: its matrices in `Problem.profiles`; "" is the problem's default pair."""


@dataclass(frozen=True)
class Problem:
    """Matrices indexed by location, plus the tasks and the fleet.

    `durations` and `distances` are the default profile's; a mixed fleet adds one
    (durations, distances) pair per routing profile in `profiles` (a van drives car
    roads at car speed, a cargo bike takes cycle lanes), and each vehicle names its own.
    """

    durations: Matrix
    distances: Matrix
    vehicles: tuple[Vehicle, ...]
    shipments: tuple[Shipment, ...] = ()
    jobs: tuple[Job, ...] = ()
    profiles: Mapping[str, tuple[Matrix, Matrix]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = {v.profile for v in self.vehicles if v.profile and v.profile not in self.profiles}
        if unknown:
            raise ValueError(f"vehicles use profiles without matrices: {sorted(unknown)}")

    @property
    def dimensions(self) -> int:
        return max((len(v.capacity) for v in self.vehicles), default=0)

    def matrices(self, vehicle: Vehicle) -> tuple[Matrix, Matrix]:
        """(durations, distances) this vehicle travels by."""
        if vehicle.profile:
            return self.profiles[vehicle.profile]
        return self.durations, self.distances

    def profile_names(self) -> list[str]:
        """The profiles vehicles use, default first when used: one matrix pair each."""
        return sorted({v.profile for v in self.vehicles})


@dataclass(frozen=True)
class Step:
    """One visit of a route, with its timing and the load carried when leaving it."""

    kind: StepKind
    location: int
    arrival: float
    service_start: float
    load: Amount
    task_id: int | None = None


@dataclass(frozen=True)
class Route:
    vehicle_id: int
    steps: tuple[Step, ...]
    distance: float
    duration: float
    cost: float


@dataclass(frozen=True)
class Solution:
    routes: tuple[Route, ...]
    unassigned_shipments: tuple[int, ...] = ()
    unassigned_jobs: tuple[int, ...] = ()

    @property
    def vehicles_used(self) -> int:
        return sum(1 for r in self.routes if len(r.steps) > 2)

    @property
    def distance(self) -> float:
        return sum(r.distance for r in self.routes)

    @property
    def duration(self) -> float:
        return sum(r.duration for r in self.routes)

    @property
    def cost(self) -> float:
        return sum(r.cost for r in self.routes)


@dataclass(frozen=True)
class TaskRef:
    """A step of a planned sequence before timing: which task, and which end of it."""

    kind: TaskKind
    task_id: int
