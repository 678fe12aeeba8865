"""Bulk seeding of a whole network: many shops and their offers from one CSV.

Header: shop_ref,shop_name,lat,lon,sku,gtin,name,category,price,stock, then optionally
`supplier` (a supplier reference: an unknown one rejects the row; a file without the
column leaves the offers' suppliers as they are).
Streams the file and writes in batches (memory stays bounded whatever the
size); creates missing shops and categories (operators seed from other
taxonomies) for rows that are valid, never for a rejected row, and upserts offers by shop_ref + sku. Meant for
operators and benchmarks, so a bad row is reported and skipped, not fatal.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.catalog.models import Category, Offer, OfferChange, Shop
from comptoir.catalog.services import category_ids
from comptoir.catalog.suppliers import supplier_ids
from comptoir.catalog.validation import FieldError, check_offer_fields
from comptoir.core.errors import InvalidInput
from comptoir.core.numbers import NumberError, parse_decimal

HEADER = ["shop_ref", "shop_name", "lat", "lon", "sku", "gtin", "name", "category", "price", "stock"]
OPTIONAL = ["supplier"]  # after HEADER, in any order
BATCH = 5000
SHOP_REF = re.compile(r"[-a-zA-Z0-9_]{1,64}")  # what a SlugField of 64 holds


class NetworkOffer(NamedTuple):
    shop_id: int
    sku: str
    gtin: str
    name_fr: str
    category_id: int | None
    price_cents: int
    stock: int
    supplier_id: int | None = None


@dataclass
class NetworkImportReport:
    rows: int = 0
    offers_written: int = 0
    shops_created: int = 0
    categories_created: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    with_suppliers: bool = False  # the file has the `supplier` column


def _rows(path: Path, report: NetworkImportReport) -> Iterator[tuple[int, dict[str, str]]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = [h.strip() for h in next(reader, [])]
        extra = header[len(HEADER) :]
        if header[: len(HEADER)] != HEADER or len(set(extra)) != len(extra) or set(extra) - set(OPTIONAL):
            raise InvalidInput(
                _("Expected the header %(h)s, then optionally %(o)s")
                % {"h": ",".join(HEADER), "o": ",".join(OPTIONAL)}
            )
        report.with_suppliers = "supplier" in extra
        number = 1
        try:
            for number, values in enumerate(reader, start=2):
                yield number, dict(zip(header, values, strict=False))
        except csv.Error as error:  # e.g. a field longer than the csv module's limit
            raise InvalidInput(
                _("Line %(row)d cannot be read as CSV: %(e)s") % {"row": number + 1, "e": error}
            ) from error


def import_network(path: Path, progress: Callable[[int], None] | None = None) -> NetworkImportReport:
    report = NetworkImportReport()
    shops: dict[str, int] = dict(Shop.objects.values_list("ref", "id"))
    categories, suppliers = category_ids(), supplier_ids()
    batch: list[NetworkOffer] = []
    touched: set[int] = set()
    for number, row in _rows(path, report):
        report.rows += 1
        offer = _offer_from_row(number, row, shops, categories, suppliers, report)
        if offer is not None:
            batch.append(offer)
            touched.add(offer.shop_id)
        if len(batch) >= BATCH:
            _write(batch, report)
            batch = []
            if progress:
                progress(report.rows)
    _write(batch, report)
    # One outbox row per shop, once the whole file is in: marking shops per batch made the indexer
    # re-read every shop once per batch. An interrupted import is re-run (upserts are idempotent).
    OfferChange.objects.bulk_create(
        [OfferChange(shop_id=shop_id) for shop_id in sorted(touched)], batch_size=2000
    )
    if progress:
        progress(report.rows)
    return report


def _offer_from_row(
    number: int,
    row: dict[str, str],
    shops: dict[str, int],
    categories: dict[str, int],
    suppliers: dict[str, int],
    report: NetworkImportReport,
) -> NetworkOffer | None:
    """Check the whole row first; only a valid row may create its shop and its category."""
    ref = row.get("shop_ref", "").strip()
    if not ref:
        report.rejected.append((number, "shop_ref: " + _("required")))
        return None
    category = (row.get("category") or "").strip().strip("/")
    known = categories if not category or category in categories else {**categories, category: 0}
    fields, errors = check_offer_fields(
        {"sku": row.get("sku"), "gtin": row.get("gtin"), "name_fr": row.get("name"),
         "category": row.get("category"), "price": row.get("price"), "stock": row.get("stock"),
         "supplier": row.get("supplier")},
        known, suppliers,
    )  # fmt: skip
    location = None
    if ref not in shops:
        location = _coordinates(row)
        if not SHOP_REF.fullmatch(ref):
            errors.append(FieldError("shop_ref", _("a reference is up to 64 letters, digits and dashes")))
        if location is None:
            errors.append(FieldError("lat/lon", _("not coordinates")))
    if errors:
        report.rejected.append((number, "; ".join(f"{e.column}: {e.message}" for e in errors)))
        return None
    if location is not None:
        shops[ref] = _create_shop(ref, row, location, report)
    if category and category not in categories:
        _ensure_category(category, categories, report)
    return NetworkOffer(
        shops[ref], fields["sku"], fields["gtin"], fields["name_fr"], categories.get(category) if category else None,
        fields["price_cents"], fields["stock"], fields["supplier_id"],
    )  # fmt: skip


def _ensure_category(path: str, categories: dict[str, int], report: NetworkImportReport) -> None:
    """Operators seed from other taxonomies (e.g. Open Food Facts): unknown paths become categories."""
    path = path.strip().strip("/")
    if not path or path in categories or len(path) > 200:
        return
    parent_id = None
    prefix = ""
    for segment in path.split("/"):
        prefix = f"{prefix}/{segment}" if prefix else segment
        if prefix not in categories:
            label = segment.replace("-", " ").capitalize()[:100]
            category = Category.objects.create(path=prefix, name_fr=label, name_en=label, parent_id=parent_id)
            categories[prefix] = category.pk
            report.categories_created += 1
        parent_id = categories[prefix]


def _coordinates(row: dict[str, str]) -> tuple[float, float] | None:
    try:
        lat = float(parse_decimal(row.get("lat") or "", low=-90, high=90, places=9))
        lon = float(parse_decimal(row.get("lon") or "", low=-180, high=180, places=9))
    except NumberError:
        return None
    return lat, lon


def _create_shop(
    ref: str, row: dict[str, str], location: tuple[float, float], report: NetworkImportReport
) -> int:
    shop = Shop.objects.create(
        ref=ref, name=(row.get("shop_name") or ref).strip()[:150], lat=location[0], lon=location[1],
        status=Shop.Status.ACTIVE,
    )  # fmt: skip
    report.shops_created += 1
    return shop.pk


def _write(batch: list[NetworkOffer], report: NetworkImportReport) -> None:
    """Upsert a batch with one prepared statement: the ORM's per-value work dominated at 1M rows."""
    if not batch:
        return
    unique: dict[tuple[int, str], NetworkOffer] = {(o.shop_id, o.sku): o for o in batch}  # last row wins
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    quantity = ops.adapt_decimalfield_value(Decimal("1"), 10, 3)
    tax_rate = ops.adapt_decimalfield_value(Decimal("5.5"), 4, 2)
    rows = [
        (o.shop_id, o.sku, o.gtin, o.name_fr, "", "", "", o.category_id, "piece", quantity, o.price_cents,
         tax_rate, o.stock, False, 0, 0, "", True, now, now, o.supplier_id, "shop" if o.supplier_id else "")
        for o in unique.values()
    ]  # fmt: skip
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(_upsert_sql(report.with_suppliers), rows)
    report.offers_written += len(unique)


INSERT_FIELDS = [
    "shop", "sku", "gtin", "name_fr", "name_en", "description_fr", "description_en", "category", "unit",
    "quantity", "price_cents", "tax_rate", "stock", "on_demand", "weight_g", "volume_ml", "image", "active",
    "created", "updated", "supplier", "origin_stated_by",
]  # fmt: skip
UPDATED_FIELDS = ["gtin", "name_fr", "category", "price_cents", "stock", "updated"]


def _upsert_sql(with_suppliers: bool) -> str:
    column = {name: str(getattr(Offer._meta.get_field(name), "column")) for name in INSERT_FIELDS}  # noqa: B009
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column[name]) for name in INSERT_FIELDS)
    updates = ", ".join(
        f"{quote(column[name])} = excluded.{quote(column[name])}"
        for name in UPDATED_FIELDS + (["supplier", "origin_stated_by"] if with_suppliers else [])
    )
    placeholders = ", ".join(["%s"] * len(INSERT_FIELDS))
    return (
        f"INSERT INTO {quote(Offer._meta.db_table)} ({columns}) VALUES ({placeholders}) "
        f"ON CONFLICT ({quote(column['shop'])}, {quote(column['sku'])}) DO UPDATE SET {updates}"
    )


def describe(report: NetworkImportReport) -> dict[str, Any]:
    return {
        "rows": report.rows,
        "offers_written": report.offers_written,
        "shops_created": report.shops_created,
        "categories_created": report.categories_created,
        "rejected": len(report.rejected),
    }
