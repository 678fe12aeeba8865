"""Where a drop address is, from the node's own data only (never a commercial service).

In order: a pin the resident placed (lat/lon given); the node's own address file
(`settings.COMPTOIR_ADDRESS_FILE`, CSV `address,postal_code,lat,lon`, e.g. an extract of
the Base Adresse Nationale); the centroid of the postal code (from
`settings.COMPTOIR_POSTCODE_CENTROIDS`, else the mean position of the node's shops there).
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db.models import Avg
from django.utils.translation import gettext as _

from comptoir.catalog.models import Shop
from comptoir.core.errors import InvalidInput
from comptoir.core.geo import GeoError, check_coordinates
from comptoir.orders.error_codes import OrderErrorCode


@dataclass(frozen=True)
class Located:
    lat: float
    lon: float
    source: str  # pin, address_data, postal_code


def _normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(folded.replace(",", " ").split())


@lru_cache(maxsize=4)
def _address_points(path: str) -> dict[tuple[str, str], tuple[float, float]]:
    with Path(path).open(newline="", encoding="utf-8") as handle:
        return {
            (_normalise(row["address"]), row["postal_code"].strip()): (float(row["lat"]), float(row["lon"]))
            for row in csv.DictReader(handle)
        }


def _postal_centroid(postal_code: str) -> tuple[float, float] | None:
    configured = settings.COMPTOIR_POSTCODE_CENTROIDS
    if postal_code in configured:
        return tuple(configured[postal_code])  # type: ignore[return-value]
    mean = Shop.objects.filter(postal_code=postal_code).aggregate(lat=Avg("lat"), lon=Avg("lon"))
    return (mean["lat"], mean["lon"]) if mean["lat"] is not None else None


def locate(address: str, postal_code: str, lat: float | None = None, lon: float | None = None) -> Located:
    if lat is not None and lon is not None:
        try:
            check_coordinates(lat, lon)
        except GeoError as error:
            raise InvalidInput(
                _("The map pin is outside the Earth."), code=OrderErrorCode.ADDRESS_NOT_FOUND, field="lat"
            ) from error
        return Located(lat, lon, "pin")
    address_file = settings.COMPTOIR_ADDRESS_FILE
    if address_file:
        point = _address_points(str(address_file)).get((_normalise(address), postal_code.strip()))
        if point:
            return Located(point[0], point[1], "address_data")
    centroid = _postal_centroid(postal_code.strip())
    if centroid:
        return Located(centroid[0], centroid[1], "postal_code")
    raise InvalidInput(
        _("We cannot place this address: check the postal code or place a pin on the map."),
        code=OrderErrorCode.ADDRESS_NOT_FOUND,
        field="postal_code",
    )
