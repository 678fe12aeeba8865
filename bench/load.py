"""Load on loopback (issue 18 item 8): simulated residents browse, search and check out against
gunicorn on PostgreSQL, in steps of concurrent residents, until --users.

    .venv/bin/python bench/load.py --database-url postgres://postgres@127.0.0.1:54445/load --duration 5m

Makes a node in a temporary COMPTOIR_HOME on the given (empty) database: `comptoir demo
--load-only` (migrations, the demo town, its search index), one resident account and API token per
simulated resident (`load-resident-N@example.org`, made here; no two residents share an account, so
no per-person limit is shared), then gunicorn (--workers, gthread × --threads) on 127.0.0.1. The
checkout throttle per address is lifted for the run (every simulated resident comes from 127.0.0.1;
`--keep-throttle` keeps it). Each resident loops: home, directory,
a shop, an offer, a search page, an API search, then a click-and-collect checkout of one unit
through the API, with a think time between steps. The steps (e.g. 25, 50, 100, 200 residents)
share --duration. Prints per step: requests/s, errors (5xx or no answer), refusals (4xx), and
p50/p95/p99 per page; the CPU of gunicorn and of PostgreSQL per step; and the step where
throughput stopped growing (saturation) with which of the two was busiest. Every error and every
refusal is recorded with its request, status and the start of its body: printed (the first 20 of
each kind) and written whole to --errors-out (JSON lines). Not part of the test suite: a benchmark
prints figures, it asserts nothing.
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
import json, sys, django
django.setup()
from comptoir.catalog.models import Offer, Shop
from comptoir.members.models import ApiToken, Person
from comptoir.members.services import do_create_api_token
tokens = []
for n in range(int(sys.argv[1])):
    person, _ = Person.objects.get_or_create(email=f"load-resident-{n}@example.org")
    ApiToken.objects.filter(person=person, label="load").delete()  # a rerun (--reuse) starts afresh
    tokens.append([person.email, do_create_api_token(person=person, label="load")])
offers = list(Offer.objects.filter(active=True, stock__gt=0, shop__status="active").values_list("pk", "shop__ref")[:400])
print(json.dumps({"residents": tokens, "offers": offers, "shops": list(Shop.objects.values_list("ref", flat=True))}))
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


def parse_duration(text: str) -> float:
    """300, 300s, 5m, 1h → seconds."""
    units = {"s": 1, "m": 60, "h": 3600}
    text = text.strip().lower()
    value = float(text[:-1]) * units[text[-1]] if text[-1:] in units else float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("a duration is positive")
    return value


class Step:
    def __init__(self, users: int) -> None:
        self.users = users
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: list[dict[str, Any]] = []  # 5xx or no answer: request, status, body excerpt
        self.refusals: list[dict[str, Any]] = []  # 4xx, the same
        self.requests = 0


async def resident(
    client: httpx.AsyncClient, account: list[str], world: dict[str, Any], step: Step, until: float
) -> None:
    email, token = account
    rng = random.Random(token)
    api = {"Authorization": f"Bearer {token}"}

    async def hit(page: str, method: str, url: str, **kwargs: Any) -> None:
        started = time.perf_counter()
        excerpt = ""
        try:
            response = await client.request(method, url, **kwargs)
            status = response.status_code
            if status >= 400:
                excerpt = response.text[:300]
        except httpx.HTTPError as error:
            status, excerpt = 0, f"{type(error).__name__}: {error}"[:300]
        step.latency[page].append(time.perf_counter() - started)
        step.requests += 1
        if status == 0 or status >= 400:
            record = {"page": page, "method": method, "url": url, "params": kwargs.get("params"),
                      "body": kwargs.get("json"), "resident": email, "status": status, "excerpt": excerpt,
                      "at": round(time.time(), 3), "seconds": round(time.perf_counter() - started, 3)}  # fmt: skip
            (step.errors if status == 0 or status >= 500 else step.refusals).append(record)
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
        body = {"email": email, "fulfilment": {shop_ref: "collect"},
                "payment_method": "on_handover", "items": [{"offer_id": offer_id, "quantity": 1}]}  # fmt: skip
        await hit("checkout API", "POST", "/api/v1/checkout", json=body, headers=api)


async def run_step(base: str, world: dict[str, Any], users: int, seconds: float) -> Step:
    step = Step(users)
    # gunicorn closes a connection left idle for 2 s (its default keep-alive). A client that reuses
    # one at that instant gets the connection closed under its request, as the first run at 100
    # residents did (ReadError, in bursts when the worker's main loop caught up). Browsers retry
    # such a request; httpx does not, so the residents give up an idle connection after 1 s, as a
    # well-behaved client of a 2 s server should.
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users, keepalive_expiry=1.0)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        until = time.perf_counter() + seconds
        await asyncio.gather(*(resident(client, a, world, step, until) for a in world["residents"][:users]))
    return step


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True, help="an empty PostgreSQL database")
    parser.add_argument(
        "--duration", "--seconds", dest="duration", type=parse_duration, default=300.0,
        help="the whole run, shared by the steps: 300, 300s, 5m (default 5m)",
    )  # fmt: skip
    parser.add_argument(
        "--errors-out", default="load-errors.jsonl", help="every error and refusal, one JSON a line"
    )
    parser.add_argument("--keep-throttle", action="store_true", help="keep the checkout throttle per address")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--steps", default="25,50,100,200")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--shops", type=int, default=20, help="the demo town's size (a smoke run may take less)"
    )
    parser.add_argument("--offers", type=int, default=2000)
    parser.add_argument(
        "--reuse", action="store_true", help="the database holds the demo town already: index only"
    )
    args = parser.parse_args()
    steps = [int(s) for s in args.steps.split(",") if int(s) <= args.users] or [args.users]
    home = Path(tempfile.mkdtemp(prefix="comptoir-load-"))
    env = {**os.environ, "COMPTOIR_HOME": str(home), "SECRET_KEY": "load-bench-not-secret",
           "DATABASE_URL": args.database_url, "DJANGO_SETTINGS_MODULE": "comptoir.settings"}  # fmt: skip
    # Every simulated resident comes from 127.0.0.1: the per-address checkout limit is not the load measured.
    if not args.keep_throttle:
        env["COMPTOIR_CHECKOUT_ATTEMPTS_PER_HOUR"] = "1000000"
    started = time.perf_counter()
    if args.reuse:
        subprocess.run(
            [PYTHON, "-m", "comptoir.cli", "search-rebuild"], env=env, check=True, stdout=subprocess.DEVNULL
        )
    else:
        subprocess.run([PYTHON, "-m", "comptoir.cli", "demo", "--load-only", "--shops", str(args.shops), "--offers", str(args.offers)],
                       env=env, check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    made = subprocess.run(
        [PYTHON, "-c", SETUP, str(max(steps))], env=env, check=True, capture_output=True, text=True
    )
    world = json.loads(made.stdout.strip().splitlines()[-1])
    print(f"node: demo town loaded in {time.perf_counter() - started:.0f} s; {len(world['residents'])} resident accounts (one each),"
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
              f"gunicorn {args.workers} workers × {args.threads} threads; steps {steps}, {args.duration:.0f} s in all; "
              f"checkout throttle per address {'kept' if args.keep_throttle else 'lifted'}")  # fmt: skip
        results = []
        all_errors = 0
        Path(args.errors_out).write_text("")
        for users in steps:
            web_pids = [web.pid, *pids_named("comptoir.wsgi")]
            pg_pids = pids_named("postgres:")
            cpu_web, cpu_pg, wall = cpu_seconds(web_pids), cpu_seconds(pg_pids), time.perf_counter()
            step = asyncio.run(run_step(base, world, users, args.duration / len(steps)))
            wall = time.perf_counter() - wall
            all_errors += len(step.errors)
            with Path(args.errors_out).open("a") as errors_out:
                for record in step.errors + step.refusals:
                    errors_out.write(json.dumps({"residents": users, **record}, ensure_ascii=False) + "\n")
            step_web = (cpu_seconds(web_pids) - cpu_web) / wall
            step_pg = (cpu_seconds(pg_pids) - cpu_pg) / wall
            results.append((users, step.requests / wall, step_web, step_pg))
            print(f"\n{users} residents: {step.requests / wall:.1f} req/s, errors {len(step.errors)}, refusals (4xx) "
                  f"{len(step.refusals)}, CPU gunicorn {step_web:.2f} cores, PostgreSQL {step_pg:.2f} cores, "
                  f"load average {Path('/proc/loadavg').read_text().split()[0]}")  # fmt: skip
            for page, values in step.latency.items():
                print(f"  {page:13s} n={len(values):5d}  p50 {percentile(values, 0.5) * 1000:7.0f} ms  "
                      f"p95 {percentile(values, 0.95) * 1000:7.0f} ms  p99 {percentile(values, 0.99) * 1000:7.0f} ms")  # fmt: skip
            for kind, records in (("error", step.errors), ("refusal", step.refusals)):
                for record in records[:20]:
                    print(f"  {kind}: {record['status']} {record['method']} {record['url']} {record['params'] or ''}"
                          f" ({record['resident']}, {record['seconds']} s): {record['excerpt'][:160]!r}")  # fmt: skip
                if len(records) > 20:
                    print(f"  … {len(records) - 20} more {kind}s in {args.errors_out}")
        best = max(results, key=lambda r: r[1])
        saturated = next((r for r in results if r[1] >= 0.95 * best[1]), best)
        busiest = "gunicorn (Python)" if saturated[2] >= saturated[3] else "PostgreSQL"
        print(f"\nsaturation: throughput reaches {best[1]:.1f} req/s; {saturated[0]} residents already get "
              f"{saturated[1]:.1f} req/s (≥ 95 % of it); busiest there: {busiest} "
              f"({saturated[2]:.2f} vs {saturated[3]:.2f} cores, on {os.cpu_count()} cores)")  # fmt: skip
        print(f"zero-error check: {'PASS' if all_errors == 0 else 'FAIL'} ({all_errors} errors in all; every error "
              f"and refusal in {args.errors_out})")  # fmt: skip
    finally:
        web.send_signal(signal.SIGTERM)
        web.wait(timeout=30)


if __name__ == "__main__":
    main()
