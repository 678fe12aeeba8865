"""A regional chain's import and indexing: prints times and peak memory per phase.

    python bench/chain_import.py [--branches 30] [--products 20000]

Generates (by code: product kinds × materials × sizes, deterministic) a chain's shared catalog
of --products rows and one stock file per branch (sku, stock, and a branch price on one row in
ten), then, each phase in a child process of a fresh node (SQLite, or DATABASE_URL):
1. the chain's catalog through the same path as an upload (`do_import_catalog`: every row
   checked, then written and fanned out to every branch);
2. every branch's stock file, one after the other, through the same path;
3. `comptoir search-rebuild` of the whole index (branches × products offers);
4. the worker's drain of one branch's stock change (`do_apply_pending_changes` after a file).
Each line gives the phase's wall time and the child's peak RSS.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMPTOIR = [sys.executable, "-m", "comptoir.cli"]
KINDS = [
    "Marteau", "Tournevis", "Clé plate", "Pince coupante", "Scie égoïne", "Vis à bois", "Cheville", "Boulon",
    "Écrou", "Rondelle", "Clou", "Perceuse", "Mèche", "Niveau à bulle", "Mètre ruban", "Cutter", "Lame",
    "Pinceau", "Rouleau", "Peinture", "Vernis", "Colle", "Mastic", "Ruban adhésif", "Câble", "Ampoule",
    "Prise", "Interrupteur", "Gaine", "Tuyau", "Raccord", "Robinet", "Joint", "Serrure", "Cadenas",
    "Charnière", "Poignée", "Étagère", "Équerre", "Brouette", "Pelle", "Râteau", "Sécateur", "Gants",
]  # fmt: skip
MATERIALS = [
    "acier",
    "inox",
    "laiton",
    "bois",
    "zinc",
    "alu",
    "fonte",
    "nylon",
    "cuivre",
    "PVC",
    "chêne",
    "hêtre",
]
SIZES = ["4x40", "5x50", "6x60", "8 mm", "10 mm", "12 mm", "250 ml", "500 ml", "1 l", "2,5 l", "1 m", "5 m",
         "10 m", "25 m", "300 g", "500 g", "1 kg", "n° 6", "n° 10", "n° 14"]  # fmt: skip
SHADES = ["", " blanc", " noir", " gris", " rouge", " bleu", " vert", " mat", " satiné", " brillant"]


def product_names(count: int) -> list[str]:
    names = [f"{k} {m} {s}{c}" for k in KINDS for m in MATERIALS for s in SIZES for c in SHADES]
    random.Random(17).shuffle(names)
    if count > len(names):
        sys.exit(f"at most {len(names):,} distinct products")
    return names[:count]


def write_files(work: Path, branches: int, products: int) -> None:
    rng = random.Random(42)
    prices = {}
    with (work / "catalog.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["sku", "name_fr", "price", "tax_rate", "weight_g", "category"])
        for number, name in enumerate(product_names(products), start=1):
            prices[number] = rng.randint(50, 15000)
            price = prices[number]
            writer.writerow(
                [f"QJ{number:06d}", name, f"{price // 100},{price % 100:02d}", "20", rng.randint(5, 5000), ""]
            )
    for branch in range(1, branches + 1):
        with (work / f"stock-{branch:02d}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["sku", "stock", "price"])
            for number in range(1, products + 1):
                own = prices[number] - 10 if rng.random() < 0.1 else None
                writer.writerow([f"QJ{number:06d}", rng.choice([0, 0, 1, 2, 5, 12, 40]),
                                 "" if own is None else f"{own / 100:.2f}"])  # fmt: skip


SETUP = """
from comptoir.catalog.chains import do_add_branch, do_create_organisation
from comptoir.catalog.models import Shop
from comptoir.catalog.services import do_create_shop
chain = do_create_organisation(ref="qj", name="Quincaillerie Jurassienne", branches_set_prices=True)
for number in range(1, {branches} + 1):
    shop = do_create_shop(owner=None, ref=f"qj-{{number:02d}}", name=f"QJ {{number:02d}}", kind="hardware",
                          lat=47.0 + number / 200, lon=6.0 + number / 300, status=Shop.Status.ACTIVE)
    do_add_branch(chain, shop)
"""
TIMED = """
import json, resource, time
from comptoir.catalog.imports import do_import_catalog
from comptoir.catalog.models import Offer, Organisation, Shop
started = time.perf_counter()
{body}
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({{"seconds": time.perf_counter() - started, "cpu": usage.ru_utime + usage.ru_stime,
                  "rss_mb": usage.ru_maxrss / 1024, **figures}}))
"""
CATALOG = """
job = do_import_catalog(Organisation.objects.get(ref="qj"), open("{work}/catalog.csv", "rb"), "catalog.csv")
figures = {{"status": job.status, "rows": job.rows_total, "created": job.rows_created,
           "offers": Offer.objects.count()}}
"""
STOCK = """
rows, statuses = 0, set()
for shop in Shop.objects.filter(organisation__ref="qj").order_by("ref"):
    job = do_import_catalog(shop, open(f"{work}/stock-{{shop.ref[3:]}}.csv", "rb"), "stock.csv")
    rows += job.rows_total
    statuses.add(job.status)
figures = {{"rows": rows, "statuses": sorted(statuses), "files": len(statuses) and rows // {products},
           "own_prices": Offer.objects.filter(branch_price=True).count()}}
"""
DRAIN = """
from comptoir.search.services import do_apply_pending_changes
from comptoir.catalog.models import OfferChange
OfferChange.objects.all().delete()
shop = Shop.objects.get(ref="qj-01")
job = do_import_catalog(shop, open("{work}/stock-02.csv", "rb"), "stock.csv")
started = time.perf_counter()
report = do_apply_pending_changes()
figures = {{"indexed": report.indexed, "drain_seconds": time.perf_counter() - started}}
"""


def run(env: dict[str, str], *args: str) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run([*COMPTOIR, *args], env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"comptoir {' '.join(args)[:200]} failed:\n{result.stderr[-3000:]}")
    return time.perf_counter() - started, result.stdout


def timed(env: dict[str, str], body: str) -> dict[str, object]:
    _seconds, out = run(env, "shell", "-c", TIMED.format(body=body))
    return dict(json.loads(out.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--branches", type=int, default=30)
    parser.add_argument("--products", type=int, default=20_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="comptoir-chain-bench-"))
    env = {**os.environ, "COMPTOIR_HOME": str(work / "home"), "SECRET_KEY": "bench"}
    started = time.perf_counter()
    write_files(work, args.branches, args.products)
    size = sum(f.stat().st_size for f in work.glob("*.csv")) / 1e6
    print(f"generated 1 catalog of {args.products:,} products and {args.branches} stock files "
          f"in {time.perf_counter() - started:.1f} s ({size:.0f} MB); database: "
          f"{'PostgreSQL' if os.environ.get('DATABASE_URL') else 'SQLite'}")  # fmt: skip
    run(env, "migrate", "-v0")
    run(env, "shell", "-c", SETUP.format(branches=args.branches))

    f = timed(env, CATALOG.format(work=work))
    print(f"chain catalog import ({f['status']}): {f['rows']:,} products -> {f['offers']:,} branch offers "
          f"in {f['seconds']:.1f} s (process CPU {f['cpu']:.1f} s); peak RSS {f['rss_mb']:.0f} MB")  # fmt: skip
    f = timed(env, STOCK.format(work=work, products=args.products))
    print(f"stock files ({', '.join(f['statuses'])}): {args.branches} x {args.products:,} = {f['rows']:,} rows "
          f"in {f['seconds']:.1f} s ({f['seconds'] / args.branches:.2f} s per branch), {f['own_prices']:,} branch "
          f"prices (process CPU {f['cpu']:.1f} s); peak RSS {f['rss_mb']:.0f} MB")  # fmt: skip
    _seconds, out = run(env, "shell", "-c", (
        "import json,resource,time;from comptoir.search.services import do_rebuild_index;t=time.perf_counter();"
        "r=do_rebuild_index();u=resource.getrusage(resource.RUSAGE_SELF);print(json.dumps({'offers':r.offers,"
        "'seconds':time.perf_counter()-t,'cpu':u.ru_utime+u.ru_stime,'bytes':r.bytes_on_disk,'rss_mb':u.ru_maxrss/1024}))"
    ))  # fmt: skip
    f = json.loads(out.strip().splitlines()[-1])
    print(f"index rebuild: {f['offers']:,} offers in {f['seconds']:.1f} s ({f['offers'] / f['seconds']:,.0f} offers/s), "
          f"{f['bytes'] / 1e6:.0f} MB on disk (process CPU {f['cpu']:.1f} s); peak RSS {f['rss_mb']:.0f} MB")  # fmt: skip
    f = timed(env, DRAIN.format(work=work))
    print(f"one branch's stock file then the worker's drain: {f['indexed']:,} offers re-indexed in "
          f"{f['drain_seconds']:.1f} s; peak RSS {f['rss_mb']:.0f} MB")  # fmt: skip
    _seconds, load = run(env, "shell", "-c", "import os; print(*os.getloadavg())")
    print(
        f"load average at the end (1, 5, 15 min): {load.strip().splitlines()[-1]}; work dir {work} (remove it when done)"
    )


if __name__ == "__main__":
    main()
