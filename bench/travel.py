"""Travel-time figures on the Monaco extract: graph build per profile, matrix times, memory.

Run: .venv/bin/python bench/travel.py [path/to/extract.osm.pbf]
Prints figures; asserts nothing (timings belong here, not in tests).
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from comptoir.delivery.planner.roads import build_road_graph
from comptoir.delivery.planner.travel import OsrmTravelTimes, Point, StraightLineTravelTimes

DEFAULT_PBF = Path(__file__).resolve().parents[1].parent / "shared" / "bench" / "osm" / "monaco.osm.pbf"
PROFILES = ("bicycle", "car", "foot")
# Monaco's land, roughly; candidates are kept only when they fall near a road.
BOX = (43.7240, 7.4090, 43.7500, 7.4400)
SIZES = (100, 300, 1000)
REPEATS = 7


def rss_mb() -> tuple[float, float]:
    """Current and peak resident memory of this process, in MB (Linux)."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def points_near_roads(roads: OsrmTravelTimes, count: int, seed: int = 42) -> list[Point]:
    rng = random.Random(seed)
    kept: list[Point] = []
    while len(kept) < count:
        candidates = [Point(rng.uniform(BOX[0], BOX[2]), rng.uniform(BOX[1], BOX[3])) for _ in range(100)]
        snaps = [roads.matrix(candidates, profile).snap_distances for profile in PROFILES]
        kept += [p for p, *d in zip(candidates, *snaps, strict=True) if max(d) < 100.0]
    return kept[:count]


def timed(fn, repeats: int = REPEATS) -> tuple[float, float]:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return min(times), statistics.median(times)


def main() -> None:
    pbf = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_PBF
    print(f"source: {pbf.name} ({pbf.stat().st_size / 1e6:.1f} MB)")
    rss_start, _ = rss_mb()
    with tempfile.TemporaryDirectory() as data_dir:
        figures = build_road_graph(pbf, data_dir, profiles=PROFILES)
        for profile, f in figures["profiles"].items():
            print(
                f"build {profile:8s} {f['seconds']:6.2f} s "
                f"(extract {f['extract_seconds']:.2f} s, contract {f['contract_seconds']:.2f} s), "
                f"{f['bytes'] / 1e6:.1f} MB on disk"
            )

        roads = OsrmTravelTimes(Path(data_dir) / "roads", max_snap_m=float("inf"))
        started = time.perf_counter()
        for profile in PROFILES:
            roads.matrix([Point(43.7396, 7.4276)], profile)
        print(f"first call (opens the 3 graphs): {(time.perf_counter() - started) * 1000:.1f} ms")
        rss_loaded, _ = rss_mb()
        points = points_near_roads(roads, max(SIZES))

        straight = StraightLineTravelTimes()
        for size in SIZES:
            subset = points[:size]
            for profile in ("bicycle", "car"):
                best, median = timed(lambda s=subset, p=profile: roads.matrix(s, p))
                print(f"osrm {profile:8s} {size:4d}×{size:<4d} min {best:7.1f} ms, median {median:7.1f} ms")
            best, median = timed(lambda s=subset: straight.matrix(s, "car"))
            print(f"straight line {size:4d}×{size:<4d} min {best:7.1f} ms, median {median:7.1f} ms")
            print(f"memory after {size}×{size}: {rss_mb()[0]:.0f} MB resident")
        rss_end, rss_peak = rss_mb()
        print(
            f"memory: {rss_start:.0f} MB after imports, {rss_loaded:.0f} MB with 3 graphs open, "
            f"{rss_end:.0f} MB after the matrices (peak {rss_peak:.0f} MB)"
        )


if __name__ == "__main__":
    main()
