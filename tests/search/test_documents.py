"""Pure helpers: grouping keys, query analysis, distances and the score formula."""

from __future__ import annotations

import pytest

from comptoir.core.geo import haversine_km
from comptoir.search.analysis import category_prefixes, make_analyzers, query_words
from comptoir.search.documents import RankingWeights, fold_text, group_key_for
from comptoir.search.ranking import edit_distance_at_most_one, final_score, proximity_factor


def test_group_key_prefers_gtin_in_gtin14_form() -> None:
    assert group_key_for("Nutella", "400 g", "3017620422003") == "gtin:03017620422003"
    assert group_key_for("Other name", "1 kg", "03017620422003") == "gtin:03017620422003"


def test_group_key_without_gtin_is_folded_name_and_size() -> None:
    assert group_key_for("Crème Fraîche  épaisse", "50 cl", None) == "name:creme fraiche epaisse|50cl"
    assert group_key_for("creme fraiche epaisse", "50cl", "") == "name:creme fraiche epaisse|50cl"


def test_fold_text() -> None:
    assert fold_text("Œufs plein-air, Crème 30 %") == "oeufs plein air creme 30"


def test_query_words_are_stemmed_per_language_and_stopwords_optional() -> None:
    words = query_words("Pains de Campagne", make_analyzers())
    assert [(w.raw, w.fr, w.en, w.optional) for w in words] == [
        ("pains", "pain", "pain", False),
        ("de", "de", "de", True),
        ("campagne", "campagn", "campagn", False),
    ]


def test_category_prefixes() -> None:
    assert category_prefixes("/a/b/c/") == ["a", "a/b", "a/b/c"]


def test_edit_distance_at_most_one() -> None:
    assert edit_distance_at_most_one("complet", "complte")
    assert edit_distance_at_most_one("pain", "pains")
    assert not edit_distance_at_most_one("pain", "bains")


def test_haversine_and_proximity() -> None:
    assert haversine_km(45.0, 4.0, 46.0, 4.0) == pytest.approx(111.195, abs=0.01)
    assert proximity_factor(2.0, RankingWeights(proximity_half_km=2.0)) == 0.5
    assert proximity_factor(None, RankingWeights()) == 1.0


def test_final_score_weights_are_exponents() -> None:
    w = RankingWeights(text=1.0, proximity=2.0, availability=0.0)
    assert final_score(4.0, 0.5, 0.2, w) == pytest.approx(1.0)
