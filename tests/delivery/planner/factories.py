"""Small hand-made problems on a line, where optima can be found by hand or brute force."""

from __future__ import annotations

from comptoir.delivery.planner.model import Problem, Shipment, Stop, TimeWindow, Vehicle


def line_problem(
    points: list[float],
    pairs: list[tuple[int, int]],
    *,
    vehicles: int = 2,
    capacity: int = 10,
    amount: int = 1,
    windows: dict[int, TimeWindow] | None = None,
    service: float = 0.0,
) -> Problem:
    """Locations on a line (index 0 = depot); each pair is a shipment from shop to resident."""
    matrix = [[abs(a - b) for b in points] for a in points]
    windows = windows or {}

    def stop(location: int) -> Stop:
        return Stop(location, service, (windows.get(location, (0.0, 1000.0)),))

    shipments = tuple(Shipment(k + 1, stop(p), stop(d), (amount,)) for k, (p, d) in enumerate(pairs))
    fleet = tuple(
        Vehicle(k, 0, 0, (capacity,), shift=(0.0, 1000.0), cost_per_km=1000.0) for k in range(vehicles)
    )
    return Problem(matrix, matrix, fleet, shipments=shipments)
