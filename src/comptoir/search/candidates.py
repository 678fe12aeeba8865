"""Candidates: which offers tantivy is asked for, and how each is scored.

Without `near`, an exact top-k (k grows only while an unseen offer could still beat or tie
the page); with `near`, the best text matches overall plus the best among the nearest shops
(a heuristic); by price or distance, tantivy's and an exact sort. Equal scores (and equal
prices, equal distances) are ordered by the offer's tie key (`analysis.tie_key`), never by
its position in the index. Filters that keep most offers are checked here on fast fields
(see `plan`). No Django, no stored documents.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import tantivy

from comptoir.core.geo import haversine_km
from comptoir.search.analysis import TIE_FIELD
from comptoir.search.context import QueryContext
from comptoir.search.documents import STOCK_STATES, SearchQuery
from comptoir.search.locality import MAX_LOCAL_FACTOR, ORIGIN_FIELD, local_factor, read_km
from comptoir.search.plan import IN_STOCK, FilterPlan, IndexStats, PostFilter
from comptoir.search.queries import Tier, filter_queries, with_filters
from comptoir.search.ranking import availability_factor, combine, weighted

MIN_CANDIDATES = 40
MAX_CANDIDATES = 5000
RING_MAX_OFFERS = 20_000  # the nearby search keeps at most this many offers (~60 shops here)
DISTANCE_SORT_CAP = 5000
GROUP_OFFERS_SHOWN = 5
TIE_ROUNDS = 8  # rounds of `_complete_ties`; each reads TIE_ROUND_FACTOR × the page at most
TIE_ROUND_FACTOR = 4


@dataclass(slots=True)
class Candidate:
    address: tantivy.DocAddress
    text_score: float | None
    stock: int
    shop_id: int
    distance_km: float | None
    score: float
    tie: int  # `analysis.tie_key`: the order among equal scores
    tier: Tier
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

    def collect(self, ctx: QueryContext, text: tantivy.Query, tier: Tier, plan: FilterPlan) -> Found:
        query = ctx.query
        if ctx.stats.docs == 0 or ctx.needed <= 0:
            return Found(tier, text, [], True)
        if query.sort == "price":
            return self._by_price(ctx, text, tier, plan)
        if query.sort == "distance" and query.near is not None:
            return self._by_distance(ctx, text, tier, plan)
        if query.near is not None and ctx.weights.proximity > 0:
            return self._near(ctx, text, tier, plan)
        return self._top(ctx, text, tier, plan)

    def _top(self, ctx: QueryContext, text: tantivy.Query, tier: Tier, plan: FilterPlan) -> Found:
        """Top-k by text, re-ranked by stock, with as few candidates as the page allows.

        Stock (and distance, when proximity is off) can only lower a score, so no offer
        beyond the k-th text match can beat `text_k^w × best factor`, nor tie it unless it
        reaches that bound: once the page's last score is *above* the bound the page is
        exact; otherwise k grows fourfold. When the page's last score *equals* the bound, an
        unseen offer could tie it with a smaller tie key: `_complete_ties` fetches those.
        A local origin raises a score by up to `MAX_LOCAL_FACTOR^w_local`: when only such a
        raise could let an unseen offer in, only offers whose origin is near enough can, and
        `_near_origins` asks for those instead of growing k for every offer."""
        fast = with_filters(text, plan.pushed)
        weights, stats, needed = ctx.weights, ctx.stats, ctx.needed
        k = self.first_k(max(2 * needed, MIN_CANDIDATES), plan, stats)
        best_factor = max(
            weighted(availability_factor(s, weights), weights.availability) for s in STOCK_STATES
        )
        best_local = weighted(MAX_LOCAL_FACTOR, weights.local)
        while True:
            hits = ctx.searcher.search(fast, limit=k, count=False).hits
            seen_all = len(hits) < k or k >= stats.docs
            ranked = self.score(ctx, hits, plan, tier)
            ranked.sort(key=order)
            if seen_all:
                break
            edge = hits[-1][0]
            plain_bound = combine(edge, 1.0, best_factor, weights)
            bound = plain_bound * best_local
            if len(ranked) >= needed and ranked[needed - 1].score >= bound:
                if ranked[needed - 1].score == bound:
                    ranked = self._complete_ties(ctx, fast, hits, ranked, plan, tier, edge)
                break
            if len(ranked) >= needed and ranked[needed - 1].score > plain_bound > 0:
                ranked = self._near_origins(
                    ctx, fast, k, ranked, plan, tier, ranked[needed - 1].score / plain_bound
                )
                break
            if k >= MAX_CANDIDATES:
                break
            k = min(k * 4, MAX_CANDIDATES, stats.docs)
        if len(ranked) < needed and not seen_all:
            return self._all_filters_pushed(ctx, text, tier, plan)
        return Found(tier, text, ranked, seen_all)

    def _near_origins(
        self,
        ctx: QueryContext,
        fast: tantivy.Query,
        k: int,
        ranked: list[Candidate],
        plan: FilterPlan,
        tier: Tier,
        ratio: float,
    ) -> list[Candidate]:
        """The unseen offers that could still enter the page need a local factor above `ratio`
        (the page's last score over the bound without origins): an origin within `reach` km.
        Only those are searched, with the same growing top-k as `_top` (their own bound is
        `text_k^w × best factor × MAX_LOCAL_FACTOR^w_local`), up to MAX_CANDIDATES."""
        weights, needed = ctx.weights, ctx.needed
        excess = ratio ** (1.0 / weights.local) - 1.0  # the half / (half + km) they need
        if excess >= MAX_LOCAL_FACTOR - 1.0:
            return ranked  # no origin is near enough: the page is exact
        half = max(weights.local_half_km, 1e-6)
        reach = half / excess - half if excess > 0 else 20_000.0
        origin = tantivy.Query.range_query(self._schema, ORIGIN_FIELD, tantivy.FieldType.Float, 0.0, reach)
        near = with_filters(fast, [origin])
        best = max(weighted(availability_factor(s, weights), weights.availability) for s in STOCK_STATES)
        best *= weighted(MAX_LOCAL_FACTOR, weights.local)
        seen = {(c.address.segment_ord, c.address.doc) for c in ranked}
        while True:
            hits = ctx.searcher.search(near, limit=k, count=False).hits
            new = [(s, a) for s, a in hits if (a.segment_ord, a.doc) not in seen]
            seen.update((a.segment_ord, a.doc) for _, a in new)
            ranked = sorted(ranked + self.score(ctx, new, plan, tier), key=order)
            if len(hits) < k or k >= MAX_CANDIDATES:
                return ranked
            if ranked[needed - 1].score >= combine(hits[-1][0], 1.0, best, weights):
                return ranked
            k = min(k * 4, MAX_CANDIDATES)

    def _complete_ties(
        self,
        ctx: QueryContext,
        fast: tantivy.Query,
        hits: list[tuple[float, tantivy.DocAddress]],
        ranked: list[Candidate],
        plan: FilterPlan,
        tier: Tier,
        edge: float,
    ) -> list[Candidate]:
        """The page ends inside a run of equal scores that tantivy cut in index order at its
        last hit (text score `edge`). Only an unseen offer with that text score and a tie key
        below the page's last one could enter the page, so tantivy is asked again with a
        range on the tie key: the offers it returns first score above `edge` (all seen), then
        at `edge` — the ones wanted —, then below. A run can be thousands of offers long (one
        word in same-length names): each round reads a few times the page and lowers the
        page's last key, until a round sees the end of the run below it (a selection, ~log4
        of the run's length in rounds, not one read of the whole run)."""
        searcher, needed = ctx.searcher, ctx.needed
        # No words: every offer has the same text score, but tantivy scores its "all" query 0
        # once it is wrapped with a filter, so every offer returned is one of the tied.
        scored = bool(ctx.words)
        ties = searcher.fast_field_values(TIE_FIELD, [a for _, a in hits])
        seen = {(a.segment_ord, a.doc): int(t or 0) for (_, a), t in zip(hits, ties, strict=True)}
        for _ in range(TIE_ROUNDS):
            below = ranked[needed - 1].tie
            above = sum(1 for t in seen.values() if t < below)  # seen, with a score >= edge
            limit = min(above + TIE_ROUND_FACTOR * needed, MAX_CANDIDATES)
            query = with_filters(fast, [_range(self._schema, TIE_FIELD, 0, below - 1)])
            more = searcher.search(query, limit=limit, count=False).hits
            whole_run = len(more) < limit or (scored and more[-1][0] < edge)
            tied = [
                (s if scored else edge, a)
                for s, a in more
                if (a.segment_ord, a.doc) not in seen and (not scored or s >= edge)
            ]
            added = self.score(ctx, tied, plan, tier)
            new_ties = searcher.fast_field_values(TIE_FIELD, [a for _, a in tied]) if tied else []
            for (_, address), tie in zip(tied, new_ties, strict=True):
                seen[(address.segment_ord, address.doc)] = int(tie or 0)
            ranked = sorted(ranked + added, key=order)
            if whole_run:
                break
        return ranked

    def _all_filters_pushed(
        self, ctx: QueryContext, text: tantivy.Query, tier: Tier, plan: FilterPlan
    ) -> Found:
        """When the filters checked in Python dropped far more candidates than estimated
        (a query whose matches are mostly out of stock, say), let tantivy apply them all."""
        everything = plan.everything_pushed()
        k = self.first_k(max(ctx.weights.candidates, 2 * ctx.needed), everything, ctx.stats)
        hits = ctx.searcher.search(with_filters(text, everything.pushed), limit=k, count=False).hits
        ranked = self.score(ctx, hits, everything, tier)
        ranked.sort(key=order)
        return Found(tier, text, ranked, len(hits) < k, pushed_all=True)

    def _near(self, ctx: QueryContext, text: tantivy.Query, tier: Tier, plan: FilterPlan) -> Found:
        """Text × proximity × stock over the best text matches overall and the best ones
        among nearby shops: many offers tie on text, so the global top-k alone would
        miss the nearest. When the nearby shops are most of the allowed ones (a small
        radius, pushed into tantivy), one search over the allowed shops does both. This is a heuristic, not an
        exact top-k: an offer outside both lists (weaker text than the global top-k, farther
        than the nearby shops) cannot be ranked, and ties on text inside the nearby shops
        are cut in index order where the nearby list ends (within one shop, at one distance)."""
        assert ctx.query.near is not None
        searcher, weights, stats, needed = ctx.searcher, ctx.weights, ctx.stats, ctx.needed
        fast = with_filters(text, plan.pushed)
        ring = self._ring(stats, ctx.reach, ctx.shop_ids, 2 * weights.proximity_half_km)
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
        ranked = self.score(ctx, hits, plan, tier)
        ranked.sort(key=order)
        if len(ranked) < needed and not seen_all:
            return self._all_filters_pushed(ctx, text, tier, plan)
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

    def _by_price(self, ctx: QueryContext, text: tantivy.Query, tier: Tier, plan: FilterPlan) -> Found:
        """Cheapest first, equal prices by tie key. tantivy's price order cuts equal prices in
        index order where its list ends: when the page (or, grouped, any product) may reach
        that last price, every offer at exactly that price is fetched too, so the list is an
        exact prefix of the order (price, tie key)."""
        searcher, query, stats = ctx.searcher, ctx.query, ctx.stats
        k = ctx.needed
        if query.group:
            k = max(k * GROUP_OFFERS_SHOWN, ctx.weights.candidates)
        k = min(k, stats.docs)
        full = with_filters(text, plan.full)
        result = searcher.search(
            full, limit=k, count=False, order_by_field="price_cents", order=tantivy.Order.Asc
        )
        # Text scores are read (by `explain`) only for the hits that are shown.
        hits: list[tuple[float | None, tantivy.DocAddress]] = [(None, a) for _, a in result.hits]
        seen_all = len(hits) < k or k >= stats.docs
        prices = [int(p or 0) for p in searcher.fast_field_values("price_cents", [a for _, a in hits])]
        if not seen_all and (query.group or prices[min(ctx.needed, len(prices)) - 1] == prices[-1]):
            last = prices[-1]
            at_last = with_filters(full, [_range(self._schema, "price_cents", last, last)])
            tied = searcher.search(at_last, limit=MAX_CANDIDATES, count=False).hits
            known = {(a.segment_ord, a.doc) for _, a in hits}
            extra = [(None, a) for _, a in tied if (a.segment_ord, a.doc) not in known]
            hits += extra
            prices += [last] * len(extra)
        ranked = self.score(ctx, hits, None, tier)
        price_of = {(c.address.segment_ord, c.address.doc): p for c, p in zip(ranked, prices, strict=True)}
        ranked.sort(key=lambda c: (price_of[(c.address.segment_ord, c.address.doc)], c.tie))
        return Found(tier, text, ranked, seen_all)

    def _by_distance(self, ctx: QueryContext, text: tantivy.Query, tier: Tier, plan: FilterPlan) -> Found:
        """Nearest shops first: widen a ring of shops until it holds enough matches, then sort exactly."""
        query = ctx.query
        assert query.near is not None
        full = with_filters(text, plan.full)
        places = ctx.stats.places
        radius = 1.0
        max_radius = query.radius_km if query.radius_km is not None else 20_000.0
        hits: list[tuple[float, tantivy.DocAddress]] = []
        seen_all = False
        while radius < max_radius:
            ring = places.within(query.near, radius)
            if ctx.shop_ids is not None:
                ring &= ctx.shop_ids
            ring_query = with_filters(full, filter_queries(self._schema, SearchQuery(), ring))
            result = ctx.searcher.search(ring_query, limit=DISTANCE_SORT_CAP, count=True)
            if _count(result) >= ctx.needed or len(ring) == len(places.locations):
                hits = list(result.hits)
                seen_all = _count(result) <= DISTANCE_SORT_CAP and len(ring) == len(places.locations)
                break
            radius *= 2
        else:
            result = ctx.searcher.search(full, limit=DISTANCE_SORT_CAP, count=True)
            hits, seen_all = list(result.hits), _count(result) <= DISTANCE_SORT_CAP
        ranked = self.score(ctx, hits, None, tier)
        ranked.sort(key=lambda c: (c.distance_km or 0.0, -c.score, c.tie))
        return Found(tier, text, ranked, seen_all)

    def first_k(self, wanted: int, plan: FilterPlan, stats: IndexStats, in_shops: bool = False) -> int:
        """Enough candidates for `wanted` survivors of the filters checked in Python
        (`in_shops`: of a search already restricted to allowed shops)."""
        rate = plan.pass_rate_in_shops if in_shops else plan.pass_rate
        k = math.ceil(wanted / rate) + (10 if plan.post.active else 0)
        return max(1, min(k, stats.docs))

    def score(
        self,
        ctx: QueryContext,
        hits: Sequence[tuple[float | None, tantivy.DocAddress]],
        plan: FilterPlan | None,
        tier: Tier,
    ) -> list[Candidate]:
        """Check the Python-side filters and score each hit from fast fields (no stored documents)."""
        if not hits:
            return []
        searcher, query, weights = ctx.searcher, ctx.query, ctx.weights
        post = plan.post if plan is not None and plan.post.active else None
        near = query.near
        addresses = [a for _, a in hits]
        stocks = searcher.fast_field_values("stock", addresses)
        ties = searcher.fast_field_values(TIE_FIELD, addresses)
        need_shop = near is not None or (post is not None and post.shop_ids is not None)
        shops = searcher.fast_field_values("shop_id", addresses) if need_shop else None
        prices = searcher.fast_field_values("price_cents", addresses) if post and post.needs_price else None
        groups = searcher.fast_field_values("group_hash", addresses) if query.group else None
        # The origin is read only when it counts: with its weight at 0 the loop is as before.
        origins = searcher.fast_field_values(ORIGIN_FIELD, addresses) if weights.local else None
        # Hot loop: the factors are raised to their weights once per query, distances once per shop.
        avail = [
            weighted(availability_factor(state, weights), weights.availability) for state in STOCK_STATES
        ]
        half = max(weights.proximity_half_km, 1e-6)
        locations = ctx.stats.places.locations
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
                    d = (
                        haversine_km(near[0], near[1], location[0], location[1])
                        if location is not None
                        else None
                    )
                    shop_factor[shop] = (
                        d,
                        1.0 if d is None else weighted(half / (half + d), weights.proximity),
                    )
                dist, factor = shop_factor[shop]
            local = 1.0
            if origins is not None:
                local = weighted(local_factor(read_km(origins[i]), weights.local_half_km), weights.local)
            score = 0.0 if text is None else combine(text, factor, avail[stock], weights, local)
            group = int(groups[i] or 0) if groups is not None else 0
            out.append(Candidate(address, text, stock, shop, dist, score, int(ties[i] or 0), tier, group))
        return out


def _range(schema: tantivy.Schema, field: str, low: int, high: int) -> tantivy.Query:
    return tantivy.Query.range_query(schema, field, tantivy.FieldType.Integer, low, high)


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


def order(candidate: Candidate) -> tuple[int, float, int]:
    """Stricter tier first, then the score, then the tie key: never the index order, which a
    shop moves by editing its offer (a re-indexed document goes to the end)."""
    return (candidate.looseness, -candidate.score, candidate.tie)


def _count(result: Any) -> int:
    """Matches counted by a `count=True` search (tantivy-py's type stub lacks the attribute)."""
    return int(result.count)
