"""The fourth ranking factor, local origin (decision 0015), and the "local only" filter, on a
hand-made index: exact ids in exact order, exact scores."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from comptoir.catalog.provenance import origin_label
from comptoir.search.analysis import tie_key
from comptoir.search.documents import OfferDoc, RankingWeights, SearchQuery
from comptoir.search.engine import SearchIndex, build
from comptoir.search.locality import local_factor
from tests.search.test_engine import CATALOG, HOME, MID, NEAR, offer

LOCAL = RankingWeights(local=0.5, local_half_km=50.0)


def _index(tmp_path: Path, docs: list[OfferDoc], name: str = "i") -> SearchIndex:
    build(tmp_path / name, docs, heap_bytes=20_000_000, num_threads=1)
    return SearchIndex.open(tmp_path / name)


def ids(result) -> list[int]:  # type: ignore[no-untyped-def]
    return [h.offer_id for h in result.hits]


def _twins(n: int) -> list[int]:
    """n offer ids in their tie order (what decides between equal scores without origins)."""
    return sorted(range(101, 101 + n), key=lambda i: tie_key(i, ""))


def _same_loaf(offer_id: int, **kw: object) -> OfferDoc:
    # One shop, one name, one stock state: equal text relevance, distance and stock.
    return offer(offer_id, "Pain de seigle", "Rye bread", shop_id=9, at=NEAR, **kw)


def test_with_equal_text_distance_and_stock_the_local_offer_ranks_first(tmp_path: Path) -> None:
    first, second = _twins(2)
    docs = [_same_loaf(first), _same_loaf(second, origin_km=23.0, supplier_name="Ferme des Trois-Rivières")]
    index = _index(tmp_path, docs)
    query = SearchQuery("pain seigle", near=HOME)
    assert ids(index.search(query, weights=RankingWeights())) == [first, second]  # today: the tie key
    result = index.search(query, weights=LOCAL)
    assert ids(result) == [second, first]
    local, unknown = result.hits
    assert (local.origin_km, local.supplier_name, unknown.origin_km) == (
        23.0,
        "Ferme des Trois-Rivières",
        None,
    )
    assert local.why.local_factor == pytest.approx(1 + 50 / 73)
    assert local.score == pytest.approx(unknown.score * (1 + 50 / 73) ** 0.5)
    assert unknown.why.local_factor == 1.0


def test_closer_is_better_not_just_local_or_not(tmp_path: Path) -> None:
    a, b, c, d = _twins(4)
    docs = [
        _same_loaf(a),
        _same_loaf(b, origin_km=400.0),
        _same_loaf(c, origin_km=40.0),
        _same_loaf(d, origin_km=5.0),
    ]
    index = _index(tmp_path, docs)
    assert ids(index.search(SearchQuery("pain seigle", near=HOME), weights=LOCAL)) == [d, c, b, a]
    assert [round(local_factor(km, 50.0), 4) for km in (0.0, 5.0, 40.0, 400.0, None)] == [
        2.0, 1.9091, 1.5556, 1.1111, 1.0,
    ]  # fmt: skip


def test_with_the_weight_at_zero_the_order_and_scores_are_exactly_todays(tmp_path: Path) -> None:
    with_origins = [
        dataclasses.replace(
            d, origin_km=float((d.offer_id * 37) % 300), supplier_name=f"Fournisseur {d.offer_id}"
        )
        for d in CATALOG
    ]
    today, origins = _index(tmp_path, CATALOG, "a"), _index(tmp_path, with_origins, "b")
    zero = RankingWeights(local=0.0)
    queries = [
        SearchQuery("pain", near=HOME), SearchQuery("vis bois", near=MID), SearchQuery("", near=HOME),
        SearchQuery("pain"), SearchQuery("pain", near=HOME, sort="price"), SearchQuery("pain", near=HOME, group=True),
    ]  # fmt: skip
    for query in queries:
        before, after = today.search(query, weights=zero), origins.search(query, weights=zero)
        assert ids(after) == ids(before)
        assert [h.score for h in after.hits] == [h.score for h in before.hits]
        assert [h.why.formula for h in after.hits] == [h.why.formula for h in before.hits]
    # ... and with the weight on, offers without an origin keep their scores too (the factor is 1).
    before, after = today.search(queries[0], weights=zero), today.search(queries[0], weights=LOCAL)
    assert [h.score for h in after.hits] == [h.score for h in before.hits]


def test_local_only_keeps_origins_within_the_radius_and_never_unknown_ones(tmp_path: Path) -> None:
    a, b, c, d = _twins(4)
    docs = [
        _same_loaf(a),
        _same_loaf(b, origin_km=100.0),
        _same_loaf(c, origin_km=100.5),
        _same_loaf(d, origin_km=0.0),
    ]
    index = _index(tmp_path, docs)
    result = index.search(
        SearchQuery("pain seigle", near=HOME, local_only=True, local_radius_km=100.0), weights=LOCAL
    )
    assert ids(result) == [d, b]
    assert (result.total, [h.local for h in result.hits]) == (2, [True, True])
    everything = index.search(SearchQuery("pain seigle", near=HOME, local_radius_km=100.0), weights=LOCAL)
    assert {h.offer_id: h.local for h in everything.hits} == {d: True, b: True, c: False, a: False}
    faceted = index.search(
        SearchQuery("", local_only=True, local_radius_km=50.0, with_facets=True), weights=LOCAL
    )
    assert (ids(faceted), faceted.total) == ([d], 1)


def test_the_why_cites_the_origin_and_its_factor(tmp_path: Path) -> None:
    first, second = _twins(2)
    docs = [_same_loaf(first), _same_loaf(second, origin_km=23.4, supplier_name="Ferme des Trois-Rivières")]
    index = _index(tmp_path, docs)
    local, unknown = index.search(
        SearchQuery("pain seigle", near=HOME, local_radius_km=100.0), weights=LOCAL
    ).hits
    assert local.why_text("fr") == (
        "Correspondance exacte\u00a0: «\u00a0pain\u00a0» (exact), «\u00a0seigle\u00a0» (exact) · 1,0\u00a0km · en stock"
        " · produit à 23\u00a0km — Ferme des Trois-Rivières (local)"
    )
    assert local.why_text("en").endswith(
        " · in stock · made 23\u00a0km away — Ferme des Trois-Rivières (local)"
    )
    assert unknown.why_text("fr").endswith(" · en stock · origine inconnue")
    assert local.why.formula.endswith(f" × 1.681^0.5 = {local.score:.4f}")
    assert origin_label(23.4, "Ferme des Trois-Rivières") == "Produit à 23\u00a0km — Ferme des Trois-Rivières"
    assert origin_label(0.2, "") == "Produit à 1\u00a0km"
    assert origin_label(None, "Conserverie Bretonne", "en") == "Origin unknown — Conserverie Bretonne"


def test_a_page_without_near_is_the_head_of_the_full_ranking_with_origins(tmp_path: Path) -> None:
    """The exact top-k (no resident's place) stays exact with the local factor: a weak text
    match with a near origin reaches the first page, found without reading every match."""
    words = ["pain", "seigle", "complet", "bio", "campagne", "levain", "graines", "maison"]
    docs = []
    for i in range(1, 401):
        name = " ".join(words[j] for j in range(len(words)) if (i >> j) % 2 or j == 0)
        km = None if i % 3 == 0 else float((i * 37) % 900)
        docs.append(offer(i, name, shop_id=i % 40, at=NEAR, origin_km=km))
    index = _index(tmp_path, docs)
    strong = RankingWeights(local=2.0, local_half_km=30.0)
    for text in ("pain", "pain seigle", "levain bio", "pain maison graines"):
        page = index.search(SearchQuery(text, limit=20), weights=strong)
        full = index.search(SearchQuery(text, limit=400), weights=strong)
        assert ids(page) == ids(full)[:20]
        assert [h.score for h in page.hits] == [h.score for h in full.hits[:20]]
    # The local factor does move the first page here: not the text-only order.
    assert ids(index.search(SearchQuery("pain", limit=20), weights=strong)) != ids(
        index.search(SearchQuery("pain", limit=20), weights=RankingWeights())
    )
