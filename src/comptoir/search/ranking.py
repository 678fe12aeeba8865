"""Ranking and its explanation.

score = text ** w_text × proximity ** w_proximity × availability ** w_availability

Only three things may move an offer: how well its text matches, how far its
shop is, whether it is in stock. The functions here take exactly those inputs
(plus the governed `RankingWeights`), so no other attribute can leak in.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import cast

from comptoir.search.analysis import Analyzers, QueryWord
from comptoir.search.documents import RankingWeights, TermMatch, Why

EARTH_RADIUS_KM = 6371.0088


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def bounding_box(center: tuple[float, float], radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) of a box that contains the circle."""
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
    cos_lat = max(0.01, math.cos(math.radians(center[0])))
    dlon = math.degrees(radius_km / (EARTH_RADIUS_KM * cos_lat))
    return center[0] - dlat, center[0] + dlat, center[1] - dlon, center[1] + dlon


def proximity_factor(distance_km: float | None, weights: RankingWeights) -> float:
    if distance_km is None:
        return 1.0
    half = max(weights.proximity_half_km, 1e-6)
    return half / (half + distance_km)


def availability_factor(stock_state: str, weights: RankingWeights) -> float:
    return {
        "in_stock": weights.in_stock_factor,
        "on_demand": weights.on_demand_factor,
        "out_of_stock": weights.out_of_stock_factor,
    }.get(stock_state, weights.out_of_stock_factor)


def final_score(text: float, proximity: float, availability: float, weights: RankingWeights) -> float:
    return (
        max(text, 0.0) ** weights.text
        * max(proximity, 0.0) ** weights.proximity
        * max(availability, 0.0) ** weights.availability
    )


def score_formula(text: float, proximity: float, availability: float, weights: RankingWeights) -> str:
    score = final_score(text, proximity, availability, weights)
    return (
        f"{text:.3f}^{weights.text:g} × {proximity:.3f}^{weights.proximity:g}"
        f" × {availability:.2f}^{weights.availability:g} = {score:.4f}"
    )


def edit_distance_at_most_one(a: str, b: str) -> bool:
    """True when a and b differ by one insertion, deletion, substitution or adjacent swap."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def match_terms(
    words: list[QueryWord], names: dict[str, str], analyzers: Analyzers, fuzzy_used: bool
) -> tuple[TermMatch, ...]:
    """Say for each query word whether the offer's name has it exactly, approximately, or not at all."""
    fr_tokens = frozenset(analyzers.fr.analyze(names.get("fr", "")))
    en_tokens = frozenset(analyzers.en.analyze(names.get("en", "")))
    plain = frozenset(analyzers.plain.analyze(names.get("fr", "") + " " + names.get("en", "")))
    return match_tokens(words, fr_tokens, en_tokens, fuzzy_used, plain)


def match_tokens(
    words: list[QueryWord],
    fr_tokens: frozenset[str],
    en_tokens: frozenset[str],
    fuzzy_used: bool,
    plain_tokens: frozenset[str] = frozenset(),
) -> tuple[TermMatch, ...]:
    """`match_terms` on names already analyzed (the engine caches the analysis of shown names).
    `plain_tokens`: the names' folded, unstemmed words, where typos are looked for first."""
    return tuple(_match_word(w, fr_tokens, en_tokens, fuzzy_used, plain_tokens) for w in words)


def _match_word(
    word: QueryWord,
    fr_tokens: frozenset[str],
    en_tokens: frozenset[str],
    fuzzy_used: bool,
    plain_tokens: frozenset[str] = frozenset(),
) -> TermMatch:
    if word.fr in fr_tokens or word.en in en_tokens:
        return TermMatch(word.raw, "exact", word.raw)
    if fuzzy_used and word.fuzzy_ok:
        for stem, tokens in ((word.raw, plain_tokens), (word.fr, fr_tokens), (word.en, en_tokens)):
            near = sorted(t for t in tokens if edit_distance_at_most_one(stem, t))
            if near:
                return TermMatch(word.raw, "fuzzy", near[0])
    if word.optional:
        return TermMatch(word.raw, "missing")
    return TermMatch(word.raw, "other_field")


def build_why(
    terms: tuple[TermMatch, ...],
    text: float,
    distance_km: float | None,
    stock_state: str,
    weights: RankingWeights,
) -> Why:
    prox = proximity_factor(distance_km, weights)
    avail = availability_factor(stock_state, weights)
    return Why(
        terms=terms,
        text_score=text,
        distance_km=distance_km,
        proximity_factor=prox,
        stock_state=stock_state,
        availability_factor=avail,
        weights=weights,
        score=final_score(text, prox, avail, weights),
    )


_WORDS = {
    "fr": {
        "matches": "Correspond à",
        "exact": "exact",
        "fuzzy": "approché",
        "other_field": "dans la description",
        "missing": "absent",
        "no_text": "Tous les produits",
        "in_stock": "en stock",
        "on_demand": "sur commande",
        "out_of_stock": "en rupture",
        "quote": ("« ", " »"),
        "decimal": ",",
    },
    "en": {
        "matches": "Matches",
        "exact": "exact",
        "fuzzy": "approximate",
        "other_field": "in the description",
        "missing": "missing",
        "no_text": "All products",
        "in_stock": "in stock",
        "on_demand": "on demand",
        "out_of_stock": "out of stock",
        "quote": ("“", "”"),
        "decimal": ".",
    },
}


def render_why(why: Why, lang: str = "fr") -> str:
    """ "Correspond à « pain » (exact), « complet » (approché) · 1,2 km · en stock"."""
    words = _WORDS["en" if lang == "en" else "fr"]
    parts = [_render_terms(why.terms, words)]
    if why.distance_km is not None:
        parts.append(f"{why.distance_km:.1f}".replace(".", str(words["decimal"])) + " km")
    parts.append(str(words.get(why.stock_state, why.stock_state)))
    return " · ".join(parts)


def _render_terms(terms: tuple[TermMatch, ...], words: Mapping[str, object]) -> str:
    if not terms:
        return str(words["no_text"])
    left, right = cast(tuple[str, str], words["quote"])
    rendered = [f"{left}{t.term}{right} ({words[t.kind]})" for t in terms]
    return f"{words['matches']} " + ", ".join(rendered)
