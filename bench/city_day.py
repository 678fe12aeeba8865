"""City-day benchmark: 2,000 deliveries from 300 shops over 4 slots, planned on road travel times.

Builds Monaco's bicycle graph from /work/shared/bench/osm/monaco.osm.pbf into a temporary
folder, places shops and residents on its roads (random points snapped by OSRM), then plans
each 2-hour slot with the full planner through the same adapter the delivery app uses
(`comptoir.delivery.slot_problem`), then keeps each order's parcels in one round (10 %
threshold), takes half-planned orders out and re-checks the plan, as `planning.py` does. Falls back to straight lines, and says so, when the graph
cannot be built. Prints figures; asserts nothing.

    .venv/bin/python bench/city_day.py [--deliveries 2000 --shops 300 --slots 4 --budget 60 --seed 1]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

from comptoir.delivery.planner.check import check_solution
from comptoir.delivery.planner.improve import PlannerSolver
from comptoir.delivery.planner.roads import ROAD_DATA_ATTRIBUTION, build_road_graph, roads_dir
from comptoir.delivery.planner.together import keep_together, whole_groups
from comptoir.delivery.planner.travel import OsrmTravelTimes, Point, StraightLineTravelTimes, TravelTimes
from comptoir.delivery.planner.vroom_solver import VroomSolver
from comptoir.delivery.slot_problem import (
    DropSpec,
    FleetSpec,
    ParcelSpec,
    build_problem,
    drop_groups,
    locations,
    read_solution,
)

PBF = Path("/work/shared/bench/osm/monaco.osm.pbf")
BBOX = (43.7247, 43.7519, 7.4090, 7.4398)  # Monaco: min lat, max lat, min lon, max lon
DEPOT = Point(43.7350, 7.4210)  # Fontvieille
SLOT_S = 2 * 3600.0
SHIFT_S = 2.5 * 3600.0  # 30 minutes before the slot to collect the first parcels


def road_points(travel: TravelTimes | None, n: int, rng: random.Random, road: bool) -> list[Point]:
    """`n` points on roads: random points in the bounding box, kept when within 60 m of a road, snapped."""
    points: list[Point] = []
    while len(points) < n:
        batch = [Point(rng.uniform(BBOX[0], BBOX[1]), rng.uniform(BBOX[2], BBOX[3])) for _ in range(200)]
        if not road:
            points += batch
            continue
        matrix = travel.matrix([DEPOT, *batch], "bicycle")  # type: ignore[union-attr]
        points += [
            p for p, d, reachable in zip(matrix.snapped[1:], matrix.snap_distances[1:], matrix.durations[0][1:], strict=True)
            if d < 60 and reachable < 3600
        ]  # fmt: skip
    return points[:n]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=2000)
    parser.add_argument("--shops", type=int, default=300)
    parser.add_argument("--slots", type=int, default=4)
    parser.add_argument("--budget", type=float, default=60.0, help="seconds for all slots, planning included")
    parser.add_argument("--couriers", type=int, default=45, help="shifts available per slot")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--exploration", type=int, default=3, help="VROOM exploration level (0-5)")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    home = Path(tempfile.mkdtemp(prefix="city-day-"))
    started = time.monotonic()
    try:
        build_road_graph(PBF, home, ["bicycle"])
        travel: TravelTimes = OsrmTravelTimes(roads_dir(home), max_snap_m=10_000)
        road = True
        print(
            f"road graph: Monaco bicycle, built in {time.monotonic() - started:.1f} s ({ROAD_DATA_ATTRIBUTION})"
        )
    except Exception as error:  # the benchmark still runs, and says which travel times it used
        travel, road = StraightLineTravelTimes(), False
        print(f"road graph could not be built ({error}); FALLING BACK TO STRAIGHT LINES × 1.3")

    shops = road_points(travel, args.shops, rng, road)
    per_slot = args.deliveries // args.slots
    budget_per_slot = args.budget / args.slots
    totals = {"rounds": 0, "stops": 0, "km": 0.0, "hours": 0.0, "unplanned": 0, "split": 0, "no_fit": 0}
    print(f"{args.deliveries} deliveries, {len(shops)} shops, {args.slots} slots of {per_slot}; "
          f"{args.couriers} cargo bikes (80 kg, 300 L) per slot")  # fmt: skip
    print(
        f"{'slot':>4} {'rounds':>6} {'stops/round':>11} {'km':>7} {'courier-h':>9} {'unplanned':>9} "
        f"{'split':>5} {'matrix s':>8} {'plan s':>7}"
    )
    all_started, all_cpu = time.monotonic(), time.process_time()
    for slot in range(args.slots):
        homes = road_points(travel, per_slot, rng, road)
        window = (SHIFT_S - SLOT_S, SHIFT_S)
        drops = []
        parcel_key = 0
        for key, home_point in enumerate(homes):
            parcels = []
            for shop_key in rng.sample(range(len(shops)), 2 if rng.random() < 0.2 else 1):
                parcels.append(
                    ParcelSpec(
                        parcel_key,
                        shop_key,
                        shops[shop_key],
                        rng.randint(500, 6000),
                        rng.randint(2000, 25_000),
                    )
                )
                parcel_key += 1
            drops.append(DropSpec(key, home_point, window, tuple(parcels)))
        fleet = [
            FleetSpec(k, 80_000, 300_000, (0.0, SHIFT_S), cost_per_hour=2260, cost_per_km=6)
            for k in range(args.couriers)
        ]
        t0 = time.monotonic()
        points, _, _ = locations(DEPOT, drops)
        matrix = travel.matrix(points, "bicycle")
        t1 = time.monotonic()
        problem = build_problem(DEPOT, drops, fleet, {"bicycle": matrix})
        solution = PlannerSolver(seed=args.seed, vroom=VroomSolver(exploration_level=args.exploration)).solve(
            problem.problem, max(budget_per_slot - (t1 - t0) - 1.0, 1.0)
        )
        groups = drop_groups(problem)
        solution, splits = keep_together(
            problem.problem, solution, groups, 10.0, time.monotonic() + budget_per_slot / 3
        )
        solution = whole_groups(problem.problem, solution, groups)
        report = check_solution(problem.problem, solution)
        if not report.ok:
            print(f"PLAN REFUSED BY THE CHECKER: {report.errors[:3]}")
        rounds, unplanned = read_solution(problem, solution)
        t2 = time.monotonic()
        stops = sum(len(r.stops) for r in rounds)
        km = sum(r.distance_m for r in rounds) / 1000
        hours = sum(r.returns_s - r.departs_s for r in rounds) / 3600
        totals["rounds"] += len(rounds)
        totals["stops"] += stops
        totals["km"] += km
        totals["hours"] += hours
        totals["unplanned"] += len(unplanned)
        totals["split"] += len(splits)
        totals["no_fit"] += sum(1 for x in splits if x.extra_percent is None)
        print(f"{slot + 1:>4} {len(rounds):>6} {stops / max(len(rounds), 1):>11.1f} {km:>7.1f} {hours:>9.1f} "
              f"{len(unplanned):>9} {len(splits):>5} {t1 - t0:>8.2f} {t2 - t1:>7.2f}")  # fmt: skip
    elapsed, cpu = time.monotonic() - all_started, time.process_time() - all_cpu
    print(f"day: {totals['rounds']} rounds, {totals['stops'] / max(totals['rounds'], 1):.1f} stops per round, "
          f"{totals['km']:.0f} km, {totals['hours']:.1f} courier-hours, {totals['unplanned']} unplanned, "
          f"{totals['split']} orders in two rounds ({totals['no_fit']} fit no single round); "
          f"{elapsed:.1f} s for {args.slots} slots ({elapsed / args.slots:.1f} s per slot; budget {args.budget:.0f} s; "
          f"{cpu:.1f} CPU s, all threads: on a loaded machine wall time overstates) "
          f"on {'road' if road else 'STRAIGHT-LINE'} travel times")  # fmt: skip
    sys.exit(0)


if __name__ == "__main__":
    main()
