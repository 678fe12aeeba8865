"""Turn a `SearchQuery` into tantivy queries: the text clause (in tiers) and the filters.

Tiers, tried in order until one finds enough (and skipped when they cannot match):
1. "exact": every non-optional word is in the offer's name, French or English (stemmed,
   accent-folded), or is its GTIN: a resident names the product they look for;
2. "described": every word is in a name or a description (reported as "exact" too);
3. "fuzzy": the words found nowhere in the names' vocabulary may match a name within one
   edit; words the index knows stay exact (a real word is not a typo, and a fuzzy clause
   on a common word unions hundreds of thousands of postings). Exact matches keep their
   BM25 score, fuzzy ones score flat, so exact matches stay first;
4. "any_word": at least one word matches (exactly, or within one edit when unknown).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

import tantivy

from comptoir.search.analysis import DESCRIPTION_FIELDS, NAME_FIELDS, QueryWord, category_prefixes, gtin_key
from comptoir.search.documents import SearchQuery

Tier = Literal["exact", "described", "fuzzy", "any_word"]
TIERS: tuple[Tier, ...] = ("exact", "described", "fuzzy", "any_word")
OWN_NAME_BOOST = 3.0
OTHER_NAME_BOOST = 2.0
DESCRIPTION_BOOST = 0.5
GTIN_BOOST = 5.0
FUZZY_SCORE = 0.5
_GTIN_LIKE = re.compile(r"^\d{8,14}$")

Must = tantivy.Occur.Must
Should = tantivy.Occur.Should


def _term(schema: tantivy.Schema, field: str, value: object, boost: float) -> tantivy.Query:
    query = tantivy.Query.term_query(schema, field, value, index_option="freq")
    return tantivy.Query.boost_query(query, boost) if boost != 1.0 else query


def _exact_word(
    schema: tantivy.Schema, word: QueryWord, lang: str, descriptions: bool
) -> list[tantivy.Query]:
    other = "en" if lang == "fr" else "fr"
    stems = {"fr": word.fr, "en": word.en}
    clauses = [
        _term(schema, NAME_FIELDS[lang], stems[lang], OWN_NAME_BOOST),
        _term(schema, NAME_FIELDS[other], stems[other], OTHER_NAME_BOOST),
    ]
    if descriptions:
        clauses += [
            _term(schema, DESCRIPTION_FIELDS[lang], stems[lang], DESCRIPTION_BOOST),
            _term(schema, DESCRIPTION_FIELDS[other], stems[other], DESCRIPTION_BOOST),
        ]
    if _GTIN_LIKE.match(word.raw):
        gtin = tantivy.Query.term_query(schema, "gtin_key", gtin_key(word.raw), index_option="basic")
        clauses.append(tantivy.Query.boost_query(gtin, GTIN_BOOST))
    return clauses


def _fuzzy_word(schema: tantivy.Schema, word: QueryWord) -> list[tantivy.Query]:
    if not word.fuzzy_ok:
        return []
    stems = {"fr": word.fr, "en": word.en}
    return [
        tantivy.Query.const_score_query(
            tantivy.Query.fuzzy_term_query(
                schema, NAME_FIELDS[lang], stems[lang], distance=1, transposition_cost_one=True
            ),
            FUZZY_SCORE,
        )
        for lang in ("fr", "en")
    ]


def gtin_like(raw: str) -> bool:
    return bool(_GTIN_LIKE.match(raw))


def word_query(
    schema: tantivy.Schema, word: QueryWord, lang: str, descriptions: bool, fuzzy: bool
) -> tantivy.Query:
    """The fields' scores *add up* (a boolean "should"), which lets tantivy skip blocks of
    postings that cannot reach the top-k (block-max WAND); a disjunction-max cannot.
    Fuzzy clauses sit beside the exact ones in a disjunction-max (no tie bonus), so an exact
    match keeps exactly the score it has in the exact tiers, and a fuzzy-only one scores flat."""
    exact = tantivy.Query.boolean_query([(Should, q) for q in _exact_word(schema, word, lang, descriptions)])
    fuzzy_clauses = _fuzzy_word(schema, word) if fuzzy else []
    if not fuzzy_clauses:
        return exact
    return tantivy.Query.disjunction_max_query([exact, *fuzzy_clauses], tie_breaker=0.0)


def text_query(
    schema: tantivy.Schema,
    words: list[QueryWord],
    lang: str,
    tier: Tier,
    unknown: frozenset[str] = frozenset(),
) -> tantivy.Query:
    """The text clause of one tier; `all_query` when the resident typed nothing.
    `unknown`: the raw words that no name contains, the only ones given typo tolerance."""
    if not words:
        return tantivy.Query.all_query()
    descriptions = tier != "exact"
    fuzzy = tier in ("fuzzy", "any_word")
    required = Should if tier == "any_word" else Must
    subqueries = [
        (
            Should if w.optional else required,
            word_query(schema, w, lang, descriptions, fuzzy and w.raw in unknown),
        )
        for w in words
    ]
    if tier == "any_word":
        return tantivy.Query.boolean_query(subqueries, minimum_number_should_match=1)
    return tantivy.Query.boolean_query(subqueries)


def filter_queries(
    schema: tantivy.Schema, query: SearchQuery, shop_ids: Iterable[int] | None
) -> list[tantivy.Query]:
    """Hard filters (they never change a score). `shop_ids` already includes the radius."""
    filters: list[tantivy.Query] = []
    if query.in_stock_only:
        filters.append(tantivy.Query.term_query(schema, "stock", 0, index_option="basic"))
    if query.min_price_cents is not None or query.max_price_cents is not None:
        filters.append(
            tantivy.Query.range_query(
                schema, "price_cents", tantivy.FieldType.Integer, query.min_price_cents, query.max_price_cents
            )
        )
    if query.category:
        prefix = category_prefixes(query.category)
        value = prefix[-1] if prefix else ""
        filters.append(tantivy.Query.term_query(schema, "category_prefix", value, index_option="basic"))
    if query.shop_refs is not None:
        filters.append(_set_or_nothing(schema, "shop_ref", sorted(query.shop_refs)))
    if shop_ids is not None:
        filters.append(_set_or_nothing(schema, "shop_id", sorted(shop_ids)))
    return filters


def _set_or_nothing(schema: tantivy.Schema, field: str, values: list) -> tantivy.Query:
    if not values:
        return tantivy.Query.empty_query()
    return tantivy.Query.term_set_query(schema, field, values)


def with_filters(text: tantivy.Query, filters: list[tantivy.Query]) -> tantivy.Query:
    if not filters:
        return text
    scored = [(Must, text)]
    # Filters must not add to the text score: wrap them with a zero constant score.
    scored += [(Must, tantivy.Query.const_score_query(f, 0.0)) for f in filters]
    return tantivy.Query.boolean_query(scored)


def excluding_groups(schema: tantivy.Schema, base: tantivy.Query, group_keys: Iterable[str]) -> tantivy.Query:
    keys = sorted(group_keys)
    if not keys:
        return base
    seen = tantivy.Query.term_set_query(schema, "group_key", keys)
    return tantivy.Query.boolean_query([(Must, base), (tantivy.Occur.MustNot, seen)])


def in_groups(schema: tantivy.Schema, base: tantivy.Query, group_keys: Iterable[str]) -> tantivy.Query:
    keys = tantivy.Query.term_set_query(schema, "group_key", sorted(group_keys))
    return tantivy.Query.boolean_query([(Must, base), (Must, tantivy.Query.const_score_query(keys, 0.0))])
