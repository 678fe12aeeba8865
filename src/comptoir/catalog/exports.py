"""Catalog exports in the same columns the import reads: a round trip changes nothing."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from comptoir.catalog.models import Category, Offer, Shop
from comptoir.catalog.validation import COLUMNS
from comptoir.core.money import Money


def _decimal_text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def offer_row(offer: Offer, category_paths: dict[int | None, str]) -> dict[str, Any]:
    return {
        "sku": offer.sku,
        "gtin": offer.gtin,
        "name_fr": offer.name_fr,
        "name_en": offer.name_en,
        "description_fr": offer.description_fr,
        "description_en": offer.description_en,
        "category": category_paths.get(offer.category_id, ""),
        "unit": offer.unit,
        "quantity": _decimal_text(Decimal(offer.quantity)),
        "price": f"{Money(offer.price_cents).as_decimal():.2f}",
        "tax_rate": _decimal_text(Decimal(offer.tax_rate)),
        "stock": str(offer.stock),
        "on_demand": "yes" if offer.on_demand else "no",
        "weight_g": str(offer.weight_g),
        "volume_ml": str(offer.volume_ml),
        "active": "yes" if offer.active else "no",
    }


def offer_as_raw(offer: Offer) -> dict[str, Any]:
    """One offer in import columns: what a form or a partial update starts from."""
    category = offer.category
    return offer_row(offer, {offer.category_id: category.path} if category is not None else {})


def iter_offer_rows(shop: Shop) -> Iterator[dict[str, Any]]:
    paths: dict[int | None, str] = dict(Category.objects.values_list("id", "path"))
    for offer in Offer.objects.filter(shop=shop).order_by("sku").iterator(chunk_size=2000):
        yield offer_row(offer, paths)


def export_csv(shop: Shop) -> Iterator[str]:
    """CSV lines, streamed so an export of any size never times out."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    for row in iter_offer_rows(shop):
        writer.writerow(row)
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def export_xlsx(shop: Shop) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("offers")
    sheet.append(COLUMNS)
    for row in iter_offer_rows(shop):
        sheet.append([row[c] for c in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
