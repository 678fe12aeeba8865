"""Sustained checkouts per second through the HTTP API, with N concurrent clients, and the oversell count.

    .venv/bin/python bench/checkout.py                        # SQLite in a temporary COMPTOIR_HOME
    .venv/bin/python bench/checkout.py --database-url postgres://postgres@127.0.0.1:54341/bench

Starts gunicorn on 127.0.0.1, creates a shop with a few offers whose total stock is smaller than
the number of attempts (so the end of the run is all refusals under contention), then lets the
clients check out one item each until --checkouts attempts or --seconds have passed. Prints
successful checkouts/s, p50/p95 latency of successful checkouts and refusals, and the oversell
(units sold beyond the initial stock: must be 0).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv/bin"

SETUP = """
import json, django
django.setup()
from comptoir.catalog.models import Shop
from comptoir.catalog.services import do_create_offer, do_create_shop
from comptoir.members.models import Person
from comptoir.members.services import do_issue_api_token
owner = Person.objects.create_user("owner@bench.example", "bench-password-1")
shop = do_create_shop(owner=owner, ref="bench", name="Bench", kind="grocer", lat=47.0, lon=6.0, status="active")
ids = [do_create_offer(shop, {"sku": f"S{i}", "name_fr": f"Produit {i}", "price": "3,10", "stock": str(STOCK)}).pk for i in range(OFFERS)]
tokens = []
for i in range(CLIENTS):
    Person.objects.create_user(f"c{i}@bench.example", "bench-password-1")
    tokens.append(do_issue_api_token(email=f"c{i}@bench.example", password="bench-password-1"))
print(json.dumps({"offers": ids, "tokens": tokens}))
"""

COUNT = """
import json, django
django.setup()
from django.db.models import Sum
from comptoir.catalog.models import Offer
from comptoir.orders.models import Order, OrderLine
print(json.dumps({"orders": Order.objects.count(), "sold": OrderLine.objects.aggregate(s=Sum("quantity"))["s"] or 0,
                  "stock_left": Offer.objects.aggregate(s=Sum("stock"))["s"]}))
"""


def run_python(code: str, env: dict[str, str]) -> dict:
    out = subprocess.run(
        [str(VENV / "python"), "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def client(port: int, token: str, offers: list[int], state: dict, lock: threading.Lock) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    while True:
        with lock:
            if state["left"] <= 0 or time.perf_counter() > state["deadline"]:
                return
            state["left"] -= 1
        body = {"email": "bench@example.org", "payment_method": "on_handover", "fulfilment": {"bench": "collect"},
                "items": [{"offer_id": random.choice(offers), "quantity": 1}]}  # fmt: skip
        started = time.perf_counter()
        conn.request("POST", "/api/v1/checkout", json.dumps(body), headers)
        response = conn.getresponse()
        response.read()
        elapsed = time.perf_counter() - started
        with lock:
            state[
                "ok" if response.status == 201 else "refused" if response.status == 400 else "error"
            ].append(elapsed)


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--checkouts", type=int, default=600)
    parser.add_argument("--offers", type=int, default=5)
    parser.add_argument("--stock", type=int, default=80, help="per offer")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()

    home = tempfile.mkdtemp(prefix="comptoir-bench-")
    env = {
        **os.environ,
        "COMPTOIR_HOME": home,
        "DJANGO_SETTINGS_MODULE": "comptoir.settings",
        "SECRET_KEY": "bench",
    }
    env.pop("DATABASE_URL", None)
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
        port, name = args.database_url.rsplit(":", 1)[1].split("/")[0], args.database_url.rsplit("/", 1)[1]
        for tool in ("dropdb", "createdb"):  # a fresh database each run (dropdb --if-exists first)
            extra = ["--if-exists"] if tool == "dropdb" else []
            subprocess.run(
                [tool, *extra, "-h", "127.0.0.1", "-p", port, "-U", "postgres", name], check=False, env=env
            )
    subprocess.run([str(VENV / "comptoir"), "migrate", "-v0"], env=env, check=True)
    code = (
        SETUP.replace("STOCK", str(args.stock))
        .replace("OFFERS", str(args.offers))
        .replace("CLIENTS", str(args.clients))
    )
    setup = run_python(code, env)
    server = subprocess.Popen(
        [str(VENV / "gunicorn"), "comptoir.wsgi", "-b", f"127.0.0.1:{args.port}", "-w", str(args.workers),
         "--threads", "4", "--log-level", "warning"], env=env,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", args.port, timeout=1).request("GET", "/api/v1/shops")
                break
            except OSError:
                time.sleep(0.1)
        lock = threading.Lock()
        state = {
            "left": args.checkouts,
            "deadline": time.perf_counter() + args.seconds,
            "ok": [],
            "refused": [],
            "error": [],
        }
        threads = [
            threading.Thread(target=client, args=(args.port, t, setup["offers"], state, lock))
            for t in setup["tokens"]
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(10)
    counts = run_python(COUNT, env)
    initial = args.offers * args.stock
    engine = "PostgreSQL" if args.database_url else "SQLite"
    attempts = len(state["ok"]) + len(state["refused"]) + len(state["error"])
    print(
        f"{engine}, {args.clients} clients, {args.workers} gunicorn workers × 4 threads, {attempts} attempts in {wall:.1f} s"
    )
    print(
        f"  successful checkouts: {len(state['ok'])} = {len(state['ok']) / wall:.1f}/s; all requests {attempts / wall:.1f}/s"
    )
    print(f"  latency of checkouts p50 {pct(state['ok'], 0.5):.0f} ms, p95 {pct(state['ok'], 0.95):.0f} ms; "
          f"refusals p95 {pct(state['refused'], 0.95):.0f} ms; errors {len(state['error'])}")  # fmt: skip
    oversell = max(0, counts["sold"] - initial)
    print(f"  initial stock {initial}, sold {counts['sold']}, left {counts['stock_left']}, orders {counts['orders']}, "
          f"oversell {oversell}")  # fmt: skip
    sys.exit(1 if oversell or counts["sold"] + counts["stock_left"] != initial else 0)


if __name__ == "__main__":
    main()
