"""End-to-end search benchmark: seed a fresh node, serve it with gunicorn, query it over HTTP.

    .venv/bin/python bench/search_api.py --offers 1000000 --shops 3000 --queries 2000

1. writes a generated network catalog (bench/catalog_gen.py) and loads it with
   `comptoir catalog import-network` into a fresh COMPTOIR_HOME (rows/s, peak RSS);
2. `comptoir search-rebuild`;
3. starts gunicorn on 127.0.0.1 and fires the queries from one client, one at a time:
   plain (top 20), filtered (5 km + in stock + up to 8 €), facets; p50/p95/p99 end to end;
4. starts `comptoir worker`, changes one price through the API and polls the search API
   until the new price shows: seconds from the PATCH's answer to the first fresh result.

Figures only, never assertions (docs/decisions/0004).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from catalog_gen import REGION_CENTER, REGION_RADIUS_KM, generate_offers, write_network_csv

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DEFAULT_HOME = ROOT / "bench" / "out" / "api-home"
TOKEN_SCRIPT = """
from comptoir.catalog.models import Offer, ShopStaff
from comptoir.members.models import Person
from comptoir.members.services import do_issue_api_token
offer = Offer.objects.select_related("shop").filter(active=True, stock__gt=0).order_by("id").first()
person = Person.objects.filter(email="bench@example.org").first() or Person.objects.create_user(
    "bench@example.org", "bench-password-123")
ShopStaff.objects.get_or_create(shop=offer.shop, person=person, defaults={"role": "owner"})
token = do_issue_api_token(email="bench@example.org", password="bench-password-123")
import json
print(json.dumps([token, offer.id, offer.shop.ref, offer.name_fr, offer.price_cents]))
"""


def comptoir(home: Path, *args: str) -> str:
    env = os.environ | {"COMPTOIR_HOME": str(home)}
    done = subprocess.run([str(BIN / "comptoir"), *args], env=env, check=True, capture_output=True, text=True)
    return done.stdout.strip()


def percentiles(ms: list[float]) -> str:
    q = statistics.quantiles(ms, n=100, method="inclusive")
    return (
        f"p50 {q[49]:6.2f} ms  p95 {q[94]:6.2f} ms  p99 {q[98]:6.2f} ms  max {max(ms):7.2f} ms  (n={len(ms)})"
    )


class Client:
    def __init__(self, port: int) -> None:
        self.port = port

    def request(self, method: str, path: str, body: dict | None = None, token: str = "") -> tuple[int, dict]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = connection.getresponse()
        data = response.read()
        connection.close()
        return response.status, json.loads(data or b"null")

    def search(self, **params: object) -> tuple[float, dict]:
        started = time.perf_counter_ns()
        status, body = self.request("GET", "/api/v1/search?" + urlencode(params))
        ms = (time.perf_counter_ns() - started) / 1e6
        if status != 200:
            raise RuntimeError(f"search answered {status}: {body}")
        return ms, body


def random_point(rng: random.Random) -> str:
    north, east = (rng.uniform(-1, 1) * REGION_RADIUS_KM * 0.7 for _ in range(2))
    return f"{REGION_CENTER[0] + north / 110.57:.5f},{REGION_CENTER[1] + east / 77.8:.5f}"


def seed(args: argparse.Namespace) -> list[str]:
    """A fresh node with the generated catalog; returns query words sampled from it."""
    rng = random.Random(args.seed)
    shutil.rmtree(args.home, ignore_errors=True)
    args.home.mkdir(parents=True)
    csv_path = args.home / "network.csv"
    words: list[str] = []
    rate = min(1.0, 20 * args.queries / args.offers)

    def sampled():
        for doc in generate_offers(args.offers, args.shops, args.seed):
            if rng.random() < rate:
                words.extend(w.lower() for w in doc.name_fr.split() if len(w) >= 4 and w.isalpha())
            yield doc

    started = time.perf_counter()
    write_network_csv(csv_path, sampled())
    print(f"generated {args.offers:,} rows in {time.perf_counter() - started:.1f} s")
    comptoir(args.home, "migrate", "--verbosity", "0")
    started = time.perf_counter()
    figures = json.loads(
        comptoir(args.home, "catalog", "import-network", str(csv_path), "--json", "--no-progress")
    )
    wall = time.perf_counter() - started
    print(
        f"import-network: {figures['offers_written']:,} offers, {figures['shops_created']} shops in {wall:.1f} s "
        f"({figures['offers_written'] / wall:,.0f} rows/s end to end, {figures['seconds']} s in the command), "
        f"peak RSS {figures['peak_rss_mb']} MB"
    )
    rebuild = json.loads(comptoir(args.home, "search-rebuild", "--json"))
    print(
        f"search-rebuild: {rebuild['offers']:,} offers in {rebuild['seconds']} s, {rebuild['mb_on_disk']} MB, "
        f"peak RSS {rebuild['peak_rss_mb']} MB"
    )
    (args.home / "words.json").write_text(json.dumps(words))
    return words


def start(home: Path, *command: str) -> subprocess.Popen:
    env = os.environ | {"COMPTOIR_HOME": str(home)}
    return subprocess.Popen(list(command), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_ready(client: Client, seconds: float = 60) -> None:
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        try:
            client.search(q="pain", facets="false")
            return
        except (OSError, RuntimeError, http.client.HTTPException):
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer")


def run_queries(client: Client, words: list[str], count: int, rng: random.Random) -> None:
    texts = [rng.choice(words) for _ in range(count)]
    for text in texts[:100]:  # warm: page cache, term dictionaries, each gunicorn worker's reader
        client.search(q=text, facets="false")
    plain, filtered, facets = [], [], []
    for text in texts:
        plain.append(client.search(q=text, facets="false")[0])
        filtered.append(
            client.search(
                q=text, near=random_point(rng), radius_km=5, in_stock="true", max_price="8", facets="false"
            )[0]
        )
        facets.append(client.search(q=text, facets="true")[0])
    print(f"plain (top 20)              {percentiles(plain)}")
    print(f"filtered (5 km+stock+8 €)   {percentiles(filtered)}")
    print(f"facets (+ top 20)           {percentiles(facets)}")


def freshness(client: Client, home: Path) -> None:
    output = comptoir(home, "shell", "-c", TOKEN_SCRIPT).splitlines()[-1]
    token, offer_id, shop_ref, name, price_cents = json.loads(output)
    new_cents = price_cents + 1 if price_cents < 99_999 else price_cents - 1
    worker = start(home, str(BIN / "comptoir"), "worker")
    try:
        time.sleep(2.0)  # the worker's start-up (Django, its first idle poll)
        status, _ = client.request(
            "PATCH",
            f"/api/v1/offers/{offer_id}",
            {"price": f"{new_cents // 100}.{new_cents % 100:02d}"},
            token,
        )
        changed = time.perf_counter()
        if status != 200:
            raise RuntimeError(f"PATCH answered {status}")
        while time.perf_counter() - changed < 30:
            _, body = client.search(q=name, shop=shop_ref, per_page=50, facets="false")
            if any(h["offer_id"] == int(offer_id) and h["price_cents"] == new_cents for h in body["results"]):
                print(f"price change visible in search after {time.perf_counter() - changed:.2f} s")
                return
            time.sleep(0.05)
        print("price change NOT visible after 30 s")
    finally:
        worker.terminate()
        worker.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description="End-to-end search benchmark through gunicorn")
    parser.add_argument("--offers", type=int, default=1_000_000)
    parser.add_argument("--shops", type=int, default=3000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--home", type=Path, default=DEFAULT_HOME)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reuse", action="store_true", help="skip seeding, use the node in --home")
    args = parser.parse_args()

    words = json.loads((args.home / "words.json").read_text()) if args.reuse else seed(args)
    rng = random.Random(args.seed)
    web = start(
        args.home, str(BIN / "python"), "-m", "gunicorn", "comptoir.wsgi", "--bind", f"127.0.0.1:{args.port}",
        "--workers", str(args.workers), "--log-level", "warning",
    )  # fmt: skip
    client = Client(args.port)
    try:
        wait_ready(client)
        print(
            f"gunicorn: {args.workers} sync workers on {os.cpu_count()} cores; one client, one query at a time"
        )
        run_queries(client, words, args.queries, rng)
        freshness(client, args.home)
    finally:
        web.terminate()
        web.wait(timeout=10)


if __name__ == "__main__":
    main()
