"""Writes to the search index: apply the catalog's pending changes, rebuild from scratch.

One process writes (the worker, or `comptoir search-rebuild`); a file lock next to
the index makes sure of it, so a rebuild and the worker's drain never interleave.
The catalog's outbox (`OfferChange`) is emptied only *after* the index has
committed, so a crash in between re-applies a change (harmless) and never loses one.
"""

from __future__ import annotations

import fcntl
import logging
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from comptoir.catalog.models import Offer, OfferChange, Shop
from comptoir.catalog.provenance import origin_distance_km, origin_of
from comptoir.catalog.selectors import is_sellable, postal_areas, production_areas, sellable_offers
from comptoir.core.progress import Progress, counted
from comptoir.search.documents import OfferDoc, SearchQuery, group_key_for
from comptoir.search.engine import SearchIndex, build

logger = logging.getLogger(__name__)

CHANGES_PER_BATCH = 5000
# tantivy keeps every delete (an update deletes the old copy first) in memory until the next commit,
# ~1.7 KB each: a shop-level change of 2,000 shops (a network import) would otherwise hold a million of
# them (measured: the worker passed 495 MB after ~170,000 offers). Committing every 20,000 operations
# holds it near +35 MB; a crash in between re-applies the batch, which is harmless.
OPERATIONS_PER_COMMIT = 20_000
ID_CHUNK = 2000
INDEX_NAME = "offers"
# Column order of `_offer_rows`; values_list tuples, not model instances, keep a 1M rebuild lean.
ROW_FIELDS = (
    "id", "shop_id", "shop__ref", "shop__name", "sku", "gtin", "name_fr", "name_en", "description_fr",
    "description_en", "category__path", "price_cents", "stock", "on_demand", "shop__lat", "shop__lon",
    "unit", "quantity", "active", "shop__status",
    # Provenance (decision 0015): the declared origin, else the supplier's place.
    "origin_lat", "origin_lon", "origin_place", "supplier__name", "supplier__lat", "supplier__lon",
    "supplier__city", "supplier__region",
    "shop__organisation_id", "shop__organisation__name", "supplier__postal_code", "supplier__country",
    "origin_postal_code", "origin_country",
)  # fmt: skip


@dataclass(frozen=True)
class ApplyReport:
    changes: int = 0
    indexed: int = 0
    deleted: int = 0
    seconds: float = 0.0
    skipped: bool = False  # another process held the writer lock (e.g. a rebuild)


@dataclass(frozen=True)
class RebuildReport:
    offers: int
    seconds: float
    bytes_on_disk: int
    changes_cleared: int


def index_path() -> Path:
    return Path(settings.COMPTOIR_SEARCH_DIR) / INDEX_NAME


# --- the writer -------------------------------------------------------------------


@contextmanager
def writer_lock(blocking: bool) -> Iterator[bool]:
    """The one-writer rule across processes: yields False when another writer holds it."""
    folder = Path(settings.COMPTOIR_SEARCH_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".writer.lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class _Writer:
    """This process's writer, reopened when a rebuild (here or elsewhere) swapped the generation."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._index: SearchIndex | None = None
        self._target: Path | None = None

    def get(self, path: Path) -> SearchIndex:
        target = path.resolve()
        if self._index is None or self._target != target or self._index.path != path:
            self._index = None  # release the old generation's tantivy lock before opening the new one
            self._index = SearchIndex.open(path, writer=True, tie_salt=settings.COMPTOIR_SEARCH_TIE_SALT)
            self._target = path.resolve()
        return self._index

    def forget(self) -> None:
        self._index, self._target = None, None


_WRITER = _Writer()


# --- offers as the index sees them --------------------------------------------------


def _quantity_label(unit: str, quantity: Decimal | None) -> str:
    if quantity is None:
        return ""
    number = format(quantity.normalize(), "f").replace(".", ",")
    if unit == Offer.Unit.PIECE:
        return "" if quantity == 1 else f"× {number}"
    return f"{number} {unit}"


def _stock_state(stock: int, on_demand: bool) -> str:
    if stock > 0:
        return "in_stock"
    return "on_demand" if on_demand else "out_of_stock"


def _offer_rows(offers: QuerySet[Offer]) -> Iterator[tuple[Any, ...]]:
    return offers.order_by().values_list(*ROW_FIELDS).iterator(chunk_size=5000)


def _is_visible(row: tuple[Any, ...]) -> bool:
    return is_sellable(offer_active=row[18], shop_status=row[19])


def offer_doc(row: tuple[Any, ...]) -> OfferDoc:
    (offer_id, shop_id, shop_ref, shop_name, sku, gtin, name_fr, name_en, description_fr, description_en,
     category, price_cents, stock, on_demand, lat, lon, unit, quantity, _active, _status,
     origin_lat, origin_lon, origin_place, supplier_name, supplier_lat, supplier_lon, supplier_city,
     supplier_region, chain_id, chain_name, supplier_postal_code, supplier_country, origin_postal_code,
     origin_country) = row  # fmt: skip
    unit_label = _quantity_label(unit, quantity)
    origin = origin_of(
        origin_lat=origin_lat, origin_lon=origin_lon, origin_place=origin_place, supplier_lat=supplier_lat,
        supplier_lon=supplier_lon, supplier_name=supplier_name or "",
        supplier_place=supplier_city or supplier_region or "",
        supplier_areas=postal_areas(supplier_postal_code, supplier_country) if supplier_name else frozenset(),
        origin_areas=production_areas(origin_postal_code, origin_country),
    )  # fmt: skip
    return OfferDoc(
        offer_id=offer_id, shop_id=shop_id, shop_ref=shop_ref, shop_name=shop_name, sku=sku, gtin=gtin or None,
        name_fr=name_fr, name_en=name_en, description_fr=description_fr, description_en=description_en,
        category_path=category or "", price_cents=price_cents, stock_state=_stock_state(stock, on_demand),
        lat=lat, lon=lon, unit_label=unit_label, group_key=group_key_for(name_fr, unit_label, gtin or None),
        origin_km=origin_distance_km(origin, node_centre()), supplier_name=origin.supplier_name,
        origin_place=origin.place, origin_areas=tuple(sorted(origin.areas)),
        chain_id=chain_id or 0, chain_name=chain_name or "",
    )  # fmt: skip


def node_centre() -> tuple[float, float]:
    """The point "local" is measured from (`COMPTOIR_CENTRE`): moving it needs a rebuild."""
    lat, lon = settings.COMPTOIR_NODE_CENTRE
    return float(lat), float(lon)


def visible_offer_docs() -> Iterator[OfferDoc]:
    """Every offer a resident may find: active offers of active shops, streamed."""
    offers = sellable_offers()
    return (offer_doc(row) for row in _offer_rows(offers))


# --- use cases ------------------------------------------------------------------------


def do_rebuild_index(progress: Progress | None = None) -> RebuildReport:
    """Rebuild from the database into a new generation, swap it in, clear the changes it covers.

    `progress`, if given, is told how many offers have been read so far (for a progress bar).

    The outbox rows are read *before* streaming the offers: those changes are in what the
    rebuild reads; any later one stays queued and is applied on top by the worker.
    """
    path = index_path()
    with writer_lock(blocking=True), _WRITER.lock:
        # The ids themselves, not "up to the last id": on PostgreSQL a smaller id can commit later,
        # after the rebuild has read its offers, and must stay queued.
        covered = list(OfferChange.objects.values_list("id", flat=True))
        _WRITER.forget()
        docs = counted(visible_offer_docs(), progress)
        stats = build(path, docs, tie_salt=settings.COMPTOIR_SEARCH_TIE_SALT)
        for chunk in _chunks(covered, ID_CHUNK):
            OfferChange.objects.filter(id__in=chunk).delete()
    return RebuildReport(stats.offers, stats.seconds, stats.bytes_on_disk, len(covered))


def do_apply_pending_changes(max_changes: int = CHANGES_PER_BATCH) -> ApplyReport:
    """Index what changed since the last batch: one commit for up to `max_changes` outbox rows."""
    started = time.perf_counter()
    with writer_lock(blocking=False) as acquired:
        if not acquired:
            return ApplyReport(skipped=True)
        with _WRITER.lock:
            changes = list(
                OfferChange.objects.order_by("id").values_list("id", "offer_id", "shop_id")[:max_changes]
            )
            if not changes:
                return ApplyReport()
            if not index_path().exists():
                return _rebuild_instead(changes, started)
            index = _WRITER.get(index_path())
            indexed, deleted = _apply(index, changes)
            index.commit()
            for chunk in _chunks([c[0] for c in changes], ID_CHUNK):
                OfferChange.objects.filter(id__in=chunk).delete()
    report = ApplyReport(len(changes), indexed, deleted, time.perf_counter() - started)
    logger.info("search index: %s changes applied (%s indexed, %s deleted)", report.changes, indexed, deleted)
    return report


def _rebuild_instead(changes: list[tuple[int, int | None, int | None]], started: float) -> ApplyReport:
    """No index yet (a new node, a wiped folder): a full build covers every pending change."""
    covered = list(OfferChange.objects.values_list("id", flat=True))
    _WRITER.forget()
    stats = build(index_path(), visible_offer_docs(), tie_salt=settings.COMPTOIR_SEARCH_TIE_SALT)
    for chunk in _chunks(covered, ID_CHUNK):
        OfferChange.objects.filter(id__in=chunk).delete()
    return ApplyReport(len(covered), stats.offers, 0, time.perf_counter() - started)


class _Committer:
    """Counts the writer's operations and commits every `every` of them (see OPERATIONS_PER_COMMIT)."""

    def __init__(self, index: SearchIndex, every: int) -> None:
        self.index, self.every, self.pending = index, every, 0

    def tick(self) -> None:
        self.pending += 1
        if self.pending >= self.every:
            self.index.commit()
            self.pending = 0


def _apply(index: SearchIndex, changes: list[tuple[int, int | None, int | None]]) -> tuple[int, int]:
    shop_ids = sorted({shop_id for _, _, shop_id in changes if shop_id is not None})
    offer_ids = {offer_id for _, offer_id, _ in changes if offer_id is not None}
    indexed = deleted = 0
    seen: set[int] = set()
    committer = _Committer(index, OPERATIONS_PER_COMMIT)
    for chunk in _chunks(shop_ids, ID_CHUNK):
        rows = _offer_rows(Offer.objects.filter(shop_id__in=chunk))
        n_indexed, n_deleted = _upsert_or_delete(index, rows, seen, offer_ids, committer)
        indexed, deleted = indexed + n_indexed, deleted + n_deleted
        gone = set(chunk) - set(Shop.objects.filter(id__in=chunk).values_list("id", flat=True))
        deleted += _delete_offers_of_deleted_shops(index, gone)
    remaining = sorted(offer_ids - seen)
    for chunk in _chunks(remaining, ID_CHUNK):
        rows = _offer_rows(Offer.objects.filter(id__in=chunk))
        n_indexed, n_deleted = _upsert_or_delete(index, rows, seen, offer_ids, committer)
        indexed, deleted = indexed + n_indexed, deleted + n_deleted
    vanished = [offer_id for offer_id in remaining if offer_id not in seen]  # deleted from the database
    index.delete(vanished)
    return indexed, deleted + len(vanished)


def _upsert_or_delete(
    index: SearchIndex,
    rows: Iterable[tuple[Any, ...]],
    seen: set[int],
    wanted: set[int],
    committer: _Committer,
) -> tuple[int, int]:
    """Index or remove each row's offer as it streams by; `seen` collects only the `wanted` ids
    (the offer-level changes), so a shop-level change of a huge shop holds no list of its offers."""
    indexed = hidden = 0
    for row in rows:
        if row[0] in wanted:
            seen.add(row[0])
        if _is_visible(row):
            indexed += index.add_or_update((offer_doc(row),))
        else:
            index.delete((row[0],))
            hidden += 1
        committer.tick()
    return indexed, hidden


def _delete_offers_of_deleted_shops(index: SearchIndex, shop_ids: set[int]) -> int:
    """A shop removed from the database took its offers' ids with it: ask the index for them."""
    if not shop_ids:
        return 0
    found = index.search(SearchQuery(shop_ids=frozenset(shop_ids), limit=1_000_000))
    index.delete(hit.offer_id for hit in found.hits)
    return len(found.hits)


def _chunks(values: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
