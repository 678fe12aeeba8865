"""Chains and their branches: the shared catalog, and what each branch keeps for itself.

Decision 0016: a branch is an ordinary `Shop`, and each of its offers is an ordinary `Offer`
holding a copy of the chain's `ChainProduct` (names, unit, tax, weight...) plus the branch's
own stock, and its own price where the chain lets branches set prices (`branch_price`). Cart,
checkout, reservations, delivery and search read offers and never need to know about chains.

This module is the only writer of a branch offer's shared fields: a product saved here is
fanned out to every branch with one upsert per batch (`INSERT … ON CONFLICT (shop, sku) DO
UPDATE`), which keeps a branch's stock and keeps its own price when it set one. On PostgreSQL
the copies are made inside the database (`INSERT … SELECT` from the chain's products × the
branches) and a branch's stock file is one `UPDATE … FROM unnest(…)`; on SQLite, the same upsert
and updates are sent row by row in one prepared statement (in-process: no round trips to save). A branch changes only its stock and price
(`do_set_branch_offer`, bulk edits, its stock file); anything else is refused with
`shared_catalog`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from comptoir.catalog.error_codes import CatalogErrorCode
from comptoir.catalog.models import (
    Category,
    ChainProduct,
    Offer,
    OfferChange,
    Organisation,
    OrganisationStaff,
    Shop,
    Supplier,
)
from comptoir.catalog.offer_counts import do_recount_offers
from comptoir.catalog.validation import FieldError, check_offer_fields
from comptoir.core.errors import InvalidInput, NotAllowed
from comptoir.core.money import Money

# The fields a branch offer copies from its chain's product (its price too, unless `branch_price`).
SHARED_FIELDS = [
    "gtin", "name_fr", "name_en", "description_fr", "description_en", "category_id", "unit", "quantity",
    "tax_rate", "tax_code", "on_demand", "weight_g", "volume_ml", "active", "supplier_id", "origin_place", "origin_lat",
    "origin_lon", "origin_postal_code", "origin_country", "origin_stated_by", "origin_label",
]  # fmt: skip
# What a branch may change on its own offers, in import/form columns.
BRANCH_COLUMNS = ("stock", "price")
FAN_OUT_PRODUCTS = 500  # products per upsert: × branches rows per statement (15,000 for 30 branches)


@transaction.atomic
def do_create_organisation(
    *, ref: str = "", name: str, owner: Any | None = None, branches_set_prices: bool = False
) -> Organisation:
    name = name.strip()[:150]
    if not name:
        raise InvalidInput(_("A chain needs a name."), field="name")
    ref = slugify(ref or name)[:64]
    if Organisation.objects.filter(ref=ref).exists():
        raise InvalidInput(
            _("A chain with the reference %(ref)s exists already.") % {"ref": ref},
            code=CatalogErrorCode.DUPLICATE_REF, field="ref",
        )  # fmt: skip
    organisation = Organisation.objects.create(ref=ref, name=name, branches_set_prices=branches_set_prices)
    if owner is not None:
        OrganisationStaff.objects.create(
            organisation=organisation, person=owner, role=OrganisationStaff.Role.OWNER
        )
    return organisation


def do_add_chain_staff(
    organisation: Organisation, person: Any, role: str = OrganisationStaff.Role.STAFF
) -> OrganisationStaff:
    staff, _created = OrganisationStaff.objects.get_or_create(
        organisation=organisation, person=person, defaults={"role": role}
    )
    return staff


@transaction.atomic
def do_add_branch(organisation: Organisation, shop: Shop) -> Shop:
    """Make a shop a branch: it then sells every product of the shared catalog (stock 0 until told).

    A shop that already sells its own offers cannot join: they would sit beside the shared
    catalog with nobody able to change them (the chain does not own them, the branch may not)."""
    if shop.organisation_id == organisation.pk:
        return shop
    if shop.organisation_id is not None:
        raise InvalidInput(_("This shop is already a branch of another chain."), field="shop")
    if shop.offers.exists():
        raise InvalidInput(
            _("This shop sells offers of its own: export and remove them before it joins the chain."),
            field="shop",
        )
    shop.organisation = organisation
    shop.save(update_fields=["organisation"])
    products = organisation.products.order_by("pk").iterator(chunk_size=FAN_OUT_PRODUCTS)
    batch: list[ChainProduct] = []
    for product in products:
        batch.append(product)
        if len(batch) >= FAN_OUT_PRODUCTS:
            _fan_out(batch, [shop.pk])
            batch = []
    _fan_out(batch, [shop.pk])
    OfferChange.objects.create(shop_id=shop.pk)
    do_recount_offers([shop.pk])
    return shop


def branch_ids(organisation: Organisation) -> list[int]:
    return list(organisation.branches.order_by("pk").values_list("pk", flat=True))


def check_product_fields(
    raw: dict[str, Any], categories: dict[str, int], suppliers: Mapping[str, int] | None = None
) -> tuple[dict[str, Any], list[FieldError]]:
    """The offer rules (one set for every channel), without stock: a chain's product has none."""
    fields, errors = check_offer_fields({k: v for k, v in raw.items() if k != "stock"}, categories, suppliers)
    fields.pop("stock", None)
    return fields, errors


def _raise_field_errors(errors: list[FieldError]) -> None:
    if errors:
        raise InvalidInput(
            "; ".join(f"{e.column}: {e.message}" for e in errors),
            code=CatalogErrorCode.INVALID_FIELD,
            errors=[{"column": e.column, "message": e.message} for e in errors],
        )


def _categories() -> dict[str, int]:
    return dict(Category.objects.values_list("path", "id"))


@transaction.atomic
def do_save_chain_product(
    organisation: Organisation, raw: dict[str, Any], product: ChainProduct | None = None
) -> ChainProduct:
    """Create a product of the shared catalog, or change one (a partial change keeps the other
    columns); every branch's offer follows at once."""
    current = product_as_raw(product) if product is not None else {}
    merged = {**current, **raw}
    named = str(merged.get("supplier") or "").strip()
    suppliers = dict(Supplier.objects.filter(ref=named).values_list("ref", "id")) if named else {}
    fields, errors = check_product_fields(merged, _categories(), suppliers)
    _raise_field_errors(errors)
    clash = ChainProduct.objects.filter(organisation=organisation, sku=fields["sku"])
    if product is not None:
        clash = clash.exclude(pk=product.pk)
    if clash.exists():
        raise InvalidInput(
            _("The chain already has a product with SKU %(sku)s.") % {"sku": fields["sku"]},
            code=CatalogErrorCode.DUPLICATE_SKU, field="sku",
        )  # fmt: skip
    if product is None:
        product = ChainProduct.objects.create(organisation=organisation, **fields)
    else:
        if fields["sku"] != product.sku:
            # The SKU is how a branch's stock file names the product: renaming it renames every copy.
            Offer.objects.filter(chain_product=product).update(sku=fields["sku"])
        for name, value in fields.items():
            setattr(product, name, value)
        product.save()
    _fan_out([product], branch_ids(organisation))
    _mark_offers_of([product.pk])
    do_recount_offers(branch_ids(organisation))
    return product


@transaction.atomic
def do_delete_chain_product(product: ChainProduct) -> None:
    """Removes the product from every branch (their offers go with it)."""
    offer_ids = list(Offer.objects.filter(chain_product=product).values_list("pk", flat=True))
    branches = branch_ids(product.organisation)
    product.delete()
    OfferChange.objects.bulk_create([OfferChange(offer_id=i) for i in offer_ids], batch_size=2000)
    do_recount_offers(branches)


def do_save_chain_products(organisation: Organisation, rows: Sequence[dict[str, Any]]) -> tuple[int, int]:
    """Upsert checked product fields (an import's batch) and fan them out; (created, updated).

    The caller marks the branches changed once the whole file is in (one outbox row per branch)."""
    if not rows:
        return 0, 0
    unique = {fields["sku"]: fields for fields in rows}  # a later row of the same SKU wins
    skus = list(unique)
    existing = set(
        ChainProduct.objects.filter(organisation=organisation, sku__in=skus).values_list("sku", flat=True)
    )
    now = timezone.now()
    ChainProduct.objects.bulk_create(
        [
            ChainProduct(organisation=organisation, created=now, updated=now, **fields)
            for fields in unique.values()
        ],
        update_conflicts=True,
        unique_fields=["organisation", "sku"],
        update_fields=[*SHARED_FIELDS, "price_cents", "updated"],
        batch_size=FAN_OUT_PRODUCTS,
    )
    products = list(ChainProduct.objects.filter(organisation=organisation, sku__in=skus).order_by("pk"))
    branches = branch_ids(organisation)
    fan_out = _fan_out_in_database if connection.vendor == "postgresql" else _fan_out
    for start in range(0, len(products), FAN_OUT_PRODUCTS):
        fan_out(products[start : start + FAN_OUT_PRODUCTS], branches)
    return len(unique) - len(existing), len(existing)


def mark_branches_changed(organisation: Organisation) -> None:
    branches = branch_ids(organisation)
    OfferChange.objects.bulk_create([OfferChange(shop_id=i) for i in branches])
    do_recount_offers(branches)


def _mark_offers_of(product_ids: Iterable[int]) -> None:
    offer_ids = Offer.objects.filter(chain_product_id__in=list(product_ids)).values_list("pk", flat=True)
    OfferChange.objects.bulk_create([OfferChange(offer_id=i) for i in offer_ids], batch_size=2000)


def _fan_out(products: Sequence[ChainProduct], branches: Sequence[int]) -> None:
    """Every (branch, product) offer written in one prepared statement; a branch's stock and its
    own price (`branch_price`) survive, everything else is the chain's."""
    if not products or not branches:
        return
    columns, constants = _offer_columns()
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    per_product = []
    for product in products:
        values = {
            "sku": product.sku, "chain_product": product.pk, "price_cents": product.price_cents,
            "quantity": ops.adapt_decimalfield_value(Decimal(product.quantity), 10, 3),
            "tax_rate": ops.adapt_decimalfield_value(Decimal(product.tax_rate), 6, 3),
            "stock": 0, "branch_price": False, "created": now, "updated": now,
            **{name: getattr(product, name) for name in SHARED_FIELDS if name not in {"quantity", "tax_rate"}},
        }  # fmt: skip
        values["category"] = values.pop("category_id")
        values["supplier"] = values.pop("supplier_id")
        per_product.append(tuple(values[c] if c in values else constants[c] for c in columns[1:]))
    rows = [(shop_id, *values) for shop_id in branches for values in per_product]
    with connection.cursor() as cursor:
        cursor.executemany(_fan_out_sql(columns), rows)


def _fan_out_in_database(products: Sequence[ChainProduct], branches: Sequence[int]) -> None:
    """PostgreSQL: every (branch, product) offer copied inside the database, one statement for the
    batch (products × branches rows), nothing but ids sent; same conflict rule as `_fan_out`."""
    if not products or not branches:
        return
    columns, constants = _offer_columns()
    now = timezone.now()
    select, params = ["b.id"], list[Any]()
    for name in columns[1:]:
        if name in FROM_PRODUCT:
            select.append(f"p.{_column(ChainProduct, FROM_PRODUCT[name])}")
        else:
            value = {"stock": 0, "branch_price": False, "created": now, "updated": now}.get(
                name, constants[name]
            )
            select.append(f"%s::{Offer._meta.get_field(name).db_type(connection)}")
            params.append(value)
    chain = connection.ops.quote_name(ChainProduct._meta.db_table)
    statement = (
        f"{_insert_into(columns)} SELECT {', '.join(select)} FROM {chain} p "
        f"CROSS JOIN unnest(%s::bigint[]) AS b(id) WHERE p.id = ANY(%s::bigint[]) {_on_conflict(columns)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*params, list(branches), [product.pk for product in products]])


# An offer column copied from the product's column in the database (`_fan_out_in_database`).
FROM_PRODUCT = {
    **{name.removesuffix("_id"): name.removesuffix("_id") for name in SHARED_FIELDS},
    "sku": "sku", "chain_product": "id", "price_cents": "price_cents",
}  # fmt: skip


def _column(model: Any, name: str) -> str:
    return connection.ops.quote_name(str(getattr(model._meta.get_field(name), "column")))  # noqa: B009


def _offer_columns() -> tuple[list[str], dict[str, Any]]:
    """Every column of an offer, "shop" first, and the default of those a product does not give
    (a column another feature adds to offers gets its default without changing this module)."""
    columns = ["shop"]
    constants: dict[str, Any] = {}
    for model_field in Offer._meta.concrete_fields:
        if model_field.primary_key or model_field.name == "shop":
            continue
        columns.append(model_field.name)
        constants[model_field.name] = model_field.get_db_prep_save(model_field.get_default(), connection)
    return columns, constants


def _fan_out_sql(columns: list[str]) -> str:
    placeholders = ", ".join(["%s"] * len(columns))
    return f"{_insert_into(columns)} VALUES ({placeholders}) {_on_conflict(columns)}"


def _insert_into(columns: list[str]) -> str:
    table = connection.ops.quote_name(Offer._meta.db_table)
    return f"INSERT INTO {table} ({', '.join(_column(Offer, c) for c in columns)})"


def _on_conflict(columns: list[str]) -> str:
    """The chain's fields win; a branch's stock stays, and so does its own price (`branch_price`)."""
    table = connection.ops.quote_name(Offer._meta.db_table)
    shared = [c for c in columns if c in {*SHARED_FIELDS, "category", "supplier", "chain_product", "updated"}]
    updates = [f"{_column(Offer, c)} = excluded.{_column(Offer, c)}" for c in shared]
    price, own = _column(Offer, "price_cents"), _column(Offer, "branch_price")
    updates.append(f"{price} = CASE WHEN {table}.{own} THEN {table}.{price} ELSE excluded.{price} END")
    return (
        f"ON CONFLICT ({_column(Offer, 'shop')}, {_column(Offer, 'sku')}) DO UPDATE SET {', '.join(updates)}"
    )


def product_as_raw(product: ChainProduct) -> dict[str, Any]:
    """A product in import columns: what a form or a partial change starts from."""
    return {
        "sku": product.sku, "gtin": product.gtin, "name_fr": product.name_fr, "name_en": product.name_en,
        "description_fr": product.description_fr, "description_en": product.description_en,
        "category": product.category.path if product.category is not None else "", "unit": product.unit,
        "quantity": format(Decimal(product.quantity).normalize(), "f"),
        "price": f"{Money(product.price_cents).as_decimal():.2f}",
        "tax_rate": format(Decimal(product.tax_rate).normalize(), "f"), "tax_code": product.tax_code,
        "on_demand": "yes" if product.on_demand else "no", "weight_g": str(product.weight_g),
        "volume_ml": str(product.volume_ml), "active": "yes" if product.active else "no",
        "supplier": product.supplier.ref if product.supplier is not None else "", "origin": product.origin_place,
        "origin_lat": "" if product.origin_lat is None else repr(product.origin_lat),
        "origin_lon": "" if product.origin_lon is None else repr(product.origin_lon),
        "origin_postal_code": product.origin_postal_code, "origin_country": product.origin_country,
        "origin_stated_by": product.origin_stated_by, "origin_label": product.origin_label,
    }  # fmt: skip


def check_branch_change(offer: Offer, fields: dict[str, Any]) -> None:
    """A branch offer takes only stock and price changes (price where the chain allows):
    `fields` are checked offer fields, compared with the offer's current values."""
    if offer.chain_product_id is None:
        return
    changed = [
        name for name, value in fields.items()
        if name not in {"stock", "price_cents"} and getattr(offer, name, value) != value
    ]  # fmt: skip
    if changed:
        raise NotAllowed(
            _("This product belongs to the chain's shared catalog: only the chain's staff change it there.")
            + " "
            + _("A branch changes its stock and, where the chain allows, its prices."),
            code=CatalogErrorCode.SHARED_CATALOG,
            fields=sorted(changed),
        )
    if "price_cents" in fields and fields["price_cents"] != offer.price_cents:
        check_branch_may_set_prices(offer.shop)


def check_branch_may_set_prices(shop: Shop) -> None:
    organisation = shop.organisation
    if organisation is not None and not organisation.branches_set_prices:
        raise NotAllowed(branch_prices_locked_message(), code=CatalogErrorCode.BRANCH_PRICES_LOCKED)


def branch_prices_locked_message() -> str:
    return _("The chain sets the prices of its branches.")


def apply_branch_price(offer: Offer, price_cents: int) -> None:
    """A branch's own price; back at the chain's price, the offer follows the chain again."""
    chain_price = offer.chain_product.price_cents if offer.chain_product is not None else None
    offer.price_cents = price_cents
    offer.branch_price = chain_price is not None and price_cents != chain_price


def sku_map(shop: Shop) -> dict[str, int]:
    """The branch's offers by SKU (a stock file names products by SKU)."""
    return dict(Offer.objects.filter(shop=shop).values_list("sku", "pk"))


def write_branch_stock(shop: Shop, rows: Sequence[tuple[str, int, int | None]]) -> int:
    """(sku, stock, price or None) rows of a branch's checked stock file, in one statement each kind
    (a later row of the same SKU wins)."""
    if connection.vendor == "postgresql":
        return _write_branch_stock_in_bulk(shop, rows)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    table = connection.ops.quote_name(Offer._meta.db_table)

    def col(name: str) -> str:
        return connection.ops.quote_name(str(getattr(Offer._meta.get_field(name), "column")))  # noqa: B009

    stock_only = [(stock, now, shop.pk, sku) for sku, stock, price in rows if price is None]
    priced = [(stock, price, price, now, shop.pk, sku) for sku, stock, price in rows if price is not None]
    where = f"WHERE {col('shop')} = %s AND {col('sku')} = %s"
    chain = connection.ops.quote_name(ChainProduct._meta.db_table)
    price, pk = col("price_cents"), connection.ops.quote_name("id")
    with connection.cursor() as cursor:
        if stock_only:
            cursor.executemany(
                f"UPDATE {table} SET {col('stock')} = %s, {col('updated')} = %s {where}", stock_only
            )
        if priced:
            cursor.executemany(
                f"UPDATE {table} SET {col('stock')} = %s, {col('price_cents')} = %s, "
                f"{col('branch_price')} = (%s <> (SELECT {chain}.{price} FROM {chain} "
                f"WHERE {chain}.{pk} = {table}.{col('chain_product')})), {col('updated')} = %s {where}",
                priced,
            )
    return len(rows)


def _write_branch_stock_in_bulk(shop: Shop, rows: Sequence[tuple[str, int, int | None]]) -> int:
    """PostgreSQL: the whole file in two statements (stock only; stock and the branch's price),
    each an `UPDATE … FROM unnest(arrays)`, instead of one UPDATE per row."""
    last = {sku: (stock, price) for sku, stock, price in rows}
    stock_only = [(sku, stock) for sku, (stock, price) in last.items() if price is None]
    priced = [(sku, stock, price) for sku, (stock, price) in last.items() if price is not None]
    table, chain = (
        connection.ops.quote_name(Offer._meta.db_table),
        connection.ops.quote_name(ChainProduct._meta.db_table),
    )
    shop_col, sku, stock_col, updated = (_column(Offer, n) for n in ("shop", "sku", "stock", "updated"))
    price, own, product = (
        _column(Offer, "price_cents"),
        _column(Offer, "branch_price"),
        _column(Offer, "chain_product"),
    )
    where = f"WHERE o.{shop_col} = %s AND o.{sku} = v.sku"
    now = timezone.now()
    with connection.cursor() as cursor:
        if stock_only:
            skus, stocks = zip(*stock_only, strict=True)
            cursor.execute(
                f"UPDATE {table} AS o SET {stock_col} = v.stock, {updated} = %s "
                f"FROM unnest(%s::text[], %s::integer[]) AS v(sku, stock) {where}",
                [now, list(skus), list(stocks), shop.pk],
            )
        if priced:
            skus, stocks, prices = zip(*priced, strict=True)
            chain_price = (
                f"(SELECT c.{_column(ChainProduct, 'price_cents')} FROM {chain} c WHERE c.id = o.{product})"
            )
            cursor.execute(
                f"UPDATE {table} AS o SET {stock_col} = v.stock, {price} = v.price, "
                f"{own} = (v.price <> {chain_price}), {updated} = %s "
                f"FROM unnest(%s::text[], %s::integer[], %s::integer[]) AS v(sku, stock, price) {where}",
                [now, list(skus), list(stocks), list(prices), shop.pk],
            )
    return len(rows)
