"""The `SearchEngine` port and its tantivy adapter, `SearchIndex`.

Layout on disk: `path` is a symlink to a generation directory `path.gen-<ns>`.
A full rebuild (`build`) writes a new generation and swaps the symlink
atomically; readers keep serving the old generation until `reload()`.
Several processes read; one process writes (tantivy's own lock enforces it).
Readers use a manual reload policy, so that a searcher, its shop map and its
caches always describe the same commit.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple, Protocol

import tantivy

from comptoir.search.analysis import (
    DESCRIPTION_FIELDS,
    NAME_FIELDS,
    PLAIN_NAME_FIELD,
    Analyzers,
    QueryWord,
    group_hash,
    gtin_key,
    make_analyzers,
    query_words,
    register_analyzers,
    to_tantivy,
)
from comptoir.search.candidates import (
    GROUP_OFFERS_SHOWN,
    Candidate,
    Candidates,
    Found,
    order,
)
from comptoir.search.documents import (
    STOCK_STATES,
    Group,
    GroupOffer,
    Hit,
    OfferDoc,
    RankingWeights,
    SearchQuery,
    SearchResult,
    TermMatch,
)
from comptoir.search.facets import compute_facets, count_matches
from comptoir.search.places import EDGE_MARGIN
from comptoir.search.plan import FilterPlan, IndexStats, load_stats, plan_filters
from comptoir.search.queries import (
    TIERS,
    Tier,
    excluding_groups,
    gtin_like,
    in_groups,
    text_query,
    with_filters,
)
from comptoir.search.ranking import build_why, match_tokens
from comptoir.search.storage import (
    BuildStats,
    build,
    new_generation,
    open_tantivy,
    resolve_generation,
    swap_in,
)
from comptoir.search.typos import TypoIndex

MIN_EXACT_HITS = 3
GROUP_ROUNDS = 3
WRITER_HEAP_BYTES = 64_000_000
NAME_TOKENS_CACHE = 50_000  # ~10 MB at most
WRITTEN_FORM_MAX_SHARE = 0.8
# The typo vocabulary (~50 ms to read and index for 1M offers) survives the reloads that follow
# each batch of catalog changes: a word new to the names gets typo tolerance within 5 minutes
# (exact matching sees it at once).
TYPO_VOCABULARY_MAX_AGE_S = 300.0


class Vocabulary(NamedTuple):
    """What the term dictionary says about the query's words (a few `doc_freq` calls)."""

    in_names: set[str]
    anywhere: set[str]
    most: int | None  # about how many offers have every word (None: no words)
    written: frozenset[str]  # words whose written form earns a bonus
    any_word: int  # at most how many offers have one of the words


class StaleIndexError(RuntimeError):
    """The index on disk was built with an older schema: `comptoir search-rebuild` replaces it."""


def _check_schema(schema: tantivy.Schema) -> None:
    try:
        tantivy.Query.term_query(schema, PLAIN_NAME_FIELD, "x")
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

    def __init__(self, path: Path, index: tantivy.Index, writer: bool, weights: RankingWeights) -> None:
        self.path = path
        self.weights = weights
        self._analyzers: Analyzers = make_analyzers()
        self._index = index
        self._schema = index.schema
        _check_schema(self._schema)
        self._target = resolve_generation(path)
        register_analyzers(index, self._analyzers)
        self._index.config_reader(reload_policy="Manual")
        self._writer = index.writer(WRITER_HEAP_BYTES, 1) if writer else None
        self._stats: IndexStats | None = None
        self._candidates = Candidates(self._schema)
        self._shop_names: dict[int, tuple[str, str]] = {}
        self._tokens: dict[tuple[str, str], frozenset[str]] = {}
        self._typos: TypoIndex | None = None
        self._typos_at = 0.0

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
        rebuilt = target != self._target
        if rebuilt and self._writer is None:
            self._index = open_tantivy(self.path)
            self._schema = self._index.schema
            _check_schema(self._schema)
            self._candidates = Candidates(self._schema)
            register_analyzers(self._index, self._analyzers)
            self._index.config_reader(reload_policy="Manual")
            self._target = target
        self._index.reload()
        self._stats = None
        self._shop_names = {}
        if rebuilt or self._writer is not None:
            self._typos = None  # a rebuild, or the writer's own commit: a new vocabulary

    def count(self) -> int:
        return self._index.searcher().num_docs

    def search(
        self, query: SearchQuery, lang: str = "fr", weights: RankingWeights | None = None
    ) -> SearchResult:
        weights = weights or self.weights
        searcher = self._index.searcher()
        stats = self._stats_for(searcher)
        words = query_words(query.text, self._analyzers)
        reach = self._reach(stats, query, weights)
        shop_ids = self._shop_filter(stats, reach, query)
        vocabulary = self._vocabulary(searcher, words)
        plan = plan_filters(self._schema, query, shop_ids, stats, vocabulary.most)
        found, plan = self._match(
            searcher, words, vocabulary, lang, plan, shop_ids, reach, query, weights, stats
        )
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
            groups = self._grouped(searcher, found, plan, words, lang, query, weights, stats)
            hits = tuple(g.best for g in groups)
        else:
            page = found.ranked[query.offset : query.offset + query.limit]
            memo: dict[tuple[str, str], tuple[TermMatch, ...]] = {}
            hits = tuple(self._hit(searcher, c, words, lang, found, weights, memo) for c in page)
            groups = ()
        relaxed = "exact" if found.tier == "described" else found.tier
        return SearchResult(total, hits, groups, facets, relaxed, terms, total_is_exact)

    # --- matching ----------------------------------------------------------------
    def _match(
        self,
        searcher: tantivy.Searcher,
        words: list[QueryWord],
        vocabulary: Vocabulary,
        lang: str,
        plan: FilterPlan,
        shop_ids: set[int] | None,
        reach: dict[int, float],
        query: SearchQuery,
        weights: RankingWeights,
        stats: IndexStats,
    ) -> tuple[Found, FilterPlan]:
        """Names first, then descriptions, typo tolerance, any word: the next tier runs only when
        the previous one found (almost) nothing, and a tier that cannot match is skipped
        (the term dictionary says which words exist), so most queries run one search.
        "Any word" matches far more offers than all the words: its filters are planned again
        for that many (a shop set is then checked on the candidates rather than pushed)."""
        in_names, anywhere, written = vocabulary.in_names, vocabulary.anywhere, vocabulary.written
        required = [w for w in words if not w.optional]
        unknown = frozenset(w.raw for w in words if w.raw not in in_names and w.fuzzy_ok)
        runnable = {
            "exact": not words or all(w.raw in in_names for w in required),
            "described": bool(words) and all(w.raw in anywhere for w in required),
            "fuzzy": bool(unknown),
            "any_word": len(required) > 1,
        }
        found: Found | None = None
        for tier in TIERS:
            if found is not None and not _worth_relaxing(tier, found):
                break
            fuzzy_words = unknown
            if tier == "fuzzy" and not unknown and not plan.full and (found is None or not found.ranked):
                # Every word exists, yet no offer has them all: one of them may be a typo that
                # happens to be a word ("choce" stems to "choc"), so every word may be one edit
                # away. Not when filters emptied the tier: that is no sign of a typo.
                fuzzy_words = frozenset(w.raw for w in words if w.fuzzy_ok)
                runnable["fuzzy"] = bool(fuzzy_words)
            if not runnable[tier]:
                continue
            if tier == "any_word":
                # Planned again even after a stricter tier had to push every filter: the
                # union of the words is broad, and far less tied to their correlation.
                plan = plan_filters(self._schema, query, shop_ids, stats, vocabulary.any_word)
            expansions = self._expansions(searcher, fuzzy_words) if tier in ("fuzzy", "any_word") else None
            if (
                tier == "fuzzy"
                and expansions is not None
                and any(w.raw not in anywhere and not expansions.get(w.raw) for w in required)
            ):
                continue  # a required word is nowhere, not even one edit away: the tier cannot match
            text = text_query(self._schema, words, lang, tier, fuzzy_words, expansions, written, in_names)
            current = self._candidates.collect(
                searcher, text, tier, plan, shop_ids, reach, query, weights, stats
            )
            if current.pushed_all:
                plan = plan.everything_pushed()  # the same words in a looser tier would fall back again
            if found is None or not found.ranked:
                found = current
            elif current.ranked:
                # The few offers of the stricter tier stay first: all the words before some.
                stricter = {(c.address.segment_ord, c.address.doc) for c in found.ranked}
                looser = [c for c in current.ranked if (c.address.segment_ord, c.address.doc) not in stricter]
                for candidate in looser:
                    candidate.looseness = found.looseness + 1
                merged = found.ranked + looser
                found = Found(current.tier, current.text, merged, current.seen_all, found.looseness + 1)
        if found is None:
            return Found("exact", tantivy.Query.empty_query(), [], True), plan
        return found, plan

    def _expansions(
        self, searcher: tantivy.Searcher, raw_words: frozenset[str]
    ) -> dict[str, tuple[str, ...]]:
        """Each word's neighbours (one edit) in the folded names (`TYPO_VOCABULARY_MAX_AGE_S`)."""
        if not raw_words:
            return {}
        now = time.monotonic()
        if self._typos is None or now - self._typos_at > TYPO_VOCABULARY_MAX_AGE_S:
            self._typos = TypoIndex(searcher.terms_with_prefix(PLAIN_NAME_FIELD, ""))
            self._typos_at = now
        return {raw: self._typos.neighbours(raw) for raw in raw_words}

    def _vocabulary(self, searcher: tantivy.Searcher, words: list[QueryWord]) -> Vocabulary:
        """The words some name contains (or a GTIN), the words some name or description
        contains, about how many offers match them all (None: no words), as if the words
        were independent (words of one product name are not, so it errs on the low side),
        at most how many match any of them, and the words whose written form is worth a bonus: it sets apart fewer than
        `WRITTEN_FORM_MAX_SHARE` of the names with its stem ("tomate" among "tomates"). When
        nearly every such name writes it that way ("fromage"), the bonus would add the same to
        every match, and scanning its postings again would cost as much as the word itself."""
        in_names: set[str] = set()
        anywhere: set[str] = set()
        written: set[str] = set()
        most: float | None = None
        any_word = 0
        docs = max(searcher.num_docs, 1)
        for w in words:
            df_fr = searcher.doc_freq(NAME_FIELDS["fr"], w.fr)
            df_en = searcher.doc_freq(NAME_FIELDS["en"], w.en)
            df = df_fr + df_en
            if df:
                plain = searcher.doc_freq(PLAIN_NAME_FIELD, w.raw)
                if plain and plain < WRITTEN_FORM_MAX_SHARE * max(df_fr, df_en):
                    written.add(w.raw)
            if gtin_like(w.raw):
                df += searcher.doc_freq("gtin_key", gtin_key(w.raw))
            if df:
                in_names.add(w.raw)
            else:
                df = searcher.doc_freq(DESCRIPTION_FIELDS["fr"], w.fr) + searcher.doc_freq(
                    DESCRIPTION_FIELDS["en"], w.en
                )
                if df:
                    anywhere.add(w.raw)
            if not w.optional:
                most = (most if most is not None else docs) * df / docs
                any_word += df
        return Vocabulary(
            in_names,
            anywhere | in_names,
            None if most is None else round(most),
            frozenset(written),
            min(any_word, docs),
        )

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

    # --- results -----------------------------------------------------------------
    def _hit(
        self,
        searcher: tantivy.Searcher,
        candidate: Candidate,
        words: list[QueryWord],
        lang: str,
        found: Found,
        weights: RankingWeights,
        memo: dict[tuple[str, str], tuple[TermMatch, ...]] | None = None,
    ) -> Hit:
        """`memo`: the page's word matches by name (one product often fills several lines)."""
        stored = searcher.doc(candidate.address).to_dict()
        first: dict[str, Any] = {name: values[0] if values else None for name, values in stored.items()}
        names = {"fr": first.get("name_fr") or "", "en": first.get("name_en") or ""}
        terms = memo.get((names["fr"], names["en"])) if memo is not None else None
        if terms is None:
            fuzzy_used = found.tier in ("fuzzy", "any_word")
            terms = match_tokens(
                words,
                self._name_tokens(names["fr"], "fr"),
                self._name_tokens(names["en"], "en"),
                fuzzy_used=fuzzy_used,
                plain_tokens=(
                    self._name_tokens(names["fr"], "plain") | self._name_tokens(names["en"], "plain")
                    if fuzzy_used
                    else frozenset()
                ),
            )
            if memo is not None:
                memo[(names["fr"], names["en"])] = terms
        text = candidate.text_score
        if text is None:
            text = _text_score(found.text, searcher, candidate.address)
        why = build_why(terms, text, candidate.distance_km, STOCK_STATES[candidate.stock], weights)
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
            stock_state=STOCK_STATES[candidate.stock],
            distance_km=candidate.distance_km,
            score=why.score,
            group_key=first.get("group_key") or "",
            why=why,
        )

    def _grouped(
        self,
        searcher: tantivy.Searcher,
        found: Found,
        plan: FilterPlan,
        words: list[QueryWord],
        lang: str,
        query: SearchQuery,
        weights: RankingWeights,
        stats: IndexStats,
    ) -> tuple[Group, ...]:
        """One entry per product, in the order of its best offer; counts and prices are exact.

        A product sold by 300 shops can fill the whole candidate list: when the candidates
        hold too few products, the next search leaves out the products already found."""
        best: dict[int, Candidate] = {}
        for candidate in found.ranked:
            best.setdefault(candidate.group_hash, candidate)
        wanted = query.offset + query.limit
        keys: dict[int, str] = {}
        seen_all = found.seen_all
        rounds = 0
        while query.sort == "relevance" and len(best) < wanted and not seen_all and rounds < GROUP_ROUNDS:
            rounds += 1
            for group, candidate in best.items():
                if group not in keys:
                    keys[group] = searcher.doc(candidate.address).get_first("group_key") or ""
            others = excluding_groups(self._schema, with_filters(found.text, plan.pushed), keys.values())
            k = self._candidates.first_k(max(weights.candidates, 4 * (wanted - len(best))), plan, stats)
            hits = searcher.search(others, limit=k, count=False).hits
            seen_all = len(hits) < k
            for candidate in sorted(
                self._candidates.score(searcher, hits, plan, query, weights, stats), key=order
            ):
                candidate.looseness = found.looseness
                best.setdefault(candidate.group_hash, candidate)
        ordered = list(best.values())
        if query.sort == "relevance":
            ordered.sort(key=order)
        page = ordered[query.offset : query.offset + query.limit]
        memo: dict[tuple[str, str], tuple[TermMatch, ...]] = {}
        hits_ = [self._hit(searcher, c, words, lang, found, weights, memo) for c in page]
        # A group is one product: all its offers that pass the filters count, whatever their
        # own wording (a shop may name a GTIN differently), and no text needs scoring here.
        in_filters = with_filters(tantivy.Query.all_query(), plan.full)
        members = self._group_members(searcher, in_filters, [h.group_key for h in hits_], query.near, stats)
        groups = []
        for hit in hits_:
            count, offers = members.get(hit.group_key, (1, ()))
            min_price = min((o.price_cents for o in offers), default=hit.price_cents)
            groups.append(Group(hit.group_key, hit, count, min_price, offers))
        return tuple(groups)

    def _group_members(
        self,
        searcher: tantivy.Searcher,
        in_filters: tantivy.Query,
        group_keys: list[str],
        near: tuple[float, float] | None,
        stats: IndexStats,
    ) -> dict[str, tuple[int, tuple[GroupOffer, ...]]]:
        """Every shown group's exact count and cheapest offers, in one aggregation."""
        if not group_keys:
            return {}
        spec = {
            "groups": {
                "terms": {"field": "group_hash", "size": len(group_keys)},
                "aggs": {
                    "cheapest": {
                        "top_hits": {
                            "size": GROUP_OFFERS_SHOWN,
                            "sort": [{"price_cents": "asc"}],
                            "docvalue_fields": ["offer_id", "shop_id", "price_cents", "stock"],
                        }
                    }
                },
            }
        }
        result = searcher.aggregate(in_groups(self._schema, in_filters, group_keys), spec)
        by_hash = {group_hash(key): key for key in group_keys}
        out: dict[str, tuple[int, tuple[GroupOffer, ...]]] = {}
        for bucket in result["groups"]["buckets"]:
            key = by_hash.get(int(bucket["key"]))
            if key is None:
                continue
            offers = []
            for member in bucket["cheapest"]["hits"]:
                values = {name: v[0] for name, v in member["docvalue_fields"].items() if v}
                shop_id = int(values["shop_id"])
                shop_ref, shop_name = self._shop_label(searcher, shop_id)
                distance = stats.places.distance_km(near, shop_id) if near is not None else None
                offers.append(
                    GroupOffer(
                        int(values["offer_id"]),
                        shop_ref,
                        shop_name,
                        int(values["price_cents"]),
                        STOCK_STATES[int(values["stock"])],
                        distance,
                    )
                )
            offers.sort(key=lambda o: (o.price_cents, o.offer_id))
            out[key] = (int(bucket["doc_count"]), tuple(offers))
        return out

    def _name_tokens(self, name: str, lang: str) -> frozenset[str]:
        """Stems of a shown name (`lang` "plain": its folded words), cached: the same product
        name shows up in many shops and pages."""
        key = (lang, name)
        tokens = self._tokens.get(key)
        if tokens is None:
            if len(self._tokens) >= NAME_TOKENS_CACHE:
                self._tokens.clear()
            analyzer = self._analyzers.plain if lang == "plain" else self._analyzers.for_lang(lang)
            tokens = frozenset(analyzer.analyze(name))
            self._tokens[key] = tokens
        return tokens

    def _shop_label(self, searcher: tantivy.Searcher, shop_id: int) -> tuple[str, str]:
        if shop_id not in self._shop_names:
            query = tantivy.Query.term_query(self._schema, "shop_id", shop_id, index_option="basic")
            hits = searcher.search(query, limit=1, count=False).hits
            doc = searcher.doc(hits[0][1]) if hits else None
            label = (doc.get_first("shop_ref") or "", doc.get_first("shop_name") or "") if doc else ("", "")
            self._shop_names[shop_id] = label
        return self._shop_names[shop_id]


def _worth_relaxing(tier: Tier, found: Found) -> bool:
    if not found.seen_all:
        return False
    if tier == "any_word":
        return not found.ranked
    return len(found.ranked) < MIN_EXACT_HITS


def _text_score(query: tantivy.Query, searcher: tantivy.Searcher, address: tantivy.DocAddress) -> float:
    return float(json.loads(query.explain(searcher, address).to_json())["value"])


__all__ = ["BuildStats", "SearchEngine", "SearchIndex", "StaleIndexError", "build"]
