"""What one search carries from step to step: the search options, resolved once.

The engine's steps (matching tiers, candidates, hits, groups) all need the same handful of
things — the searcher of one commit, the query, the governed weights, the index's statistics,
the typed words, the allowed shops and the shops within reach — so they travel together
instead of as ten arguments. No Django.
"""

from __future__ import annotations

from dataclasses import dataclass

import tantivy

from comptoir.search.analysis import QueryWord
from comptoir.search.documents import RankingWeights, SearchQuery
from comptoir.search.plan import IndexStats


@dataclass(frozen=True, slots=True)
class QueryContext:
    searcher: tantivy.Searcher  # one commit: every step of the search reads the same one
    query: SearchQuery
    weights: RankingWeights
    stats: IndexStats
    lang: str
    words: tuple[QueryWord, ...]
    shop_ids: set[int] | None  # the caller's shops within the radius (None: every shop)
    reach: dict[int, float]  # shop -> km, for the shops within the radius or the nearby ring

    @property
    def needed(self) -> int:
        """How many ranked entries the page needs, from the first one."""
        return self.query.offset + self.query.limit
