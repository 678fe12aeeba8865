"""Turn a `SearchQuery` into tantivy queries: the text clause (in tiers) and the filters.

Tiers, tried in order until one finds enough (and skipped when they cannot match):
1. "exact": every non-optional word is in the offer's name, French or English (stemmed,
   accent-folded), or is its GTIN: a resident names the product they look for;
2. "described": every word is in a name or a description (reported as "exact" too);
3. "fuzzy": the words found nowhere in the names' vocabulary may match a name word within
   one edit (as written, not stemmed: `typos`); words the index knows stay exact (a real
   word is not a typo, and its neighbours would union hundreds of thousands of postings).
   A neighbour scores BM25 like any word, weighted below an exact match;
Each field's boost is a governed parameter (`FieldBoosts`, `search_boost_*`).
4. "any_word": at least one word matches (exactly, or within one edit when unknown).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

import tantivy

from comptoir.core.geo import bounding_box
from comptoir.search.analysis import (
    DESCRIPTION_FIELDS,
    NAME_FIELDS,
    PLAIN_NAME_FIELD,
    QueryWord,
    category_prefixes,
    gtin_key,
)
from comptoir.search.documents import FieldBoosts, SearchQuery
from comptoir.search.locality import AREAS_FIELD, ORIGIN_FIELD

Tier = Literal["exact", "described", "fuzzy", "any_word"]
TIERS: tuple[Tier, ...] = ("exact", "described", "fuzzy", "any_word")
_GTIN_LIKE = re.compile(r"^\d{8,14}$")

Must = tantivy.Occur.Must
Should = tantivy.Occur.Should


def _term(schema: tantivy.Schema, field: str, value: object, boost: float) -> tantivy.Query:
    query = tantivy.Query.term_query(schema, field, value, index_option="freq")
    return tantivy.Query.boost_query(query, boost) if boost != 1.0 else query


def _exact_word(
    schema: tantivy.Schema, word: QueryWord, lang: str, boosts: FieldBoosts, descriptions: bool, written: bool
) -> list[tantivy.Query]:
    other = "en" if lang == "fr" else "fr"
    stems = {"fr": word.fr, "en": word.en}
    clauses = [
        _term(schema, NAME_FIELDS[lang], stems[lang], boosts.own_name),
        _term(schema, NAME_FIELDS[other], stems[other], boosts.other_name),
    ]
    if written and boosts.written_form:
        clauses.append(_term(schema, PLAIN_NAME_FIELD, word.raw, boosts.written_form))
    if descriptions:
        clauses += [
            _term(schema, DESCRIPTION_FIELDS[lang], stems[lang], boosts.description),
            _term(schema, DESCRIPTION_FIELDS[other], stems[other], boosts.description),
        ]
    if _GTIN_LIKE.match(word.raw):
        gtin = tantivy.Query.term_query(schema, "gtin_key", gtin_key(word.raw), index_option="basic")
        clauses.append(tantivy.Query.boost_query(gtin, boosts.gtin))
    return clauses


def _fuzzy_word(
    schema: tantivy.Schema, word: QueryWord, expansions: Sequence[str], boosts: FieldBoosts
) -> list[tantivy.Query]:
    """The words of the names one edit away from `word` as written (`typos.TypoIndex`), each a
    BM25 term query on the folded names, weighted below an exact match."""
    if not word.fuzzy_ok:
        return []
    return [_term(schema, PLAIN_NAME_FIELD, term, boosts.typo) for term in expansions]


def gtin_like(raw: str) -> bool:
    return bool(_GTIN_LIKE.match(raw))


def word_query(
    schema: tantivy.Schema,
    word: QueryWord,
    lang: str,
    boosts: FieldBoosts,
    *,
    descriptions: bool,
    expansions: Sequence[str] = (),
    written: bool = True,
) -> tantivy.Query:
    """The fields' scores *add up* (a boolean "should"), which lets tantivy skip blocks of
    postings that cannot reach the top-k (block-max WAND); a disjunction-max cannot.
    The word's typo neighbours are more "should" clauses on the folded names, weighted
    below the exact ones (`boosts.typo` against `boosts.own_name` + `boosts.written_form`).
    `written`: the word as typed, unstemmed, earns `boosts.written_form` more."""
    clauses = _exact_word(schema, word, lang, boosts, descriptions, written)
    if expansions:
        clauses += _fuzzy_word(schema, word, expansions, boosts)
    return tantivy.Query.boolean_query([(Should, q) for q in clauses])


def text_query(
    schema: tantivy.Schema,
    words: list[QueryWord],
    lang: str,
    tier: Tier,
    boosts: FieldBoosts,
    *,
    unknown: frozenset[str] = frozenset(),
    expansions: Mapping[str, Sequence[str]] | None = None,
    written: frozenset[str] | None = None,
    in_names: frozenset[str] | set[str] | None = None,
) -> tantivy.Query:
    """The text clause of one tier; `all_query` when the resident typed nothing.
    `unknown`: the raw words that no name contains, the only ones given typo tolerance
    (in the "fuzzy" and "any word" tiers);
    `expansions`: their neighbours in the names' vocabulary;
    `written`: the words whose written form earns a bonus (None: every word);
    `in_names`: the words some name contains: in the "any word" tier they are looked for
    in names only (a broad word's description postings would double the cost of a tier
    whose matches are weak anyway); the others in descriptions too."""
    if not words:
        return tantivy.Query.all_query()
    descriptions = tier != "exact"
    fuzzy = tier in ("fuzzy", "any_word")
    required = Should if tier == "any_word" else Must
    names_only = in_names if tier == "any_word" and in_names is not None else frozenset()
    subqueries = [
        (
            Should if w.optional else required,
            word_query(
                schema,
                w,
                lang,
                boosts,
                descriptions=descriptions and w.raw not in names_only,
                expansions=expansions.get(w.raw, ()) if fuzzy and w.raw in unknown and expansions else (),
                written=written is None or w.raw in written,
            ),
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
    if query.local_only:  # an unknown origin is stored as -1: never within [0, radius]
        top = 1e9 if query.local_territory else query.local_radius_km
        filters.append(tantivy.Query.range_query(schema, ORIGIN_FIELD, tantivy.FieldType.Float, 0.0, top))
        if query.local_territory:  # placed, and inside the voted territory (decision 0020)
            filters.append(
                tantivy.Query.term_query(schema, AREAS_FIELD, query.local_territory, index_option="basic")
            )
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


def box_filters(schema: tantivy.Schema, center: tuple[float, float], km: float) -> list[tantivy.Query]:
    """Offers whose shop lies in the box around a circle: two range queries on the offers'
    coordinates (fast fields). tantivy reads the coordinates only of the documents the text
    matches, so the cost follows the text's matches, where a term set on shop ids pays for
    every offer of the shops (~7 ns each). The box holds ~4/π the circle: the shops outside
    the circle are checked on the candidates (`plan.PostFilter.shop_ids`)."""
    min_lat, max_lat, min_lon, max_lon = bounding_box(center[0], center[1], km)
    return [
        tantivy.Query.range_query(schema, "lat", tantivy.FieldType.Float, min_lat, max_lat),
        tantivy.Query.range_query(schema, "lon", tantivy.FieldType.Float, min_lon, max_lon),
    ]


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
