"""What a search asks for, read from a query string, API parameters or the command line.

One parser for the page, the API and `comptoir search`, so the three accept the very
same parameters: q, near=lat,lon, neighbourhood, postal_code, radius_km, category,
shop (refs, comma-separated), min_price and max_price (euros, "2,40" or "2.40"),
in_stock, local (only offers whose origin is within the node's local radius), open_now,
sort (relevance|distance|price), page, per_page, group, facets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from comptoir.core.errors import InvalidInput
from comptoir.core.geo import GeoError, check_coordinates
from comptoir.core.money import Money, MoneyError

SORTS = ("relevance", "distance", "price")
MAX_PER_PAGE = 50
MAX_PAGE = 50
TRUE = {"1", "true", "on", "yes", "oui"}


@dataclass(frozen=True)
class SearchParams:
    text: str = ""
    near: tuple[float, float] | None = None  # None: the neighbourhood's, or the node's centre
    neighbourhood: str = ""
    postal_code: str = ""
    radius_km: float | None = None
    category: str = ""
    shop_refs: frozenset[str] = frozenset()
    shop_ids: frozenset[int] | None = None  # e.g. the shops of a delivery zone, computed by the caller
    min_price_cents: int | None = None
    max_price_cents: int | None = None
    in_stock: bool = False
    local: bool = False
    open_now: bool = False
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    group: bool = False
    facets: bool = True


def parse_params(
    data: Mapping[str, Any],
    *,
    group: bool = False,
    facets: bool = True,
    per_page: int = 20,
    max_per_page: int = MAX_PER_PAGE,
) -> SearchParams:
    """Raise `InvalidInput` naming the parameter a person got wrong; ignore unknown ones.
    `per_page`, `max_per_page`: the default and the largest page (the web page shows fewer
    results than the API: it must stay within its weight budget)."""
    sort = _text(data, "sort") or "relevance"
    if sort not in SORTS:
        raise InvalidInput(_("Sort by relevance, distance or price."), field="sort")
    return SearchParams(
        text=_text(data, "q")[:200],
        near=_point(_text(data, "near")),
        neighbourhood=_text(data, "neighbourhood"),
        postal_code=_text(data, "postal_code"),
        radius_km=_positive_float(data, "radius_km"),
        category=_text(data, "category").strip("/"),
        shop_refs=frozenset(r for r in _text(data, "shop").replace(" ", ",").split(",") if r),
        min_price_cents=_price(data, "min_price"),
        max_price_cents=_price(data, "max_price"),
        in_stock=_bool(data, "in_stock"),
        local=_bool(data, "local"),
        open_now=_bool(data, "open_now"),
        sort=sort,
        page=min(MAX_PAGE, max(1, _int(data, "page", 1))),
        per_page=min(max_per_page, max(1, _int(data, "per_page", per_page))),
        group=_bool(data, "group", group),
        facets=_bool(data, "facets", facets),
    )


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    return "" if value is None else str(value).strip()


def _bool(data: Mapping[str, Any], name: str, default: bool = False) -> bool:
    value = data.get(name)
    if value is None or value == "":
        return default
    return value is True or str(value).lower() in TRUE


def _int(data: Mapping[str, Any], name: str, default: int) -> int:
    try:
        return int(_text(data, name) or default)
    except ValueError as error:
        raise InvalidInput(_("%(name)s must be a whole number.") % {"name": name}, field=name) from error


def _positive_float(data: Mapping[str, Any], name: str) -> float | None:
    text = _text(data, name).replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError as error:
        raise InvalidInput(_("%(name)s must be a number.") % {"name": name}, field=name) from error
    if not 0 < value <= 20_000:
        raise InvalidInput(_("%(name)s must be a number.") % {"name": name}, field=name)
    return value


def _price(data: Mapping[str, Any], name: str) -> int | None:
    text = _text(data, name)
    if not text:
        return None
    try:
        cents = Money.parse(text).cents
    except MoneyError as error:
        raise InvalidInput(_("Not a price (e.g. 2,40): %(v)s") % {"v": text}, field=name) from error
    if cents < 0:
        raise InvalidInput(_("Not a price (e.g. 2,40): %(v)s") % {"v": text}, field=name)
    return cents


def _point(text: str) -> tuple[float, float] | None:
    if not text:
        return None
    try:
        lat_text, lon_text = text.split(",")
        lat, lon = float(lat_text), float(lon_text)
        check_coordinates(lat, lon)
    except (ValueError, GeoError) as error:
        raise InvalidInput(_("Give near as latitude,longitude (e.g. 47.056,6.004)."), field="near") from error
    return lat, lon
