"""The local-origin factor of the ranking, and how an origin is kept in the index (decision 0015).

local_factor = 1 + half / (half + origin_km): 2 for an origin at the node's centre, 1.5 at
`local_half_km`, towards 1 far away, and exactly 1 when the origin cannot be placed. It
only ever *raises* a score, so an offer without a known origin keeps the score it had
before suppliers existed, and a weight of 0 gives exactly the order of the three-factor
ranking. Continuous: closer is better, not just local or not. No Django.
"""

from __future__ import annotations

from comptoir.catalog.provenance import is_local

ORIGIN_FIELD = "origin_km"
AREAS_FIELD = "origin_areas"  # the territories the origin lies in ("CA", "CA-QC"): "local only" by territory
UNKNOWN_ORIGIN_KM = -1.0  # what the index stores for an origin that cannot be placed
MAX_LOCAL_FACTOR = 2.0  # the factor at distance 0: the bound the candidate search relies on


def local_factor(origin_km: float | None, half_km: float) -> float:
    if origin_km is None or origin_km < 0:
        return 1.0
    half = max(half_km, 1e-6)
    return 1.0 + half / (half + origin_km)


def stored_km(origin_km: float | None) -> float:
    return UNKNOWN_ORIGIN_KM if origin_km is None else float(origin_km)


def read_km(value: object) -> float | None:
    """The origin's distance read back from the index: None when it was unknown."""
    if value is None:
        return None
    km = float(value)  # type: ignore[arg-type]
    return None if km < 0 else km


__all__ = [
    "AREAS_FIELD",
    "MAX_LOCAL_FACTOR",
    "ORIGIN_FIELD",
    "UNKNOWN_ORIGIN_KM",
    "is_local",
    "local_factor",
    "read_km",
    "stored_km",
]
