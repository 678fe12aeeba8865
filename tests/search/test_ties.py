"""Ties never move (issue 14 item 4, decision 0010): offers with equal scores are ordered by
a key no shop controls, not by their place in the index. Every ranking is compared exactly
across indexes built in several document orders, with tied offers' prices and names edited,
and after offers were re-indexed one by one (a re-indexed document goes to the end)."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import pytest

from comptoir.search.analysis import tie_key
from comptoir.search.documents import OfferDoc, SearchQuery
from comptoir.search.engine import SearchIndex, build
from tests.search.test_engine import FAR, HOME, MID, offer

SALT = "Comptoir de test"


def _catalog() -> list[OfferDoc]:
    """130 copies of one flour in 130 shops (two market halls: every shop of a hall is at the
    same distance), two prices, three stock states; a few other products around them."""
    docs = []
    for i in range(1, 131):
        docs.append(
            offer(
                i,
                "Farine de blé T65",
                "Wheat flour T65",
                at=MID if i % 2 else FAR,
                price_cents=250 if i % 3 else 300,
                stock_state=("in_stock", "on_demand", "out_of_stock")[i % 3 if i % 5 else 0],
            )
        )
    docs += [
        offer(201, "Farine de seigle", "Rye flour", at=MID),
        offer(202, "Farine de seigle", "Rye flour", at=MID, shop_id=1),
        offer(203, "Pain à la farine de blé", "Wheat bread", at=HOME),
        offer(204, "Sucre", "Sugar", at=HOME),
    ]
    return docs


QUERIES = [
    *(SearchQuery("farine", limit=10, offset=o) for o in (0, 10, 60, 120)),
    *(SearchQuery("farine ble", near=MID, limit=10, offset=o) for o in (0, 40, 70)),
    SearchQuery("farine", near=HOME, radius_km=20, in_stock_only=True, limit=15),
    SearchQuery("farine", max_price_cents=260, limit=10, offset=20),
    SearchQuery("farine", limit=5, with_facets=True),
    SearchQuery("farine", near=HOME, group=True, limit=3),
    SearchQuery("farnie", limit=10),  # a typo: the "fuzzy" tier
    SearchQuery("farine sucre", limit=10, offset=5),  # no offer has both: "any word"
    SearchQuery("", limit=10, offset=30),
    SearchQuery("farine", near=HOME, sort="distance", limit=10, offset=50),
]
PRICE_QUERIES = [SearchQuery("farine", sort="price", limit=10, offset=o) for o in (0, 80)]


def _ranking(index: SearchIndex, query: SearchQuery, cheapest: bool = True) -> list[tuple[int, float]]:
    """The hits with their scores; grouped, each group's cheapest offers too (`cheapest`)."""
    result = index.search(query)
    ranked = [(h.offer_id, h.score) for h in result.hits]
    for group in result.groups if cheapest else ():
        ranked += [(o.offer_id, float(o.price_cents)) for o in group.offers]
    return ranked


def _built(path: Path, docs: list[OfferDoc]) -> SearchIndex:
    build(path, docs, heap_bytes=20_000_000, num_threads=1, tie_salt=SALT)
    return SearchIndex.open(path)


def _shuffled(docs: list[OfferDoc], seed: int) -> list[OfferDoc]:
    copy = list(docs)
    random.Random(seed).shuffle(copy)
    return copy


def _edited(doc: OfferDoc) -> OfferDoc:
    """A shop edits a tied offer: another price, another wording of the same length (the text
    score stays equal), another shop name and SKU."""
    if doc.offer_id > 130:
        return doc
    return dataclasses.replace(
        doc,
        price_cents=doc.price_cents + 1 + doc.offer_id % 7,
        name_fr="Farine de blé T55",
        name_en="Wheat flour T55",
        shop_name="Premium " * 3,
        sku=f"AAA-{doc.offer_id}",
    )


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    return _built(tmp_path_factory.mktemp("ties") / "reference", _catalog())


def test_the_reference_ranks_ties_by_tie_key(reference: SearchIndex) -> None:
    """The first page of "farine" without a place: 130 equal texts, in stock first, then by
    tie key — and the index order (1, 2, 3…) would have given another page."""
    in_stock = [i for i in range(1, 131) if (i % 3 if i % 5 else 0) == 0]
    expected = sorted(in_stock, key=lambda i: tie_key(i, SALT))[:10]
    assert [h.offer_id for h in reference.search(SearchQuery("farine ble", limit=10)).hits] == expected
    assert expected != sorted(expected)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_document_order_moves_nothing(tmp_path: Path, reference: SearchIndex, seed: int) -> None:
    other = _built(tmp_path / "shuffled", _shuffled(_catalog(), seed))
    for query in QUERIES + PRICE_QUERIES:
        assert _ranking(other, query) == _ranking(reference, query), query


def test_edited_prices_and_names_of_tied_offers_move_nothing(tmp_path: Path, reference: SearchIndex) -> None:
    other = _built(tmp_path / "edited", _shuffled([_edited(d) for d in _catalog()], 9))
    for query in QUERIES:
        # A group's cheapest offers do change with the prices: the ranking of the groups' best not.
        assert _ranking(other, query, cheapest=False) == _ranking(reference, query, cheapest=False), query


def test_re_indexing_an_offer_moves_nothing(tmp_path: Path, reference: SearchIndex) -> None:
    """The worker re-indexes edited offers one batch at a time: each goes to a new segment,
    after its ties in the index. Rankings stay those of a fresh build (scores may differ in
    the last digits: deleted documents count in tantivy's statistics until a merge)."""
    path = tmp_path / "live"
    build(path, _catalog(), heap_bytes=20_000_000, num_threads=1, tie_salt=SALT)
    writer = SearchIndex.open(path, writer=True, tie_salt=SALT)
    for doc in _catalog()[:130:7]:
        writer.add_or_update([dataclasses.replace(doc, shop_name="Renamed", sku="Z")])
        writer.commit()
    for query in QUERIES + PRICE_QUERIES:
        assert [i for i, _ in _ranking(writer, query)] == [i for i, _ in _ranking(reference, query)], query


def test_the_salt_is_the_nodes(tmp_path: Path) -> None:
    """Another node (another salt) orders its ties otherwise; a writer takes the node's salt."""
    a = _built(tmp_path / "a", _catalog())
    build(tmp_path / "b", _catalog(), heap_bytes=20_000_000, num_threads=1, tie_salt="another node")
    b = SearchIndex.open(tmp_path / "b")
    query = SearchQuery("farine ble", limit=10)
    assert [h.offer_id for h in a.search(query).hits] != [h.offer_id for h in b.search(query).hits]
