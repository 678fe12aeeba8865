"""The share of sales from local suppliers (issue 17 item 5), by value and by units, per month
and per shop: what the public page `/part-locale/`, its CSV export and a shop's back office show.

A sale is a line of a completed shop order, dated by its order. Its origin is the one recorded
on the line at checkout (`OrderLine.origin_km`: the declared place of production, else the
supplier's place, in km from the node's centre), and so is whether it was local by the rule the
members had voted then (`OrderLine.origin_local`: the radius or the territory), so a vote widening
"local" does not re-classify past months. Lines sold before those were recorded are read with
today's rule (and, before `origin_km`, their offer's current origin). An origin is "unknown" when
it could not be placed (no supplier, a supplier known only by its region, an offer deleted
since) — never local.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from comptoir.catalog.provenance import LocalRule, origin_distance_km, origin_of
from comptoir.catalog.selectors import local_rule, postal_areas, production_areas
from comptoir.orders.models import OrderLine, ShopOrder

ALL_SHOPS = ""


@dataclass
class LocalShare:
    month: str  # "2026-11"
    shop_ref: str = ALL_SHOPS
    shop_name: str = ""
    local_cents: int = 0
    unknown_cents: int = 0
    total_cents: int = 0
    local_units: int = 0
    unknown_units: int = 0
    total_units: int = 0

    @property
    def value_percent(self) -> float | None:
        return None if not self.total_cents else round(100 * self.local_cents / self.total_cents, 1)

    @property
    def units_percent(self) -> float | None:
        return None if not self.total_units else round(100 * self.local_units / self.total_units, 1)

    def add(self, cents: int, units: int, origin: str) -> None:
        self.total_cents += cents
        self.total_units += units
        if origin == "local":
            self.local_cents += cents
            self.local_units += units
        elif origin == "unknown":
            self.unknown_cents += cents
            self.unknown_units += units

    def as_dict(self) -> dict[str, Any]:
        return {
            "month": self.month, "shop": self.shop_ref, "shop_name": self.shop_name,
            "local_cents": self.local_cents, "unknown_cents": self.unknown_cents, "total_cents": self.total_cents,
            "local_value_percent": self.value_percent, "local_units": self.local_units,
            "unknown_units": self.unknown_units, "total_units": self.total_units,
            "local_units_percent": self.units_percent,
        }  # fmt: skip


FIELDS = (
    "shop_order__shop__ref", "shop_order__shop__name", "shop_order__order__created", "total_cents", "quantity",
    "offer__origin_lat", "offer__origin_lon", "offer__supplier__lat", "offer__supplier__lon", "origin_km",
    "origin_local", "offer__supplier__postal_code", "offer__supplier__country", "offer__origin_postal_code",
    "offer__origin_country",
)  # fmt: skip


def _classify(rule: LocalRule, centre: tuple[float, float], origin_lat: Any, origin_lon: Any, lat: Any, lon: Any,
              areas: frozenset[str], declared_areas: frozenset[str]) -> str:  # fmt: skip
    origin = origin_of(
        origin_lat=origin_lat,
        origin_lon=origin_lon,
        supplier_lat=lat,
        supplier_lon=lon,
        supplier_areas=areas,
        origin_areas=declared_areas,
    )
    km = origin_distance_km(origin, centre)
    if km is None:
        return "unknown"
    return "local" if rule.is_local(km, origin.areas) else "far"


def _recorded(km: float, local: bool) -> str:
    if km < 0:
        return "unknown"
    return "local" if local else "far"


def _sold_lines(shop_ref: str | None, since: datetime | None) -> Iterable[tuple[Any, ...]]:
    lines = OrderLine.objects.filter(shop_order__status=ShopOrder.Status.COMPLETED, quantity__gt=0)
    if shop_ref is not None:
        lines = lines.filter(shop_order__shop__ref=shop_ref)
    if since is not None:
        lines = lines.filter(shop_order__order__created__gte=since)
    return lines.order_by().values_list(*FIELDS).iterator(chunk_size=5000)


def local_shares(*, shop_ref: str | None = None, since: datetime | None = None) -> list[LocalShare]:
    """One row per month for all shops (shop_ref ""), then one per month and shop; newest month
    first, shops by name. `shop_ref`: that shop's rows only (its back office)."""
    rule = local_rule()  # for the lines sold before the sale's own classification was kept
    lat, lon = settings.COMPTOIR_NODE_CENTRE
    centre = (float(lat), float(lon))
    totals: dict[str, LocalShare] = {}
    per_shop: dict[tuple[str, str], LocalShare] = {}
    seen: dict[tuple[Any, ...], str] = {}  # one classification per distinct origin
    zone = timezone.get_current_timezone()
    for (ref, name, created, cents, units, o_lat, o_lon, s_lat, s_lon, sold_km, sold_local, postal,
         country, o_postal, o_country) in _sold_lines(shop_ref, since):  # fmt: skip
        if sold_km is not None and sold_local is not None:
            key: tuple[Any, ...] = ("sold", sold_km, sold_local)
        elif sold_km is not None:  # the sale's distance, today's rule (the offer's current areas)
            key = ("km", sold_km, o_lat is not None, postal, country, o_postal, o_country)
        else:
            key = (o_lat, o_lon, s_lat, s_lon, postal, country, o_postal, o_country)
        if key not in seen:
            if key[0] == "sold":
                seen[key] = _recorded(sold_km, bool(sold_local))
            elif key[0] == "km":
                areas = (
                    production_areas(o_postal, o_country)
                    if o_lat is not None
                    else postal_areas(postal, country)
                )
                seen[key] = _recorded(sold_km, rule.is_local(sold_km, areas))
            else:
                seen[key] = _classify(rule, centre, o_lat, o_lon, s_lat, s_lon, postal_areas(postal, country),
                                      production_areas(o_postal, o_country))  # fmt: skip
        month = created.astimezone(zone).strftime("%Y-%m")
        if shop_ref is None:
            totals.setdefault(month, LocalShare(month)).add(cents, units, seen[key])
        per_shop.setdefault((month, ref), LocalShare(month, ref, name)).add(cents, units, seen[key])
    months = sorted({m for m, _ref in per_shop}, reverse=True)
    rows: list[LocalShare] = []
    for month in months:
        if month in totals:
            rows.append(totals[month])
        rows.extend(sorted((s for (m, _r), s in per_shop.items() if m == month), key=lambda s: s.shop_name))
    return rows


def overall(rows: Iterable[LocalShare]) -> LocalShare:
    """All the given per-shop (or all-shops) rows added up, as one row with month "all"."""
    total = LocalShare("all")
    for row in rows:
        total.total_cents += row.total_cents
        total.local_cents += row.local_cents
        total.unknown_cents += row.unknown_cents
        total.total_units += row.total_units
        total.local_units += row.local_units
        total.unknown_units += row.unknown_units
    return total
