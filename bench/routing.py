"""Routing benchmark: Li & Lim PDPTW 100 and Solomon VRPTW 100 against best-known solutions.

The planner (VROOM → ejection search → PyVRP), VROOM alone and PyVRP alone run on the
same instances in one run, side by side. Every solution is re-checked by `check.py`
from the raw instance before it counts, so a solver bug shows as an infeasible row
rather than a good-looking figure.

    python bench/routing.py --set all --time-limit 30 --jobs 1 [--sample 8] [--solvers planner vroom pyvrp]
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from comptoir.delivery.planner.check import check_location_routes, check_solution
from comptoir.delivery.planner.instances import load_instance
from comptoir.delivery.planner.solve_file import solve_instance_file, solver_named

sys.path.insert(0, str(Path(__file__).resolve().parent))
from city_slots import city_slot

SETS = {"lilim": ("li_lim_100", "lilim"), "solomon": ("solomon_100", "solomon")}
DEFAULT_DIR = Path(__file__).resolve().parents[1] / ".." / "shared" / "bench" / "routing"


SOLVERS = ("planner", "vroom", "pyvrp")
CITY_SEEDS = range(1, 61)  # "city200": our own 200-task slots, compared with the best any solver found


@dataclass(frozen=True)
class Row:
    solver: str
    name: str
    vehicles: int
    bks_vehicles: int
    distance: float
    bks_distance: float
    seconds: float
    feasible: bool
    errors: str
    cpu: float = 0.0  # CPU seconds the solve got (all threads): wall time means little on a loaded machine

    @property
    def gap(self) -> float:
        return 100.0 * (self.distance - self.bks_distance) / self.bks_distance


def read_bks(folder: Path) -> dict[str, tuple[int, float]]:
    with (folder / "BKS.csv").open() as f:
        return {r["instance"]: (int(r["vehicles"]), float(r["distance"])) for r in csv.DictReader(f)}


def run_one(task: tuple[str, Path, str, float, tuple[int, float]]) -> Row:
    solver, path, fmt, limit, (bks_v, bks_d) = task
    cpu = time.process_time()
    result = solve_instance_file(path, fmt, limit, solver=solver)
    cpu = time.process_time() - cpu
    report = check_location_routes(load_instance(path, fmt), result["routes"])
    feasible = report.ok and abs(report.distance - result["distance"]) < 0.01 and not result["unserved"]
    errors = "; ".join(report.errors[:3]) or (f"{result['unserved']} unserved" if result["unserved"] else "")
    return Row(
        solver,
        path.stem,
        result["vehicles"],
        bks_v,
        result["distance"],
        bks_d,
        result["seconds"],
        feasible,
        errors,
        cpu,
    )


def run_city(task: tuple[str, int, float]) -> Row:
    solver, seed, limit = task
    problem = city_slot(seed)
    started, cpu = time.monotonic(), time.process_time()
    solution = solver_named(solver).solve(problem, limit)
    seconds, cpu = round(time.monotonic() - started, 2), time.process_time() - cpu
    report = check_solution(problem, solution)
    unserved = len(solution.unassigned_shipments)
    errors = "; ".join(report.errors[:3]) or (f"{unserved} unserved" if unserved else "")
    feasible = report.ok and not unserved
    return Row(
        solver,
        f"city{seed:02d}",
        solution.vehicles_used,
        0,
        solution.distance,
        0.0,
        seconds,
        feasible,
        errors,
        cpu,
    )


def with_best_found(rows: list[Row]) -> list[Row]:
    """No best-known solutions for our own slots: the reference is the best any solver found."""
    best: dict[str, tuple[int, float]] = {}
    for r in rows:
        if r.feasible:
            best[r.name] = min(best.get(r.name, (r.vehicles, r.distance)), (r.vehicles, r.distance))
    return [
        replace(r, bks_vehicles=best.get(r.name, (0, 0.0))[0], bks_distance=best.get(r.name, (0, 1.0))[1])
        for r in rows
    ]


def print_row(row: Row) -> None:
    print(
        f"{row.solver:8} {row.name:8} {row.vehicles:4d} {row.bks_vehicles:4d} {row.distance:10.2f} {row.bks_distance:10.2f} "
        f"{row.gap:7.2f} {row.seconds:7.1f} {row.cpu:7.1f} {'yes' if row.feasible else 'NO ' + row.errors}",
        flush=True,
    )


def print_totals(label: str, rows: list[Row], limit: float) -> None:
    for solver in dict.fromkeys(r.solver for r in rows):
        _print_solver_totals(f"{label} {solver}", [r for r in rows if r.solver == solver], limit)


def _print_solver_totals(label: str, rows: list[Row], limit: float) -> None:
    matched = [r for r in rows if r.vehicles == r.bks_vehicles and r.feasible]
    reached = sum(1 for r in rows if r.vehicles <= r.bks_vehicles and r.feasible)
    seconds = [r.seconds for r in rows] or [0.0]
    mean_gap = statistics.fmean(r.gap for r in matched) if matched else float("nan")
    print(
        f"TOTAL {label}: instances {len(rows)}, feasible {sum(r.feasible for r in rows)}, "
        f"BKS vehicles reached {reached}/{len(rows)}, mean gap {mean_gap:.2f} % on {len(matched)} matched, "
        f"time mean {statistics.fmean(seconds):.1f} s max {max(seconds):.1f} s (limit {limit} s), "
        f"CPU mean {statistics.fmean(r.cpu for r in rows) if rows else 0.0:.1f} s",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=["lilim", "solomon", "city200", "all"], default="all")
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument(
        "--sample", type=int, default=0, help="every n-th instance so that about this many run"
    )
    parser.add_argument("--solvers", nargs="*", choices=SOLVERS, default=list(SOLVERS))
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    args = parser.parse_args(argv)
    names = ["lilim", "solomon", "city200"] if args.set == "all" else [args.set]
    for label in names:
        if label == "city200":
            run_city_set(args)
            continue
        folder, fmt = SETS[label]
        base = args.dir / folder
        bks = read_bks(base)
        paths = sorted(
            p for p in base.glob("*.txt") if p.stem in bks and (not args.only or p.stem in args.only)
        )
        if args.sample and len(paths) > args.sample:
            step = len(paths) / args.sample
            paths = [paths[int(k * step)] for k in range(args.sample)]
        if not paths:
            continue
        print(f"# {label}: {len(paths)} instances, {args.time_limit} s each, {args.jobs} jobs", flush=True)
        print(
            f"{'solver':8} {'name':8} {'veh':>4} {'bks':>4} {'distance':>10} {'bks_dist':>10} {'gap%':>7} {'sec':>7} {'cpu s':>7} feasible"
        )
        tasks = [(solver, p, fmt, args.time_limit, bks[p.stem]) for p in paths for solver in args.solvers]
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            rows = []
            for row in pool.map(run_one, tasks):
                print_row(row)
                rows.append(row)
        print_totals(label, rows, args.time_limit)
    return 0


def run_city_set(args: argparse.Namespace) -> None:
    seeds = list(CITY_SEEDS)
    if args.sample and len(seeds) > args.sample:
        seeds = seeds[:: len(seeds) // args.sample][: args.sample]
    print(
        f"# city200: {len(seeds)} slots of our own (reference: best found in this run), {args.time_limit} s each"
    )
    print(
        f"{'solver':8} {'name':8} {'veh':>4} {'best':>4} {'distance':>10} {'best_dist':>10} {'gap%':>7} {'sec':>7} {'cpu s':>7} feasible"
    )
    tasks = [(solver, seed, args.time_limit) for seed in seeds for solver in args.solvers]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        rows = list(pool.map(run_city, tasks))
    rows = with_best_found(rows)
    for row in rows:
        print_row(row)
    print_totals("city200", rows, args.time_limit)


if __name__ == "__main__":
    sys.exit(main())
