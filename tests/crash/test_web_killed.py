"""Issue 18 item 6: gunicorn SIGKILLed (master and workers at once) while checkouts are in flight.

Real HTTP checkouts from threads against gunicorn on 127.0.0.1 (PostgreSQL when DATABASE_URL is
set, SQLite otherwise); the process group is killed once a dozen orders are acknowledged, restarted,
and the requests that got no answer are sent again with their Idempotency-Key. Then: no unit sold
twice, every order whole (shop orders, lines, fee lines, its one checkout entry, its mails and
expiry queued, an outbox row per line) or absent, the books balanced, and every order a client was
told about exists exactly once.
"""

from __future__ import annotations

import itertools
import json
import random
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.crash.node import Node

pytestmark = pytest.mark.slow

STOCK = 40
RESIDENTS = 8


@dataclass
class Outcome:
    acknowledged: dict[str, str] = field(default_factory=dict)  # idempotency key -> order number
    refused: dict[str, int] = field(default_factory=dict)  # key -> 4xx status
    unanswered: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)  # key -> (token, body)
    errors: list[str] = field(default_factory=list)  # any 5xx: a crash must never show one
    lock: threading.Lock = field(default_factory=threading.Lock)


def post_checkout(base: str, token: str, key: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        base + "/api/v1/checkout", data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key, "Content-Type": "application/json"},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read() or b"{}")


def resident(
    base: str, token: str, offers: list[int], shop: str, stop: threading.Event, out: Outcome
) -> None:
    rng = random.Random(token)
    for n in itertools.count():
        if stop.is_set():
            return
        key = f"{token[:10]}-{n}"
        items = [
            {"offer_id": o, "quantity": rng.randint(1, 2)} for o in rng.sample(offers, rng.randint(1, 2))
        ]
        body = {"email": "ignored@example.org", "fulfilment": {shop: "collect"}, "payment_method": "on_handover",
                "items": items}  # fmt: skip
        try:
            status, answer = post_checkout(base, token, key, body)
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            with out.lock:
                out.unanswered[key] = (token, body)
            return  # the server is gone: this resident waits for it to come back
        with out.lock:
            if status in (200, 201):
                out.acknowledged[key] = answer["number"]
            elif status >= 500:
                out.errors.append(f"{status} {answer}")
            else:
                out.refused[key] = status


def test_killed_web_server_leaves_no_half_order(make_node: Any) -> None:
    node: Node = make_node()
    world = node.step("seed_shop", str(RESIDENTS), str(STOCK))
    node.start_web(workers=2, threads=4)
    out, stop = Outcome(), threading.Event()
    threads = [
        threading.Thread(target=resident, args=(node.base, t, world["offers"], world["shop"], stop, out))
        for t in world["tokens"]
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60
    while len(out.acknowledged) < 12 and time.monotonic() < deadline:
        time.sleep(0.01)
    node.kill("web")  # SIGKILL while the others are in flight
    for thread in threads:
        thread.join(timeout=60)
    stop.set()
    in_flight = dict(out.unanswered)
    assert len(out.acknowledged) >= 12, node.log("web")[-2000:]
    assert in_flight, "no request was in flight when the server was killed"

    node.start_web(workers=2, threads=4)
    # Each request that got no answer, sent again: its order if it committed (200, replayed), else placed now.
    replays = {key: post_checkout(node.base, token, key, body) for key, (token, body) in in_flight.items()}
    for key, (status, answer) in replays.items():
        assert status in (200, 201, 400), (key, status, answer)  # 400: sold out meanwhile
        if status in (200, 201):
            out.acknowledged[key] = answer["number"]
    state = node.step("invariants", str(STOCK), json.dumps(world["changes"]))

    assert out.errors == []
    assert state["problems"] == []
    assert sorted(state["orders"]) == sorted(out.acknowledged.values())  # each order told once, none lost
    assert len(set(out.acknowledged.values())) == len(out.acknowledged)
    assert all(c["balanced"] for c in state["ledger"].values()), state["ledger"]
    assert sum(state["sold"].values()) + sum(state["stock"].values()) == 2 * STOCK
