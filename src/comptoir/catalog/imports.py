"""Catalog imports from CSV or XLSX: every row checked, errors reported row by row.

The shop chooses: write nothing unless every row is valid, or write the valid
rows and list the rejected ones. Rows are read as a stream and written in
batches with upserts, so 50,000 rows take seconds, not minutes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _

from comptoir.catalog.models import ImportJob, Offer, Shop
from comptoir.catalog.services import category_ids, mark_shop_changed
from comptoir.catalog.validation import COLUMNS, check_offer_fields
from comptoir.core.errors import InvalidInput

BATCH = 2000
UPSERT_FIELDS = [c for c in COLUMNS if c not in {"sku", "category", "price"}] + [
    "category_id", "price_cents", "updated",
]  # fmt: skip
Progress = Callable[[int], None]


@dataclass
class ImportOutcome:
    rows_total: int = 0
    rows_created: int = 0
    rows_updated: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rows_rejected(self) -> int:
        return len({e["row"] for e in self.errors})


def read_rows(stream: IO[bytes], filename: str) -> Iterator[dict[str, Any]]:
    """Dict rows from a CSV (comma or semicolon, UTF-8) or XLSX file, header first."""
    if filename.lower().endswith(".xlsx"):
        yield from _xlsx_rows(stream)
    elif filename.lower().endswith((".csv", ".txt")):
        yield from _csv_rows(stream)
    else:
        raise InvalidInput(_("Send a .csv or .xlsx file."))


def _csv_rows(stream: IO[bytes]) -> Iterator[dict[str, Any]]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        first = text.readline()
    except UnicodeDecodeError as error:
        raise InvalidInput(_("The file is not UTF-8 text.")) from error
    delimiter = ";" if first.count(";") > first.count(",") else ","
    header = [h.strip().lower() for h in next(csv.reader([first], delimiter=delimiter), [])]
    _check_header(header)
    try:
        for values in csv.reader(text, delimiter=delimiter):
            if any(v.strip() for v in values):
                yield dict(zip(header, values, strict=False))
    except UnicodeDecodeError as error:
        raise InvalidInput(_("The file is not UTF-8 text.")) from error


def _xlsx_rows(stream: IO[bytes]) -> Iterator[dict[str, Any]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(stream, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise InvalidInput(_("The spreadsheet cannot be read: %(e)s") % {"e": error}) from error
    rows = book.active.iter_rows(values_only=True)
    header = [str(h or "").strip().lower() for h in next(rows, ())]
    _check_header(header)
    for values in rows:
        if any(v not in (None, "") for v in values):
            yield {h: ("" if v is None else v) for h, v in zip(header, values, strict=False)}
    book.close()


def _check_header(header: list[str]) -> None:
    missing = [c for c in ("sku", "name_fr", "price") if c not in header]
    if missing:
        raise InvalidInput(
            _("Missing columns: %(cols)s. Expected columns: %(all)s")
            % {"cols": ", ".join(missing), "all": ", ".join(COLUMNS)}
        )


def _row_to_number(row: dict[str, Any]) -> dict[str, Any]:
    # XLSX cells arrive typed; the checks read text like a CSV cell.
    return {k: (v if isinstance(v, str) else ("" if v is None else _cell_text(v))) for k, v in row.items()}


def _cell_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def do_import_catalog(
    shop: Shop,
    stream: IO[bytes],
    filename: str,
    *,
    mode: str = ImportJob.Mode.ALL_OR_NOTHING,
    person: Any | None = None,
    progress: Progress | None = None,
) -> ImportJob:
    """Check every row, then write all, the valid ones, or nothing; record the job."""
    outcome = ImportOutcome()
    categories = category_ids()
    existing = dict(Offer.objects.filter(shop=shop).values_list("sku", "id"))
    seen: dict[str, int] = {}
    valid: list[Offer] = []
    for number, raw in enumerate(read_rows(stream, filename), start=2):  # row 1 is the header
        outcome.rows_total += 1
        fields, errors = check_offer_fields(_row_to_number(raw), categories)
        sku = fields.get("sku", "")
        if sku and sku in seen:
            errors.append(_duplicate(seen[sku]))
        seen.setdefault(sku, number)
        if errors:
            outcome.errors.extend({"row": number, "column": e.column, "message": e.message} for e in errors)
        else:
            valid.append(Offer(shop=shop, **fields))
        if progress and outcome.rows_total % 1000 == 0:
            progress(outcome.rows_total)
    write = not outcome.errors or mode == ImportJob.Mode.VALID_ROWS
    with transaction.atomic():
        if write and valid:
            _upsert(valid)
            outcome.rows_updated = sum(1 for o in valid if o.sku in existing)
            outcome.rows_created = len(valid) - outcome.rows_updated
            mark_shop_changed(shop.pk)
        job = ImportJob.objects.create(
            shop=shop,
            person=person,
            filename=filename[:200],
            mode=mode,
            status=_status(outcome, write),
            rows_total=outcome.rows_total,
            rows_created=outcome.rows_created,
            rows_updated=outcome.rows_updated,
            rows_rejected=outcome.rows_rejected,
            errors=outcome.errors[:5000],
        )
    if progress:
        progress(outcome.rows_total)
    return job


def _duplicate(first_row: int) -> Any:
    from comptoir.catalog.validation import FieldError

    return FieldError("sku", _("same SKU as row %(row)d") % {"row": first_row})


def _status(outcome: ImportOutcome, written: bool) -> str:
    if not outcome.errors:
        return ImportJob.Status.APPLIED
    return ImportJob.Status.PARTIAL if written else ImportJob.Status.REJECTED


def _upsert(offers: list[Offer]) -> None:
    for start in range(0, len(offers), BATCH):
        Offer.objects.bulk_create(
            offers[start : start + BATCH],
            update_conflicts=True,
            unique_fields=["shop", "sku"],
            update_fields=UPSERT_FIELDS,
        )
