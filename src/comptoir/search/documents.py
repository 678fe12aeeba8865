"""The dataclasses that go in and out of the search engine.

Everything the engine is told about an offer is an `OfferDoc`; everything it
answers is a `SearchResult`. No Django here: the catalog app converts its rows
into `OfferDoc`s, the API converts `SearchResult`s into JSON.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

StockState = Literal["in_stock", "on_demand", "out_of_stock"]
SortOrder = Literal["relevance", "distance", "price"]
MatchKind = Literal["exact", "fuzzy", "other_field", "missing"]
# How an offer matched the query, strictest first; a stricter tier always ranks before a looser
# one, so the explanation says which one answered: every word as typed, every word through its
# stem ("pains" -> "pain"), some word only in a description, a typo corrected, only some words.
MatchTier = Literal["exact", "stem", "description", "typo", "any_word", "all"]
STOCK_STATES: tuple[str, ...] = ("in_stock", "on_demand", "out_of_stock")


@dataclass(frozen=True, slots=True)
class OfferDoc:
    """One offer as the index sees it: a shop's product, its price, stock and the shop's location."""

    offer_id: int
    shop_id: int
    shop_ref: str
    shop_name: str
    sku: str
    gtin: str | None
    name_fr: str
    name_en: str
    description_fr: str
    description_en: str
    category_path: str
    price_cents: int
    stock_state: str
    lat: float
    lon: float
    unit_label: str
    group_key: str
    # Provenance (decision 0015): km from the origin to the node's centre, None when it cannot
    # be placed; who made it and where, for the badge ("Produit à 23 km — Ferme des Trois-Rivières").
    origin_km: float | None = None
    supplier_name: str = ""
    origin_place: str = ""
    origin_areas: tuple[str, ...] = ()  # territories of the supplier's postal code ("CA", "CA-QC")
    chain_id: int = 0  # the shop's chain (organisation), 0 for a shop of its own
    chain_name: str = ""


@dataclass(frozen=True, slots=True)
class FieldBoosts:
    """How much a word counts in each field (governed, `search_boost_*`): BM25 scores of the
    fields add up, each multiplied by its boost."""

    own_name: float = 3.0  # the name in the resident's language
    other_name: float = 2.0  # the name in the other language
    description: float = 0.5
    gtin: float = 5.0  # a typed barcode naming the product
    typo: float = 1.0  # a name word one edit away from a word no name contains
    written_form: float = 1.0  # the word as typed (unstemmed) in a name, on top of its stem


@dataclass(frozen=True, slots=True)
class RankingWeights:
    """The governed ranking parameters: nothing else may move an offer up or down.

    score = text ** text × proximity_factor ** proximity × availability_factor ** availability
            × local_factor ** local
    where proximity_factor = proximity_half_km / (proximity_half_km + distance_km)
    (1 at the door, 0.5 at `proximity_half_km`), availability_factor is one of
    the three stock factors below, and local_factor = 1 + local_half_km / (local_half_km +
    origin_km) (2 for an origin at the node's centre, 1.5 at `local_half_km`, 1 when the
    origin is unknown: `locality`). A weight of 0 switches its factor off.
    """

    text: float = 1.0
    proximity: float = 1.0
    availability: float = 1.0
    proximity_half_km: float = 2.0
    in_stock_factor: float = 1.0
    on_demand_factor: float = 0.6
    out_of_stock_factor: float = 0.2
    local: float = 0.0  # the governed default is in `core.parameters`; 0 here keeps bare engines as before
    local_half_km: float = 50.0
    candidates: int = 200
    boosts: FieldBoosts = field(default_factory=FieldBoosts)


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """What a resident (or a peer node) asks for."""

    text: str = ""
    near: tuple[float, float] | None = None
    radius_km: float | None = None
    in_stock_only: bool = False
    min_price_cents: int | None = None
    max_price_cents: int | None = None
    category: str | None = None
    shop_refs: frozenset[str] | set[str] | None = None
    shop_ids: frozenset[int] | set[int] | None = None
    sort: SortOrder = "relevance"
    limit: int = 20
    offset: int = 0
    with_facets: bool = False
    group: bool = False
    exact_total: bool = False  # count every match even without facets (one extra unscored pass)
    local_only: bool = False  # only offers whose origin lies within `local_radius_km` of the node
    local_radius_km: float = 100.0
    local_territory: str = ""  # when set ("CA-QC"), "local" is an origin inside it instead (decision 0020)


@dataclass(frozen=True, slots=True)
class TermMatch:
    """How one word of the query matched an offer."""

    term: str
    kind: MatchKind
    matched: str | None = None


@dataclass(frozen=True, slots=True)
class Why:
    """Why a hit is where it is: every factor of its score, and nothing else."""

    terms: tuple[TermMatch, ...]
    text_score: float
    distance_km: float | None
    proximity_factor: float
    stock_state: str
    availability_factor: float
    weights: RankingWeights
    score: float
    tier: MatchTier = "all"
    origin_km: float | None = None
    local_factor: float = 1.0
    supplier_name: str = ""
    local: bool = False  # the origin lies within the node's local radius

    @property
    def formula(self) -> str:
        """ "6.854^1 × 0.625^1 × 1.00^1 = 4.2838": the whole score, factor by factor (and
        "× 1.685^0.5" for the origin when its weight is not 0)."""
        from comptoir.search.ranking import score_formula

        return score_formula(
            self.text_score, self.proximity_factor, self.availability_factor, self.weights, self.local_factor
        )

    def why_text(self, lang: str = "fr") -> str:
        from comptoir.search.ranking import render_why

        return render_why(self, lang)


@dataclass(frozen=True, slots=True)
class Hit:
    offer_id: int
    shop_id: int
    shop_ref: str
    shop_name: str
    sku: str
    gtin: str | None
    name: str
    unit_label: str
    category_path: str
    price_cents: int
    stock_state: str
    distance_km: float | None
    score: float
    group_key: str
    why: Why
    origin_km: float | None = None
    supplier_name: str = ""
    origin_place: str = ""
    local: bool = False
    chain_id: int = 0  # the branch's chain, 0 for a shop of its own

    def why_text(self, lang: str = "fr") -> str:
        return self.why.why_text(lang)


@dataclass(frozen=True, slots=True)
class GroupOffer:
    offer_id: int
    shop_ref: str
    shop_name: str
    price_cents: int
    stock_state: str
    distance_km: float | None


@dataclass(frozen=True, slots=True)
class ChainBranches:
    """One chain's branches selling a product: the nearest that has it in stock (else the
    nearest), and how many other branches sell it — "en stock à 1,2 km — QJ Gare ; 3 autres
    succursales". Its offer carries that branch's own price."""

    chain_id: int
    chain_name: str
    nearest: GroupOffer
    in_stock: bool
    other_branches: int


@dataclass(frozen=True, slots=True)
class Group:
    """The same product in several shops: "3 shops have it, from 2,40 €"; for each chain among
    them, its nearest branch with the product in stock."""

    group_key: str
    best: Hit
    count: int
    min_price_cents: int
    offers: tuple[GroupOffer, ...]
    chains: tuple[ChainBranches, ...] = ()


@dataclass(frozen=True, slots=True)
class FacetCount:
    value: str
    count: int


@dataclass(frozen=True, slots=True)
class PriceBand:
    min_cents: int | None
    max_cents: int | None
    count: int


@dataclass(frozen=True, slots=True)
class Facets:
    categories_l1: tuple[FacetCount, ...] = ()
    categories_l2: tuple[FacetCount, ...] = ()
    shops: tuple[FacetCount, ...] = ()
    price_bands: tuple[PriceBand, ...] = ()


@dataclass(frozen=True, slots=True)
class SearchResult:
    """`total` counts the matching offers; `hits` is the requested page.

    `total` is exact when `total_is_exact`: always with facets or `exact_total`, and
    whenever the engine saw every match anyway; otherwise it is a lower bound ("more than
    40"), because counting a broad word's 200,000 matches costs more than the search.
    When grouped, `groups` is the page (one entry per product) and `hits` holds
    each group's best offer in the same order. `relaxed` says which matching
    tier answered: "exact" (names, or names and descriptions), "fuzzy" (typo
    tolerance) or "any_word"; offers of a stricter tier come first.
    """

    total: int
    hits: tuple[Hit, ...]
    groups: tuple[Group, ...] = ()
    facets: Facets | None = None
    relaxed: str = "exact"
    terms: tuple[str, ...] = field(default_factory=tuple)
    total_is_exact: bool = True


def fold_text(text: str) -> str:
    """Lowercase, strip accents and punctuation: "Crème Fraîche 30 %" -> "creme fraiche 30"."""
    decomposed = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "OE"))
    ascii_only = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    return " ".join(re.findall(r"[a-z0-9]+", ascii_only))


def group_key_for(name: str, unit_label: str, gtin: str | None) -> str:
    """Offers with the same key are the same product: by GTIN, else by folded name and size."""
    digits = re.sub(r"\D", "", gtin or "")
    if digits:
        return "gtin:" + digits.zfill(14)  # GTIN-14 form: EAN-13 and UPC-A of one product agree
    size = fold_text(unit_label).replace(" ", "")
    return "name:" + fold_text(name) + "|" + size
