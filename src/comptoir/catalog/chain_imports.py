"""The two files of a chain (decision 0016): its shared catalog, once, and a stock file per branch.

Both go through the same bounded reader (`import_files`), the same modes (all or nothing, or
the valid rows) and the same worker jobs as a shop's catalog (`imports.py` dispatches here):
- the chain's catalog has a shop catalog's columns (stock aside: a chain has none) and is
  fanned out to every branch (`chains.do_save_chain_products`);
- a branch's stock file has `sku`, `stock` and, where the chain lets branches set prices,
  `price`. A SKU the chain's catalog does not hold is a row error saying so, never a new product.
"""

from __future__ import annotations

from typing import IO, Any

from django.utils.translation import gettext as _

from comptoir.catalog.chains import (
    branch_prices_locked_message,
    check_product_fields,
    do_save_chain_products,
    mark_branches_changed,
    sku_map,
    write_branch_stock,
)
from comptoir.catalog.import_files import read_rows
from comptoir.catalog.import_report import ImportOutcome, Progress, note_row, row_as_text
from comptoir.catalog.models import ImportJob, Organisation, Shop
from comptoir.catalog.suppliers import supplier_ids
from comptoir.catalog.validation import FieldError, check_offer_fields

STOCK_REQUIRED = ("sku", "stock")
BATCH = 2000


def check_product_rows(
    organisation: Organisation,
    stream: IO[bytes],
    filename: str,
    outcome: ImportOutcome,
    progress: Progress | None,
    categories: dict[str, int],
) -> None:
    seen: dict[str, int] = {}
    suppliers = supplier_ids()
    for number, raw in enumerate(read_rows(stream, filename), start=2):
        fields, errors = check_product_fields(row_as_text(raw), categories, suppliers)
        sku = fields.get("sku", "")
        if sku and sku in seen:
            errors.append(FieldError("sku", _("same SKU as row %(row)d") % {"row": seen[sku]}))
        seen.setdefault(sku, number)
        note_row(outcome, number, fields, errors, progress)


def write_products(organisation: Organisation, outcome: ImportOutcome) -> None:
    for start in range(0, len(outcome.valid), BATCH):
        created, updated = do_save_chain_products(organisation, outcome.valid[start : start + BATCH])
        outcome.rows_created += created
        outcome.rows_updated += updated
    mark_branches_changed(organisation)


def check_stock_rows(
    shop: Shop, stream: IO[bytes], filename: str, outcome: ImportOutcome, progress: Progress | None
) -> None:
    raw: dict[str, Any]
    known = sku_map(shop)
    organisation = shop.organisation
    prices_allowed = organisation is None or organisation.branches_set_prices
    seen: dict[str, int] = {}
    for number, cells in enumerate(read_rows(stream, filename, required=STOCK_REQUIRED), start=2):
        raw = row_as_text(cells)
        sku = str(raw.get("sku") or "").strip()
        price = str(raw.get("price") or "").strip() if raw.get("price") is not None else ""
        checked, errors = check_offer_fields(
            {"sku": sku, "name_fr": "-", "price": price or "0", "stock": raw.get("stock")}, {}
        )
        errors = [e for e in errors if e.column in {"sku", "stock", "price"}]
        if not str(raw.get("stock") if raw.get("stock") is not None else "").strip():
            errors.append(FieldError("stock", _("required")))
        if sku and sku not in known:
            errors.append(
                FieldError(
                    "sku", _("unknown SKU: the chain's catalog has no product %(sku)s") % {"sku": sku[:64]}
                )
            )
        elif sku in seen:
            errors.append(FieldError("sku", _("same SKU as row %(row)d") % {"row": seen[sku]}))
        if price and not prices_allowed:
            errors.append(FieldError("price", branch_prices_locked_message()))
        seen.setdefault(sku, number)
        fields = {
            "sku": sku,
            "stock": checked.get("stock"),
            "price_cents": checked.get("price_cents") if price else None,
        }
        note_row(outcome, number, fields, errors, progress)


def write_stock(shop: Shop, outcome: ImportOutcome) -> None:
    rows = [(f["sku"], f["stock"], f["price_cents"]) for f in outcome.valid]
    for start in range(0, len(rows), BATCH):
        write_branch_stock(shop, rows[start : start + BATCH])
    outcome.rows_updated = len(rows)


def job_kind(job: ImportJob) -> str:
    """ "chain" (a chain's catalog), "stock" (a branch's stock file) or "offers" (a shop's catalog)."""
    if job.organisation_id is not None:
        return "chain"
    if job.shop is not None and job.shop.organisation_id is not None:
        return "stock"
    return "offers"
