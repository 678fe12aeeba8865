"""Route elimination by guided ejection search (Nagata & Kobayashi, 2010).

VROOM minimises cost and often keeps one or two rounds more than needed; each round
is a courier shift. Here a route is removed, its requests go to an ejection pool,
and each is put back into the other routes: directly if it fits, otherwise by
ejecting at most two requests of one route, choosing those with the smallest
penalty sum. A request's penalty grows each time it could not be inserted, so hard
requests get placed first and easy ones are ejected instead; random feasible
relocations between insertions keep the search from cycling.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from comptoir.delivery.planner.compact import EPS, Compact, Plan
from comptoir.delivery.planner.routes import (
    ALL,
    BEST,
    FIRST,
    Insertion,
    RouteState,
    insert_request,
    requests_in,
    with_request,
    without,
)


@dataclass(frozen=True)
class EjectionSettings:
    max_ejected: int = 2
    max_ejected_single: int = 3
    random_insertion: bool = False
    perturb_moves: int = 100


@dataclass(frozen=True)
class Reduction:
    """What `minimise_routes` found: its fewest-round complete `plan`, and the attempt that
    failed to remove one more round (one round fewer, `left_out` requests still unplaced),
    or None when the search stopped at the demand bound."""

    plan: Plan
    attempt: Plan | None
    left_out: tuple[int, ...] = ()


@dataclass
class Ejection:
    route: RouteState
    ejected: tuple[int, ...]
    penalty: int


def lower_bound(c: Compact) -> int:
    """Rounds needed by total demand alone (single-task loads count in full)."""
    if not c.vehicles:
        return 0
    bound = 1
    for k in range(c.dims):
        cap = max(v.capacity[k] for v in c.vehicles)
        demand = sum(max(c.delta[k][nodes[0]], 0) + c.start_load[k][nodes[0]] for nodes in c.requests)
        if cap > 0:
            bound = max(bound, -(-demand // cap))
    return bound


def minimise_routes(
    c: Compact,
    plan: Plan,
    deadline: float,
    rng: random.Random,
    settings: EjectionSettings = EjectionSettings(),
    patience: float | None = None,
) -> Reduction:
    """Remove routes one at a time until the demand bound is hit, or an attempt fails.

    An attempt fails at `deadline`, or once its pool has not shrunk below its smallest size
    for `patience` seconds (stagnation): the time left is better spent by PyVRP, which
    gets the failed attempt to finish (`Reduction.attempt`) as well as the plan.
    """
    best = plan
    floor = lower_bound(c)
    while len(best) > floor and time.monotonic() < deadline:
        routes = [RouteState(c, rank, list(nodes)) for rank, nodes in best]
        victim = routes.pop(rng.randrange(len(routes)))
        pool = requests_in(c, victim.nodes)
        rng.shuffle(pool)
        if not _empty_pool(c, routes, pool, deadline, rng, settings, patience):
            attempt = [(r.vehicle, list(r.nodes)) for r in routes if r.nodes]
            return Reduction(best, attempt, tuple(sorted(pool)))
        best = [(r.vehicle, r.nodes) for r in routes if r.nodes]
    return Reduction(best, None)


def complete(
    c: Compact,
    plan: Plan,
    pool: list[int],
    deadline: float,
    rng: random.Random,
    settings: EjectionSettings = EjectionSettings(),
) -> Plan:
    """Put the requests of `pool` into `plan`, opening idle vehicles' routes if needed.

    The ejection search is tried first; if time runs out, the original plan gets the
    pool's requests that fit by plain insertion, so nothing served before is lost.
    """
    used = {rank for rank, _ in plan}
    idle = [RouteState(c, rank, []) for rank in range(len(c.vehicles)) if rank not in used]
    routes = [RouteState(c, rank, list(nodes)) for rank, nodes in plan] + idle
    if routes and _empty_pool(c, routes, list(pool), deadline, rng, settings):
        return [(r.vehicle, r.nodes) for r in routes if r.nodes]
    routes = [RouteState(c, rank, list(nodes)) for rank, nodes in plan] + [
        RouteState(c, r.vehicle, []) for r in idle
    ]
    for request in pool:
        _insert_feasible(c, routes, request, None)
    return [(r.vehicle, r.nodes) for r in routes if r.nodes]


def _empty_pool(
    c: Compact,
    routes: list[RouteState],
    pool: list[int],
    deadline: float,
    rng: random.Random,
    settings: EjectionSettings,
    patience: float | None = None,
) -> bool:
    """Empty `pool` into `routes`; False at `deadline` or after `patience` seconds without
    the pool getting smaller than it has been (the routes then hold the attempt's state)."""
    penalty = [1] * len(c.requests)
    smallest, progress = len(pool), time.monotonic()
    while pool:
        now = time.monotonic()
        if now > deadline:
            return False
        if len(pool) < smallest:
            smallest, progress = len(pool), now
        elif patience is not None and now - progress >= patience:
            return False
        request = pool.pop()
        if _insert_feasible(c, routes, request, rng if settings.random_insertion else None):
            continue
        penalty[request] += 1
        ejection = _best_ejection(
            c, routes, request, penalty, settings.max_ejected, settings.max_ejected_single, rng, deadline
        )
        if ejection is None:
            pool.insert(0, request)
        else:
            _apply_ejection(c, ejection, request)
            pool.extend(ejection.ejected)
        _perturb(c, routes, settings.perturb_moves, rng)
    return True


def _insert_feasible(c: Compact, routes: list[RouteState], request: int, rng: random.Random | None) -> bool:
    """Cheapest feasible insertion, or with `rng` a random one (Nagata & Bräysy's choice)."""
    if rng is not None:
        options = [(ins, st) for st in routes for ins in insert_request(c, st, request, ALL)]
        if not options:
            return False
        ins, st = rng.choice(options)
        st.update(c, with_request(c, st.nodes, request, ins))
        return True
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


def _best_ejection(
    c: Compact,
    routes: list[RouteState],
    request: int,
    penalty: list[int],
    max_ejected: int,
    max_ejected_single: int,
    rng: random.Random,
    deadline: float,
) -> Ejection | None:
    best: Ejection | None = None
    order = routes[:]
    rng.shuffle(order)
    for st in order:
        limit = best.penalty if best else 1 << 30
        if c.weight is not None:
            found = _single_ejection_in_route(c, st, request, penalty, max_ejected_single, limit)
        else:
            found = _ejection_in_route(c, st, request, penalty, max_ejected, limit)
        if found is not None:
            best = found
        if time.monotonic() > deadline:
            break
    return best


def _ejection_in_route(
    c: Compact, st: RouteState, request: int, penalty: list[int], max_ejected: int, limit: int
) -> Ejection | None:
    """Smallest-penalty set of at most `max_ejected` requests whose removal lets `request` in."""
    inside = sorted(requests_in(c, st.nodes), key=penalty.__getitem__)
    probe = RouteState(c, st.vehicle, [])
    best: Ejection | None = None

    def fits(ejected: tuple[int, ...]) -> bool:
        probe.update(c, without(c, st.nodes, ejected))
        return bool(insert_request(c, probe, request, FIRST))

    for a, first in enumerate(inside):
        if penalty[first] >= limit:
            break
        if fits((first,)):
            limit = penalty[first]
            best = Ejection(st, (first,), limit)
            continue
        if max_ejected < 2:
            continue
        for second in inside[a + 1 :]:
            total = penalty[first] + penalty[second]
            if total >= limit:
                break
            if fits((first, second)):
                limit = total
                best = Ejection(st, (first, second), total)
    return best


def _single_ejection_in_route(
    c: Compact, st: RouteState, request: int, penalty: list[int], max_ejected: int, limit: int
) -> Ejection | None:
    """Depth-first walk along the route (Nagata & Bräysy's lexicographic search).

    At each stop it keeps, ejects, or puts the new stop before it, carrying the
    service time forward; a branch ends as soon as the rest of the route is known to
    fit (`lat`), or cannot be repaired with the ejections left.
    """
    assert c.weight is not None
    seq, lat, weight = st.seq, st.lat, c.weight
    travel, early, late, service, request_of = st.travel, c.early, c.late, c.service, c.request_of
    (v,) = c.requests[request]
    caps = c.vehicles[st.vehicle].capacity
    excess = [sum(w[n] for n in seq) + w[v] - cap for w, cap in zip(weight, caps, strict=True)]
    last_pos = len(seq) - 1
    best: list = [limit, None]

    def fits(ejected: list[int]) -> bool:
        return all(sum(w[n] for n in ejected) >= e for w, e in zip(weight, excess, strict=True) if e > 0)

    def visit(j: int, t: float, last: int, inserted: bool, ejected: list[int], psum: int) -> None:
        node = seq[j]
        if not inserted:
            tv = t + service[last] + travel[last][v]
            if tv <= late[v] + EPS:
                visit(j, max(tv, early[v]), v, True, ejected, psum)
        tj = t + service[last] + travel[last][node]
        if tj < early[node]:
            tj = early[node]
        if tj <= late[node] + EPS:
            on_time = tj <= lat[j] + EPS
            if inserted and on_time and fits(ejected):
                if psum < best[0]:
                    best[0], best[1] = psum, list(ejected)
                return
            if j < last_pos and (on_time or len(ejected) < max_ejected):
                visit(j + 1, tj, node, inserted, ejected, psum)
        if j < last_pos and len(ejected) < max_ejected:
            cost = psum + penalty[request_of[node]]
            if cost < best[0]:
                ejected.append(node)
                visit(j + 1, t, last, inserted, ejected, cost)
                ejected.pop()

    visit(1, early[seq[0]], seq[0], False, [], 0)
    if best[1] is None:
        return None
    return Ejection(st, tuple(request_of[n] for n in best[1]), best[0])


def _apply_ejection(c: Compact, ejection: Ejection, request: int) -> None:
    st = ejection.route
    st.update(c, without(c, st.nodes, ejection.ejected))
    ins = insert_request(c, st, request, BEST)[0]
    st.update(c, with_request(c, st.nodes, request, ins))


def _perturb(c: Compact, routes: list[RouteState], moves: int, rng: random.Random) -> None:
    """Random feasible relocations: diversity for the next insertions, distance ignored."""
    if len(routes) < 2:
        return
    for _ in range(moves):
        source, target = rng.sample(routes, 2)
        if not source.nodes:
            continue
        request = c.request_of[rng.choice(source.nodes)]
        options = insert_request(c, target, request, ALL)
        if not options:
            continue
        target.update(c, with_request(c, target.nodes, request, rng.choice(options)))
        source.update(c, without(c, source.nodes, (request,)))
    routes[:] = [r for r in routes if r.nodes]
