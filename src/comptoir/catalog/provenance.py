"""Where an offer comes from, and whether that is "local": pure Python, no Django.

An offer's origin is the place of production its shop (or the supplier, or a label)
declared when it differs from the supplier's place, else the supplier's own place.
An origin that cannot be placed on the map (no supplier, or a far-away supplier known
only by its region) has no distance and is never local. "Local" is never typed by
hand: it is the distance from the origin to the node's centre within the governed
radius `local_radius_km` (decision 0015), or, when the members voted a named territory
(`local_territory`: a province, a département, a région), an origin placed inside it
(decision 0020). Closeness still ranks either way (search/locality.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from comptoir.core import formats
from comptoir.core.geo import haversine_km


@dataclass(frozen=True, slots=True)
class Origin:
    """An offer's origin as shown to a resident: the place, who made it, who said so."""

    lat: float | None
    lon: float | None
    supplier_name: str = ""
    supplier_ref: str = ""
    place: str = ""  # a declared place of production, or the supplier's city/region
    stated_by: str = ""  # "shop", "supplier", "label" or "" when nobody stated anything
    label: str = ""
    # The territories it lies in ({"CA", "CA-QC"}), read from the postal code of its place: the
    # declared place of production's when there is one, else the supplier's; empty without one.
    areas: frozenset[str] = frozenset()

    @property
    def is_placed(self) -> bool:
        return self.lat is not None and self.lon is not None


def origin_of(
    *,
    origin_lat: float | None,
    origin_lon: float | None,
    origin_place: str = "",
    supplier_lat: float | None = None,
    supplier_lon: float | None = None,
    supplier_name: str = "",
    supplier_ref: str = "",
    supplier_place: str = "",
    stated_by: str = "",
    label: str = "",
    supplier_areas: frozenset[str] = frozenset(),
    origin_areas: frozenset[str] = frozenset(),
) -> Origin:
    """The declared place of production when there is one, else the supplier's place: its
    coordinates and the territories of its own postal code (never the supplier's, which may be
    elsewhere)."""
    declared = origin_lat is not None and origin_lon is not None
    lat = origin_lat if declared else supplier_lat
    lon = origin_lon if declared else supplier_lon
    areas = origin_areas if declared else supplier_areas
    return Origin(
        lat, lon, supplier_name, supplier_ref, origin_place or supplier_place, stated_by, label, areas
    )


def origin_distance_km(origin: Origin, centre: tuple[float, float]) -> float | None:
    """Kilometres from the origin to the node's centre, or None when the origin cannot be placed."""
    if origin.lat is None or origin.lon is None:
        return None
    return haversine_km(origin.lat, origin.lon, centre[0], centre[1])


def is_local(distance_km: float | None, radius_km: float) -> bool:
    """Local means placed, and within the radius: an unknown origin is never local."""
    return distance_km is not None and distance_km <= radius_km


@dataclass(frozen=True, slots=True)
class LocalRule:
    """What the members voted "local" means: within `radius_km` of the node's centre, or, when
    `territory` is set ("CA-QC", "FR-25", "FR-BFC"), inside that territory. Either way an origin
    must be placed (a distance): unknown is never local."""

    radius_km: float
    territory: str = ""

    def is_local(self, distance_km: float | None, areas: frozenset[str] | tuple[str, ...] = ()) -> bool:
        if distance_km is None:
            return False
        if self.territory:
            return self.territory in areas
        return distance_km <= self.radius_km


_BADGE = {
    "fr": ("Produit à %s", "Origine inconnue"),
    "en": ("Made %s away", "Origin unknown"),
}


def origin_km_text(km: float, lang: str = "fr") -> str:
    """Whole kilometres, at least 1: « 23 km », never « 0 km » (no-break space, `core.formats`)."""
    return formats.quantity(max(1, round(km)), 0, "km", lang)


def origin_label(origin_km: float | None, supplier_name: str, lang: str = "fr") -> str:
    """The badge: "Produit à 23 km — Ferme des Trois-Rivières", or "Origine inconnue"."""
    placed, unknown = _BADGE["en" if lang.startswith("en") else "fr"]
    text = unknown if origin_km is None else placed % origin_km_text(origin_km, lang)
    return f"{text} — {supplier_name}" if supplier_name else text
