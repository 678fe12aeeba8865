"""Issue 19 item 5: the index follows large catalog changes without holding them: each offer is indexed
(or removed) as its row streams from the database, never gathered into a list first, and the writer
commits every OPERATIONS_PER_COMMIT operations (tantivy holds each uncommitted delete in memory)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from comptoir.search import services
from comptoir.search.documents import OfferDoc


def row(offer_id: int, active: bool) -> tuple[Any, ...]:
    """A row in `services.ROW_FIELDS` order (a column not named here is empty)."""
    given = {
        "id": offer_id, "shop_id": 7, "shop__ref": "boulangerie", "shop__name": "Boulangerie du Pont",
        "sku": f"P{offer_id}", "gtin": "", "name_fr": "Pain", "name_en": "Bread", "description_fr": "",
        "description_en": "", "category__path": "", "price_cents": 240, "stock": 3, "on_demand": False,
        "shop__lat": 47.05, "shop__lon": 6.0, "unit": "piece", "quantity": Decimal(1), "active": active,
        "shop__status": "active", "origin_lat": None, "origin_lon": None, "origin_place": "",
        "supplier__name": None, "supplier__lat": None, "supplier__lon": None, "supplier__city": None,
        "supplier__region": None, "shop__organisation_id": None, "shop__organisation__name": None,
    }  # fmt: skip
    assert set(given) <= set(services.ROW_FIELDS)
    return tuple(given.get(field) for field in services.ROW_FIELDS)


class RecordingIndex:
    def __init__(self, events: list[tuple[str, Any]]) -> None:
        self.events = events

    def add_or_update(self, docs: Iterable[OfferDoc]) -> int:
        ids = [doc.offer_id for doc in docs]
        self.events.append(("index", ids))
        return len(ids)

    def delete(self, offer_ids: Iterable[int]) -> None:
        self.events.append(("delete", list(offer_ids)))

    def commit(self) -> None:
        self.events.append(("commit", None))


def test_each_row_is_indexed_or_removed_before_the_next_is_read() -> None:
    events: list[tuple[str, Any]] = []

    def rows() -> Iterator[tuple[Any, ...]]:
        for offer_id, active in ((1, True), (2, False), (3, True)):
            events.append(("read", offer_id))
            yield row(offer_id, active)

    seen: set[int] = set()
    index = RecordingIndex(events)
    committer = services._Committer(index, every=2)  # type: ignore[arg-type]
    counts = services._upsert_or_delete(index, rows(), seen, {2, 9}, committer)  # type: ignore[arg-type]
    assert counts == (2, 1)
    assert events == [
        ("read", 1), ("index", [1]), ("read", 2), ("delete", [2]), ("commit", None), ("read", 3), ("index", [3]),
    ]  # fmt: skip
    assert seen == {2}  # only the offer-level changes asked about are remembered, not every row read
    assert committer.pending == 1  # the caller's final commit takes the rest
