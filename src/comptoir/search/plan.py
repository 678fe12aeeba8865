"""Which filters go into the tantivy query, and which are checked on the candidates.

A filter that keeps most offers (in stock: ~80 %; "up to 8 €": ~90 %) costs more as a
tantivy clause than it saves: the intersection walks its huge posting list and stops
tantivy from skipping blocks of low-scoring documents. Such filters are checked in
Python on the candidates' fast fields instead, and the engine asks tantivy for a few
more candidates to make up for the ones they drop. A selective filter (a 5 km radius
is a tenth of the shops) goes into the query. Every filter is in `full`, the exact
query used for totals, facets, sorts by price or distance and group counts.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass

import tantivy

from comptoir.search.analysis import STOCK_CODES
from comptoir.search.documents import SearchQuery
from comptoir.search.places import ShopPlaces, load_shop_places
from comptoir.search.queries import box_filters, filter_queries

PUSH_BELOW = 0.5  # a filter keeping less than half the offers goes into the tantivy query
# A shop set is pushed only when small: its term-set costs ~7 ns per offer it keeps, paid
# in full even when the text matches a few hundred offers (a 5 km radius here: ~150,000).
SHOP_PUSH_BELOW = 0.05
POST_SHOPS_MIN_SURVIVORS = 4  # × the page: expected matches in the shops, else push them
BOX_PASS_RATE = 0.75  # share of a radius's bounding box inside its circle (π/4, uniform shops)
PRICE_EDGES_CENTS = tuple(range(25, 2000, 25)) + tuple(range(2000, 20_001, 250))
IN_STOCK = STOCK_CODES["in_stock"]


@dataclass(frozen=True, slots=True)
class IndexStats:
    """What the engine knows about the whole index, read once per reload (one aggregation)."""

    docs: int
    in_stock: int
    price_le: tuple[int, ...]  # offers priced at most PRICE_EDGES_CENTS[i]
    places: ShopPlaces

    def share_price(self, low: int | None, high: int | None) -> float:
        """An upper estimate of the share of offers priced within [low, high]."""
        if not self.docs:
            return 1.0
        above = self.docs if high is None else self._at_most(high, upper=True)
        below = 0 if low is None else self._at_most(low - 1, upper=False)
        return max(0.0, min(1.0, (above - below) / self.docs))

    def _at_most(self, cents: int, upper: bool) -> int:
        i = bisect.bisect_left(PRICE_EDGES_CENTS, cents)
        if i >= len(PRICE_EDGES_CENTS):
            return self.docs
        if PRICE_EDGES_CENTS[i] == cents or upper:
            return self.price_le[i]
        return self.price_le[i - 1] if i > 0 else 0


def load_stats(searcher: tantivy.Searcher) -> IndexStats:
    places = load_shop_places(searcher)
    docs = searcher.num_docs
    if not docs:
        return IndexStats(0, 0, (0,) * len(PRICE_EDGES_CENTS), places)
    bounds = [e + 1 for e in PRICE_EDGES_CENTS]
    ranges = [{"to": bounds[0]}] + [{"from": lo, "to": hi} for lo, hi in itertools.pairwise(bounds)]
    spec = {
        "stock": {"terms": {"field": "stock", "size": 10}},
        "price": {"range": {"field": "price_cents", "ranges": ranges}},
    }
    result = searcher.aggregate(tantivy.Query.all_query(), spec)
    in_stock = sum(int(b["doc_count"]) for b in result["stock"]["buckets"] if int(b["key"]) == IN_STOCK)
    counts = [int(b["doc_count"]) for b in result["price"]["buckets"] if b.get("to") is not None]
    price_le = tuple(itertools.accumulate(counts))
    return IndexStats(docs, in_stock, price_le, places)


@dataclass(frozen=True, slots=True)
class PostFilter:
    """The filters checked on candidates rather than in tantivy."""

    in_stock_only: bool = False
    min_price_cents: int | None = None
    max_price_cents: int | None = None
    shop_ids: frozenset[int] | None = None

    @property
    def needs_price(self) -> bool:
        return self.min_price_cents is not None or self.max_price_cents is not None

    @property
    def active(self) -> bool:
        return self.in_stock_only or self.needs_price or self.shop_ids is not None

    def keeps(self, stock: int, price: int | None, shop_id: int | None) -> bool:
        if self.in_stock_only and stock != IN_STOCK:
            return False
        if price is not None:
            if self.min_price_cents is not None and price < self.min_price_cents:
                return False
            if self.max_price_cents is not None and price > self.max_price_cents:
                return False
        return self.shop_ids is None or shop_id in self.shop_ids


@dataclass(frozen=True, slots=True)
class FilterPlan:
    pushed: list[tantivy.Query]
    unplaced: list[tantivy.Query]  # `pushed` without the shop filter, for searches on a subset of shops
    full: list[tantivy.Query]
    post: PostFilter
    pass_rate: float  # estimated share of the pushed query's matches that `post` keeps
    pass_rate_in_shops: float  # the same among offers of allowed shops (a search on a shop subset)
    shop_share: float  # share of all offers held by the allowed shops (1.0: no shop filter)
    full_unplaced: list[tantivy.Query]  # `full` without the shop filter
    shops_pushed: bool = True  # tantivy keeps only allowed shops' offers (a box counts: its edge is checked)
    box: tuple[tantivy.Query, ...] = ()  # the radius's bounding box, when it stands for the shop set

    def everything_pushed(self) -> FilterPlan:
        """The plan once the Python-side filters proved far more selective than estimated:
        every filter in tantivy, a radius still as its box (the circle checked on candidates)."""
        if self.box:
            pushed = self.full_unplaced + list(self.box)
            post, rate = PostFilter(shop_ids=self.post.shop_ids), BOX_PASS_RATE
        else:
            pushed, post, rate = self.full, PostFilter(), 1.0
        return FilterPlan(
            pushed,
            self.full_unplaced,
            self.full,
            post,
            rate,
            1.0,
            self.shop_share,
            self.full_unplaced,
            shops_pushed=True,
            box=self.box,
        )


def plan_filters(
    schema: tantivy.Schema,
    query: SearchQuery,
    shop_ids: set[int] | None,
    stats: IndexStats,
    most_matches: int | None = None,
) -> FilterPlan:
    """`most_matches`: about how many offers the words match (None: every offer).

    A radius alone (no caller's shop set) that is worth pushing goes in as a bounding box
    on the offers' coordinates, and the circle is checked on the candidates; `full` keeps
    the exact shop set (totals, facets, sorts)."""
    full = filter_queries(schema, query, shop_ids)
    docs = max(stats.docs, 1)
    shop_share = 1.0 if shop_ids is None else stats.places.offers_in(shop_ids) / docs
    stock_share = stats.in_stock / docs if query.in_stock_only else 1.0
    price_share = stats.share_price(query.min_price_cents, query.max_price_cents)
    post_stock = query.in_stock_only and stock_share >= PUSH_BELOW
    post_price = price_share < 1.0 and price_share >= PUSH_BELOW
    # Checked in Python, a shop set must still leave enough candidates from the text's
    # matches, or the engine would have to search again with it pushed.
    expected = (stats.docs if most_matches is None else most_matches) * shop_share * stock_share * price_share
    post_shops = (
        shop_ids is not None
        and shop_share >= SHOP_PUSH_BELOW
        and expected >= POST_SHOPS_MIN_SURVIVORS * (query.offset + query.limit)
    )
    pushed_query = SearchQuery(
        in_stock_only=query.in_stock_only and not post_stock,
        min_price_cents=None if post_price else query.min_price_cents,
        max_price_cents=None if post_price else query.max_price_cents,
        category=query.category,
        shop_refs=query.shop_refs,
        local_only=query.local_only,
        local_radius_km=query.local_radius_km,
        local_territory=query.local_territory,
    )
    unplaced = filter_queries(schema, pushed_query, None)
    box = (
        shop_ids is not None
        and not post_shops
        and query.shop_ids is None
        and query.near is not None
        and query.radius_km is not None
    )
    box_queries: tuple[tantivy.Query, ...] = ()
    if box:
        assert query.near is not None and query.radius_km is not None
        box_queries = tuple(box_filters(schema, query.near, query.radius_km))
        pushed = unplaced + list(box_queries)
    else:
        pushed = filter_queries(schema, pushed_query, None if post_shops else shop_ids)
    post = PostFilter(
        in_stock_only=post_stock,
        min_price_cents=query.min_price_cents if post_price else None,
        max_price_cents=query.max_price_cents if post_price else None,
        shop_ids=frozenset(shop_ids) if (post_shops or box) and shop_ids is not None else None,
    )
    in_shops = 1.0
    for kept, share in ((post_stock, stock_share), (post_price, price_share)):
        if kept:
            in_shops *= max(share, 0.05)
    rate = in_shops * (max(shop_share, 0.01) if post_shops else BOX_PASS_RATE if box else 1.0)
    full_unplaced = filter_queries(schema, query, None)
    return FilterPlan(
        pushed,
        unplaced,
        full,
        post,
        rate,
        in_shops,
        shop_share,
        full_unplaced,
        shops_pushed=not post_shops,
        box=box_queries,
    )
