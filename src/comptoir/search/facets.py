"""Facet counts over the whole match set, in one tantivy aggregation over fast fields."""

from __future__ import annotations

import itertools

import tantivy

from comptoir.search.documents import FacetCount, Facets, PriceBand

PRICE_BAND_EDGES_CENTS = (200, 500, 1000, 2000, 5000)
CATEGORY_FACET_SIZE = 30
SHOP_FACET_SIZE = 30


def _price_ranges() -> list[dict[str, float]]:
    edges = list(PRICE_BAND_EDGES_CENTS)
    ranges: list[dict[str, float]] = [{"to": edges[0]}]
    ranges += [{"from": lo, "to": hi} for lo, hi in itertools.pairwise(edges)]
    ranges.append({"from": edges[-1]})
    return ranges


FACET_SPEC = {
    "l1": {"terms": {"field": "category_l1", "size": CATEGORY_FACET_SIZE}},
    "l2": {"terms": {"field": "category_l2", "size": CATEGORY_FACET_SIZE}},
    "shops": {"terms": {"field": "shop_ref", "size": SHOP_FACET_SIZE}},
    "price": {"range": {"field": "price_cents", "ranges": _price_ranges()}},
}


TOTAL_SPEC = {"total": {"value_count": {"field": "offer_id"}}}


def count_matches(searcher: tantivy.Searcher, query: tantivy.Query) -> int:
    """The exact number of matches, unscored (an aggregation never computes BM25)."""
    return int(searcher.aggregate(query, TOTAL_SPEC)["total"]["value"] or 0)


def compute_facets(searcher: tantivy.Searcher, query: tantivy.Query) -> tuple[Facets, int]:
    """The facets and the exact total, in one pass over the match set."""
    result = searcher.aggregate(query, FACET_SPEC | TOTAL_SPEC)
    return _facets(result), int(result["total"]["value"] or 0)


def _facets(result: dict) -> Facets:
    return Facets(
        categories_l1=_counts(result["l1"]),
        categories_l2=_counts(result["l2"]),
        shops=_counts(result["shops"]),
        price_bands=tuple(_band(b) for b in result["price"]["buckets"]),
    )


def _counts(agg: dict) -> tuple[FacetCount, ...]:
    buckets = [FacetCount(str(b["key"]), int(b["doc_count"])) for b in agg["buckets"] if b["key"] != ""]
    return tuple(sorted(buckets, key=lambda f: (-f.count, f.value)))


def _band(bucket: dict) -> PriceBand:
    low = bucket.get("from")
    high = bucket.get("to")
    return PriceBand(
        min_cents=int(low) if low is not None else None,
        max_cents=int(high) if high is not None else None,
        count=int(bucket["doc_count"]),
    )
