"""Candidates: which offers tantivy is asked for, and how each is scored.

Without `near`, an exact top-k (k grows only while an unseen offer could still beat the
page); with `near`, the best text matches overall plus the best among the nearest shops
(a heuristic); by price or distance, tantivy's and an exact sort. Filters that keep most
offers are checked here on fast fields (see `plan`). No Django, no stored documents.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import tantivy

from comptoir.search.documents import STOCK_STATES, RankingWeights, SearchQuery
from comptoir.search.plan import IN_STOCK, FilterPlan, IndexStats, PostFilter
from comptoir.search.queries import Tier, filter_queries, with_filters
from comptoir.search.ranking import availability_factor as _availability
from comptoir.search.ranking import haversine_km

MIN_CANDIDATES = 40
MAX_CANDIDATES = 5000
RING_MAX_OFFERS = 20_000  # the nearby search keeps at most this many offers (~60 shops here)
DISTANCE_SORT_CAP = 5000
GROUP_OFFERS_SHOWN = 5


@dataclass(slots=True)
class Candidate:
    address: tantivy.DocAddress
    text_score: float | None
    stock: int
    shop_id: int
    distance_km: float | None
    score: float
    group_hash: int = 0
    looseness: int = 0  # 0: matched by the tier that answered first; a looser tier's matches come after


@dataclass(slots=True)
class Found:
    """The ranked candidates of one matching tier, and whether they are all its matches."""

    tier: Tier
    text: tantivy.Query
    ranked: list[Candidate]
    seen_all: bool
    looseness: int = 0
    pushed_all: bool = False  # the filters checked in Python had to be pushed into tantivy


class Candidates:
    """The candidate collection of one index (its schema); stateless between queries (the
    last ring of shops is reused only for the very same query objects)."""

    def __init__(self, schema: tantivy.Schema) -> None:
        self._schema = schema
        self._last_ring: tuple[dict[int, float], set[int] | None, float, set[int]] | None = None

    def collect(
        self,
        searcher: tantivy.Searcher,
        text: tantivy.Query,
        tier: Tier,
        plan: FilterPlan,
        shop_ids: set[int] | None,
        reach: dict[int, float],
        query: SearchQuery,
        weights: RankingWeights,
        stats: IndexStats,
    ) -> Found:
        needed = query.offset + query.limit
        if stats.docs == 0 or needed <= 0:
            return Found(tier, text, [], True)
        if query.sort == "price":
            return self._by_price(searcher, text, tier, plan, query, weights, stats)
        if query.sort == "distance" and query.near is not None:
            return self._by_distance(searcher, text, tier, plan, shop_ids, query, weights, stats)
        if query.near is not None and weights.proximity > 0:
            return self._near(searcher, text, tier, plan, shop_ids, reach, query, weights, stats)
        return self._top(searcher, text, tier, plan, query, weights, stats)

    def _top(
        self,
        searcher: tantivy.Searcher,
        text: tantivy.Query,
        tier: Tier,
        plan: FilterPlan,
        query: SearchQuery,
        weights: RankingWeights,
        stats: IndexStats,
    ) -> Found:
        """Top-k by text, re-ranked by stock, with as few candidates as the page allows.

        Stock (and distance, when proximity is off) can only lower a score, so no offer
        beyond the k-th text match can beat `text_k^w × best factor`: once the page's last
        score reaches that bound the page is exact; otherwise k grows fourfold."""
        fast = with_filters(text, plan.pushed)
        needed = query.offset + query.limit
        k = self.first_k(max(2 * needed, MIN_CANDIDATES), plan, stats)
        best_factor = max(_availability(s, weights) for s in STOCK_STATES) ** weights.availability
        while True:
            hits = searcher.search(fast, limit=k, count=False).hits
            seen_all = len(hits) < k or k >= stats.docs
            ranked = self.score(searcher, hits, plan, query, weights, stats)
            ranked.sort(key=order)
            if seen_all:
                break
            bound = max(hits[-1][0], 0.0) ** weights.text * best_factor
            if len(ranked) >= needed and ranked[needed - 1].score >= bound:
                break
            if k >= MAX_CANDIDATES:
                break
            k = min(k * 4, MAX_CANDIDATES, stats.docs)
        if len(ranked) < needed and not seen_all:
            return self._all_filters_pushed(searcher, text, tier, plan, query, weights, stats)
        return Found(tier, text, ranked, seen_all)

    def _all_filters_pushed(
        self,
        searcher: tantivy.Searcher,
        text: tantivy.Query,
        tier: Tier,
        plan: FilterPlan,
        query: SearchQuery,
        weights: RankingWeights,
        stats: IndexStats,
    ) -> Found:
        """When the filters checked in Python dropped far more candidates than estimated
        (a query whose matches are mostly out of stock, say), let tantivy apply them all."""
        everything = plan.everything_pushed()
        k = self.first_k(max(weights.candidates, 2 * (query.offset + query.limit)), everything, stats)
        hits = searcher.search(with_filters(text, everything.pushed), limit=k, count=False).hits
        ranked = self.score(searcher, hits, everything, query, weights, stats)
        ranked.sort(key=order)
        return Found(tier, text, ranked, len(hits) < k, pushed_all=True)

    def _near(
        self,
        searcher: tantivy.Searcher,
        text: tantivy.Query,
        tier: Tier,
        plan: FilterPlan,
        shop_ids: set[int] | None,
        reach: dict[int, float],
        query: SearchQuery,
        weights: RankingWeights,
        stats: IndexStats,
    ) -> Found:
        """Text × proximity × stock over the best text matches overall and the best ones
        among nearby shops: many offers tie on text, so the global top-k alone would
        miss the nearest. When the nearby shops are most of the allowed ones (a small
        radius, pushed into tantivy), one search over the allowed shops does both. This is a heuristic, not an
        exact top-k: an offer outside both lists (weaker text than the global top-k, farther
        than the nearby shops) cannot be ranked, and ties on text inside the nearby shops
        are cut in index order, not by distance."""
        assert query.near is not None
        fast = with_filters(text, plan.pushed)
        needed = query.offset + query.limit
        ring = self._ring(stats, reach, shop_ids, 2 * weights.proximity_half_km)
        ring_share = stats.places.offers_in(ring) / stats.docs
        if not ring or (plan.shops_pushed and ring_share >= 0.5 * plan.shop_share):
            k = self.first_k(max(weights.candidates, needed), plan, stats)
            hits = searcher.search(fast, limit=k, count=False).hits
            seen_all = len(hits) < k or k >= stats.docs
        else:
            k_ring = self.first_k(max(weights.candidates, needed), plan, stats, in_shops=True)
            k_all = self.first_k(max(2 * needed, MIN_CANDIDATES), plan, stats)
            hits = searcher.search(fast, limit=k_all, count=False).hits
            seen_all = len(hits) < k_all or k_all >= stats.docs
            if not seen_all:
                # The ring is already inside the allowed shops: no need to build both shop
                # sets. Its term set is small (RING_MAX_OFFERS): cheap to build, cheap to seek.
                ring_filter = filter_queries(self._schema, SearchQuery(), ring)
                ring_query = with_filters(text, plan.unplaced + ring_filter)
                nearby = searcher.search(ring_query, limit=k_ring, count=False).hits
                hits = list({(a.segment_ord, a.doc): (s, a) for s, a in [*hits, *nearby]}.values())
        ranked = self.score(searcher, hits, plan, query, weights, stats)
        ranked.sort(key=order)
        if len(ranked) < needed and not seen_all:
            return self._all_filters_pushed(searcher, text, tier, plan, query, weights, stats)
        return Found(tier, text, ranked, seen_all)

    def _ring(
        self, stats: IndexStats, reach: dict[int, float], shop_ids: set[int] | None, km: float
    ) -> set[int]:
        """The nearest allowed shops within `km`, nearest first, up to RING_MAX_OFFERS offers:
        a term-set filter costs in proportion to the offers it keeps. Kept for the next tier
        of the same query (the same `reach` and `shop_ids` objects)."""
        last = self._last_ring
        if last is not None and last[0] is reach and last[1] is shop_ids and last[2] == km:
            return last[3]
        offers = stats.places.offers
        ring: set[int] = set()
        held = 0
        for _, shop in sorted((d, s) for s, d in reach.items() if d <= km):
            if held >= RING_MAX_OFFERS:
                break
            if shop_ids is None or shop in shop_ids:
                ring.add(shop)
                held += offers.get(shop, 0)
        self._last_ring = (reach, shop_ids, km, ring)
        return ring

    def _by_price(
        self,
        searcher: tantivy.Searcher,
        text: tantivy.Query,
        tier: Tier,
        plan: FilterPlan,
        query: SearchQuery,
        weights: RankingWeights,
        stats: IndexStats,
    ) -> Found:
        k = query.offset + query.limit
        if query.group:
            k = max(k * GROUP_OFFERS_SHOWN, weights.candidates)
        k = min(k, stats.docs)
        result = searcher.search(
            with_filters(text, plan.full),
            limit=k,
            count=False,
            order_by_field="price_cents",
            order=tantivy.Order.Asc,
        )
        # Text scores are read (by `explain`) only for the hits that are shown.
        hits = [(None, a) for _, a in result.hits]
        ranked = self.score(searcher, hits, None, query, weights, stats)
        return Found(tier, text, ranked, len(hits) < k or k >= stats.docs)

    def _by_distance(
        self,
        searcher: tantivy.Searcher,
        text: tantivy.Query,
        tier: Tier,
        plan: FilterPlan,
        shop_ids: set[int] | None,
        query: SearchQuery,
        weights: RankingWeights,
        stats: IndexStats,
    ) -> Found:
        """Nearest shops first: widen a ring of shops until it holds enough matches, then sort exactly."""
        assert query.near is not None
        full = with_filters(text, plan.full)
        needed = query.offset + query.limit
        places = stats.places
        radius = 1.0
        max_radius = query.radius_km if query.radius_km is not None else 20_000.0
        hits: list[tuple[float, tantivy.DocAddress]] = []
        seen_all = False
        while radius < max_radius:
            ring = places.within(query.near, radius)
            if shop_ids is not None:
                ring &= shop_ids
            ring_query = with_filters(full, filter_queries(self._schema, SearchQuery(), ring))
            result = searcher.search(ring_query, limit=DISTANCE_SORT_CAP, count=True)
            if _count(result) >= needed or len(ring) == len(places.locations):
                hits = list(result.hits)
                seen_all = _count(result) <= DISTANCE_SORT_CAP and len(ring) == len(places.locations)
                break
            radius *= 2
        else:
            result = searcher.search(full, limit=DISTANCE_SORT_CAP, count=True)
            hits, seen_all = list(result.hits), _count(result) <= DISTANCE_SORT_CAP
        ranked = self.score(searcher, hits, None, query, weights, stats)
        ranked.sort(key=lambda c: (c.distance_km or 0.0, -c.score, c.address.segment_ord, c.address.doc))
        return Found(tier, text, ranked, seen_all)

    def first_k(self, wanted: int, plan: FilterPlan, stats: IndexStats, in_shops: bool = False) -> int:
        """Enough candidates for `wanted` survivors of the filters checked in Python
        (`in_shops`: of a search already restricted to allowed shops)."""
        rate = plan.pass_rate_in_shops if in_shops else plan.pass_rate
        k = math.ceil(wanted / rate) + (10 if plan.post.active else 0)
        return max(1, min(k, stats.docs))

    def score(
        self,
        searcher: tantivy.Searcher,
        hits: Sequence[tuple[float | None, tantivy.DocAddress]],
        plan: FilterPlan | None,
        query: SearchQuery,
        weights: RankingWeights,
        stats: IndexStats,
    ) -> list[Candidate]:
        """Check the Python-side filters and score each hit from fast fields (no stored documents)."""
        if not hits:
            return []
        post = plan.post if plan is not None and plan.post.active else None
        near = query.near
        addresses = [a for _, a in hits]
        stocks = searcher.fast_field_values("stock", addresses)
        need_shop = near is not None or (post is not None and post.shop_ids is not None)
        shops = searcher.fast_field_values("shop_id", addresses) if need_shop else None
        prices = searcher.fast_field_values("price_cents", addresses) if post and post.needs_price else None
        groups = searcher.fast_field_values("group_hash", addresses) if query.group else None
        # Hot loop: the factors are raised to their weights once per query, distances once per shop.
        avail = [_availability(state, weights) ** weights.availability for state in STOCK_STATES]
        half, w_text, w_prox = max(weights.proximity_half_km, 1e-6), weights.text, weights.proximity
        locations = stats.places.locations
        shop_factor: dict[int, tuple[float | None, float]] = {}
        out: list[Candidate] = []
        for i in _kept(post, len(hits), stocks, shops, prices):
            text, address = hits[i]
            stock = int(stocks[i] or 0)
            shop = int(shops[i] or 0) if shops is not None else 0
            dist, factor = None, 1.0
            if near is not None:
                if shop not in shop_factor:
                    location = locations.get(shop)
                    d = haversine_km(near, location) if location is not None else None
                    shop_factor[shop] = (d, 1.0 if d is None else (half / (half + d)) ** w_prox)
                dist, factor = shop_factor[shop]
            score = 0.0 if text is None else max(text, 0.0) ** w_text * avail[stock] * factor
            group = int(groups[i] or 0) if groups is not None else 0
            out.append(Candidate(address, text, stock, shop, dist, score, group))
        return out


def _kept(
    post: PostFilter | None, n: int, stocks: Sequence, shops: Sequence | None, prices: Sequence | None
) -> Sequence[int]:
    """The positions of the hits that pass the Python-side filters (`PostFilter.keeps`), one
    comprehension per filter: with a shop set checked here, most candidates drop out."""
    kept: Sequence[int] = range(n)
    if post is None:
        return kept
    if post.in_stock_only:
        kept = [i for i in kept if int(stocks[i] or 0) == IN_STOCK]
    if post.shop_ids is not None and shops is not None:
        allowed = post.shop_ids
        kept = [i for i in kept if int(shops[i] or 0) in allowed]
    if prices is not None:
        low, high = post.min_price_cents, post.max_price_cents
        if low is not None:
            kept = [i for i in kept if int(prices[i] or 0) >= low]
        if high is not None:
            kept = [i for i in kept if int(prices[i] or 0) <= high]
    return kept


def order(candidate: Candidate) -> tuple[int, float, int, int]:
    # Ties keep tantivy's own order (index order), so a page read from the top-k is exact.
    return (candidate.looseness, -candidate.score, candidate.address.segment_ord, candidate.address.doc)


def _count(result: Any) -> int:
    """Matches counted by a `count=True` search (tantivy-py's type stub lacks the attribute)."""
    return int(result.count)
