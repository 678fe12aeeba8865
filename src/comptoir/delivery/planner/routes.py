"""Route state with forward/backward time slack, and O(n²) request insertion checks.

`arr[i]` is the earliest service start at position i, `lat[i]` the latest start
that keeps the rest of the route feasible. With them an insertion is checked by
propagating time only over the stretch it delays, which is what makes a pure-Python
ejection search affordable. Pruning with `break` relies on travel times obeying the
triangle inequality; on other matrices it may miss insertions but never accepts an
infeasible one.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from itertools import pairwise

from comptoir.delivery.planner.compact import EPS, Compact

Insertion = tuple[float, int, int]
"""Added distance, then positions in `seq` before which the pickup and delivery go."""

BEST, FIRST, ALL = 0, 1, 2


class RouteState:
    __slots__ = ("arr", "cost", "dist", "lat", "loads", "nodes", "seq", "travel", "vehicle")

    def __init__(self, c: Compact, vehicle: int, nodes: list[int]) -> None:
        self.vehicle = vehicle
        profile = c.vehicles[vehicle].profile
        self.travel, self.dist = c.travels[profile], c.dists[profile]
        self.update(c, nodes)

    def update(self, c: Compact, nodes: list[int]) -> None:
        fleet = c.vehicles[self.vehicle]
        self.nodes = nodes
        seq = [fleet.start, *nodes, fleet.end]
        self.seq = seq
        self.arr = _forward_times(c, self.travel, seq)
        self.lat = _latest_times(c, self.travel, seq)
        self.loads = [
            _loads(delta, preload, seq) for delta, preload in zip(c.delta, c.start_load, strict=True)
        ]
        dist = self.dist
        self.cost = sum(dist[a][b] for a, b in pairwise(seq))

    def feasible(self, c: Compact) -> bool:
        caps = c.vehicles[self.vehicle].capacity
        on_time = all(a <= lt + EPS for a, lt in zip(self.arr, self.lat, strict=True))
        return on_time and all(max(load) <= cap for load, cap in zip(self.loads, caps, strict=True))


def _forward_times(c: Compact, travel: list[list[float]], seq: list[int]) -> list[float]:
    early, service = c.early, c.service
    prev = seq[0]
    t = early[prev]
    arr = [t]
    for node in seq[1:]:
        t += service[prev] + travel[prev][node]
        if t < early[node]:
            t = early[node]
        arr.append(t)
        prev = node
    return arr


def _latest_times(c: Compact, travel: list[list[float]], seq: list[int]) -> list[float]:
    late, service = c.late, c.service
    nxt = seq[-1]
    t = late[nxt]
    lat = [t] * len(seq)
    for i in range(len(seq) - 2, -1, -1):
        node = seq[i]
        t = t - travel[node][nxt] - service[node]
        if late[node] < t:
            t = late[node]
        lat[i] = t
        nxt = node
    return lat


def _loads(delta: list[int], preload: list[int], seq: list[int]) -> list[int]:
    load = sum(preload[n] for n in seq)
    out = [load]
    for node in seq[1:]:
        load += delta[node]
        out.append(load)
    return out


def _room_after(c: Compact, st: RouteState, amount: Sequence[int]) -> list[bool]:
    """Positions whose outgoing load still fits once `amount` more is carried there."""
    caps = c.vehicles[st.vehicle].capacity
    ok = [True] * len(st.seq)
    for load, add, cap in zip(st.loads, amount, caps, strict=True):
        if add:
            room = cap - add
            ok = [o and x <= room for o, x in zip(ok, load, strict=True)]
    return ok


def insert_request(c: Compact, st: RouteState, request: int, mode: int) -> list[Insertion]:
    """Feasible insertions of `request` into `st`: the cheapest, the first found, or all."""
    nodes = c.requests[request]
    if len(nodes) == 2:
        return _insert_pair(c, st, nodes[0], nodes[1], mode)
    return _insert_single(c, st, nodes[0], mode)


def _insert_pair(c: Compact, st: RouteState, p: int, d: int, mode: int) -> list[Insertion]:
    seq, arr, lat = st.seq, st.arr, st.lat
    travel, dist, early, service = st.travel, st.dist, c.early, c.service
    fits = _room_after(c, st, [delta[p] for delta in c.delta])
    ep, lp, sp, ed, ld, sd = early[p], c.late[p] + EPS, service[p], early[d], c.late[d] + EPS, service[d]
    tp_row, dp_row, td_row, dd_row = travel[p], dist[p], travel[d], dist[d]
    n = len(seq)
    found: list[Insertion] = []
    best = float("inf")
    for i in range(1, n):
        prev = seq[i - 1]
        tp = arr[i - 1] + service[prev] + travel[prev][p]
        if tp > lp:
            break
        if not fits[i - 1]:
            continue
        if tp < ep:
            tp = ep
        nxt = seq[i]
        base = dist[prev][p] - dist[prev][nxt]
        td = tp + sp + tp_row[d]
        if td < ed:
            td = ed
        if td <= ld and td + sd + td_row[nxt] <= lat[i] + EPS:
            cost = base + dp_row[d] + dd_row[nxt]
            if mode == ALL or cost < best:
                found.append((cost, i, i))
                best = cost
                if mode == FIRST:
                    return found
        base += dp_row[nxt]
        t, node = tp, p
        for j in range(i + 1, n):
            cur = seq[j - 1]
            t += service[node] + travel[node][cur]
            if t < early[cur]:
                t = early[cur]
            if t > lat[j - 1] + EPS or not fits[j - 1]:
                break
            node = cur
            td = t + service[cur] + travel[cur][d]
            if td > ld:
                break
            if td < ed:
                td = ed
            after = seq[j]
            if td + sd + td_row[after] <= lat[j] + EPS:
                cost = base + dist[cur][d] + dd_row[after] - dist[cur][after]
                if mode == ALL or cost < best:
                    found.append((cost, i, j))
                    best = cost
                    if mode == FIRST:
                        return found
    if mode == BEST and found:
        return [found[-1]]
    return found


def _insert_single(c: Compact, st: RouteState, v: int, mode: int) -> list[Insertion]:
    seq, arr, lat = st.seq, st.arr, st.lat
    travel, dist, service = st.travel, st.dist, c.service
    before = _room_after(c, st, [pre[v] for pre in c.start_load])
    after = _room_after(
        c, st, [max(delta[v] + pre[v], 0) for delta, pre in zip(c.delta, c.start_load, strict=True)]
    )
    prefix_ok = True
    ev, lv, sv = c.early[v], c.late[v] + EPS, service[v]
    row_t, row_d = travel[v], dist[v]
    suffix_ok = [True] * (len(seq) + 1)
    for k in range(len(seq) - 1, -1, -1):
        suffix_ok[k] = suffix_ok[k + 1] and after[k]
    found: list[Insertion] = []
    best = float("inf")
    for i in range(1, len(seq)):
        prev = seq[i - 1]
        prefix_ok = prefix_ok and before[i - 1]
        if not prefix_ok:
            break
        t = arr[i - 1] + service[prev] + travel[prev][v]
        if t > lv:
            break
        if not suffix_ok[i - 1]:
            continue
        if t < ev:
            t = ev
        nxt = seq[i]
        if t + sv + row_t[nxt] <= lat[i] + EPS:
            cost = dist[prev][v] + row_d[nxt] - dist[prev][nxt]
            if mode == ALL or cost < best:
                found.append((cost, i, i))
                best = cost
                if mode == FIRST:
                    return found
    if mode == BEST and found:
        return [found[-1]]
    return found


def with_request(c: Compact, nodes: list[int], request: int, ins: Insertion) -> list[int]:
    """Task nodes after applying insertion `ins` (positions are in `seq`, depot first)."""
    _, i, j = ins
    req = c.requests[request]
    if len(req) == 1:
        return nodes[: i - 1] + [req[0]] + nodes[i - 1 :]
    p, d = req
    return nodes[: i - 1] + [p] + nodes[i - 1 : j - 1] + [d] + nodes[j - 1 :]


def without(c: Compact, nodes: list[int], requests: Collection[int]) -> list[int]:
    request_of = c.request_of
    return [n for n in nodes if request_of[n] not in requests]


def requests_in(c: Compact, nodes: list[int]) -> list[int]:
    return list(dict.fromkeys(c.request_of[n] for n in nodes))
