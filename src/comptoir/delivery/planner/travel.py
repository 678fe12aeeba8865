"""Travel times: the ``TravelTimes`` port and its two adapters.

Owns how long and how far it is between points for a vehicle profile ("bicycle"
for cargo bikes, "car" for vans, "foot"): ``OsrmTravelTimes`` asks OSRM, in
process, on a road graph built by ``roads.build_road_graph``;
``StraightLineTravelTimes`` uses the great-circle distance times a detour factor
when no graph exists. ``travel_times_for`` picks one per profile, so the planner
never knows which it got.

It never builds graphs (``roads.py`` does), never calls a routing server over the
network, never guesses a duration for a point it could not place on a road, and
never imports Django.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

import osrm

from comptoir.core.geo import EARTH_RADIUS_KM, haversine_km
from comptoir.delivery.planner.roads import (
    PROFILES,
    ROAD_DATA_ATTRIBUTION,
    UnknownProfile,
    check_profile,
    graph_base,
    graph_ready,
    roads_dir,
)

__all__ = [
    "EARTH_RADIUS_M",
    "PROFILES",
    "ROAD_DATA_ATTRIBUTION",
    "Matrix",
    "OsrmTravelTimes",
    "PerProfileTravelTimes",
    "Point",
    "PointOffRoad",
    "RoadGraphMissing",
    "StraightLineTravelTimes",
    "TravelTimes",
    "TravelTimesError",
    "UnknownProfile",
    "Unreachable",
    "haversine_m",
    "travel_times_for",
]

#: Mean Earth radius (IUGG), in metres.
EARTH_RADIUS_M = EARTH_RADIUS_KM * 1000.0

#: Farther than this from any road of the profile, a point is an address to fix, not a stop to guess.
DEFAULT_MAX_SNAP_M = 500.0

Method = Literal["road", "straight_line"]


@dataclass(frozen=True, slots=True)
class Point:
    """A WGS84 position, latitude first (OSRM wants longitude first: only this module swaps them)."""

    lat: float
    lon: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.lat) and -90.0 <= self.lat <= 90.0):
            raise ValueError(f"latitude out of range: {self.lat}")
        if not (math.isfinite(self.lon) and -180.0 <= self.lon <= 180.0):
            raise ValueError(f"longitude out of range: {self.lon}")


@dataclass(frozen=True, slots=True)
class Matrix:
    """Travel from every point to every point: ``durations[i][j]`` is from point i to point j.

    ``snapped[i]`` is where point i was placed on the road network (the point itself
    for straight lines), ``snap_distances[i]`` how far that is, in metres. ``method``
    says whether road data was used, so a page can show ``ROAD_DATA_ATTRIBUTION``.
    """

    profile: str
    durations: list[list[float]]  # seconds
    distances: list[list[float]]  # metres
    snapped: list[Point]
    snap_distances: list[float]
    method: Method


class TravelTimes(Protocol):
    def matrix(self, points: Sequence[Point], profile: str) -> Matrix: ...


class TravelTimesError(Exception):
    """A matrix could not be computed; the message is meant for the dispatcher."""


class PointOffRoad(TravelTimesError):
    def __init__(self, index: int, point: Point, distance_m: float, profile: str, limit_m: float) -> None:
        super().__init__(
            f"point {index} ({point.lat:.5f}, {point.lon:.5f}) is {distance_m:.0f} m from the nearest "
            f"{profile} road (limit {limit_m:.0f} m): check the address or its map position"
        )
        self.index = index
        self.point = point
        self.distance_m = distance_m
        self.profile = profile


class Unreachable(TravelTimesError):
    def __init__(self, pairs: list[tuple[int, int]], profile: str) -> None:
        first_from, first_to = pairs[0]
        super().__init__(
            f"no {profile} route from point {first_from} to point {first_to}"
            + (f" (and {len(pairs) - 1} more pairs)" if len(pairs) > 1 else "")
        )
        self.pairs = pairs
        self.profile = profile


class RoadGraphMissing(TravelTimesError):
    def __init__(self, profile: str, base: Path) -> None:
        super().__init__(
            f"no {profile} road graph at {base.parent}: run `comptoir roads import FILE.osm.pbf`"
        )
        self.profile = profile


def haversine_m(a: Point, b: Point) -> float:
    """Great-circle distance in metres (`core.geo`, the one haversine)."""
    return haversine_km(a.lat, a.lon, b.lat, b.lon) * 1000.0


class StraightLineTravelTimes:
    """Great-circle distance × detour factor, at a constant speed per profile.

    The fallback when no road graph exists: it never fails on a point, and is
    symmetric, which real streets (one-way, hills) are not.
    """

    DEFAULT_SPEEDS_KMH: Mapping[str, float] = {"bicycle": 15.0, "car": 25.0, "foot": 5.0}

    def __init__(self, detour_factor: float = 1.3, speeds_kmh: Mapping[str, float] | None = None) -> None:
        if detour_factor < 1.0:
            raise ValueError(f"detour factor must be at least 1, got {detour_factor}")
        speeds = dict(self.DEFAULT_SPEEDS_KMH if speeds_kmh is None else speeds_kmh)
        for profile, speed in speeds.items():
            check_profile(profile)
            if not speed > 0:
                raise ValueError(f"speed for {profile} must be positive, got {speed}")
        self.detour_factor = detour_factor
        self.speeds_kmh = speeds

    def matrix(self, points: Sequence[Point], profile: str) -> Matrix:
        check_profile(profile)
        if profile not in self.speeds_kmh:
            raise UnknownProfile(profile)
        metres_per_second = self.speeds_kmh[profile] / 3.6
        n = len(points)
        distances = [[0.0] * n for _ in range(n)]
        durations = [[0.0] * n for _ in range(n)]
        for i in range(n):
            for j in range(i + 1, n):
                metres = haversine_m(points[i], points[j]) * self.detour_factor
                distances[i][j] = distances[j][i] = metres
                durations[i][j] = durations[j][i] = metres / metres_per_second
        return Matrix(
            profile=profile,
            durations=durations,
            distances=distances,
            snapped=list(points),
            snap_distances=[0.0] * len(points),
            method="straight_line",
        )


class OsrmTravelTimes:
    """Road durations and distances from OSRM running inside this process.

    ``roads`` is ``<data_dir>/roads``, holding one contracted graph per profile.
    Each graph is opened once per process and shared by all threads; a graph
    rebuilt on disk is reopened on the next call.
    """

    def __init__(self, roads: Path | str, max_snap_m: float = DEFAULT_MAX_SNAP_M) -> None:
        self.roads = Path(roads)
        self.max_snap_m = max_snap_m

    def available_profiles(self) -> tuple[str, ...]:
        return tuple(p for p in PROFILES if graph_ready(graph_base(self.roads, p)))

    def matrix(self, points: Sequence[Point], profile: str) -> Matrix:
        engine = _engine_for(graph_base(self.roads, profile), profile)
        n = len(points)
        if n == 0:
            return Matrix(profile, [], [], [], [], "road")
        coordinates = [(p.lon, p.lat) for p in points]
        if n == 1:
            coordinates *= 2  # OSRM rejects a table of one coordinate; the 1×1 answer is the corner
        result = engine.Table(
            osrm.TableParameters(
                coordinates=coordinates, annotations=["duration", "distance"], generate_hints=False
            )
        )
        # Every result[...] converts the whole C++ array again: fetch each once.
        waypoints = list(result["sources"])[:n]
        snap_distances = [float(w["distance"]) for w in waypoints]
        for index, distance in enumerate(snap_distances):
            if distance > self.max_snap_m:
                raise PointOffRoad(index, points[index], distance, profile, self.max_snap_m)
        snapped = [Point(lat=w["location"][1], lon=w["location"][0]) for w in waypoints]
        durations = [list(row)[:n] for row in result["durations"]][:n]
        distances = [list(row)[:n] for row in result["distances"]][:n]
        unreachable = [
            (i, j) for i in range(n) for j in range(n) if durations[i][j] is None or distances[i][j] is None
        ]
        if unreachable:
            raise Unreachable(unreachable, profile)
        return Matrix(profile, durations, distances, snapped, snap_distances, "road")


class PerProfileTravelTimes:
    """Sends each profile to its own adapter, and the others to ``fallback``."""

    def __init__(self, by_profile: Mapping[str, TravelTimes], fallback: TravelTimes) -> None:
        self.by_profile = dict(by_profile)
        self.fallback = fallback

    def matrix(self, points: Sequence[Point], profile: str) -> Matrix:
        check_profile(profile)
        return self.by_profile.get(profile, self.fallback).matrix(points, profile)


def travel_times_for(
    data_dir: Path | str,
    fallback: TravelTimes | None = None,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
) -> TravelTimes:
    """Road travel times for each profile whose graph exists under ``data_dir``, straight lines otherwise.

    Which graphs exist is read now, not on every call: call this once per planning run.
    """
    roads = OsrmTravelTimes(roads_dir(data_dir), max_snap_m=max_snap_m)
    return PerProfileTravelTimes(
        {profile: roads for profile in roads.available_profiles()},
        fallback if fallback is not None else StraightLineTravelTimes(),
    )


# One engine per graph file and per process. The key includes the .hsgr file's
# inode and mtime, so a graph swapped in by a new import is picked up without a restart.
_engines: dict[Path, tuple[tuple[int, int], osrm.OSRM]] = {}
_engines_lock = threading.Lock()


def _engine_for(base: Path, profile: str) -> osrm.OSRM:
    try:
        stat = base.with_name(base.name + ".hsgr").stat()
    except FileNotFoundError:
        raise RoadGraphMissing(profile, base) from None
    stamp = (stat.st_ino, stat.st_mtime_ns)
    key = base.absolute()
    with _engines_lock:
        cached = _engines.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        # OSRM's C++ engine answers concurrent queries on one instance (osrm-routed does exactly that).
        engine = osrm.OSRM(storage_config=str(base), algorithm="CH", use_shared_memory=False)
        _engines[key] = (stamp, engine)
        return engine
