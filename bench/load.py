"""Load on loopback (issue 18 item 8): simulated residents browse, search and check out against
gunicorn on PostgreSQL, in steps of concurrent residents, until --users.

    .venv/bin/python bench/load.py --database-url postgres://postgres@127.0.0.1:54445/load --seconds 60

Makes a node in a temporary COMPTOIR_HOME on the given (empty) database: `comptoir demo
--load-only` (migrations, the demo town, its search index), one API token per resident, then
gunicorn (--workers, gthread × --threads) on 127.0.0.1. Each resident loops: home, directory,
a shop, an offer, a search page, an API search, then a click-and-collect checkout of one unit
through the API, with a think time between steps. The steps (e.g. 25, 50, 100, 200 residents)
share --seconds. Prints per step: requests/s, errors (5xx or no answer), refusals (4xx), and
p50/p95/p99 per page; the CPU of gunicorn and of PostgreSQL per step; and the step where
throughput stopped growing (saturation) with which of the two was busiest. Not part of the
test suite: a benchmark prints figures, it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable

SETUP = """
import json, django
django.setup()
from comptoir.catalog.models import Offer, Shop
from comptoir.demo.generator import demo_residents
from comptoir.members.services import do_create_api_token
residents = demo_residents()
tokens = [do_create_api_token(person=p, label="load") for p in residents]
offers = list(Offer.objects.filter(active=True, stock__gt=0, shop__status="active").values_list("pk", "shop__ref")[:400])
print(json.dumps({"tokens": tokens, "offers": offers, "shops": list(Shop.objects.values_list("ref", flat=True))}))
"""
WORDS = ["pain", "fromage", "pomme", "miel", "savon", "tomate", "vin", "croissant", "lait", "confiture"]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


def pids_named(word: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if word in (entry / "cmdline").read_bytes().decode(errors="replace"):
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


class Step:
    def __init__(self, users: int) -> None:
        self.users = users
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors = 0
        self.refusals = 0
        self.requests = 0


async def resident(
    client: httpx.AsyncClient, token: str, world: dict[str, Any], step: Step, until: float
) -> None:
    rng = random.Random(token)
    api = {"Authorization": f"Bearer {token}"}

    async def hit(page: str, method: str, url: str, **kwargs: Any) -> None:
        started = time.perf_counter()
        try:
            response = await client.request(method, url, **kwargs)
            status = response.status_code
        except httpx.HTTPError:
            status = 0
        step.latency[page].append(time.perf_counter() - started)
        step.requests += 1
        if status == 0 or status >= 500:
            step.errors += 1
        elif status >= 400:
            step.refusals += 1
        await asyncio.sleep(rng.uniform(0.5, 1.5))  # think time

    while time.perf_counter() < until:
        offer_id, shop_ref = rng.choice(world["offers"])
        word = rng.choice(WORDS)
        await hit("home", "GET", "/")
        await hit("directory", "GET", "/commerces/")
        await hit("shop", "GET", f"/commerces/{shop_ref}/")
        await hit("offer", "GET", f"/produits/{offer_id}/")
        await hit("search page", "GET", "/recherche/", params={"q": word})
        await hit("search API", "GET", "/api/v1/search", params={"q": word})
        body = {"email": f"load-{token[:8]}@example.org", "fulfilment": {shop_ref: "collect"},
                "payment_method": "on_handover", "items": [{"offer_id": offer_id, "quantity": 1}]}  # fmt: skip
        await hit("checkout API", "POST", "/api/v1/checkout", json=body, headers=api)


async def run_step(base: str, world: dict[str, Any], users: int, seconds: float) -> Step:
    step = Step(users)
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        until = time.perf_counter() + seconds
        tokens = (world["tokens"] * (users // len(world["tokens"]) + 1))[:users]
        await asyncio.gather(*(resident(client, t, world, step, until) for t in tokens))
    return step


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True, help="an empty PostgreSQL database")
    parser.add_argument("--seconds", type=float, default=300, help="the whole run, shared by the steps")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--steps", default="25,50,100,200")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--reuse", action="store_true", help="the database holds the demo town already: index only"
    )
    args = parser.parse_args()
    steps = [int(s) for s in args.steps.split(",") if int(s) <= args.users] or [args.users]
    home = Path(tempfile.mkdtemp(prefix="comptoir-load-"))
    env = {**os.environ, "COMPTOIR_HOME": str(home), "SECRET_KEY": "load-bench-not-secret",
           "DATABASE_URL": args.database_url, "DJANGO_SETTINGS_MODULE": "comptoir.settings"}  # fmt: skip
    started = time.perf_counter()
    if args.reuse:
        subprocess.run(
            [PYTHON, "-m", "comptoir.cli", "search-rebuild"], env=env, check=True, stdout=subprocess.DEVNULL
        )
    else:
        subprocess.run([PYTHON, "-m", "comptoir.cli", "demo", "--load-only", "--shops", "20", "--offers", "2000"],
                       env=env, check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    made = subprocess.run([PYTHON, "-c", SETUP], env=env, check=True, capture_output=True, text=True)
    world = json.loads(made.stdout.strip().splitlines()[-1])
    print(f"node: demo town loaded in {time.perf_counter() - started:.0f} s; {len(world['tokens'])} resident accounts,"
          f" {len(world['offers'])} offers in stock")  # fmt: skip
    web = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "comptoir.wsgi", "-b", f"127.0.0.1:{args.port}", "-w", str(args.workers),
         "--threads", str(args.threads), "-k", "gthread", "--log-level", "warning", "--timeout", "60"],
        env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(150):
            try:
                httpx.get(base + "/", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        print(f"load average before: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}; "
              f"gunicorn {args.workers} workers × {args.threads} threads; steps {steps}, {args.seconds:.0f} s in all")  # fmt: skip
        results = []
        all_errors = 0
        for users in steps:
            web_pids = [web.pid, *pids_named("comptoir.wsgi")]
            pg_pids = pids_named("postgres:")
            cpu_web, cpu_pg, wall = cpu_seconds(web_pids), cpu_seconds(pg_pids), time.perf_counter()
            step = asyncio.run(run_step(base, world, users, args.seconds / len(steps)))
            wall = time.perf_counter() - wall
            all_errors += step.errors
            step_web = (cpu_seconds(web_pids) - cpu_web) / wall
            step_pg = (cpu_seconds(pg_pids) - cpu_pg) / wall
            results.append((users, step.requests / wall, step_web, step_pg))
            print(f"\n{users} residents: {step.requests / wall:.1f} req/s, errors {step.errors}, refusals (4xx) "
                  f"{step.refusals}, CPU gunicorn {step_web:.2f} cores, PostgreSQL {step_pg:.2f} cores, "
                  f"load average {Path('/proc/loadavg').read_text().split()[0]}")  # fmt: skip
            for page, values in step.latency.items():
                print(f"  {page:13s} n={len(values):5d}  p50 {percentile(values, 0.5) * 1000:7.0f} ms  "
                      f"p95 {percentile(values, 0.95) * 1000:7.0f} ms  p99 {percentile(values, 0.99) * 1000:7.0f} ms")  # fmt: skip
        best = max(results, key=lambda r: r[1])
        saturated = next((r for r in results if r[1] >= 0.95 * best[1]), best)
        busiest = "gunicorn (Python)" if saturated[2] >= saturated[3] else "PostgreSQL"
        print(f"\nsaturation: throughput reaches {best[1]:.1f} req/s; {saturated[0]} residents already get "
              f"{saturated[1]:.1f} req/s (≥ 95 % of it); busiest there: {busiest} "
              f"({saturated[2]:.2f} vs {saturated[3]:.2f} cores, on {os.cpu_count()} cores)")  # fmt: skip
        print(f"zero-error check: {'PASS' if all_errors == 0 else 'FAIL'} ({all_errors} errors in all)")
    finally:
        web.send_signal(signal.SIGTERM)
        web.wait(timeout=30)


if __name__ == "__main__":
    main()
