"""The line a round follows on the dispatcher's map: along the streets when a road graph exists.

Planning only needs travel times; a person reading the map needs the path. With the
imported OSRM graph of the round's profile, the line is OSRM's route geometry through
the stops in order; without a graph (or when OSRM cannot route a leg), straight
segments between the stops, and the map says which. Pure of Django: the caller gives
the data folder.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import osrm

from comptoir.delivery.planner.roads import graph_base, graph_ready, roads_dir
from comptoir.delivery.planner.travel import _engine_for

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RouteLine:
    points: list[tuple[float, float]]  # (lat, lon), in the order the courier rides
    method: str  # "road" (along the streets) or "straight_line"


def route_line(stops: Sequence[tuple[float, float]], profile: str, data_dir: Path | str) -> RouteLine:
    """The path through `stops` ((lat, lon) in visiting order) for a vehicle of `profile`."""
    straight = RouteLine([(lat, lon) for lat, lon in stops], "straight_line")
    if len(stops) < 2:
        return straight
    base = graph_base(roads_dir(data_dir), profile)
    if not graph_ready(base):
        return straight
    try:
        engine = _engine_for(base, profile)
        result = engine.Route(
            osrm.RouteParameters(
                coordinates=[(lon, lat) for lat, lon in stops],
                geometries="geojson",
                overview="full",
                generate_hints=False,
            )
        )
        coordinates = list(result["routes"][0]["geometry"]["coordinates"])
    except Exception as error:  # OSRM raises plain RuntimeErrors; the map must still draw
        log.warning("no road geometry for a %s round: %s", profile, error)
        return straight
    return RouteLine([(float(c[1]), float(c[0])) for c in coordinates], "road")
