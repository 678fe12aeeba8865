"""The `SearchEngine` port and its tantivy adapter, `SearchIndex`.

Layout on disk: `path` is a symlink to a generation directory `path.gen-<ns>`.
A full rebuild (`build`) writes a new generation and swaps the symlink
atomically; readers keep serving the old generation until `reload()`.
Several processes read; one process writes (tantivy's own lock enforces it).
Readers use a manual reload policy, so that a searcher, its shop map and its
caches always describe the same commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import tantivy

from comptoir.search.analysis import (
    Analyzers,
    QueryWord,
    make_analyzers,
    query_words,
    register_analyzers,
    to_tantivy,
)
from comptoir.search.documents import (
    STOCK_STATES,
    Facets,
    Group,
    GroupOffer,
    Hit,
    OfferDoc,
    RankingWeights,
    SearchQuery,
    SearchResult,
)
from comptoir.search.facets import compute_facets
from comptoir.search.places import ShopPlaces, load_shop_places
from comptoir.search.queries import TIERS, Tier, filter_queries, group_filter, text_query, with_filters
from comptoir.search.ranking import availability_factor as _availability
from comptoir.search.ranking import build_why, match_terms
from comptoir.search.storage import (
    BuildStats,
    build,
    new_generation,
    open_tantivy,
    resolve_generation,
    swap_in,
)

MIN_EXACT_HITS = 3
DISTANCE_SORT_CAP = 5000
GROUP_OFFERS_SHOWN = 5
WRITER_HEAP_BYTES = 64_000_000


class SearchEngine(Protocol):
    """The port: what the rest of Comptoir may ask of a search engine."""

    def add_or_update(self, docs: Iterable[OfferDoc]) -> int: ...
    def delete(self, offer_ids: Iterable[int]) -> None: ...
    def commit(self) -> None: ...
    def reload(self) -> None: ...
    def count(self) -> int: ...
    def search(self, query: SearchQuery, lang: str = "fr") -> SearchResult: ...


@dataclass(slots=True)
class _Matched:
    tier: Tier
    query: tantivy.Query
    count: int
    hits: list[tuple[float, tantivy.DocAddress]]


@dataclass(slots=True)
class _Candidate:
    address: tantivy.DocAddress
    text_score: float | None
    offer_id: int = 0
    distance_km: float | None = None
    stock_state: str = "in_stock"
    score: float = 0.0
    group_hash: int = 0


class SearchIndex:
    """The tantivy adapter of `SearchEngine`. Open with `SearchIndex.open(path)`."""

    def __init__(self, path: Path, index: tantivy.Index, writer: bool, weights: RankingWeights) -> None:
        self.path = path
        self.weights = weights
        self._analyzers: Analyzers = make_analyzers()
        self._index = index
        self._schema = index.schema
        self._target = resolve_generation(path)
        register_analyzers(index, self._analyzers)
        self._index.config_reader(reload_policy="Manual")
        self._writer = index.writer(WRITER_HEAP_BYTES, 1) if writer else None
        self._places: ShopPlaces | None = None
        self._shop_names: dict[int, tuple[str, str]] = {}

    @classmethod
    def open(
        cls, path: str | Path, writer: bool = False, weights: RankingWeights | None = None
    ) -> SearchIndex:
        path = Path(path)
        if not path.exists():
            if not writer:
                raise FileNotFoundError(f"no search index at {path}; run a rebuild first")
            swap_in(path, new_generation(path))
        return cls(path, open_tantivy(path), writer, weights or RankingWeights())

    # --- writing -----------------------------------------------------------------
    def add_or_update(self, docs: Iterable[OfferDoc]) -> int:
        writer = self._require_writer()
        n = 0
        for doc in docs:
            writer.delete_documents_by_term("offer_id", doc.offer_id)
            writer.add_document(to_tantivy(doc))
            n += 1
        return n

    def delete(self, offer_ids: Iterable[int]) -> None:
        writer = self._require_writer()
        for offer_id in offer_ids:
            writer.delete_documents_by_term("offer_id", int(offer_id))

    def commit(self) -> None:
        self._require_writer().commit()
        self.reload()

    def _require_writer(self) -> tantivy.IndexWriter:
        if self._writer is None:
            raise RuntimeError("this SearchIndex was opened read-only; open(path, writer=True) to write")
        return self._writer

    # --- reading -----------------------------------------------------------------
    def reload(self) -> None:
        """See the last commit, or the last full rebuild if the symlink moved."""
        target = resolve_generation(self.path)
        if target != self._target and self._writer is None:
            self._index = open_tantivy(self.path)
            self._schema = self._index.schema
            register_analyzers(self._index, self._analyzers)
            self._index.config_reader(reload_policy="Manual")
            self._target = target
        self._index.reload()
        self._places = None
        self._shop_names = {}

    def count(self) -> int:
        return self._index.searcher().num_docs

    def search(
        self, query: SearchQuery, lang: str = "fr", weights: RankingWeights | None = None
    ) -> SearchResult:
        weights = weights or self.weights
        searcher = self._index.searcher()
        words = query_words(query.text, self._analyzers)
        shop_ids = self._shop_filter(searcher, query)
        filters = filter_queries(self._schema, query, shop_ids)
        matched = self._match(
            searcher, words, lang, filters, max(weights.candidates, query.offset + query.limit)
        )
        ranked = self._rank(searcher, matched, words, lang, filters, shop_ids, query, weights)
        facets = compute_facets(searcher, matched.query) if query.with_facets else None
        if query.group:
            return self._grouped(searcher, matched, ranked, words, lang, query, weights, facets)
        page = ranked[query.offset : query.offset + query.limit]
        hits = tuple(self._hit(searcher, c, words, lang, matched, weights) for c in page)
        terms = tuple(w.raw for w in words)
        return SearchResult(total=matched.count, hits=hits, facets=facets, relaxed=matched.tier, terms=terms)

    # --- matching ----------------------------------------------------------------
    def _match(
        self,
        searcher: tantivy.Searcher,
        words: list[QueryWord],
        lang: str,
        filters: list[tantivy.Query],
        limit: int,
    ) -> _Matched:
        matched: _Matched | None = None
        for tier in TIERS:
            if matched is not None and not _worth_relaxing(tier, matched, words):
                break
            query = with_filters(text_query(self._schema, words, lang, tier), filters)
            result = searcher.search(query, limit=limit, count=True)
            if matched is None or result.count > 0:
                matched = _Matched(tier, query, result.count, list(result.hits))
        assert matched is not None
        return matched

    # --- ranking -----------------------------------------------------------------
    def _rank(
        self,
        searcher: tantivy.Searcher,
        matched: _Matched,
        words: list[QueryWord],
        lang: str,
        filters: list[tantivy.Query],
        shop_ids: set[int] | None,
        query: SearchQuery,
        weights: RankingWeights,
    ) -> list[_Candidate]:
        if query.sort == "price":
            return self._by_price(searcher, matched, query, weights)
        if query.sort == "distance" and query.near is not None:
            return self._by_distance(searcher, matched, words, lang, query, shop_ids, weights)
        hits = dict(_keyed(matched.hits))
        if query.near is not None and weights.proximity > 0:
            hits.update(self._nearby_hits(searcher, matched, query, shop_ids, weights))
        candidates = self._candidates(searcher, hits.values(), query.near, weights)
        candidates.sort(key=lambda c: (-c.score, c.offer_id))
        return candidates

    def _nearby_hits(
        self,
        searcher: tantivy.Searcher,
        matched: _Matched,
        query: SearchQuery,
        shop_ids: set[int] | None,
        weights: RankingWeights,
    ) -> dict[tuple[int, int], tuple[float, tantivy.DocAddress]]:
        """The best text matches among nearby shops: many offers tie on text, so the
        global top-K alone could miss the nearest ones."""
        assert query.near is not None
        ring = self._places_for(searcher).within(query.near, 2 * weights.proximity_half_km)
        if shop_ids is not None:
            ring &= shop_ids
        if not ring:
            return {}
        ring_query = with_filters(matched.query, filter_queries(self._schema, SearchQuery(), ring))
        limit = max(weights.candidates, query.offset + query.limit)
        return dict(_keyed(searcher.search(ring_query, limit=limit, count=False).hits))

    def _by_price(
        self, searcher: tantivy.Searcher, matched: _Matched, query: SearchQuery, weights: RankingWeights
    ) -> list[_Candidate]:
        limit = query.offset + query.limit
        if query.group:
            limit = max(limit * GROUP_OFFERS_SHOWN, weights.candidates)
        result = searcher.search(
            matched.query, limit=limit, count=False, order_by_field="price_cents", order=tantivy.Order.Asc
        )
        # Text scores are read (by `explain`) only for the hits that are shown.
        return self._candidates(searcher, [(None, a) for _, a in result.hits], query.near, weights)

    def _by_distance(
        self,
        searcher: tantivy.Searcher,
        matched: _Matched,
        words: list[QueryWord],
        lang: str,
        query: SearchQuery,
        shop_ids: set[int] | None,
        weights: RankingWeights,
    ) -> list[_Candidate]:
        """Nearest shops first: widen a ring of shops until it holds enough matches, then sort exactly."""
        assert query.near is not None
        needed = query.offset + query.limit
        places = self._places_for(searcher)
        radius = 1.0
        max_radius = query.radius_km if query.radius_km is not None else 20_000.0
        hits = matched.hits
        while radius < max_radius:
            ring = places.within(query.near, radius)
            if shop_ids is not None:
                ring &= shop_ids
            ring_query = with_filters(matched.query, filter_queries(self._schema, SearchQuery(), ring))
            result = searcher.search(ring_query, limit=DISTANCE_SORT_CAP, count=True)
            if result.count >= needed or len(ring) == len(places.locations):
                hits = list(result.hits)
                break
            radius *= 2
        else:
            hits = list(searcher.search(matched.query, limit=DISTANCE_SORT_CAP, count=False).hits)
        candidates = self._candidates(searcher, hits, query.near, weights)
        candidates.sort(key=lambda c: (c.distance_km or 0.0, -c.score, c.offer_id))
        return candidates

    def _candidates(
        self,
        searcher: tantivy.Searcher,
        hits: Iterable[tuple[float | None, tantivy.DocAddress]],
        near: tuple[float, float] | None,
        weights: RankingWeights,
    ) -> list[_Candidate]:
        """Read location, stock and ids from fast fields (no stored documents) and score each hit."""
        pairs = list(hits)
        addresses = [a for _, a in pairs]
        offer_ids = searcher.fast_field_values("offer_id", addresses)
        stocks = searcher.fast_field_values("stock", addresses)
        groups = searcher.fast_field_values("group_hash", addresses)
        distances = self._distances(searcher, addresses, near)
        # Hot loop (hundreds of candidates per query): factors raised to their weights once.
        avail = [_availability(state, weights) ** weights.availability for state in STOCK_STATES]
        half, w_text, w_prox = max(weights.proximity_half_km, 1e-6), weights.text, weights.proximity
        out = []
        for (text, address), offer_id, stock, group, dist in zip(
            pairs, offer_ids, stocks, groups, distances, strict=True
        ):
            score = 0.0 if text is None else max(text, 0.0) ** w_text * avail[stock or 0]
            if dist is not None:
                score *= (half / (half + dist)) ** w_prox
            out.append(
                _Candidate(address, text, offer_id or 0, dist, STOCK_STATES[stock or 0], score, group or 0)
            )
        return out

    def _distances(
        self,
        searcher: tantivy.Searcher,
        addresses: list[tantivy.DocAddress],
        near: tuple[float, float] | None,
    ) -> list[float | None]:
        if near is None:
            return [None] * len(addresses)
        from comptoir.search.ranking import haversine_km

        lats = searcher.fast_field_values("lat", addresses)
        lons = searcher.fast_field_values("lon", addresses)
        return [haversine_km(near, (lat, lon)) for lat, lon in zip(lats, lons, strict=True)]

    # --- filters -----------------------------------------------------------------
    def _shop_filter(self, searcher: tantivy.Searcher, query: SearchQuery) -> set[int] | None:
        """The caller's shop set, narrowed to the shops within the radius."""
        shop_ids = set(query.shop_ids) if query.shop_ids is not None else None
        if query.near is None or query.radius_km is None:
            return shop_ids
        within = self._places_for(searcher).within(query.near, query.radius_km)
        return within if shop_ids is None else within & shop_ids

    def _places_for(self, searcher: tantivy.Searcher) -> ShopPlaces:
        if self._places is None:
            self._places = load_shop_places(searcher)
        return self._places

    # --- results -----------------------------------------------------------------
    def _hit(
        self,
        searcher: tantivy.Searcher,
        candidate: _Candidate,
        words: list[QueryWord],
        lang: str,
        matched: _Matched,
        weights: RankingWeights,
    ) -> Hit:
        stored = searcher.doc(candidate.address).to_dict()
        first = {name: values[0] if values else None for name, values in stored.items()}
        names = {"fr": first.get("name_fr") or "", "en": first.get("name_en") or ""}
        terms = match_terms(words, names, self._analyzers, fuzzy_used=matched.tier != "exact")
        text = candidate.text_score
        if text is None:
            text = _text_score(matched.query, searcher, candidate.address)
        why = build_why(terms, text, candidate.distance_km, candidate.stock_state, weights)
        return Hit(
            offer_id=int(first["offer_id"]),
            shop_id=int(first["shop_id"]),
            shop_ref=first["shop_ref"] or "",
            shop_name=first["shop_name"] or "",
            sku=first["sku"] or "",
            gtin=first.get("gtin") or None,
            name=names[lang if lang in names else "fr"] or names["fr"] or names["en"],
            unit_label=first.get("unit_label") or "",
            category_path=first.get("category_path") or "",
            price_cents=int(first["price_cents"]),
            stock_state=candidate.stock_state,
            distance_km=candidate.distance_km,
            score=why.score,
            group_key=first.get("group_key") or "",
            why=why,
        )

    def _grouped(
        self,
        searcher: tantivy.Searcher,
        matched: _Matched,
        ranked: list[_Candidate],
        words: list[QueryWord],
        lang: str,
        query: SearchQuery,
        weights: RankingWeights,
        facets: Facets | None,
    ) -> SearchResult:
        """One entry per product, in the order of its best offer; counts and prices are exact."""
        best_per_group: dict[int, _Candidate] = {}
        for candidate in ranked:
            best_per_group.setdefault(candidate.group_hash, candidate)
        page = list(best_per_group.values())[query.offset : query.offset + query.limit]
        groups = tuple(self._group(searcher, c, words, lang, matched, query, weights) for c in page)
        return SearchResult(
            total=matched.count,
            hits=tuple(g.best for g in groups),
            groups=groups,
            facets=facets,
            relaxed=matched.tier,
            terms=tuple(w.raw for w in words),
        )

    def _group(
        self,
        searcher: tantivy.Searcher,
        best: _Candidate,
        words: list[QueryWord],
        lang: str,
        matched: _Matched,
        query: SearchQuery,
        weights: RankingWeights,
    ) -> Group:
        hit = self._hit(searcher, best, words, lang, matched, weights)
        members = searcher.search(
            group_filter(self._schema, matched.query, hit.group_key),
            limit=GROUP_OFFERS_SHOWN,
            count=True,
            order_by_field="price_cents",
            order=tantivy.Order.Asc,
        )
        addresses = [a for _, a in members.hits]
        offers = tuple(self._group_offer(searcher, a, query.near) for a in addresses)
        min_price = min((o.price_cents for o in offers), default=hit.price_cents)
        return Group(hit.group_key, hit, members.count, min_price, offers)

    def _group_offer(
        self, searcher: tantivy.Searcher, address: tantivy.DocAddress, near: tuple[float, float] | None
    ) -> GroupOffer:
        [offer_id] = searcher.fast_field_values("offer_id", [address])
        [shop_id] = searcher.fast_field_values("shop_id", [address])
        [price] = searcher.fast_field_values("price_cents", [address])
        [stock] = searcher.fast_field_values("stock", [address])
        [distance] = self._distances(searcher, [address], near)
        shop_ref, shop_name = self._shop_name(searcher, shop_id, address)
        return GroupOffer(offer_id, shop_ref, shop_name, price, STOCK_STATES[stock], distance)

    def _shop_name(
        self, searcher: tantivy.Searcher, shop_id: int, address: tantivy.DocAddress
    ) -> tuple[str, str]:
        if shop_id not in self._shop_names:
            doc = searcher.doc(address)
            self._shop_names[shop_id] = (doc.get_first("shop_ref") or "", doc.get_first("shop_name") or "")
        return self._shop_names[shop_id]


def _worth_relaxing(tier: Tier, matched: _Matched, words: list[QueryWord]) -> bool:
    if not words:
        return False
    if tier == "fuzzy":
        return matched.count < MIN_EXACT_HITS and any(w.fuzzy_ok for w in words)
    return matched.count == 0 and sum(not w.optional for w in words) > 1


def _keyed(hits: Iterable[tuple[float, tantivy.DocAddress]]):
    for score, address in hits:
        yield (address.segment_ord, address.doc), (score, address)


def _text_score(query: tantivy.Query, searcher: tantivy.Searcher, address: tantivy.DocAddress) -> float:
    import json

    return float(json.loads(query.explain(searcher, address).to_json())["value"])


__all__ = ["BuildStats", "SearchEngine", "SearchIndex", "build"]
