"""Routing benchmark: Li & Lim PDPTW 100 and Solomon VRPTW 100 against best-known solutions.

Every solution is re-checked by `check.py` from the raw instance before it counts,
so a solver bug shows as an infeasible row rather than a good-looking figure.

    python bench/routing.py --set all --time-limit 30 --jobs 2
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from comptoir.delivery.planner.check import check_location_routes
from comptoir.delivery.planner.instances import load_instance
from comptoir.delivery.planner.solve_file import solve_instance_file

SETS = {"lilim": ("li_lim_100", "lilim"), "solomon": ("solomon_100", "solomon")}
DEFAULT_DIR = Path(__file__).resolve().parents[1] / ".." / "shared" / "bench" / "routing"


@dataclass(frozen=True)
class Row:
    name: str
    vehicles: int
    bks_vehicles: int
    distance: float
    bks_distance: float
    seconds: float
    feasible: bool
    errors: str

    @property
    def gap(self) -> float:
        return 100.0 * (self.distance - self.bks_distance) / self.bks_distance


def read_bks(folder: Path) -> dict[str, tuple[int, float]]:
    with (folder / "BKS.csv").open() as f:
        return {r["instance"]: (int(r["vehicles"]), float(r["distance"])) for r in csv.DictReader(f)}


def run_one(task: tuple[Path, str, float, tuple[int, float]]) -> Row:
    path, fmt, limit, (bks_v, bks_d) = task
    result = solve_instance_file(path, fmt, limit)
    report = check_location_routes(load_instance(path, fmt), result["routes"])
    feasible = report.ok and abs(report.distance - result["distance"]) < 0.01
    errors = "; ".join(report.errors[:3])
    return Row(
        path.stem, result["vehicles"], bks_v, result["distance"], bks_d, result["seconds"], feasible, errors
    )


def print_row(row: Row) -> None:
    print(
        f"{row.name:8} {row.vehicles:4d} {row.bks_vehicles:4d} {row.distance:10.2f} {row.bks_distance:10.2f} "
        f"{row.gap:7.2f} {row.seconds:7.1f} {'yes' if row.feasible else 'NO ' + row.errors}",
        flush=True,
    )


def print_totals(label: str, rows: list[Row], limit: float) -> None:
    matched = [r for r in rows if r.vehicles == r.bks_vehicles and r.feasible]
    reached = sum(1 for r in rows if r.vehicles <= r.bks_vehicles and r.feasible)
    seconds = [r.seconds for r in rows] or [0.0]
    mean_gap = statistics.fmean(r.gap for r in matched) if matched else float("nan")
    print(
        f"TOTAL {label}: instances {len(rows)}, feasible {sum(r.feasible for r in rows)}, "
        f"BKS vehicles reached {reached}/{len(rows)}, mean gap {mean_gap:.2f} % on {len(matched)} matched, "
        f"time mean {statistics.fmean(seconds):.1f} s max {max(seconds):.1f} s (limit {limit} s)",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=["lilim", "solomon", "all"], default="all")
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    args = parser.parse_args(argv)
    names = ["lilim", "solomon"] if args.set == "all" else [args.set]
    for label in names:
        folder, fmt = SETS[label]
        base = args.dir / folder
        bks = read_bks(base)
        paths = sorted(
            p for p in base.glob("*.txt") if p.stem in bks and (not args.only or p.stem in args.only)
        )
        if not paths:
            continue
        print(f"# {label}: {len(paths)} instances, {args.time_limit} s each, {args.jobs} jobs", flush=True)
        print(
            f"{'name':8} {'veh':>4} {'bks':>4} {'distance':>10} {'bks_dist':>10} {'gap%':>7} {'sec':>7} feasible"
        )
        tasks = [(p, fmt, args.time_limit, bks[p.stem]) for p in paths]
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            rows = []
            for row in pool.map(run_one, tasks):
                print_row(row)
                rows.append(row)
        print_totals(label, rows, args.time_limit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
