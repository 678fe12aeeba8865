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
from pathlib import Path
from typing import Protocol

import tantivy

from comptoir.search.analysis import (
    CHAIN_FIELD,
    PLAIN_NAME_FIELD,
    TIE_FIELD,
    Analyzers,
    make_analyzers,
    query_words,
    register_analyzers,
    to_tantivy,
)
from comptoir.search.candidates import Candidates
from comptoir.search.context import QueryContext
from comptoir.search.documents import OfferDoc, RankingWeights, SearchQuery, SearchResult
from comptoir.search.facets import compute_facets, count_matches
from comptoir.search.locality import AREAS_FIELD, ORIGIN_FIELD
from comptoir.search.matching import Matcher, vocabulary
from comptoir.search.places import EDGE_MARGIN
from comptoir.search.plan import IndexStats, load_stats, plan_filters
from comptoir.search.queries import with_filters
from comptoir.search.results import Results
from comptoir.search.storage import (
    BuildStats,
    build,
    new_generation,
    open_tantivy,
    resolve_generation,
    swap_in,
)

WRITER_HEAP_BYTES = 64_000_000


class StaleIndexError(RuntimeError):
    """The index on disk was built with an older schema: `comptoir search-rebuild` replaces it."""


def _check_schema(schema: tantivy.Schema) -> None:
    try:
        tantivy.Query.term_query(schema, PLAIN_NAME_FIELD, "x")
        tantivy.Query.term_query(schema, TIE_FIELD, 0)
        tantivy.Query.range_query(schema, ORIGIN_FIELD, tantivy.FieldType.Float, 0.0, 1.0)
        tantivy.Query.term_query(schema, CHAIN_FIELD, 0)
        tantivy.Query.term_query(schema, AREAS_FIELD, "CA")
    except ValueError as error:
        raise StaleIndexError(f"search index built by an older version ({error}): run a rebuild") from error


class SearchEngine(Protocol):
    """The port: what the rest of Comptoir may ask of a search engine."""

    def add_or_update(self, docs: Iterable[OfferDoc]) -> int: ...
    def delete(self, offer_ids: Iterable[int]) -> None: ...
    def commit(self) -> None: ...
    def reload(self) -> None: ...
    def count(self) -> int: ...
    def search(self, query: SearchQuery, lang: str = "fr") -> SearchResult: ...


class SearchIndex:
    """The tantivy adapter of `SearchEngine`. Open with `SearchIndex.open(path)`."""

    def __init__(
        self, path: Path, index: tantivy.Index, writer: bool, weights: RankingWeights, tie_salt: str = ""
    ) -> None:
        self.path = path
        self.weights = weights
        self.tie_salt = tie_salt
        self._analyzers: Analyzers = make_analyzers()
        self._index = index
        self._schema = index.schema
        _check_schema(self._schema)
        self._target = resolve_generation(path)
        register_analyzers(index, self._analyzers)
        self._index.config_reader(reload_policy="Manual")
        self._writer = index.writer(WRITER_HEAP_BYTES, 1) if writer else None
        self._stats: IndexStats | None = None
        self._parts(self._schema)

    def _parts(self, schema: tantivy.Schema) -> None:
        self._candidates = Candidates(schema)
        self._matcher = Matcher(schema, self._candidates)
        self._results = Results(schema, self._analyzers, self._candidates)

    @classmethod
    def open(
        cls, path: str | Path, writer: bool = False, weights: RankingWeights | None = None, tie_salt: str = ""
    ) -> SearchIndex:
        """`tie_salt`: the node's salt of the tie-break key, the one `build` was given (a writer
        with another salt would give re-indexed offers keys unlike their ties')."""
        path = Path(path)
        if not path.exists():
            if not writer:
                raise FileNotFoundError(f"no search index at {path}; run a rebuild first")
            swap_in(path, new_generation(path))
        return cls(path, open_tantivy(path), writer, weights or RankingWeights(), tie_salt)

    # --- writing -----------------------------------------------------------------
    def add_or_update(self, docs: Iterable[OfferDoc]) -> int:
        writer = self._require_writer()
        n = 0
        for doc in docs:
            writer.delete_documents_by_term("offer_id", doc.offer_id)
            writer.add_document(to_tantivy(doc, self.tie_salt))
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
        rebuilt = target != self._target
        if rebuilt and self._writer is None:
            self._index = open_tantivy(self.path)
            self._schema = self._index.schema
            _check_schema(self._schema)
            self._parts(self._schema)
            register_analyzers(self._index, self._analyzers)
            self._index.config_reader(reload_policy="Manual")
            self._target = target
        self._index.reload()
        self._stats = None
        self._results.forget_shops()
        if rebuilt or self._writer is not None:
            self._matcher.forget_vocabulary()

    def count(self) -> int:
        return self._index.searcher().num_docs

    def search(
        self, query: SearchQuery, lang: str = "fr", weights: RankingWeights | None = None
    ) -> SearchResult:
        weights = weights or self.weights
        searcher = self._index.searcher()
        stats = self._stats_for(searcher)
        words = tuple(query_words(query.text, self._analyzers))
        reach = self._reach(stats, query, weights)
        shop_ids = self._shop_filter(stats, reach, query)
        ctx = QueryContext(searcher, query, weights, stats, lang, words, shop_ids, reach)
        known = vocabulary(searcher, words)
        plan = plan_filters(self._schema, query, shop_ids, stats, known.most)
        found, plan = self._matcher.match(ctx, known, plan)
        full = with_filters(found.text, plan.full)
        facets = None
        total, total_is_exact = len(found.ranked), found.seen_all
        if query.with_facets:
            facets, total = compute_facets(searcher, full)
            total_is_exact = True
        elif query.exact_total and not found.seen_all:
            total, total_is_exact = count_matches(searcher, full), True
        terms = tuple(w.raw for w in words)
        if query.group:
            groups = self._results.grouped(ctx, found, plan)
            hits = tuple(g.best for g in groups)
        else:
            hits, groups = self._results.page(ctx, found), ()
        relaxed = "exact" if found.tier == "described" else found.tier
        return SearchResult(total, hits, groups, facets, relaxed, terms, total_is_exact)

    def _reach(self, stats: IndexStats, query: SearchQuery, weights: RankingWeights) -> dict[int, float]:
        """The shops within the radius or the nearby ring, with their distances: one pass per query."""
        if query.near is None:
            return {}
        km = max(query.radius_km or 0.0, 2 * weights.proximity_half_km if weights.proximity > 0 else 0.0)
        return stats.places.around(query.near, km) if km > 0 else {}

    def _shop_filter(self, stats: IndexStats, reach: dict[int, float], query: SearchQuery) -> set[int] | None:
        """The caller's shop set, narrowed to the shops within the radius (haversine at the edge)."""
        shop_ids = set(query.shop_ids) if query.shop_ids is not None else None
        if query.near is None or query.radius_km is None:
            return shop_ids
        near, radius = query.near, query.radius_km
        inner, outer = radius * (1 - EDGE_MARGIN), radius * (1 + EDGE_MARGIN)
        within = {
            s
            for s, d in reach.items()
            if d <= inner or (d <= outer and (stats.places.distance_km(near, s) or 0.0) <= radius)
        }
        return within if shop_ids is None else within & shop_ids

    def _stats_for(self, searcher: tantivy.Searcher) -> IndexStats:
        if self._stats is None:
            self._stats = load_stats(searcher)
        return self._stats


__all__ = ["BuildStats", "SearchEngine", "SearchIndex", "StaleIndexError", "build"]
