"""Where the shops are, as the index knows them, and which shops lie within a radius.

Every offer carries its shop's location, so a radius filter is a *shop* filter:
find the shops inside the circle, then keep the offers of those shops with one
term-set query. Totals and facets stay exact, which a bounding box on offer
coordinates would not give.

Per query this runs in Python over a few hundred shops, so it avoids trigonometry:
shops sit in ~1 km grid cells with their local east/north kilometres precomputed;
a flat-earth distance decides every shop clearly inside or outside, and only those
within 1 % of the edge get the exact haversine.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

import tantivy

from comptoir.core.geo import EARTH_RADIUS_KM, haversine_km

CELL_DEG = 0.01  # about 1.1 km north-south
KM_PER_DEG = math.pi * EARTH_RADIUS_KM / 180.0
EDGE_MARGIN = 0.01  # flat-earth error is far below 1 % at the scale of a town


@dataclass
class ShopPlaces:
    locations: dict[int, tuple[float, float]]
    offers: dict[int, int] = field(default_factory=dict)
    grid: dict[tuple[int, int], list[tuple[int, float, float]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        cells: dict[tuple[int, int], list[tuple[int, float, float]]] = defaultdict(list)
        for shop_id, (lat, lon) in self.locations.items():
            cells[_cell(lat, lon)].append((shop_id, lat, lon))
        self.grid = dict(cells)

    def within(self, center: tuple[float, float], radius_km: float) -> set[int]:
        """The shops at most `radius_km` (haversine) from `center`."""
        return set(self.around(center, radius_km))

    def around(self, center: tuple[float, float], radius_km: float) -> dict[int, float]:
        """Each shop at most `radius_km` from `center`, with its distance in km.

        Membership is exact (haversine near the edge); inside, the flat-earth distance
        is used, off by less than 0.1 % at the scale of a town."""
        lat0, lon0 = center
        ky = KM_PER_DEG
        kx = KM_PER_DEG * max(0.01, math.cos(math.radians(lat0)))
        dlat, dlon = radius_km / ky, radius_km / kx
        i0, j0 = _cell(lat0 - dlat, lon0 - dlon)
        i1, j1 = _cell(lat0 + dlat, lon0 + dlon)
        inner, outer = (radius_km * (1 - EDGE_MARGIN)) ** 2, (radius_km * (1 + EDGE_MARGIN)) ** 2
        found: dict[int, float] = {}
        grid = self.grid
        for i in range(i0, i1 + 1):
            for j in range(j0, j1 + 1):
                for shop_id, lat, lon in grid.get((i, j), ()):
                    d2 = ((lat - lat0) * ky) ** 2 + ((lon - lon0) * kx) ** 2
                    if d2 < inner:
                        found[shop_id] = d2**0.5
                    elif d2 <= outer:
                        d = haversine_km(lat0, lon0, lat, lon)
                        if d <= radius_km:
                            found[shop_id] = d
        return found

    def distance_km(self, center: tuple[float, float], shop_id: int) -> float | None:
        location = self.locations.get(shop_id)
        return None if location is None else haversine_km(center[0], center[1], location[0], location[1])

    def offers_in(self, shop_ids: set[int] | frozenset[int]) -> int:
        """How many offers these shops hold: the selectivity of a shop filter."""
        offers = self.offers
        return sum(offers.get(s, 0) for s in shop_ids)


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return math.floor(lat / CELL_DEG), math.floor(lon / CELL_DEG)


def load_shop_places(searcher: tantivy.Searcher) -> ShopPlaces:
    """One aggregation over the whole index: each shop id with its (single) location and offer count."""
    spec = {
        "shops": {
            "terms": {"field": "shop_id", "size": 1_000_000},
            "aggs": {"lat": {"max": {"field": "lat"}}, "lon": {"max": {"field": "lon"}}},
        }
    }
    if searcher.num_docs == 0:
        return ShopPlaces({})
    buckets = searcher.aggregate(tantivy.Query.all_query(), spec)["shops"]["buckets"]
    return ShopPlaces(
        {int(b["key"]): (b["lat"]["value"], b["lon"]["value"]) for b in buckets},
        {int(b["key"]): int(b["doc_count"]) for b in buckets},
    )
