"""A slot's deliveries as a planner `Problem`, and back: pure, no Django.

The adapter between the delivery app's vocabulary (parcels ready at shops, drops
at residents in the slot's window, shifts on vehicles) and the planner core's
(`model.Problem`, `model.Solution`). `planning.py` fills these specs from the
database; `bench/city_day.py` fills them from generated data, so both plan the
same way. Times are seconds from an `epoch` chosen by the caller; amounts are
(grams, millilitres).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from comptoir.delivery.planner.model import Problem, Shipment, Solution, Stop, Vehicle
from comptoir.delivery.planner.travel import Matrix, Point

PICKUP_SERVICE_S = 120.0  # find the parcel, check the code
DROP_SERVICE_S = 180.0  # park, ring, hand over
EXTRA_PARCEL_S = 20.0  # each further parcel at the same door


@dataclass(frozen=True)
class ParcelSpec:
    key: int
    shop_key: int
    shop: Point
    weight_g: int
    volume_ml: int
    ready_s: float | None = None


@dataclass(frozen=True)
class DropSpec:
    key: int
    point: Point
    window: tuple[float, float]
    parcels: tuple[ParcelSpec, ...]


@dataclass(frozen=True)
class FleetSpec:
    key: int
    capacity_g: int
    capacity_ml: int
    shift: tuple[float, float]
    cost_per_hour: float = 0.0
    cost_per_km: float = 0.0
    profile: str = "bicycle"  # the routing profile its matrices come from


@dataclass(frozen=True)
class SlotProblem:
    """The problem plus what its integers mean."""

    problem: Problem
    points: tuple[Point, ...]  # by location index; 0 is the depot
    shipment_parcel: dict[int, ParcelSpec]  # shipment id -> parcel
    shipment_drop: dict[int, int]  # shipment id -> drop key
    vehicle_fleet: dict[int, int]  # planner vehicle id -> fleet key
    distance_unit_m: int = 1  # the problem's distances are in units of this many metres


# VROOM's fixed vehicle cost is a 32-bit integer and the planner sets it above the
# worst route (longest leg × tasks × 10⁴): big slots get coarser distance units.
VROOM_COST_LIMIT = 4_000_000_000


def distance_unit(longest_m: float, tasks: int) -> int:
    for unit in (1, 10, 100, 1000):
        if longest_m / unit * 1000 * (tasks + 2) * 10 < VROOM_COST_LIMIT:
            return unit
    return 10_000


def locations(depot: Point, drops: Sequence[DropSpec]) -> tuple[list[Point], dict[int, int], dict[int, int]]:
    """Depot first, each shop once, then each drop: (points, shop key -> index, drop key -> index)."""
    points = [depot]
    shop_index: dict[int, int] = {}
    for drop in drops:
        for parcel in drop.parcels:
            if parcel.shop_key not in shop_index:
                shop_index[parcel.shop_key] = len(points)
                points.append(parcel.shop)
    drop_index: dict[int, int] = {}
    for drop in drops:
        drop_index[drop.key] = len(points)
        points.append(drop.point)
    return points, shop_index, drop_index


def build_problem(
    depot: Point, drops: Sequence[DropSpec], fleet: Sequence[FleetSpec], matrices: Mapping[str, Matrix]
) -> SlotProblem:
    """One shipment per parcel, from its shop (once ready) to the drop (within the slot's window).

    `matrices` has one matrix per routing profile of the fleet (all over `locations`), so a
    van gets car times and a cargo bike bicycle times in the same slot.
    """
    points, shop_index, drop_index = locations(depot, drops)
    missing = sorted({f.profile for f in fleet} - set(matrices))
    if missing:
        raise ValueError(f"no matrix for profiles {missing}")
    for matrix in matrices.values():
        if len(matrix.durations) != len(points):
            raise ValueError(f"matrix has {len(matrix.durations)} points, the slot has {len(points)}")
    shipments: list[Shipment] = []
    shipment_parcel: dict[int, ParcelSpec] = {}
    shipment_drop: dict[int, int] = {}
    earliest = min((f.shift[0] for f in fleet), default=0.0)
    for drop in drops:
        for rank, parcel in enumerate(drop.parcels):
            ready = max(parcel.ready_s if parcel.ready_s is not None else earliest, earliest)
            ready = min(ready, drop.window[1])  # ready after the slot: no solver can take it, none may crash
            pickup = Stop(shop_index[parcel.shop_key], PICKUP_SERVICE_S, ((ready, drop.window[1]),))
            service = DROP_SERVICE_S if rank == 0 else EXTRA_PARCEL_S
            delivery = Stop(drop_index[drop.key], service, (drop.window,))
            shipment_id = len(shipments)
            shipments.append(Shipment(shipment_id, pickup, delivery, (parcel.weight_g, parcel.volume_ml)))
            shipment_parcel[shipment_id] = parcel
            shipment_drop[shipment_id] = drop.key
    longest = max((max(row, default=0.0) for m in matrices.values() for row in m.distances), default=0.0)
    unit = distance_unit(longest, 2 * len(shipments))
    vehicles = tuple(
        Vehicle(
            id=rank,
            start=0,
            end=0,
            capacity=(f.capacity_g, f.capacity_ml),
            shift=f.shift,
            cost_per_hour=f.cost_per_hour,
            cost_per_km=f.cost_per_km * unit,  # per 1000 distance units
            profile=f.profile,
        )
        for rank, f in enumerate(fleet)
    )
    pairs = {name: _pair(m, unit) for name, m in matrices.items()}
    default = pairs[fleet[0].profile] if fleet else next(iter(pairs.values()), ([], []))
    problem = Problem(
        durations=default[0],
        distances=default[1],
        vehicles=vehicles,
        shipments=tuple(shipments),
        profiles=pairs,
    )
    return SlotProblem(
        problem,
        tuple(points),
        shipment_parcel,
        shipment_drop,
        {rank: f.key for rank, f in enumerate(fleet)},
        unit,
    )


def drop_groups(slot: SlotProblem) -> dict[int, list[int]]:
    """Shipment ids per drop key: one resident's parcels of one order, planned together."""
    groups: dict[int, list[int]] = {}
    for shipment_id, drop_key in slot.shipment_drop.items():
        groups.setdefault(drop_key, []).append(shipment_id)
    return groups


def _pair(matrix: Matrix, unit: int) -> tuple[list[list[float]], list[list[float]]]:
    """Durations rounded up to whole seconds (plans stay feasible), distances in `unit` metres."""
    durations = [[float(math.ceil(t)) for t in row] for row in matrix.durations]
    distances = [[d / unit for d in row] for row in matrix.distances] if unit > 1 else matrix.distances
    return durations, distances


@dataclass(frozen=True)
class PlannedStop:
    """One place the courier stops at: several parcels when they share the place and follow each other.

    A drop is one resident's door (one drop key); a pickup is one shop, possibly for
    several drops: `drop_key` is then the first parcel's drop.
    """

    kind: str  # "pickup" or "drop"
    drop_key: int
    parcel_keys: tuple[int, ...]
    location: int
    arrival_s: float
    shop_key: int | None = None  # a pickup's shop (a drop's is meaningless: its parcels come from several)


@dataclass(frozen=True)
class PlannedRound:
    fleet_key: int
    stops: tuple[PlannedStop, ...]
    departs_s: float
    returns_s: float
    distance_m: float


def _same_place(previous: PlannedStop | None, kind: str, drop_key: int, parcel: ParcelSpec) -> bool:
    """A drop at the door just served, or a pickup at the shop just visited: one stop, not two."""
    if previous is None or previous.kind != kind:
        return False
    return previous.drop_key == drop_key if kind == "drop" else previous.shop_key == parcel.shop_key


def read_solution(slot: SlotProblem, solution: Solution) -> tuple[list[PlannedRound], list[int]]:
    """Rounds in visiting order, consecutive drops at one door and consecutive pickups at one shop
    merged; and the drop keys left unplanned."""
    rounds = []
    for route in solution.routes:
        stops: list[PlannedStop] = []
        for step in route.steps:
            if step.task_id is None or step.kind not in ("pickup", "delivery"):
                continue
            drop_key = slot.shipment_drop[step.task_id]
            parcel = slot.shipment_parcel[step.task_id]
            kind = "pickup" if step.kind == "pickup" else "drop"
            previous = stops[-1] if stops else None
            if previous is not None and _same_place(previous, kind, drop_key, parcel):
                stops[-1] = replace(previous, parcel_keys=(*previous.parcel_keys, parcel.key))
                continue
            shop_key = parcel.shop_key if kind == "pickup" else None
            stops.append(
                PlannedStop(kind, drop_key, (parcel.key,), step.location, step.service_start, shop_key)
            )
        if stops:
            rounds.append(
                PlannedRound(
                    slot.vehicle_fleet[route.vehicle_id],
                    tuple(stops),
                    route.steps[0].service_start,
                    route.steps[-1].arrival,
                    route.distance * slot.distance_unit_m,
                )
            )
    unplanned = sorted({slot.shipment_drop[s] for s in solution.unassigned_shipments})
    return rounds, unplanned
