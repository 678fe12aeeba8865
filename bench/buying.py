"""Buyer role benchmark: a resident of node A orders from a shop of node B over real HTTP, N times.

    .venv/bin/python bench/buying.py --orders 5

Two nodes on 127.0.0.1 (own data folders, gunicorn and protocol worker each). For each order:
the peer search page (A asks B, waits for on_search), add to cart, the seller's quote (select →
on_select), placing it (select, init, confirm and their callbacks), and the time from the shop's
"prepared" step on B to A's order page showing "Packed" (B's on_status push, A's worker).
Figures only (median and max in ms), with the machine's load average.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

EMAIL, PASSWORD = "bench@example.org", "un mot de passe de banc 42"
DROP = {"name": "Ada Martin", "phone": "0600000000", "address": "12 rue des Granges", "postal_code": "25000",
        "city": "Val-sur-Loue", "lat": "47.056000", "lon": "6.004000"}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.settings")
    from tests.protocol.browsing import Resident

    from comptoir.protocol.nodes import Node, introduce

    base = Path(tempfile.mkdtemp(prefix="comptoir-bench-buying-"))
    a, b = Node("buyer", base / "a"), Node("bakery", base / "b")
    a.extra_env = {"COMPTOIR_PROTOCOL_CALLBACK_WAIT": "30", "COMPTOIR_PEER_SEARCH_WAIT": "10"}
    timings: dict[str, list[float]] = {"search": [], "add": [], "quote": [], "place": [], "status_push": []}
    try:
        introduce([(a, a.init(), "BAP"), (b, b.init(database_from=a), "BPP")], seed=b)
        a.command("shell", "-c", f"from comptoir.members.models import Person; "
                  f"Person.objects.create_user({EMAIL!r}, {PASSWORD!r})")  # fmt: skip
        a.start()
        b.start()
        resident = Resident(f"http://127.0.0.1:{a.port}")
        resident.sign_in(EMAIL, PASSWORD)
        for _ in range(args.orders):
            started = time.perf_counter()
            found = resident.get("/recherche/autres-noeuds/?q=Pain")
            timings["search"].append(time.perf_counter() - started)
            started = time.perf_counter()
            added = resident.post("/panier/autres-noeuds/ajouter/", {
                "search_id": found.hidden("search_id")[0], "node": found.hidden("node")[0],
                "item_id": found.hidden("item_id")[0], "quantity": "1", "next": "/panier/"})  # fmt: skip
            timings["add"].append(time.perf_counter() - started)
            checkout = "/panier/autres-noeuds/{}/commander/".format(
                re.findall(r"/panier/autres-noeuds/(\d+)/commander/", added.text)[0]
            )
            started = time.perf_counter()
            quoted = resident.post(checkout, {**DROP, "step": "quote"})
            timings["quote"].append(time.perf_counter() - started)
            started = time.perf_counter()
            placed = resident.post(checkout, {**DROP, "step": "confirm",
                                              "expected_total_cents": quoted.hidden("expected_total_cents")[0]})  # fmt: skip
            timings["place"].append(time.perf_counter() - started)
            page = placed.url.split(str(a.port), 1)[1]
            ref = re.findall(r"<h1>Commande ([\w-]+)</h1>", placed.text)[0]
            done = subprocess.run([sys.executable, "-m", "comptoir.cli", "protocol", "flow-act"], env=b.env(),
                           input=f"{ref} accept\n{ref} prepare\n", capture_output=True, text=True)  # fmt: skip
            if done.returncode or "error" in done.stdout:
                raise SystemExit(f"seller steps failed: {done.stdout} {done.stderr[-800:]}")
            started = time.perf_counter()
            while 'data-fulfillment="Packed"' not in resident.get(page).text:
                time.sleep(0.02)
            timings["status_push"].append(time.perf_counter() - started)
    finally:
        a.stop()
        b.stop()
    figures = {
        name: {"median_ms": round(statistics.median(values) * 1000), "max_ms": round(max(values) * 1000)}
        for name, values in timings.items()
        if values
    }
    print(json.dumps({"orders": args.orders, "load_average": os.getloadavg(), **figures}, indent=1))


if __name__ == "__main__":
    main()
