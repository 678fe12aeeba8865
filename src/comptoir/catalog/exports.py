"""Catalog exports in the same columns the import reads: a round trip changes nothing.

CSV exports follow a locale: French spreadsheets split on `;` and read `2,40`, so the
French export uses both (the importer reads either). A CSV cell that a spreadsheet would
run as a formula (starting with = + - @, a tab or a carriage return) is prefixed with an
apostrophe, as OWASP advises; the importer removes that apostrophe again
(`unneutralise`). Exported numbers are never negative (prices, stock, weights are zero
or more), so no legitimate number is ever prefixed, except an origin's coordinates west
or south of Greenwich and the equator: a plain signed number runs nothing, it is left as is. XLSX cells are written as typed
strings, which a spreadsheet never evaluates, so they need no prefix.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from comptoir.catalog.models import Category, Offer, Shop, Supplier
from comptoir.catalog.validation import COLUMNS
from comptoir.core.money import Money
from comptoir.core.progress import Progress, counted
from comptoir.core.region import node_region

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Coordinates are the only numbers that may be negative (west, south): a plain number runs nothing.
SIGNED_NUMBER_COLUMNS = ("origin_lat", "origin_lon")
PLAIN_NUMBER = re.compile(r"-?[0-9]+(?:[.,][0-9]+)?")
ESCAPE = "'"
CSV_DIALECTS = {"fr": (";", ","), "en": (",", ".")}  # locale -> (field separator, decimal separator)
NUMBER_COLUMNS = ("quantity", "price", "tax_rate", "origin_lat", "origin_lon")


def neutralise(text: str) -> str:
    """A cell a spreadsheet shows as text, never runs: '=1+1 for =1+1."""
    if text.startswith(FORMULA_STARTS) or (
        text.startswith(ESCAPE) and text[1:2].startswith(FORMULA_STARTS + (ESCAPE,))
    ):
        return ESCAPE + text
    return text


def _safe_cell(column: str, value: str) -> str:
    if column in SIGNED_NUMBER_COLUMNS and PLAIN_NUMBER.fullmatch(value):
        return value
    return neutralise(value)


def unneutralise(text: str) -> str:
    """The cell as it was before `neutralise` (an import reading an export back)."""
    if text.startswith(ESCAPE) and text[1:2] and text[1:2].startswith(FORMULA_STARTS + (ESCAPE,)):
        return text[1:]
    return text


def csv_dialect(locale: str) -> tuple[str, str]:
    return CSV_DIALECTS["en" if locale.startswith("en") else "fr"]


def _decimal_text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def _coordinate_text(value: float | None) -> str:
    return "" if value is None else f"{value:.6f}".rstrip("0").rstrip(".")


def offer_row(
    offer: Offer, category_paths: dict[int | None, str], supplier_refs: dict[int | None, str] | None = None
) -> dict[str, Any]:
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
        "tax_code": offer.tax_code,
        "stock": str(offer.stock),
        "on_demand": "yes" if offer.on_demand else "no",
        "weight_g": str(offer.weight_g),
        "volume_ml": str(offer.volume_ml),
        "active": "yes" if offer.active else "no",
        "supplier": (supplier_refs or {}).get(offer.supplier_id, ""),
        "origin": offer.origin_place,
        "origin_lat": _coordinate_text(offer.origin_lat),
        "origin_lon": _coordinate_text(offer.origin_lon),
        "origin_postal_code": offer.origin_postal_code,
        "origin_country": offer.origin_country,
        "origin_stated_by": offer.origin_stated_by,
        "origin_label": offer.origin_label,
    }


def offer_as_raw(offer: Offer) -> dict[str, Any]:
    """One offer in import columns: what a form or a partial update starts from."""
    category, supplier = offer.category, offer.supplier
    return offer_row(
        offer,
        {offer.category_id: category.path} if category is not None else {},
        {offer.supplier_id: supplier.ref} if supplier is not None else {},
    )


def iter_offer_rows(shop: Shop) -> Iterator[dict[str, Any]]:
    paths: dict[int | None, str] = dict(Category.objects.values_list("id", "path"))
    refs: dict[int | None, str] = dict(
        Supplier.objects.filter(offers__shop=shop).distinct().values_list("id", "ref")
    )
    for offer in Offer.objects.filter(shop=shop).order_by("sku").iterator(chunk_size=2000):
        yield offer_row(offer, paths, refs)


def export_columns() -> list[str]:
    """The import columns, less `tax_code` where a rate alone says it all (France keeps no code)."""
    typed = node_region().rates_typed
    return [column for column in COLUMNS if not (typed and column == "tax_code")]


def offers_to_export(shop: Shop) -> int:
    """How many rows an export of `shop` writes (a progress bar's total)."""
    return Offer.objects.filter(shop=shop).count()


def export_csv(shop: Shop, locale: str = "fr", progress: Progress | None = None) -> Iterator[str]:
    """CSV lines for the locale's spreadsheets, streamed so an export of any size never times out.
    `progress`, if given, is told how many offers were written so far."""
    delimiter, decimal = csv_dialect(locale)
    buffer = io.StringIO()
    columns = export_columns()
    writer = csv.DictWriter(buffer, fieldnames=columns, delimiter=delimiter)
    writer.writeheader()
    for row in counted(iter_offer_rows(shop), progress, every=500):
        for column in NUMBER_COLUMNS:
            row[column] = row[column].replace(".", decimal)
        writer.writerow({column: _safe_cell(column, row[column]) for column in columns})
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def export_xlsx(shop: Shop, progress: Progress | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("offers")
    columns = export_columns()
    sheet.append(columns)
    for row in counted(iter_offer_rows(shop), progress, every=500):
        cells = []
        for column in columns:
            cell = WriteOnlyCell(sheet, value=row[column])
            cell.data_type = "s"  # a typed string: "=1+1" stays text, never becomes a formula
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
