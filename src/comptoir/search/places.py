"""Where the shops are, as the index knows them, and which shops lie within a radius.

Every offer carries its shop's location, so a radius filter is a *shop* filter:
find the shops inside the circle (exact haversine, a coarse grid to skip the far
ones), then keep the offers of those shops with one term-set query. Totals and
facets stay exact, which a bounding box on offer coordinates would not give.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

import tantivy

from comptoir.search.ranking import haversine_km

CELL_DEG = 0.05  # about 5.5 km north-south


@dataclass
class ShopPlaces:
    locations: dict[int, tuple[float, float]]
    grid: dict[tuple[int, int], list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        cells: dict[tuple[int, int], list[int]] = defaultdict(list)
        for shop_id, (lat, lon) in self.locations.items():
            cells[_cell(lat, lon)].append(shop_id)
        self.grid = dict(cells)

    def within(self, center: tuple[float, float], radius_km: float) -> set[int]:
        return {shop_id for shop_id, dist in self.distances(center, radius_km) if dist <= radius_km}

    def distances(self, center: tuple[float, float], radius_km: float) -> list[tuple[int, float]]:
        """(shop_id, km) for the shops of the grid cells that the circle touches."""
        dlat = radius_km / 110.57
        dlon = radius_km / (111.32 * max(0.01, math.cos(math.radians(center[0]))))
        lat0, lon0 = _cell(center[0] - dlat, center[1] - dlon)
        lat1, lon1 = _cell(center[0] + dlat, center[1] + dlon)
        found: list[tuple[int, float]] = []
        for i in range(lat0, lat1 + 1):
            for j in range(lon0, lon1 + 1):
                for shop_id in self.grid.get((i, j), ()):
                    found.append((shop_id, haversine_km(center, self.locations[shop_id])))
        return found


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return math.floor(lat / CELL_DEG), math.floor(lon / CELL_DEG)


def load_shop_places(searcher: tantivy.Searcher) -> ShopPlaces:
    """One aggregation over the whole index: each shop id with its (single) location."""
    spec = {
        "shops": {
            "terms": {"field": "shop_id", "size": 1_000_000},
            "aggs": {"lat": {"max": {"field": "lat"}}, "lon": {"max": {"field": "lon"}}},
        }
    }
    if searcher.num_docs == 0:
        return ShopPlaces({})
    buckets = searcher.aggregate(tantivy.Query.all_query(), spec)["shops"]["buckets"]
    return ShopPlaces({int(b["key"]): (b["lat"]["value"], b["lon"]["value"]) for b in buckets})
