"""Bulk seeding of a whole network: many shops and their offers from one CSV.

Header: shop_ref,shop_name,lat,lon,sku,gtin,name,category,price,stock, then optionally
`supplier` (a supplier reference: an unknown one rejects the row; a file without the
column leaves the offers' suppliers as they are) and `organisation` (a chain's reference).
A row with an organisation is a branch's row (decision 0016): its product goes to the chain's
shared catalog (the last row of a SKU sets its name, price, category, supplier) and every
branch sells it; its stock is the branch's. An unknown organisation is created with its first
valid row, a new shop becomes its branch; a shop of another chain, or a chain's branch named
without its organisation, rejects the row.
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

from comptoir.catalog.chains import do_add_branch, do_save_chain_products, write_branch_stock
from comptoir.catalog.models import Category, Offer, OfferChange, Organisation, Shop
from comptoir.catalog.offer_counts import do_recount_offers
from comptoir.catalog.services import category_ids
from comptoir.catalog.suppliers import supplier_ids
from comptoir.catalog.validation import FieldError, check_offer_fields
from comptoir.core.errors import InvalidInput
from comptoir.core.numbers import NumberError, parse_decimal
from comptoir.core.region import node_region

HEADER = ["shop_ref", "shop_name", "lat", "lon", "sku", "gtin", "name", "category", "price", "stock"]
OPTIONAL = ["supplier", "organisation"]  # after HEADER, in any order
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


class ChainRow(NamedTuple):
    """A branch's row: the chain's product, and the branch's stock of it."""

    organisation_id: int
    shop_id: int
    fields: dict[str, Any]
    stock: int


@dataclass
class Known:
    """What the import has met so far: references to ids, and each shop's chain."""

    shops: dict[str, int]
    shop_chains: dict[int, int | None]
    organisations: dict[str, int]
    categories: dict[str, int]
    suppliers: dict[str, int]


@dataclass
class NetworkImportReport:
    rows: int = 0
    offers_written: int = 0
    shops_created: int = 0
    categories_created: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    with_suppliers: bool = False  # the file has the `supplier` column
    organisations_created: int = 0
    chain_products_written: int = 0


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
    known = Known(
        shops=dict(Shop.objects.values_list("ref", "id")),
        shop_chains=dict(Shop.objects.values_list("id", "organisation_id")),
        organisations=dict(Organisation.objects.values_list("ref", "id")),
        categories=category_ids(),
        suppliers=supplier_ids(),
    )
    batch: list[NetworkOffer] = []
    chain_batch: list[ChainRow] = []
    touched: set[int] = set()
    chains: set[int] = set()
    for number, row in _rows(path, report):
        report.rows += 1
        offer = _offer_from_row(number, row, known, report)
        if isinstance(offer, ChainRow):
            chain_batch.append(offer)
            chains.add(offer.organisation_id)
        elif offer is not None:
            batch.append(offer)
            touched.add(offer.shop_id)
        if len(batch) + len(chain_batch) >= BATCH:
            _write(batch, report)
            _write_chain_rows(chain_batch, report)
            batch, chain_batch = [], []
            if progress:
                progress(report.rows)
    _write(batch, report)
    _write_chain_rows(chain_batch, report)
    touched.update(Shop.objects.filter(organisation_id__in=chains).values_list("pk", flat=True))
    # One outbox row per shop, once the whole file is in: marking shops per batch made the indexer
    # re-read every shop once per batch. An interrupted import is re-run (upserts are idempotent).
    OfferChange.objects.bulk_create(
        [OfferChange(shop_id=shop_id) for shop_id in sorted(touched)], batch_size=2000
    )
    do_recount_offers(touched)
    if progress:
        progress(report.rows)
    return report


def _offer_from_row(
    number: int, row: dict[str, str], known: Known, report: NetworkImportReport
) -> NetworkOffer | ChainRow | None:
    """Check the whole row first; only a valid row may create its shop, chain and category."""
    shops, categories, suppliers = known.shops, known.categories, known.suppliers
    ref = row.get("shop_ref", "").strip()
    if not ref:
        report.rejected.append((number, "shop_ref: " + _("required")))
        return None
    category = (row.get("category") or "").strip().strip("/")
    paths = categories if not category or category in categories else {**categories, category: 0}
    fields, errors = check_offer_fields(
        {"sku": row.get("sku"), "gtin": row.get("gtin"), "name_fr": row.get("name"),
         "category": row.get("category"), "price": row.get("price"), "stock": row.get("stock"),
         "supplier": row.get("supplier")},
        paths, suppliers,
    )  # fmt: skip
    location = None
    if ref not in shops:
        location = _coordinates(row)
        if not SHOP_REF.fullmatch(ref):
            errors.append(FieldError("shop_ref", _("a reference is up to 64 letters, digits and dashes")))
        if location is None:
            errors.append(FieldError("lat/lon", _("not coordinates")))
    organisation = (row.get("organisation") or "").strip()
    errors.extend(_chain_errors(organisation, shops.get(ref), known))
    if errors:
        report.rejected.append((number, "; ".join(f"{e.column}: {e.message}" for e in errors)))
        return None
    if organisation and organisation not in known.organisations:
        known.organisations[organisation] = Organisation.objects.create(
            ref=organisation, name=organisation
        ).pk
        report.organisations_created += 1
    if location is not None:
        shops[ref] = _create_shop(ref, row, location, report)
        known.shop_chains[shops[ref]] = None
        if organisation:
            do_add_branch(
                Organisation.objects.get(pk=known.organisations[organisation]),
                Shop.objects.get(pk=shops[ref]),
            )
            known.shop_chains[shops[ref]] = known.organisations[organisation]
    if category and category not in categories:
        _ensure_category(category, categories, report)
    if organisation:
        fields["category_id"] = categories.get(category) if category else None
        stock = fields.pop("stock")
        return ChainRow(known.organisations[organisation], shops[ref], fields, stock)
    return NetworkOffer(
        shops[ref], fields["sku"], fields["gtin"], fields["name_fr"], categories.get(category) if category else None,
        fields["price_cents"], fields["stock"], fields["supplier_id"],
    )  # fmt: skip


def _chain_errors(organisation: str, shop_id: int | None, known: Known) -> list[FieldError]:
    """A branch's row names its chain; a shop's own row names none; a shop stays in its chain."""
    chain_of_shop = known.shop_chains.get(shop_id) if shop_id is not None else None
    if not organisation:
        if chain_of_shop is not None:
            return [FieldError("organisation", _("this shop is a branch of a chain: name its organisation"))]
        return []
    if not SHOP_REF.fullmatch(organisation):
        return [FieldError("organisation", _("a reference is up to 64 letters, digits and dashes"))]
    if shop_id is not None and chain_of_shop != known.organisations.get(organisation):
        return [FieldError("organisation", _("this shop is not a branch of %(org)s") % {"org": organisation})]
    return []


def _write_chain_rows(rows: list[ChainRow], report: NetworkImportReport) -> None:
    """The chains' products first (fanned out to every branch), then each branch's stock."""
    if not rows:
        return
    with transaction.atomic():
        by_chain: dict[int, list[dict[str, Any]]] = {}
        for row in rows:
            by_chain.setdefault(row.organisation_id, []).append(row.fields)
        for organisation_id, products in by_chain.items():
            created, updated = do_save_chain_products(Organisation.objects.get(pk=organisation_id), products)
            report.chain_products_written += created + updated
        by_shop: dict[int, dict[str, tuple[str, int, int | None]]] = {}
        for row in rows:
            by_shop.setdefault(row.shop_id, {})[row.fields["sku"]] = (row.fields["sku"], row.stock, None)
        for shop_id, stock in by_shop.items():
            write_branch_stock(Shop.objects.get(pk=shop_id), list(stock.values()))
    report.offers_written += len({(row.shop_id, row.fields["sku"]) for row in rows})


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
    region = node_region()  # the region's default tax code; France keeps its 5.5 % with no code
    default = region.tax_code(region.default_tax_code)
    tax_code = "" if region.rates_typed else default.code
    tax_rate = ops.adapt_decimalfield_value(default.rate, 6, 3)
    rows = [
        (o.shop_id, o.sku, o.gtin, o.name_fr, "", "", "", o.category_id, "piece", quantity, o.price_cents,
         tax_rate, tax_code, o.stock, False, 0, 0, "", True, now, now, o.supplier_id, "shop" if o.supplier_id else "")
        for o in unique.values()
    ]  # fmt: skip
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(_upsert_sql(report.with_suppliers), rows)
    report.offers_written += len(unique)


INSERT_FIELDS = [
    "shop", "sku", "gtin", "name_fr", "name_en", "description_fr", "description_en", "category", "unit",
    "quantity", "price_cents", "tax_rate", "tax_code", "stock", "on_demand", "weight_g", "volume_ml", "image",
    "active", "created", "updated", "supplier", "origin_stated_by",
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
        "organisations_created": report.organisations_created,
        "chain_products_written": report.chain_products_written,
    }
