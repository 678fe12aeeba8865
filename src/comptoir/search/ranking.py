"""Ranking and its explanation.

score = text ** w_text × proximity ** w_proximity × availability ** w_availability
        × local ** w_local

Only four things may move an offer: how well its text matches, how far its
shop is, whether it is in stock, and how near its origin is (`locality`, decision
0015). The functions here take exactly those inputs (plus the governed
`RankingWeights`), so no other attribute can leak in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from comptoir.catalog.provenance import LocalRule, origin_km_text
from comptoir.core import formats
from comptoir.search.analysis import QueryWord
from comptoir.search.documents import MatchTier, RankingWeights, TermMatch, Why
from comptoir.search.locality import local_factor


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


def weighted(factor: float, weight: float) -> float:
    """A factor raised to its governed weight (a weight of 0 switches the factor off)."""
    return max(factor, 0.0) ** weight


def combine(
    text: float,
    proximity_term: float,
    availability_term: float,
    weights: RankingWeights,
    local_term: float = 1.0,
) -> float:
    """The formula, written once: the text score raised to its weight, times the proximity,
    availability and local factors already raised to theirs (the candidate loop raises those
    once per shop and per stock state, not once per offer)."""
    score = weighted(text, weights.text) * proximity_term * availability_term
    return score * local_term if local_term != 1.0 else score


def final_score(
    text: float, proximity: float, availability: float, weights: RankingWeights, local: float = 1.0
) -> float:
    return combine(
        text,
        weighted(proximity, weights.proximity),
        weighted(availability, weights.availability),
        weights,
        weighted(local, weights.local),
    )


def score_formula(
    text: float, proximity: float, availability: float, weights: RankingWeights, local: float = 1.0
) -> str:
    score = final_score(text, proximity, availability, weights, local)
    origin = f" × {local:.3f}^{weights.local:g}" if weights.local else ""
    return (
        f"{text:.3f}^{weights.text:g} × {proximity:.3f}^{weights.proximity:g}"
        f" × {availability:.2f}^{weights.availability:g}{origin} = {score:.4f}"
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


def match_tokens(
    words: list[QueryWord],
    fr_tokens: frozenset[str],
    en_tokens: frozenset[str],
    fuzzy_used: bool,
    plain_tokens: frozenset[str] = frozenset(),
) -> tuple[TermMatch, ...]:
    """Say for each query word whether the offer's name has it exactly, approximately, or not
    at all, from the names' stems (the engine caches the analysis of shown names).
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
    tier: MatchTier = "all",
    origin_km: float | None = None,
    supplier_name: str = "",
    local_rule: LocalRule | None = None,
    origin_areas: tuple[str, ...] = (),
) -> Why:
    prox = proximity_factor(distance_km, weights)
    avail = availability_factor(stock_state, weights)
    local = local_factor(origin_km, weights.local_half_km)
    return Why(
        terms=terms,
        text_score=text,
        distance_km=distance_km,
        proximity_factor=prox,
        stock_state=stock_state,
        availability_factor=avail,
        weights=weights,
        score=final_score(text, prox, avail, weights, local),
        tier=tier,
        origin_km=origin_km,
        local_factor=local,
        supplier_name=supplier_name,
        local=local_rule is not None and local_rule.is_local(origin_km, origin_areas),
    )


def match_tier(tier: str, terms: tuple[TermMatch, ...], plain_tokens: frozenset[str]) -> MatchTier:
    """The tier shown in the explanation. The engine's "exact" tier (every word in a name) is
    "exact" when every word is there as typed (folded), "stem" when some word only through
    its stem ("pains" for "pain"); "described": some word only in a description."""
    if not terms:
        return "all"
    if tier == "exact":
        written = all(t.term in plain_tokens for t in terms if t.kind == "exact")
        return "exact" if written else "stem"
    return {"described": "description", "fuzzy": "typo", "any_word": "any_word"}.get(tier, "exact")  # type: ignore[return-value]


_WORDS = {
    "fr": {
        "matches": "Correspond à",
        "exact": "exact",
        "fuzzy": "approché",
        "other_field": "dans la description",
        "missing": "absent",
        "no_text": "Tous les produits",
        "tier_exact": "Correspondance exacte\u00a0:",
        "tier_stem": "Correspondance à la forme près (pluriel, accord)\u00a0:",
        "tier_description": "Correspondance dans la description\u00a0:",
        "tier_typo": "Correspondance avec une faute de frappe corrigée\u00a0:",
        "tier_any_word": "Correspondance partielle (une partie des mots)\u00a0:",
        "in_stock": "en stock",
        "on_demand": "sur commande",
        "out_of_stock": "en rupture",
        "quote": ("«\u00a0", "\u00a0»"),
        "origin": "produit à %s",
        "origin_unknown": "origine inconnue",
        "local": "local",
    },
    "en": {
        "matches": "Matches",
        "exact": "exact",
        "fuzzy": "approximate",
        "other_field": "in the description",
        "missing": "missing",
        "no_text": "All products",
        "tier_exact": "Exact match:",
        "tier_stem": "Match up to the word's form (plural, inflection):",
        "tier_description": "Match in the description:",
        "tier_typo": "Match with a typo corrected:",
        "tier_any_word": "Partial match (some of the words):",
        "in_stock": "in stock",
        "on_demand": "on demand",
        "out_of_stock": "out of stock",
        "quote": ("“", "”"),
        "origin": "made %s away",
        "origin_unknown": "origin unknown",
        "local": "local",
    },
}


def render_why(why: Why, lang: str = "fr") -> str:
    """ "Correspondance avec une faute de frappe corrigée : « pain » (exact), « complte »
    (approché) · 1,2 km · en stock": the tier that matched, the words, distance and stock."""
    lang = "en" if lang == "en" else "fr"
    words = _WORDS[lang]
    parts = [_render_terms(why, words)]
    if why.distance_km is not None:
        parts.append(formats.quantity(why.distance_km, 1, "km", lang))
    parts.append(str(words.get(why.stock_state, why.stock_state)))
    origin = _render_origin(why, words, lang)
    if origin:
        parts.append(origin)
    return " · ".join(parts)


def _render_origin(why: Why, words: Mapping[str, object], lang: str) -> str:
    """ "produit à 23 km — Ferme des Trois-Rivières (local)", or "origine inconnue" when the
    origin counts in the score (its weight is not 0) but cannot be placed."""
    if why.origin_km is None:
        if not why.weights.local and not why.supplier_name:
            return ""
        text = str(words["origin_unknown"])
    else:
        text = str(words["origin"]) % origin_km_text(why.origin_km, lang)
    if why.supplier_name:
        text += f" — {why.supplier_name}"
    return text + (f" ({words['local']})" if why.local else "")


def _render_terms(why: Why, words: Mapping[str, object]) -> str:
    if not why.terms:
        return str(words["no_text"])
    left, right = cast(tuple[str, str], words["quote"])
    rendered = [f"{left}{t.term}{right} ({words[t.kind]})" for t in why.terms]
    lead = words[f"tier_{why.tier}"] if why.tier != "all" else words["matches"]
    return f"{lead} " + ", ".join(rendered)
