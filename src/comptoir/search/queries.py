"""Turn a `SearchQuery` into tantivy queries: the text clause (in tiers) and the filters.

Tiers, tried in order until one finds enough:
1. "exact": every non-optional word must match a name or description (stemmed, accent-folded);
2. "fuzzy": every word must match exactly *or* within one edit; exact matches keep their BM25
   score (boosted), fuzzy ones add a flat score, so exact matches stay first;
3. "any_word": at least one word matches (exactly or within one edit).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

import tantivy

from comptoir.search.analysis import DESCRIPTION_FIELDS, NAME_FIELDS, QueryWord, category_prefixes, gtin_key
from comptoir.search.documents import SearchQuery

Tier = Literal["exact", "fuzzy", "any_word"]
TIERS: tuple[Tier, ...] = ("exact", "fuzzy", "any_word")
OWN_NAME_BOOST = 3.0
OTHER_NAME_BOOST = 2.0
DESCRIPTION_BOOST = 0.5
GTIN_BOOST = 5.0
FUZZY_SCORE = 0.5
DISMAX_TIE = 0.1
_GTIN_LIKE = re.compile(r"^\d{8,14}$")

Must = tantivy.Occur.Must
Should = tantivy.Occur.Should


def _term(schema: tantivy.Schema, field: str, value: object, boost: float) -> tantivy.Query:
    query = tantivy.Query.term_query(schema, field, value, index_option="freq")
    return tantivy.Query.boost_query(query, boost) if boost != 1.0 else query


def _exact_word(schema: tantivy.Schema, word: QueryWord, lang: str) -> list[tantivy.Query]:
    other = "en" if lang == "fr" else "fr"
    stems = {"fr": word.fr, "en": word.en}
    clauses = [
        _term(schema, NAME_FIELDS[lang], stems[lang], OWN_NAME_BOOST),
        _term(schema, NAME_FIELDS[other], stems[other], OTHER_NAME_BOOST),
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


def word_query(schema: tantivy.Schema, word: QueryWord, lang: str, fuzzy: bool) -> tantivy.Query:
    clauses = _exact_word(schema, word, lang)
    if fuzzy:
        clauses += _fuzzy_word(schema, word)
    return tantivy.Query.disjunction_max_query(clauses, tie_breaker=DISMAX_TIE)


def text_query(schema: tantivy.Schema, words: list[QueryWord], lang: str, tier: Tier) -> tantivy.Query:
    """The text clause of one tier; `all_query` when the resident typed nothing."""
    if not words:
        return tantivy.Query.all_query()
    fuzzy = tier != "exact"
    required = Should if tier == "any_word" else Must
    subqueries = [(Should if w.optional else required, word_query(schema, w, lang, fuzzy)) for w in words]
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


def group_filter(schema: tantivy.Schema, base: tantivy.Query, group_key: str) -> tantivy.Query:
    key = tantivy.Query.term_query(schema, "group_key", group_key, index_option="basic")
    return tantivy.Query.boolean_query([(Must, base), (Must, tantivy.Query.const_score_query(key, 0.0))])
