"""Parsers for the Li & Lim (PDPTW) and Solomon (VRPTW) benchmark files.

They exist so the planner is measured on the public instances every routing paper
uses, under SINTEF conventions: Euclidean distances in double precision, travel time
equal to distance, windows on the start of service. Files keep CRLF line endings.
Node ids become location indices, so a route's locations are the instance's node ids.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from comptoir.delivery.planner.model import Job, Problem, Shipment, Stop, Vehicle


@dataclass(frozen=True)
class Node:
    id: int
    x: float
    y: float
    demand: int
    ready: float
    due: float
    service: float
    pickup: int = 0
    delivery: int = 0


def euclidean_matrix(nodes: list[Node]) -> list[list[float]]:
    return [[math.hypot(a.x - b.x, a.y - b.y) for b in nodes] for a in nodes]


def _rows(text: str) -> list[list[str]]:
    return [line.split() for line in text.splitlines() if line.strip()]


def _fleet(count: int, capacity: int, depot: Node) -> tuple[Vehicle, ...]:
    # cost_per_km=1000 makes a route's cost its distance, the benchmarks' objective.
    return tuple(
        Vehicle(
            id=k,
            start=depot.id,
            end=depot.id,
            capacity=(capacity,),
            shift=(depot.ready, depot.due),
            cost_per_km=1000.0,
        )
        for k in range(count)
    )


def _stop(node: Node) -> Stop:
    return Stop(node.id, node.service, ((node.ready, node.due),))


def parse_li_lim(text: str) -> Problem:
    """`K Q speed`, then `id x y demand earliest latest service pickup delivery` rows."""
    rows = _rows(text)
    count, capacity = int(rows[0][0]), int(rows[0][1])
    nodes = [
        Node(
            int(r[0]),
            float(r[1]),
            float(r[2]),
            int(r[3]),
            float(r[4]),
            float(r[5]),
            float(r[6]),
            int(r[7]),
            int(r[8]),
        )
        for r in rows[1:]
    ]
    _check_ids(nodes)
    shipments = tuple(
        Shipment(n.id, _stop(n), _stop(nodes[n.delivery]), (n.demand,))
        for n in nodes[1:]
        if n.pickup == 0 and n.delivery > 0
    )
    matrix = euclidean_matrix(nodes)
    return Problem(matrix, matrix, _fleet(count, capacity, nodes[0]), shipments=shipments)


def parse_solomon(text: str) -> Problem:
    """Solomon layout: a name, `VEHICLE / NUMBER CAPACITY`, then customer rows (0 = depot)."""
    rows = _rows(text)
    head = next(i for i, r in enumerate(rows) if r[0].upper() == "NUMBER")
    count, capacity = int(rows[head + 1][0]), int(rows[head + 1][1])
    nodes = [
        Node(int(r[0]), float(r[1]), float(r[2]), int(float(r[3])), float(r[4]), float(r[5]), float(r[6]))
        for r in rows[head + 2 :]
        if len(r) >= 7 and r[0].isdigit()
    ]
    _check_ids(nodes)
    jobs = tuple(Job(n.id, _stop(n), delivery=(n.demand,)) for n in nodes[1:])
    matrix = euclidean_matrix(nodes)
    return Problem(matrix, matrix, _fleet(count, capacity, nodes[0]), jobs=jobs)


def _check_ids(nodes: list[Node]) -> None:
    if [n.id for n in nodes] != list(range(len(nodes))):
        raise ValueError("node ids must run 0..n-1 with the depot first")


def load_instance(path: str | Path, fmt: str) -> Problem:
    parsers = {"lilim": parse_li_lim, "solomon": parse_solomon}
    if fmt not in parsers:
        raise ValueError(f"unknown instance format {fmt!r} (expected 'lilim' or 'solomon')")
    try:
        return parsers[fmt](Path(path).read_text())
    except (StopIteration, IndexError, ValueError) as error:
        raise ValueError(f"not a {fmt} instance ({str(error) or 'no header or node table'})") from error
