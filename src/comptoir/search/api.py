"""`GET /api/v1/search`: the shared catalog for apps and other nodes, with facets and the "why"."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema

from comptoir.search.params import parse_params
from comptoir.search.selectors import page_as_dict, search_offers

router = Router(tags=["search"])


class SearchIn(Schema):
    q: str = ""
    near: str = ""
    neighbourhood: str = ""
    postal_code: str = ""
    radius_km: float | None = None
    category: str = ""
    shop: str = ""
    min_price: str = ""
    max_price: str = ""
    in_stock: bool = False
    local: bool = False  # only offers whose origin lies within the node's local radius
    open_now: bool = False
    sort: Literal["relevance", "distance", "price"] = "relevance"
    page: int = 1
    per_page: int = 20
    group: bool = False
    facets: bool = True
    lang: Literal["fr", "en", ""] = ""


class TermOut(Schema):
    term: str
    match: str
    matched: str | None


class WhyOut(Schema):
    text: str
    # How the offer matched, strictest first: exact, stem, description, typo, any_word ("all":
    # no words typed). A stricter tier always ranks before a looser one.
    tier: Literal["exact", "stem", "description", "typo", "any_word", "all"]
    formula: str
    terms: list[TermOut]
    text_score: float
    proximity_factor: float
    availability_factor: float
    local_factor: float  # 1 + half / (half + origin km); 1 when the origin is unknown
    weights: dict[str, float]  # exponents, proximity and origin half distances, the stock factors
    boosts: dict[str, float]  # how much a matched word counts in each field
    weights_source: dict[str, str]


class OriginOut(Schema):
    """Where the product comes from: km from the node's centre (null: cannot be placed)."""

    km: float | None
    supplier: str
    place: str
    local: bool  # within the governed radius `local_radius_km`; never for an unknown origin
    label: str  # the badge: "Produit à 23 km — Ferme des Trois-Rivières", or "Origine inconnue"


class GroupOfferOut(Schema):
    offer_id: int
    shop_ref: str
    shop_name: str
    price: str
    stock_state: str
    distance_km: float | None


class ChainBranchesOut(Schema):
    """A chain selling the product: its nearest branch with it in stock (else its nearest), at that
    branch's own price, and how many of its other branches sell it."""

    chain_id: int
    chain_name: str
    in_stock: bool
    other_branches: int
    nearest: GroupOfferOut


class GroupOut(Schema):
    group_key: str
    count: int
    min_price: str
    offers: list[GroupOfferOut]
    chains: list[ChainBranchesOut] = []


class HitOut(Schema):
    offer_id: int
    shop_ref: str
    shop_name: str
    sku: str
    gtin: str | None
    name: str
    unit_label: str
    category: str
    price: str
    price_cents: int
    stock_state: str
    distance_km: float | None
    score: float
    group_key: str
    origin: OriginOut
    why: WhyOut
    group: GroupOut | None = None


class FacetOut(Schema):
    value: str
    label: str
    count: int


class PriceBandOut(Schema):
    min: str | None
    max: str | None
    count: int


class FacetsOut(Schema):
    categories: list[FacetOut]
    subcategories: list[FacetOut]
    shops: list[FacetOut]
    price_bands: list[PriceBandOut]


class PlaceOut(Schema):
    lat: float
    lon: float
    source: str


class SearchOut(Schema):
    query: str
    near: PlaceOut
    total: int
    total_is_exact: bool  # without facets, `total` may be a lower bound ("more than N")
    page: int
    per_page: int
    sort: str
    matched: str
    ready: bool
    results: list[HitOut]
    facets: FacetsOut | None


@router.get("/search", response=SearchOut, summary="Search every shop of the node")
def search(request: HttpRequest, filters: Query[SearchIn]) -> dict[str, Any]:
    """Ranked by text × proximity × availability × local origin with governed weights; each
    result says why. `local=true` keeps the offers whose origin is within the node's local radius."""
    lang = filters.lang or getattr(request, "LANGUAGE_CODE", "fr")
    page = search_offers(parse_params(filters.dict()), lang)
    return page_as_dict(page, lang)
