"""The matching tiers: which words the index knows, and which tier answers a query.

Names first, then descriptions, typo tolerance, any word: the next tier runs only when the
previous one found (almost) nothing, and a tier that cannot match is skipped (the term
dictionary says which words exist), so most queries run one search. No Django.
"""

from __future__ import annotations

import time
from typing import NamedTuple

import tantivy

from comptoir.search.analysis import DESCRIPTION_FIELDS, NAME_FIELDS, PLAIN_NAME_FIELD, QueryWord, gtin_key
from comptoir.search.candidates import Candidates, Found
from comptoir.search.context import QueryContext
from comptoir.search.plan import FilterPlan, plan_filters
from comptoir.search.queries import TIERS, Tier, gtin_like, text_query
from comptoir.search.typos import TypoIndex

MIN_EXACT_HITS = 3
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


def vocabulary(searcher: tantivy.Searcher, words: tuple[QueryWord, ...]) -> Vocabulary:
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


class Matcher:
    """Runs the tiers for one index; keeps the names' typo vocabulary between queries."""

    def __init__(self, schema: tantivy.Schema, candidates: Candidates) -> None:
        self._schema = schema
        self._candidates = candidates
        self._typos: TypoIndex | None = None
        self._typos_at = 0.0

    def forget_vocabulary(self) -> None:
        """A rebuild, or the writer's own commit: the next typo reads a new vocabulary."""
        self._typos = None

    def match(self, ctx: QueryContext, known: Vocabulary, plan: FilterPlan) -> tuple[Found, FilterPlan]:
        """The first tier that finds enough, with the stricter tiers' few offers first.
        "Any word" matches far more offers than all the words: its filters are planned again
        for that many (a shop set is then checked on the candidates rather than pushed)."""
        words = ctx.words
        in_names, anywhere, written = known.in_names, known.anywhere, known.written
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
                plan = plan_filters(self._schema, ctx.query, ctx.shop_ids, ctx.stats, known.any_word)
            expansions = self._expansions(ctx.searcher, fuzzy_words) if tier in ("fuzzy", "any_word") else {}
            if tier == "fuzzy" and any(w.raw not in anywhere and not expansions.get(w.raw) for w in required):
                continue  # a required word is nowhere, not even one edit away: the tier cannot match
            text = text_query(
                self._schema,
                list(words),
                ctx.lang,
                tier,
                ctx.weights.boosts,
                unknown=fuzzy_words,
                expansions=expansions,
                written=written,
                in_names=in_names,
            )
            current = self._candidates.collect(ctx, text, tier, plan)
            if current.pushed_all:
                plan = plan.everything_pushed()  # the same words in a looser tier would fall back again
            found = current if found is None or not found.ranked else _after(found, current)
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


def _after(stricter: Found, looser: Found) -> Found:
    """The few offers of the stricter tier stay first: all the words before some."""
    if not looser.ranked:
        return stricter
    seen = {(c.address.segment_ord, c.address.doc) for c in stricter.ranked}
    added = [c for c in looser.ranked if (c.address.segment_ord, c.address.doc) not in seen]
    for candidate in added:
        candidate.looseness = stricter.looseness + 1
    merged = stricter.ranked + added
    return Found(looser.tier, looser.text, merged, looser.seen_all, stricter.looseness + 1)


def _worth_relaxing(tier: Tier, found: Found) -> bool:
    if not found.seen_all:
        return False
    if tier == "any_word":
        return not found.ranked
    return len(found.ranked) < MIN_EXACT_HITS
