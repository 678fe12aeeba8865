"""Catalog import benchmark: prints rows/s and peak memory.

    python bench/catalog_import.py [--rows 1000000] [--shops 3000] [--shop-rows 50000]

1. `comptoir catalog import-network` of a generated network CSV (default 1M rows over 3,000 shops)
   into a fresh SQLite node, in a child process: wall time, rows/s, the child's peak RSS.
2. One shop's CSV import of --shop-rows rows through the same path a shop's upload takes
   (every row checked, all-or-nothing), in a child process: wall time, rows/s, peak RSS.
Set DATABASE_URL to measure on PostgreSQL instead (an empty database).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from catalog_gen import generate_offers, write_network_csv  # noqa: E402

COMPTOIR = [sys.executable, "-m", "comptoir.cli"]


def child_peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def run(env: dict[str, str], *args: str) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run([*COMPTOIR, *args], env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"comptoir {' '.join(args)} failed:\n{result.stderr[-2000:]}")
    return time.perf_counter() - started, result.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--shops", type=int, default=3000)
    parser.add_argument("--shop-rows", type=int, default=50_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="comptoir-import-bench-"))
    env = {**os.environ, "COMPTOIR_HOME": str(work / "home"), "SECRET_KEY": "bench"}
    network_csv = work / "network.csv"
    started = time.perf_counter()
    write_network_csv(network_csv, generate_offers(args.rows, args.shops))
    print(
        f"generated {args.rows:,} rows in {time.perf_counter() - started:.1f} s ({network_csv.stat().st_size / 1e6:.0f} MB)"
    )
    run(env, "migrate", "-v0")

    seconds, out = run(env, "catalog", "import-network", str(network_csv), "--no-progress", "--json")
    figures = json.loads(out.strip().splitlines()[-1])
    print(f"import-network: {figures['rows']:,} rows in {seconds:.1f} s = {figures['rows'] / seconds:,.0f} rows/s; "
          f"offers written {figures['offers_written']:,}, shops {figures['shops_created']:,}, "
          f"rejected {figures['rejected']:,}; peak RSS {figures['peak_rss_mb']:.0f} MB")  # fmt: skip

    shop_csv = work / "shop.csv"
    with shop_csv.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sku", "name_fr", "price", "stock", "category"])
        for offer in generate_offers(args.shop_rows, 1, seed=11):
            price = f"{offer.price_cents // 100},{offer.price_cents % 100:02d}"
            writer.writerow([f"S{offer.offer_id}", offer.name_fr[:200], price, 7, ""])
    seconds, out = run(env, "shell", "-c", (
        "import resource,time;from comptoir.catalog.models import Shop;from comptoir.catalog.imports import do_import_catalog;"
        f"shop=Shop.objects.order_by('id').first();t=time.perf_counter();job=do_import_catalog(shop,open('{shop_csv}','rb'),'shop.csv');"
        "print(job.status,job.rows_total,job.rows_created,job.rows_updated,round(time.perf_counter()-t,2),"
        "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss//1024)"
    ))  # fmt: skip
    status, total, created, updated, inner, rss = out.strip().splitlines()[-1].split()
    print(f"shop import ({status}): {int(total):,} rows in {float(inner):.1f} s = {int(total) / float(inner):,.0f} rows/s "
          f"(created {created}, updated {updated}); peak RSS {rss} MB")  # fmt: skip
    print(f"all children peak RSS {child_peak_rss_mb():.0f} MB; work dir {work}")


if __name__ == "__main__":
    main()
