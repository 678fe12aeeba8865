"""The road graph on disk: where it lives and how it is built from OpenStreetMap data.

Owns the layout of ``<data_dir>/roads/<profile>/`` (one OSRM contraction-hierarchy
graph per vehicle profile, plus a ``graph.json`` manifest and the build log) and
``build_road_graph``, which runs OSRM's own programs (shipped inside the
osrm-bindings wheel) to turn an ``.osm.pbf`` extract into those graphs.

It never queries a graph (``travel.py`` does), never downloads anything, and never
imports Django: it is part of the planner's pure core.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TypedDict

import osrm

#: Shown wherever travel times or streets derived from the road graph appear (ODbL 1.0, section 4.3).
ROAD_DATA_ATTRIBUTION = "Road data © OpenStreetMap contributors, ODbL"

#: Vehicle profile -> OSRM Lua profile bundled with osrm-bindings.
#: Cargo bikes route as "bicycle", vans as "car".
PROFILES: dict[str, str] = {"bicycle": "bicycle.lua", "car": "car.lua", "foot": "foot.lua"}

#: Inputs osrm-extract reads (``--list-inputs`` lists the same three).
ACCEPTED_SUFFIXES = (".osm.pbf", ".osm", ".osm.bz2")

ROADS_DIRNAME = "roads"
GRAPH_BASENAME = "roads.osrm"
MANIFEST_NAME = "graph.json"
BUILD_LOG_NAME = "build.log"

_LOG_LINES_IN_ERRORS = 15


class RoadGraphBuildError(Exception):
    """The OSM file could not be turned into a road graph; the message says why."""


class UnknownProfile(ValueError):
    """A profile name that is not one of ``PROFILES``."""

    def __init__(self, profile: str) -> None:
        super().__init__(f"unknown travel profile {profile!r}; known profiles: {', '.join(PROFILES)}")
        self.profile = profile


class ProfileFigures(TypedDict):
    seconds: float
    extract_seconds: float
    contract_seconds: float
    bytes: int
    path: str


class RoadGraphFigures(TypedDict):
    source: str
    source_bytes: int
    attribution: str
    profiles: dict[str, ProfileFigures]


def check_profile(profile: str) -> None:
    if profile not in PROFILES:
        raise UnknownProfile(profile)


def roads_dir(data_dir: Path | str) -> Path:
    return Path(data_dir) / ROADS_DIRNAME


def graph_base(roads: Path | str, profile: str) -> Path:
    """The path OSRM calls the "storage config": its files are this name plus a suffix."""
    check_profile(profile)
    return Path(roads) / profile / GRAPH_BASENAME


def graph_ready(base: Path) -> bool:
    """True when a contracted (CH) graph is complete at ``base``: ``.hsgr`` is written last, by contract."""
    return base.with_name(base.name + ".hsgr").is_file()


def profiles_path() -> Path:
    return Path(osrm.__file__).parent / "share" / "profiles"


def build_road_graph(
    pbf_path: Path | str,
    data_dir: Path | str,
    profiles: Sequence[str] = ("bicycle", "car"),
) -> RoadGraphFigures:
    """Build one CH graph per profile from an OSM extract into ``<data_dir>/roads/<profile>/``.

    Each graph is built in a temporary directory next to its final place, then
    renamed into place, so a reader sees the old graph or the new one, never half
    of one. A failed build leaves the previous graph untouched.
    """
    source = Path(pbf_path)
    _check_source(source)
    for profile in profiles:
        check_profile(profile)
    roads = roads_dir(data_dir)
    roads.mkdir(parents=True, exist_ok=True)

    figures: dict[str, ProfileFigures] = {}
    for profile in profiles:
        figures[profile] = _build_profile(source, roads, profile)
    return {
        "source": str(source),
        "source_bytes": source.stat().st_size,
        "attribution": ROAD_DATA_ATTRIBUTION,
        "profiles": figures,
    }


def _check_source(source: Path) -> None:
    if not source.name.endswith(ACCEPTED_SUFFIXES):
        raise RoadGraphBuildError(
            f"{source}: expected an OpenStreetMap extract ({', '.join(ACCEPTED_SUFFIXES)}), "
            "for example a region from download.geofabrik.de"
        )
    if not source.is_file():
        raise RoadGraphBuildError(f"{source}: no such file")


def _build_profile(source: Path, roads: Path, profile: str) -> ProfileFigures:
    work = Path(tempfile.mkdtemp(prefix=f".{profile}.", suffix=".building", dir=roads))
    try:
        base = work / GRAPH_BASENAME
        log_path = work / BUILD_LOG_NAME
        lua = profiles_path() / PROFILES[profile]
        started = time.perf_counter()
        # -o writes the graph beside nothing but itself: the source file's directory may be read-only.
        _run_osrm(
            ["extract", "-p", str(lua), str(source), "-o", str(work / "roads")], log_path, source, profile
        )
        extracted = time.perf_counter()
        _run_osrm(["contract", str(base)], log_path, source, profile)
        contracted = time.perf_counter()
        if not graph_ready(base):
            raise RoadGraphBuildError(f"{source}: OSRM finished without writing a {profile} graph")
        _write_manifest(work, source, profile)
        work.chmod(0o755)  # mkdtemp made it private; the web and worker processes read it
        final = roads / profile
        _swap_into_place(work, final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return {
        "seconds": round(contracted - started, 3),
        "extract_seconds": round(extracted - started, 3),
        "contract_seconds": round(contracted - extracted, 3),
        "bytes": sum(f.stat().st_size for f in final.iterdir() if f.is_file()),
        "path": str(final),
    }


def _run_osrm(args: list[str], log_path: Path, source: Path, profile: str) -> None:
    with log_path.open("ab") as log:
        log.write(f"$ python -m osrm {' '.join(args)}\n".encode())
        log.flush()
        completed = subprocess.run(
            [sys.executable, "-m", "osrm", *args], stdout=log, stderr=subprocess.STDOUT, check=False
        )
    if completed.returncode != 0:
        tail = log_path.read_text(errors="replace").splitlines()[-_LOG_LINES_IN_ERRORS:]
        raise RoadGraphBuildError(
            f"{source}: osrm {args[0]} failed for the {profile} profile (exit code {completed.returncode}); "
            "is it a valid OpenStreetMap extract?\n" + "\n".join(tail)
        )


def _write_manifest(work: Path, source: Path, profile: str) -> None:
    stat = source.stat()
    manifest = {
        "profile": profile,
        "source": source.name,
        "source_bytes": stat.st_size,
        "source_modified": datetime.fromtimestamp(stat.st_mtime, UTC).isoformat(),
        "built_at": datetime.now(UTC).isoformat(),
        "algorithm": "CH",
        "osrm_bindings": metadata.version("osrm-bindings"),
        "attribution": ROAD_DATA_ATTRIBUTION,
    }
    (work / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n")


def _swap_into_place(work: Path, final: Path) -> None:
    # A directory cannot replace a non-empty one in a single rename: move the old
    # one aside first. Between the two renames a reader finds no graph and falls
    # back to straight lines for that one call; engines already loaded keep their
    # memory-mapped files, which outlive the deletion.
    old: Path | None = None
    if final.exists():
        old = final.with_name(f".{final.name}.old-{os.getpid()}-{time.monotonic_ns()}")
        final.rename(old)
    work.rename(final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
