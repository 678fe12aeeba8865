"""The search engine on a small hand-made index: exact ids, in exact order."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import tantivy

from comptoir.search.analysis import tie_key
from comptoir.search.documents import FieldBoosts, OfferDoc, RankingWeights, SearchQuery, group_key_for
from comptoir.search.engine import SearchIndex, StaleIndexError, build

HOME = (45.7640, 4.8357)  # the resident
NEAR = (45.7640, 4.8487)  # ~1.0 km east
MID = (45.7640, 4.8747)  # ~3.0 km east
FAR = (45.7640, 4.9657)  # ~10.1 km east
GTIN = "3017620422003"


def offer(offer_id: int, name_fr: str, name_en: str = "", **kw: object) -> OfferDoc:
    shop_id = int(kw.pop("shop_id", offer_id))  # type: ignore[call-overload]
    lat, lon = kw.pop("at", HOME)  # type: ignore[misc]
    unit = str(kw.pop("unit_label", "500 g"))
    gtin = kw.pop("gtin", None)
    fields: dict[str, object] = {
        "offer_id": offer_id,
        "shop_id": shop_id,
        "shop_ref": f"shop-{shop_id}",
        "shop_name": f"Boutique {shop_id}",
        "sku": f"SKU-{offer_id}",
        "gtin": gtin,
        "name_fr": name_fr,
        "name_en": name_en,
        "description_fr": "",
        "description_en": "",
        "category_path": "alimentation/boulangerie/pain",
        "price_cents": 300,
        "stock_state": "in_stock",
        "lat": lat,
        "lon": lon,
        "unit_label": unit,
        "group_key": group_key_for(name_fr, unit, gtin),  # type: ignore[arg-type]
    }
    fields.update(kw)
    return OfferDoc(**fields)  # type: ignore[arg-type]


CATALOG = [
    offer(1, "Pain complet", "Wholemeal bread", at=NEAR, price_cents=240),
    offer(2, "Pain complet", "Wholemeal bread", at=FAR, price_cents=210),
    offer(3, "Pain de campagne", "Country bread", at=MID, price_cents=350),
    offer(
        4,
        "Crème fraîche épaisse",
        "Thick cream",
        category_path="alimentation/cremerie/creme",
        price_cents=190,
    ),
    offer(
        5,
        "Vis à bois tête fraisée 4x40",
        "Countersunk wood screw 4x40",
        category_path="bricolage/visserie/vis",
        price_cents=650,
        at=MID,
    ),
    offer(
        6,
        "Vis à bois tête fraisée 4x50",
        "Countersunk wood screw 4x50",
        category_path="bricolage/visserie/vis",
        price_cents=690,
        at=MID,
    ),
    offer(
        7,
        "Pâte à tartiner noisette",
        "Hazelnut spread",
        gtin=GTIN,
        shop_id=11,
        at=NEAR,
        price_cents=420,
        category_path="alimentation/epicerie/sucre",
    ),
    offer(
        8,
        "Pâte à tartiner noisette",
        "Hazelnut spread",
        gtin=GTIN,
        shop_id=12,
        at=MID,
        price_cents=399,
        category_path="alimentation/epicerie/sucre",
        stock_state="on_demand",
    ),
    offer(
        9,
        "Pâte à tartiner noisette",
        "Hazelnut spread",
        gtin=GTIN,
        shop_id=13,
        at=FAR,
        price_cents=450,
        category_path="alimentation/epicerie/sucre",
        stock_state="out_of_stock",
    ),
    offer(
        10,
        "Chocolat noir 70 %",
        "Dark chocolate 70 %",
        category_path="alimentation/epicerie/sucre",
        price_cents=280,
        at=NEAR,
        description_en="Organic cocoa from Peru",
    ),
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    path = tmp_path_factory.mktemp("search") / "index"
    build(path, CATALOG, heap_bytes=20_000_000, num_threads=1)
    return SearchIndex.open(path)


def ids(result) -> list[int]:
    return [h.offer_id for h in result.hits]


def by_tie(*offer_ids: int) -> list[int]:
    """Offers whose scores are equal, in their tie-key order (decision 0010; no salt here)."""
    return sorted(offer_ids, key=lambda i: tie_key(i, ""))


def test_exact_ids_in_order_nearest_first(index: SearchIndex) -> None:
    result = index.search(SearchQuery("pain complet", near=HOME))
    assert ids(result) == [1, 2]
    assert (result.total, result.total_is_exact) == (2, True)
    # Fewer than 3 hits, but both words exist in the index: they are not typos, no fuzzy tier.
    assert result.relaxed == "exact"
    assert [round(h.distance_km or 0, 1) for h in result.hits] == [1.0, 10.1]


def test_without_location_same_text_ties_break_by_tie_key(index: SearchIndex) -> None:
    assert by_tie(1, 2) == [2, 1]  # not the index order, which is 1, 2
    assert ids(index.search(SearchQuery("pain"))) == [*by_tie(1, 2), 3]


def test_accents_are_optional(index: SearchIndex) -> None:
    assert ids(index.search(SearchQuery("creme fraiche"))) == [4]
    assert ids(index.search(SearchQuery("CRÈME FRAÎCHE"))) == [4]


def test_screw_size_token_matches(index: SearchIndex) -> None:
    assert ids(index.search(SearchQuery("vis a bois 4x40"))) == [5]


def test_typo_finds_the_product(index: SearchIndex) -> None:
    result = index.search(SearchQuery("nosette"))
    assert ids(result) == [7, 8, 9]
    assert result.relaxed == "fuzzy"
    assert result.hits[0].why.terms[0].kind == "fuzzy"


def test_french_stemming(index: SearchIndex) -> None:
    assert ids(index.search(SearchQuery("pains complets"))) == by_tie(1, 2)


def test_english_field(index: SearchIndex) -> None:
    result = index.search(SearchQuery("wholemeal bread"), lang="en")
    assert ids(result) == by_tie(1, 2)
    assert result.hits[0].name == "Wholemeal bread"


def test_only_unknown_words_get_typo_tolerance(index: SearchIndex) -> None:
    result = index.search(SearchQuery("pain complte"))
    assert ids(result) == by_tie(1, 2)
    assert result.relaxed == "fuzzy"
    assert [(t.term, t.kind) for t in result.hits[0].why.terms] == [("pain", "exact"), ("complte", "fuzzy")]


def test_description_matches_score_below_names(index: SearchIndex) -> None:
    result = index.search(SearchQuery("cocoa"))
    assert ids(result) == [10]
    assert result.hits[0].why.terms[0].kind == "other_field"


def test_all_words_required_then_relaxed(index: SearchIndex) -> None:
    # No offer has both words: any word will do; shorter names score higher, stock breaks the rest.
    assert ids(index.search(SearchQuery("pain noisette"))) == [*by_tie(1, 2), 3, 7, 8, 9]
    assert index.search(SearchQuery("pain noisette")).relaxed == "any_word"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (SearchQuery("noisette", in_stock_only=True), [7]),
        (SearchQuery("noisette", max_price_cents=420), [7, 8]),
        (SearchQuery("noisette", min_price_cents=421), [9]),
        (SearchQuery("", category="bricolage"), by_tie(5, 6)),
        (SearchQuery("", category="alimentation/cremerie"), [4]),
        (SearchQuery("noisette", shop_refs={"shop-12"}), [8]),
        (SearchQuery("noisette", shop_ids={11, 13}), [7, 9]),
        (SearchQuery("noisette", shop_ids=set()), []),
        (SearchQuery("noisette", near=HOME, radius_km=5), [7, 8]),
        (SearchQuery("noisette", near=HOME, radius_km=2, shop_ids={12, 13}), []),
    ],
)
def test_each_filter(index: SearchIndex, query: SearchQuery, expected: list[int]) -> None:
    result = index.search(query)
    assert ids(result) == expected
    assert result.total == len(expected)


def test_sort_by_price_and_by_distance(index: SearchIndex) -> None:
    assert ids(index.search(SearchQuery("noisette", sort="price"))) == [8, 7, 9]
    assert ids(index.search(SearchQuery("pain", near=FAR, sort="distance"))) == [2, 3, 1]


def test_facet_counts_over_the_whole_match_set(index: SearchIndex) -> None:
    facets = index.search(SearchQuery("", limit=1, with_facets=True)).facets
    assert facets is not None
    assert [(f.value, f.count) for f in facets.categories_l1] == [("alimentation", 8), ("bricolage", 2)]
    assert [(f.value, f.count) for f in facets.categories_l2] == [
        ("alimentation/epicerie", 4),
        ("alimentation/boulangerie", 3),
        ("bricolage/visserie", 2),
        ("alimentation/cremerie", 1),
    ]
    assert [(b.min_cents, b.max_cents, b.count) for b in facets.price_bands] == [
        (None, 200, 1),
        (200, 500, 7),
        (500, 1000, 2),
        (1000, 2000, 0),
        (2000, 5000, 0),
        (5000, None, 0),
    ]
    assert ("shop-1", 1) in [(f.value, f.count) for f in facets.shops]
    assert sum(f.count for f in facets.shops) == 10


def test_same_gtin_in_three_shops_groups_with_min_price(index: SearchIndex) -> None:
    result = index.search(SearchQuery("pate a tartiner", near=HOME, group=True))
    [group] = result.groups
    assert group.group_key == "gtin:0" + GTIN
    assert group.count == 3
    assert group.min_price_cents == 399
    assert [o.offer_id for o in group.offers] == [8, 7, 9]
    assert group.best.offer_id == 7


def test_explanation_content(index: SearchIndex) -> None:
    hit = index.search(SearchQuery("pain complte", near=HOME)).hits[0]
    why = hit.why
    assert hit.offer_id == 1
    assert [(t.term, t.kind, t.matched) for t in why.terms] == [
        ("pain", "exact", "pain"),
        ("complte", "fuzzy", "complet"),
    ]
    assert why.proximity_factor == pytest.approx(2.0 / (2.0 + why.distance_km))
    assert why.availability_factor == 1.0
    assert why.score == pytest.approx(why.text_score * why.proximity_factor)
    assert why.formula.endswith(f"= {why.score:.4f}")
    assert (
        hit.why_text("fr")
        == "Correspondance avec une faute de frappe corrigée\u00a0: «\u00a0pain\u00a0» (exact), «\u00a0complte\u00a0» (approché) · 1,0\u00a0km · en stock"
    )
    assert (
        hit.why_text("en")
        == "Match with a typo corrected: “pain” (exact), “complte” (approximate) · 1.0\u00a0km · in stock"
    )


def test_availability_lowers_rank(index: SearchIndex) -> None:
    result = index.search(SearchQuery("noisette"))
    assert [h.why.availability_factor for h in result.hits] == [1.0, 0.6, 0.2]


def test_weights_are_parameters(index: SearchIndex) -> None:
    no_distance = RankingWeights(proximity=0.0)
    assert ids(index.search(SearchQuery("pain complet", near=FAR), weights=no_distance)) == by_tie(1, 2)
    assert ids(index.search(SearchQuery("pain complet", near=FAR))) == [2, 1]


def _with(doc: OfferDoc, **changes: object) -> OfferDoc:
    return dataclasses.replace(doc, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "change",
    [
        lambda d: _with(d, shop_name="ZZZ Premium Partner " * 3),
        lambda d: _with(d, shop_id=1000 - d.offer_id, shop_ref=f"a-{1000 - d.offer_id}"),
        lambda d: _with(d, sku="0" * (d.offer_id % 5)),
        lambda d: _with(d, price_cents=10 + (d.offer_id * 7919) % 5000),
        lambda d: _with(
            d, origin_km=float(d.offer_id % 7), supplier_name="Ferme", gtin=None, unit_label="1 kg"
        ),
        lambda d: _with(d, category_path="promo/sponsored/top"),
    ],
)
def test_no_paid_placement(tmp_path: Path, change) -> None:
    """Only text, location and stock move an offer: any other attribute leaves the order unchanged."""
    queries = [SearchQuery("pain", near=HOME), SearchQuery("noisette", near=MID), SearchQuery("", near=HOME)]
    build(tmp_path / "a", CATALOG, heap_bytes=20_000_000, num_threads=1)
    build(tmp_path / "b", [change(d) for d in CATALOG], heap_bytes=20_000_000, num_threads=1)
    a, b = SearchIndex.open(tmp_path / "a"), SearchIndex.open(tmp_path / "b")
    for query in queries:
        assert ids(a.search(query)) == ids(b.search(query))
        assert [h.score for h in a.search(query).hits] == [h.score for h in b.search(query).hits]


def test_names_first_then_descriptions(tmp_path: Path) -> None:
    catalog = [
        offer(1, "Tablette cacao", "Cocoa bar"),
        offer(2, "Cacao en poudre", "Cocoa powder"),
        offer(3, "Cacao cru", "Raw cocoa"),
        offer(4, "Chocolat noir", "Dark chocolate", description_fr="Cacao du Pérou"),
    ]
    build(tmp_path / "i", catalog, heap_bytes=20_000_000, num_threads=1)
    index = SearchIndex.open(tmp_path / "i")
    # Three offers name the word: the description-only match is not needed.
    assert ids(index.search(SearchQuery("cacao"))) == [*by_tie(1, 3), 2]  # two-word names tie
    # One name has both words: descriptions are searched too, names first.
    assert ids(index.search(SearchQuery("cacao noir"))) == [4]
    assert ids(index.search(SearchQuery("cacao cru"))) == [3]
    assert ids(index.search(SearchQuery("cacao chocolat"))) == [4]


def _many(n: int) -> list[OfferDoc]:
    """n copies of one product in n shops, and one other product whose name is longer."""
    copies = [offer(i, "Farine de blé", "Wheat flour", at=FAR) for i in range(1, n + 1)]
    return [*copies, offer(n + 1, "Farine de blé complète bio", "Organic wholemeal wheat flour", at=FAR)]


def _ladder(n: int) -> list[OfferDoc]:
    """n offers of "farine", each name one word longer than the last: no two scores tie."""
    return [offer(i, "Farine" + "".join(f" mot{j}" for j in range(i - 1)), "Flour") for i in range(1, n + 1)]


def test_total_is_a_lower_bound_unless_asked(tmp_path: Path) -> None:
    build(tmp_path / "i", _ladder(61), heap_bytes=20_000_000, num_threads=1)
    index = SearchIndex.open(tmp_path / "i")
    quick = index.search(SearchQuery("farine", limit=5))
    assert ids(quick) == [1, 2, 3, 4, 5]  # shorter names first
    assert (quick.total, quick.total_is_exact) == (40, False)  # the 40 candidates read
    exact = index.search(SearchQuery("farine", limit=5, exact_total=True))
    assert (exact.total, exact.total_is_exact) == (61, True)
    faceted = index.search(SearchQuery("farine", limit=5, with_facets=True))
    assert (faceted.total, faceted.total_is_exact) == (61, True)
    narrow = index.search(SearchQuery("mot58"))
    assert (ids(narrow), narrow.total, narrow.total_is_exact) == ([60, 61], 2, True)


def test_a_tie_across_the_candidates_boundary_is_read_whole(tmp_path: Path) -> None:
    """60 equal scores, 40 candidates at first: the page's last score ties the 40th, so an
    unseen offer with a smaller tie key could belong on the page; the engine reads on."""
    build(tmp_path / "i", _many(60), heap_bytes=20_000_000, num_threads=1)
    index = SearchIndex.open(tmp_path / "i")
    quick = index.search(SearchQuery("farine", limit=5))
    assert ids(quick) == by_tie(*range(1, 61))[:5]
    # 40 read, then the 2 unseen ones whose tie key is below the page's last (one more search).
    assert (quick.total, quick.total_is_exact) == (42, False)


def test_groups_beyond_a_product_that_fills_the_candidates(tmp_path: Path) -> None:
    build(tmp_path / "i", _many(60), heap_bytes=20_000_000, num_threads=1)
    index = SearchIndex.open(tmp_path / "i")
    result = index.search(SearchQuery("farine ble", near=HOME, group=True))
    assert [(g.group_key, g.count) for g in result.groups] == [
        ("name:farine de ble|500g", 60),
        ("name:farine de ble complete bio|500g", 1),
    ]
    assert [o.offer_id for o in result.groups[0].offers] == by_tie(*range(1, 61))[:5]  # one price


def test_filters_checked_in_python_fall_back_to_tantivy(tmp_path: Path) -> None:
    """In stock is ~60 % of this index, so it is checked on candidates; but every close match
    of "farine" is out of stock: the engine must still find the one in stock."""
    catalog = [offer(i, "Farine", "Flour", stock_state="out_of_stock") for i in range(1, 31)]
    catalog.append(offer(31, "Farine de blé bio", "Organic wheat flour"))
    catalog += [offer(100 + i, "Sel", "Salt") for i in range(40)]
    build(tmp_path / "i", catalog, heap_bytes=20_000_000, num_threads=1)
    index = SearchIndex.open(tmp_path / "i")
    few = RankingWeights(candidates=1)
    near = index.search(SearchQuery("farine", near=HOME, in_stock_only=True, limit=1), weights=few)
    # One candidate per search (candidates=1): the engine cannot tell that no other offer matches.
    assert (ids(near), near.total, near.total_is_exact) == ([31], 1, False)
    assert ids(index.search(SearchQuery("farine", in_stock_only=True, limit=1), weights=few)) == [31]


def test_a_stricter_tier_stays_first_when_relaxed(tmp_path: Path) -> None:
    catalog = [
        offer(1, "Tablette de cacao noir bio équitable du Pérou cent grammes", "Organic dark cocoa bar"),
        offer(2, "Noir", "Black", description_fr="cacao cacao cacao"),
        offer(3, "Cacao", "Cocoa"),
        offer(4, "Noir intense", "Intense black"),
    ]
    build(tmp_path / "i", catalog, heap_bytes=20_000_000, num_threads=1)
    index = SearchIndex.open(tmp_path / "i")
    # Only offer 1 names both words: with fewer than 3 such offers, descriptions are searched
    # too; offer 2 scores higher (short name, three mentions) but comes after offer 1.
    result = index.search(SearchQuery("cacao noir"))
    assert (ids(result), result.relaxed) == ([1, 2], "exact")
    assert [[t.kind for t in h.why.terms] for h in result.hits] == [
        ["exact", "exact"],
        ["other_field", "exact"],
    ]
    assert result.hits[1].why.score > result.hits[0].why.score


def test_writer_updates_and_deletes(tmp_path: Path) -> None:
    index = SearchIndex.open(tmp_path / "live", writer=True)
    assert index.count() == 0
    index.add_or_update(CATALOG[:3])
    index.commit()
    assert ids(index.search(SearchQuery("pain"))) == [*by_tie(1, 2), 3]
    index.add_or_update([_with(CATALOG[0], name_fr="Baguette", name_en="Baguette")])
    index.delete([2])
    index.commit()
    assert index.count() == 2
    assert ids(index.search(SearchQuery("pain"))) == [3]
    assert ids(index.search(SearchQuery("baguette"))) == [1]


def test_rebuild_swaps_atomically_and_readers_reload(tmp_path: Path) -> None:
    path = tmp_path / "index"
    build(path, CATALOG[:2], heap_bytes=20_000_000, num_threads=1)
    reader = SearchIndex.open(path)
    build(path, CATALOG, heap_bytes=20_000_000, num_threads=1)
    assert reader.count() == 2  # still the old generation, still readable
    reader.reload()
    assert reader.count() == 10
    assert path.is_symlink()
    assert len(list(tmp_path.glob("index.gen-*"))) == 2  # current + previous, older ones removed


def test_reader_refuses_to_write(index: SearchIndex) -> None:
    with pytest.raises(RuntimeError):
        index.delete([1])


def test_typo_that_moves_the_stem_is_one_edit_on_the_written_word(tmp_path: Path) -> None:
    """ "trple" stems to "trpl", two edits from "tripl"; as written it is one from "triple"."""
    catalog = [
        offer(1, "Confiture triple fruits", "Triple fruit jam"),
        offer(2, "Confiture abricot", "Apricot jam"),
        offer(3, "Tripes à la mode de Caen", "Tripe stew"),
    ]
    build(tmp_path / "i", catalog, heap_bytes=20_000_000, num_threads=1)
    index = SearchIndex.open(tmp_path / "i")
    result = index.search(SearchQuery("trple confiture"))
    assert (ids(result), result.relaxed) == ([1], "fuzzy")
    assert [(t.term, t.kind, t.matched) for t in result.hits[0].why.terms] == [
        ("trple", "fuzzy", "triple"),
        ("confiture", "exact", "confiture"),
    ]


def test_a_typo_scores_by_bm25_shorter_names_first(tmp_path: Path) -> None:
    catalog = [
        offer(1, "Noisettes grillées salées en sachet refermable", "Salted roasted hazelnuts"),
        offer(2, "Noisettes", "Hazelnuts"),
        offer(3, "Noisettes grillées", "Roasted hazelnuts"),
    ]
    build(tmp_path / "i", catalog, heap_bytes=20_000_000, num_threads=1)
    index = SearchIndex.open(tmp_path / "i")
    result = index.search(SearchQuery("nosettes"))
    assert (ids(result), result.relaxed) == ([2, 3, 1], "fuzzy")
    assert result.hits[0].why.text_score > result.hits[1].why.text_score > result.hits[2].why.text_score


def test_the_word_as_written_earns_a_bonus_over_another_form_of_its_stem(tmp_path: Path) -> None:
    catalog = [offer(1, "Tomates cerises", "Cherry tomatoes"), offer(2, "Tomate cerise", "Cherry tomato")]
    build(tmp_path / "i", catalog, heap_bytes=20_000_000, num_threads=1)
    index = SearchIndex.open(tmp_path / "i")
    assert ids(index.search(SearchQuery("tomate cerise"))) == [2, 1]
    assert ids(index.search(SearchQuery("tomates cerises"))) == [1, 2]


def test_radius_is_a_circle_although_pushed_as_a_box(tmp_path: Path) -> None:
    """A radius goes into tantivy as a box on the offers' coordinates; the circle is then
    checked on the candidates: a shop in the box's corner (5.7 km away) is left out."""
    corner = (HOME[0] + 4 / 110.57, HOME[1] + 4 / 77.7)  # 4 km north, 4 km east
    inside = (HOME[0], HOME[1] + 4.9 / 77.7)
    catalog = [offer(1, "Farine de seigle", "Rye flour", at=corner), offer(2, "Farine", "Flour", at=inside)]
    catalog += [offer(10 + i, "Sel", "Salt", at=FAR) for i in range(20)]
    build(tmp_path / "i", catalog, heap_bytes=20_000_000, num_threads=1)
    index = SearchIndex.open(tmp_path / "i")
    result = index.search(SearchQuery("farine", near=HOME, radius_km=5))
    assert (ids(result), result.total) == ([2], 1)
    assert [round(h.distance_km or 0, 1) for h in result.hits] == [4.9]
    assert ids(index.search(SearchQuery("farine", near=HOME, radius_km=6))) == [2, 1]
    faceted = index.search(SearchQuery("farine", near=HOME, radius_km=5, with_facets=True))
    assert (ids(faceted), faceted.total) == ([2], 1)


def test_any_word_looks_in_descriptions_only_for_words_no_name_has(tmp_path: Path) -> None:
    catalog = [
        offer(1, "Miel de lavande", "Lavender honey"),
        offer(2, "Savon", "Soap", description_fr="Au miel de lavande"),
        offer(3, "Tisane", "Herbal tea", description_fr="Thym et romarin"),
    ]
    build(tmp_path / "i", catalog, heap_bytes=20_000_000, num_threads=1)
    index = SearchIndex.open(tmp_path / "i")
    # No offer has both words: "miel" is in a name, so names only; "romarin" is in no name.
    result = index.search(SearchQuery("miel romarin"))
    assert (ids(result), result.relaxed) == ([1, 3], "any_word")
    assert [t.kind for t in result.hits[0].why.terms] == ["exact", "other_field"]


def test_an_index_from_an_older_schema_asks_for_a_rebuild(tmp_path: Path) -> None:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("offer_id", stored=True, indexed=True, fast=True)
    (tmp_path / "old").mkdir()
    tantivy.Index(builder.build(), str(tmp_path / "old"))
    with pytest.raises(StaleIndexError):
        SearchIndex.open(tmp_path / "old")


def test_a_rebuild_brings_a_new_typo_vocabulary(tmp_path: Path) -> None:
    path = tmp_path / "index"
    build(path, CATALOG[:3], heap_bytes=20_000_000, num_threads=1)
    reader = SearchIndex.open(path)
    assert ids(reader.search(SearchQuery("nosette"))) == []
    build(path, CATALOG, heap_bytes=20_000_000, num_threads=1)
    reader.reload()
    assert ids(reader.search(SearchQuery("nosette"))) == [7, 8, 9]


def test_the_why_names_the_matching_tier(tmp_path: Path) -> None:
    """Exact (as typed), stem, description, typo, any word: the explanation says which tier
    matched, since a stricter tier always ranks first."""
    catalog = [
        offer(1, "Tomate cerise", "Cherry tomato"),
        offer(2, "Tomates séchées", "Dried tomatoes"),
        offer(3, "Coulis", "Sauce", description_fr="Coulis de tomates basilic"),
        offer(4, "Basilic frais", "Fresh basil"),
    ]
    build(tmp_path / "i", catalog, heap_bytes=20_000_000, num_threads=1)
    index = SearchIndex.open(tmp_path / "i")

    def tiers(text: str) -> list[tuple[int, str]]:
        return [(h.offer_id, h.why.tier) for h in index.search(SearchQuery(text)).hits]

    # Two names have the word: fewer than 3, so descriptions are searched too (after them).
    assert tiers("tomate") == [(1, "exact"), (2, "stem"), (3, "description")]
    assert tiers("tomates") == [(2, "exact"), (1, "stem"), (3, "description")]
    assert tiers("coulis basilic") == [(3, "description")]
    assert tiers("basilc") == [(4, "typo")]
    assert tiers("cerise frais") == [(1, "any_word"), (4, "any_word")]
    assert index.search(SearchQuery("")).hits[0].why.tier == "all"
    [hit] = index.search(SearchQuery("basilc")).hits
    assert hit.why_text("fr") == (
        "Correspondance avec une faute de frappe corrigée\u00a0: «\u00a0basilc\u00a0» (approché) · en stock"
    )
    assert hit.why_text("en") == "Match with a typo corrected: “basilc” (approximate) · in stock"
    stem = index.search(SearchQuery("tomate")).hits[1]
    assert stem.why_text("fr").startswith(
        "Correspondance à la forme près (pluriel, accord)\u00a0: «\u00a0tomate\u00a0» (exact)"
    )
    assert stem.why_text("en").startswith(
        "Match up to the word's form (plural, inflection): “tomate” (exact)"
    )


def test_field_boosts_and_stock_factors_are_parameters(tmp_path: Path) -> None:
    """The word in the resident's language's name outranks it in the other language's name,
    unless the governed boosts say otherwise; the stock factors are weights too."""
    catalog = [
        offer(1, "Chocolat noir", "Dark bar", stock_state="on_demand"),
        offer(2, "Tablette noire", "Chocolat bar"),
    ]
    build(tmp_path / "i", catalog, heap_bytes=20_000_000, num_threads=1)
    index = SearchIndex.open(tmp_path / "i")
    flat = RankingWeights(on_demand_factor=1.0)
    assert ids(index.search(SearchQuery("chocolat"), weights=flat)) == [1, 2]
    other_first = dataclasses.replace(flat, boosts=FieldBoosts(own_name=0.1, other_name=9.0))
    assert ids(index.search(SearchQuery("chocolat"), weights=other_first)) == [2, 1]
    result = index.search(SearchQuery("chocolat"), weights=RankingWeights(on_demand_factor=0.01))
    assert [(h.offer_id, h.why.availability_factor) for h in result.hits] == [(2, 1.0), (1, 0.01)]


def test_a_long_run_of_ties_is_selected_in_rounds(tmp_path: Path) -> None:
    """2,000 equal scores (one product in 2,000 shops): the page is the 2,000's smallest tie
    keys, found in a few rounds of the tie-key range rather than by reading them all."""
    docs = _many(2000)
    build(tmp_path / "i", list(reversed(docs)), heap_bytes=20_000_000, num_threads=1)
    index = SearchIndex.open(tmp_path / "i")
    order = by_tie(*range(1, 2001))
    assert ids(index.search(SearchQuery("farine", limit=5))) == order[:5]
    assert ids(index.search(SearchQuery("farine", limit=10, offset=10))) == order[10:20]
