"""The search call: typed parameters in, a page of results with facets and explanations out.

Web processes only read the index. Each keeps one reader and reloads it when the
index changed on disk: one `stat` of `meta.json` per search, whose inode changes at
every commit and with every generation a rebuild swaps in.
"""

from __future__ import annotations

import dataclasses
import os
import re
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db.models import Avg, Q

from comptoir.catalog.models import Category, Shop
from comptoir.catalog.provenance import LocalRule, origin_label
from comptoir.catalog.selectors import local_means, open_shop_ids
from comptoir.core import l10n
from comptoir.core.parameters import governed_many
from comptoir.search.documents import (
    Facets,
    FieldBoosts,
    Group,
    Hit,
    RankingWeights,
    SearchQuery,
    SearchResult,
)
from comptoir.search.engine import SearchIndex, StaleIndexError
from comptoir.search.params import SearchParams
from comptoir.search.services import index_path, node_centre

WEIGHT_PARAMETERS = {
    "text": "ranking_weight_text",
    "proximity": "ranking_weight_proximity",
    "availability": "ranking_weight_availability",
    "proximity_half_km": "ranking_proximity_half_km",
    "in_stock_factor": "ranking_in_stock_factor",
    "on_demand_factor": "ranking_on_demand_factor",
    "out_of_stock_factor": "ranking_out_of_stock_factor",
    "local": "ranking_weight_local",
    "local_half_km": "ranking_local_half_km",
}
LOCAL_RADIUS = "local_radius_km"
LOCAL_TERRITORY = "local_territory"
BOOST_PARAMETERS = {
    "own_name": "search_boost_own_name",
    "other_name": "search_boost_other_name",
    "description": "search_boost_description",
    "gtin": "search_boost_gtin",
    "typo": "search_boost_typo",
    "written_form": "search_boost_written_form",
}


@dataclass(frozen=True)
class Place:
    lat: float
    lon: float
    source: str  # "point" (near=), "neighbourhood", "postal_code" or "centre"


@dataclass(frozen=True)
class SearchPage:
    params: SearchParams
    place: Place
    result: SearchResult
    weights: RankingWeights
    weight_sources: dict[str, str]
    category_names: dict[str, str] = field(default_factory=dict)
    shop_names: dict[str, str] = field(default_factory=dict)
    ready: bool = True  # False while the node has no index yet
    ms: float = 0.0
    local_radius_km: float = 100.0  # governed: an origin within it is "local"
    local_territory: str = ""  # governed: when set, an origin inside it is "local" instead
    local_means: str = ""  # "within 100 km of the node's centre", "in Québec (CA-QC)"

    @property
    def pages(self) -> int:
        return max(1, -(-self.result.total // self.params.per_page))


class _Reader:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._index: SearchIndex | None = None
        self._path: Path | None = None
        self._stamp: tuple[int, int] | None = None

    def get(self) -> SearchIndex | None:
        path = index_path()
        try:
            meta = os.stat(path / "meta.json")
        except FileNotFoundError:
            return None
        stamp = (meta.st_ino, meta.st_mtime_ns)
        if self._index is not None and self._path == path and self._stamp == stamp:
            return self._index
        with self._lock:
            try:
                if self._index is None or self._path != path:
                    self._index, self._path = SearchIndex.open(path), path
                elif self._stamp != stamp:
                    self._index.reload()
            except StaleIndexError:
                # An index from before an upgrade: "not ready" until `comptoir search-rebuild`.
                self._index, self._path, self._stamp = None, None, None
                return None
            self._stamp = stamp
            return self._index


_READER = _Reader()


def ranking_weights() -> tuple[RankingWeights, dict[str, str], LocalRule]:
    """The governed weights, stock factors and field boosts, and where each comes from
    (shown in every explanation); and what "local" means: the radius (decision 0015) or the
    territory (decision 0020) voted."""
    names = [*WEIGHT_PARAMETERS.values(), *BOOST_PARAMETERS.values(), LOCAL_RADIUS, LOCAL_TERRITORY]
    found = governed_many(names)  # one read
    values = {key: found[name] for key, name in WEIGHT_PARAMETERS.items()}
    boosts = {key: found[name] for key, name in BOOST_PARAMETERS.items()}
    number = {key: float(value.value) for key, value in values.items()}
    weights = RankingWeights(
        text=number["text"],
        proximity=number["proximity"],
        availability=number["availability"],
        proximity_half_km=number["proximity_half_km"],
        in_stock_factor=number["in_stock_factor"],
        on_demand_factor=number["on_demand_factor"],
        out_of_stock_factor=number["out_of_stock_factor"],
        local=number["local"],
        local_half_km=number["local_half_km"],
        boosts=FieldBoosts(**{key: float(value.value) for key, value in boosts.items()}),
    )
    sources = {WEIGHT_PARAMETERS[key]: value.source for key, value in values.items()}
    sources |= {BOOST_PARAMETERS[key]: value.source for key, value in boosts.items()}
    sources[LOCAL_RADIUS] = found[LOCAL_RADIUS].source
    sources[LOCAL_TERRITORY] = found[LOCAL_TERRITORY].source
    rule = LocalRule(float(found[LOCAL_RADIUS].value), str(found[LOCAL_TERRITORY].value))
    return weights, sources, rule


def resolve_place(params: SearchParams) -> Place:
    """Where "near me" is: a point, else the middle of a neighbourhood's or postcode's shops, else the centre."""
    if params.near is not None:
        return Place(params.near[0], params.near[1], "point")
    for source, value, lookup in (
        ("neighbourhood", params.neighbourhood, "neighbourhood__iexact"),
        ("postal_code", params.postal_code, "postal_code"),
    ):
        if value:
            middle = Shop.objects.filter(**{lookup: value}).aggregate(lat=Avg("lat"), lon=Avg("lon"))
            if middle["lat"] is not None:
                return Place(middle["lat"], middle["lon"], source)
    lat, lon = node_centre()
    return Place(lat, lon, "centre")


def shop_filter(params: SearchParams) -> frozenset[int] | None:
    """The caller's shop set (a zone), narrowed to the shops open now when asked."""
    if not params.open_now:
        return params.shop_ids
    open_ids = frozenset(open_shop_ids())
    return open_ids if params.shop_ids is None else open_ids & params.shop_ids


def search_offers(params: SearchParams, lang: str = "fr") -> SearchPage:
    started = time.perf_counter()
    place = resolve_place(params)
    weights, sources, rule = ranking_weights()
    query = SearchQuery(
        local_only=params.local,
        local_radius_km=rule.radius_km,
        local_territory=rule.territory,
        text=params.text,
        near=(place.lat, place.lon),
        radius_km=params.radius_km,
        in_stock_only=params.in_stock,
        min_price_cents=params.min_price_cents,
        max_price_cents=params.max_price_cents,
        category=params.category or None,
        shop_refs=params.shop_refs or None,
        shop_ids=shop_filter(params),
        sort=params.sort,  # type: ignore[arg-type]
        limit=params.per_page,
        offset=(params.page - 1) * params.per_page,
        with_facets=params.facets,
        group=params.group,
    )
    index = _READER.get()
    if index is None:
        return SearchPage(params, place, SearchResult(0, ()), weights, sources, ready=False, **_local(rule))
    result = index.search(query, lang, weights=weights)
    categories, shops = _facet_names(result.facets, lang)
    ms = (time.perf_counter() - started) * 1000
    return SearchPage(params, place, result, weights, sources, categories, shops, True, ms, **_local(rule))


def _local(rule: LocalRule) -> dict[str, Any]:
    return {
        "local_radius_km": rule.radius_km,
        "local_territory": rule.territory,
        "local_means": local_means(rule),
    }


def _facet_names(facets: Facets | None, lang: str) -> tuple[dict[str, str], dict[str, str]]:
    if facets is None:
        return {}, {}
    paths = [f.value for f in facets.categories_l1 + facets.categories_l2]
    name_field = "name_en" if lang == "en" else "name_fr"
    categories = dict(Category.objects.filter(path__in=paths).values_list("path", name_field))
    refs = [f.value for f in facets.shops]
    shops = dict(Shop.objects.filter(Q(ref__in=refs)).values_list("ref", "name"))
    return categories, shops


# --- JSON, shared by the API and `comptoir search --json` -------------------------------------------


def _price(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _km(distance: float | None) -> float | None:
    return None if distance is None else round(distance, 3)


# How `services._quantity_label` writes an offer's size into the index (French, for grouping):
# "× 6" for six pieces, "0,4 kg" otherwise.
_STORED_PIECES = re.compile(r"^× (\d+(?:,\d+)?)$")
_STORED_AMOUNT = re.compile(r"^(\d+(?:,\d+)?) (\w+)$")


def unit_label(stored: str, lang: str) -> str:
    """An indexed size as the reader's language writes it: "× 6" → « 6 pièces », "6 pieces";
    "0,4 kg" → « 0,4 kg », "0.4 kg". A label of another shape is shown as stored."""
    pieces, amount = _STORED_PIECES.match(stored), _STORED_AMOUNT.match(stored)
    if pieces:
        return l10n.size(Decimal(pieces.group(1).replace(",", ".")), "piece", lang)
    if amount:
        return l10n.size(Decimal(amount.group(1).replace(",", ".")), amount.group(2), lang)
    return stored


def origin_badge(hit: Hit, lang: str = "fr") -> str:
    """ "Produit à 23 km — Ferme des Trois-Rivières" or "Origine inconnue": the origin in one line."""
    return origin_label(hit.origin_km, hit.supplier_name, lang)


def hit_as_dict(hit: Hit, lang: str, sources: dict[str, str]) -> dict[str, Any]:
    why = hit.why
    return {
        "offer_id": hit.offer_id,
        "shop_ref": hit.shop_ref,
        "shop_name": hit.shop_name,
        "sku": hit.sku,
        "gtin": hit.gtin,
        "name": hit.name,
        "unit_label": unit_label(hit.unit_label, lang),
        "category": hit.category_path,
        "price": _price(hit.price_cents),
        "price_cents": hit.price_cents,
        "stock_state": hit.stock_state,
        "distance_km": _km(hit.distance_km),
        "score": round(hit.score, 6),
        "group_key": hit.group_key,
        "origin": {
            "km": None if hit.origin_km is None else round(hit.origin_km, 1),
            "supplier": hit.supplier_name,
            "place": hit.origin_place,
            "local": hit.local,
            "label": origin_badge(hit, lang),
        },
        "why": {
            "text": hit.why_text(lang),
            "tier": why.tier,
            "formula": why.formula,
            "terms": [{"term": t.term, "match": t.kind, "matched": t.matched} for t in why.terms],
            "text_score": round(why.text_score, 6),
            "proximity_factor": round(why.proximity_factor, 6),
            "availability_factor": round(why.availability_factor, 6),
            "local_factor": round(why.local_factor, 6),
            "weights": {
                "text": why.weights.text,
                "proximity": why.weights.proximity,
                "availability": why.weights.availability,
                "proximity_half_km": why.weights.proximity_half_km,
                "in_stock_factor": why.weights.in_stock_factor,
                "on_demand_factor": why.weights.on_demand_factor,
                "out_of_stock_factor": why.weights.out_of_stock_factor,
                "local": why.weights.local,
                "local_half_km": why.weights.local_half_km,
            },
            "boosts": dataclasses.asdict(why.weights.boosts),
            "weights_source": sources,
        },
    }


def group_as_dict(group: Group) -> dict[str, Any]:
    return {
        "group_key": group.group_key,
        "count": group.count,
        "min_price": _price(group.min_price_cents),
        "offers": [
            {
                "offer_id": o.offer_id,
                "shop_ref": o.shop_ref,
                "shop_name": o.shop_name,
                "price": _price(o.price_cents),
                "stock_state": o.stock_state,
                "distance_km": _km(o.distance_km),
            }
            for o in group.offers
        ],
        "chains": [
            {
                "chain_id": c.chain_id,
                "chain_name": c.chain_name,
                "in_stock": c.in_stock,
                "other_branches": c.other_branches,
                "nearest": {
                    "offer_id": c.nearest.offer_id,
                    "shop_ref": c.nearest.shop_ref,
                    "shop_name": c.nearest.shop_name,
                    "price": _price(c.nearest.price_cents),
                    "stock_state": c.nearest.stock_state,
                    "distance_km": _km(c.nearest.distance_km),
                },
            }
            for c in group.chains
        ],
    }


def page_as_dict(page: SearchPage, lang: str = "fr") -> dict[str, Any]:
    result, params = page.result, page.params
    groups = {g.best.offer_id: g for g in result.groups}
    results = []
    for hit in result.hits:
        entry = hit_as_dict(hit, lang, page.weight_sources)
        if hit.offer_id in groups:
            entry["group"] = group_as_dict(groups[hit.offer_id])
        results.append(entry)
    return {
        "query": params.text,
        "near": {"lat": page.place.lat, "lon": page.place.lon, "source": page.place.source},
        "total": result.total,
        "total_is_exact": result.total_is_exact,
        "page": params.page,
        "per_page": params.per_page,
        "sort": params.sort,
        "matched": result.relaxed,
        "ready": page.ready,
        "results": results,
        "facets": _facets_as_dict(page) if result.facets is not None else None,
    }


def _facets_as_dict(page: SearchPage) -> dict[str, Any]:
    facets = page.result.facets
    assert facets is not None

    def counts(values: tuple[Any, ...], names: dict[str, str]) -> list[dict[str, Any]]:
        return [{"value": f.value, "label": names.get(f.value, f.value), "count": f.count} for f in values]

    return {
        "categories": counts(facets.categories_l1, page.category_names),
        "subcategories": counts(facets.categories_l2, page.category_names),
        "shops": counts(facets.shops, page.shop_names),
        "price_bands": [
            {
                "min": None if b.min_cents is None else _price(b.min_cents),
                "max": None if b.max_cents is None else _price(b.max_cents),
                "count": b.count,
            }
            for b in facets.price_bands
        ],
    }
