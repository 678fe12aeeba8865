"""Distance improvement at a fixed number of rounds: ruin and recreate (Shaw, 1998).

Once route elimination has found how few rounds suffice, its plan is usually long:
ejections and random relocations ignore distance. Removing a handful of related
requests and re-inserting them greedily, under simulated annealing, shortens it
while keeping every plan feasible and never opening a round.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass

from comptoir.delivery.planner.compact import Compact, Plan
from comptoir.delivery.planner.routes import (
    BEST,
    Insertion,
    RouteState,
    insert_request,
    requests_in,
    with_request,
    without,
)


@dataclass(frozen=True)
class LnsSettings:
    min_removed: int = 2
    max_removed: int = 15
    removed_share: float = 0.15
    start_temperature: float = 0.005
    end_temperature: float = 0.0001


def improve_distance(
    c: Compact, plan: Plan, deadline: float, rng: random.Random, settings: LnsSettings = LnsSettings()
) -> Plan:
    routes = [RouteState(c, rank, list(nodes)) for rank, nodes in plan]
    current = sum(r.cost for r in routes)
    best_cost, best = current, _snapshot(routes)
    started = time.monotonic()
    span = max(deadline - started, 1e-3)
    count = len(c.requests)
    most = max(settings.min_removed, min(settings.max_removed, int(settings.removed_share * count)))
    while (now := time.monotonic()) < deadline:
        progress = (now - started) / span
        temperature = (
            best_cost
            * settings.start_temperature
            * (settings.end_temperature / settings.start_temperature) ** progress
        )
        saved = _snapshot(routes)
        removed = _ruin(c, routes, rng, rng.randint(settings.min_removed, most))
        if not _recreate(c, routes, removed, rng):
            routes = _restore(c, saved)
            continue
        cost = sum(r.cost for r in routes)
        if cost < current - 1e-9 or rng.random() < math.exp(-(cost - current) / max(temperature, 1e-12)):
            current = cost
            routes = [r for r in routes if r.nodes]
            if cost < best_cost - 1e-9:
                best_cost, best = cost, _snapshot(routes)
        else:
            routes = _restore(c, saved)
    return best


def _snapshot(routes: list[RouteState]) -> Plan:
    return [(r.vehicle, list(r.nodes)) for r in routes if r.nodes]


def _restore(c: Compact, plan: Plan) -> list[RouteState]:
    return [RouteState(c, rank, list(nodes)) for rank, nodes in plan]


def _ruin(c: Compact, routes: list[RouteState], rng: random.Random, amount: int) -> list[int]:
    """Remove `amount` requests: related to a random seed one, or at random."""
    inside = [q for r in routes for q in requests_in(c, r.nodes)]
    amount = min(amount, len(inside))
    if rng.random() < 0.5:
        chosen = rng.sample(inside, amount)
    else:
        seed = rng.choice(inside)
        chosen = sorted(inside, key=lambda q: _relatedness(c, seed, q) * (1 + 0.3 * rng.random()))[:amount]
    gone = set(chosen)
    for r in routes:
        if any(c.request_of[n] in gone for n in r.nodes):
            r.update(c, without(c, r.nodes, gone))
    return chosen


def _relatedness(c: Compact, a: int, b: int) -> float:
    """Distance between the two requests' ends plus their window-start difference."""
    ends_a, ends_b = c.requests[a], c.requests[b]
    total = 0.0
    for x, y in zip(ends_a, ends_b, strict=False):
        total += c.dist[x][y] + abs(c.early[x] - c.early[y])
    return total


def _recreate(c: Compact, routes: list[RouteState], removed: list[int], rng: random.Random) -> bool:
    """Greedy cheapest insertion, in a random or hardest-window-first order."""
    if rng.random() < 0.5:
        rng.shuffle(removed)
    else:
        removed.sort(key=lambda q: min(c.late[n] - c.early[n] for n in c.requests[q]))
    for request in removed:
        best: tuple[Insertion, RouteState] | None = None
        for st in routes:
            found = insert_request(c, st, request, BEST)
            if found and (best is None or found[0][0] < best[0][0]):
                best = (found[0], st)
        if best is None:
            return False
        ins, st = best
        st.update(c, with_request(c, st.nodes, request, ins))
    return True
