"""200-task delivery slots of our own, for the routing benchmark's "city200" set.

One slot of the city day (`bench/city_day.py`) shrunk to 100 parcels, so 200 tasks
like the public 200-task instances (which this machine does not have): shops and
residents at random around a depot in a 4 km square, bicycle times by straight lines
(no road graph needed), a 2-hour drop window or a 1-hour part of it, parcels ready at
the shop at staggered times, 25 cargo bikes with 40 kg each. No best-known solution
exists: the benchmark compares each solver with the best any of them found.
"""

from __future__ import annotations

import random

from comptoir.delivery.planner.model import Problem
from comptoir.delivery.planner.travel import Point, StraightLineTravelTimes
from comptoir.delivery.slot_problem import DropSpec, FleetSpec, ParcelSpec, build_problem, locations

DEPOT = Point(47.0540, 6.0000)
SHIFT = (0.0, 2.5 * 3600.0)


def _point(rng: random.Random) -> Point:
    return Point(DEPOT.lat + rng.uniform(-0.018, 0.018), DEPOT.lon + rng.uniform(-0.026, 0.026))


def city_slot(seed: int, parcels: int = 100, shops: int = 30, bikes: int = 25) -> Problem:
    rng = random.Random(seed)
    shop_points = [_point(rng) for _ in range(shops)]
    drops = []
    for key in range(parcels):
        shop = rng.randrange(shops)
        start = 1800.0 + (rng.choice([0.0, 3600.0]) if rng.random() < 0.5 else 0.0)
        window = (start, start + (3600.0 if start > 1800.0 or rng.random() < 0.5 else 7200.0))
        ready = rng.choice([None, 600.0, 1800.0, 3600.0])
        parcel = ParcelSpec(
            key, shop, shop_points[shop], rng.randint(500, 9000), rng.randint(2000, 30_000), ready
        )
        drops.append(DropSpec(key, _point(rng), window, (parcel,)))
    fleet = [FleetSpec(k, 40_000, 150_000, SHIFT) for k in range(bikes)]
    points, _, _ = locations(DEPOT, drops)
    matrix = StraightLineTravelTimes().matrix(points, "bicycle")
    return build_problem(DEPOT, drops, fleet, {"bicycle": matrix}).problem
