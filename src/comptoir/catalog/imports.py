"""Catalog imports from CSV or XLSX: every row checked, errors reported row by row.

The shop chooses: write nothing unless every row is valid, or write the valid
rows and list the rejected ones. A file that cannot be read within the limits of
`import_files` (too large, too many rows, a zip bomb) is refused whole, whatever
the mode. Rows are read as a stream and written in batches with upserts, so
50,000 rows take seconds, not minutes.

Shops import through the worker: `do_queue_import` checks the file's structure in
the request (size, zip directory, declared dimensions, header: cheap), keeps the
file and queues `catalog.tasks.run_catalog_import`, which calls `do_run_import_job`;
the page polls the job. The CLI still imports in one go (`do_import_catalog`).

A chain's files take the same road (`chain_imports.py`): a job of an organisation reads the
chain's shared catalog, a job of a branch reads the branch's stock file.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.catalog import chain_imports
from comptoir.catalog.import_files import check_file, check_size, file_kind, read_rows
from comptoir.catalog.import_report import MAX_ERRORS_LISTED, ImportOutcome, Progress, note_row, row_as_text
from comptoir.catalog.models import ImportJob, Offer, Organisation, Shop
from comptoir.catalog.offer_counts import do_recount_offers
from comptoir.catalog.services import category_ids, mark_shop_changed
from comptoir.catalog.suppliers import supplier_ids
from comptoir.catalog.validation import COLUMNS, OPTIONAL_COLUMNS, REQUIRED, FieldError, check_offer_fields
from comptoir.core.errors import InvalidInput

__all__ = ["MAX_ERRORS_LISTED", "ImportOutcome", "do_import_catalog", "do_queue_import", "do_run_import_job"]

BATCH = 2000
UPSERT_FIELDS = [c for c in COLUMNS if c not in {"sku", "category", "price", *OPTIONAL_COLUMNS}] + [
    "category_id", "price_cents", "updated",
]  # fmt: skip
# Written only when the file has provenance columns: an older file never unlinks suppliers.
PROVENANCE_FIELDS = [
    "supplier",
    "origin_place",
    "origin_lat",
    "origin_lon",
    "origin_postal_code",
    "origin_country",
    "origin_stated_by",
    "origin_label",
]
Target = Shop | Organisation


def _check_rows(
    target: Target, stream: IO[bytes], filename: str, progress: Progress | None = None
) -> ImportOutcome:
    """Read and check every row; raises InvalidInput when the file itself is out of bounds."""
    outcome = ImportOutcome()
    if isinstance(target, Organisation):
        chain_imports.check_product_rows(target, stream, filename, outcome, progress, category_ids())
        return outcome
    if target.organisation_id is not None:
        chain_imports.check_stock_rows(target, stream, filename, outcome, progress)
        return outcome
    categories, suppliers = category_ids(), supplier_ids()
    seen: dict[str, int] = {}
    for number, raw in enumerate(read_rows(stream, filename), start=2):  # row 1 is the header
        outcome.with_provenance = outcome.with_provenance or any(c in raw for c in OPTIONAL_COLUMNS)
        fields, errors = check_offer_fields(row_as_text(raw), categories, suppliers)
        sku = fields.get("sku", "")
        if sku and sku in seen:
            errors.append(FieldError("sku", _("same SKU as row %(row)d") % {"row": seen[sku]}))
        seen.setdefault(sku, number)
        note_row(outcome, number, fields, errors, progress)
    return outcome


def _write(target: Target, outcome: ImportOutcome, mode: str) -> str:
    """Write the valid rows when the mode allows; the job's final status."""
    written = outcome.errors_total == 0 or mode == ImportJob.Mode.VALID_ROWS
    if not (written and outcome.valid):
        pass
    elif isinstance(target, Organisation):
        chain_imports.write_products(target, outcome)
    elif target.organisation_id is not None:
        chain_imports.write_stock(target, outcome)
        mark_shop_changed(target.pk)
        do_recount_offers([target.pk])
    else:
        shop = target
        existing = set(Offer.objects.filter(shop=shop).values_list("sku", flat=True))
        _upsert(
            [Offer(shop=shop, **fields) for fields in outcome.valid],
            UPSERT_FIELDS + (PROVENANCE_FIELDS if outcome.with_provenance else []),
        )
        outcome.rows_updated = sum(1 for fields in outcome.valid if fields["sku"] in existing)
        outcome.rows_created = len(outcome.valid) - outcome.rows_updated
        mark_shop_changed(shop.pk)
        do_recount_offers([shop.pk])
    if outcome.errors_total == 0:
        return ImportJob.Status.APPLIED
    return ImportJob.Status.PARTIAL if written else ImportJob.Status.REJECTED


def _record(job: ImportJob, outcome: ImportOutcome, status: str) -> None:
    job.status = status
    job.rows_done = job.rows_total = outcome.rows_total
    job.rows_created, job.rows_updated = outcome.rows_created, outcome.rows_updated
    job.rows_rejected, job.errors, job.errors_total = (
        outcome.rows_rejected,
        outcome.errors,
        outcome.errors_total,
    )
    job.finished = timezone.now()
    job.save()


def do_import_catalog(
    shop: Target,
    stream: IO[bytes],
    filename: str,
    *,
    mode: str = ImportJob.Mode.ALL_OR_NOTHING,
    person: Any | None = None,
    progress: Progress | None = None,
) -> ImportJob:
    """Check every row, then write all, the valid ones, or nothing; record the job (in one go)."""
    outcome = _check_rows(shop, stream, filename, progress)
    with transaction.atomic():
        status = _write(shop, outcome, mode)
        job = ImportJob(person=person, filename=filename[:200], mode=mode, **_owner(shop))
        _record(job, outcome, status)
    if progress:
        progress(outcome.rows_total)
    return job


def imports_dir() -> Path:
    folder = Path(settings.COMPTOIR_HOME) / "imports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _owner(target: Target) -> dict[str, Any]:
    return {"organisation": target} if isinstance(target, Organisation) else {"shop": target}


def do_queue_import(
    shop: Target, stream: IO[bytes], filename: str, *, size: int, mode: str, person: Any | None
) -> ImportJob:
    """Check the file's structure, keep it for the worker and queue its import; returns the job."""
    from comptoir.catalog.tasks import run_catalog_import

    if mode not in ImportJob.Mode.values:
        raise InvalidInput(_("Unknown import mode: %(m)s") % {"m": mode[:20]}, field="mode")
    check_size(size)
    stock_file = isinstance(shop, Shop) and shop.organisation_id is not None
    expected = check_file(stream, filename, required=chain_imports.STOCK_REQUIRED if stock_file else REQUIRED)
    path = imports_dir() / f"{uuid.uuid4().hex}.{file_kind(filename)}"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # private from its first byte
    with os.fdopen(descriptor, "wb") as target:
        while chunk := stream.read(1 << 20):
            target.write(chunk)
    job = ImportJob.objects.create(
        **_owner(shop), person=person, filename=filename[:200], mode=mode, status=ImportJob.Status.QUEUED,
        upload=str(path), rows_expected=expected,
    )  # fmt: skip
    # Enqueued in the same transaction as the job (the database backend stores the task as a row),
    # so the worker never sees a task without its job, nor a job without its task.
    run_catalog_import.enqueue(job.pk)
    return job


def do_run_import_job(job_id: int) -> ImportJob:
    """The worker's part: read the kept file, check every row, write, record; the file is then removed."""
    job = ImportJob.objects.select_related("shop__organisation", "organisation").get(pk=job_id)
    target: Target = job.organisation if job.organisation is not None else job.shop  # type: ignore[assignment]
    if job.is_finished:  # a task run twice does the work once
        return job
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    path = Path(job.upload)

    def progress(rows: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(rows_done=rows)

    try:
        with path.open("rb") as stream:
            outcome = _check_rows(target, stream, job.filename, progress)
        with transaction.atomic():
            _record(job, outcome, _write(target, outcome, job.mode))
    except (InvalidInput, OSError) as error:
        job.status, job.finished = ImportJob.Status.FAILED, timezone.now()
        job.message = (error.message if isinstance(error, InvalidInput) else _("The file was lost."))[:500]
        job.save(update_fields=["status", "finished", "message"])
    finally:
        path.unlink(missing_ok=True)
        ImportJob.objects.filter(pk=job.pk).update(upload="")
    return job


def _upsert(offers: list[Offer], update_fields: list[str]) -> None:
    for start in range(0, len(offers), BATCH):
        Offer.objects.bulk_create(
            offers[start : start + BATCH],
            update_conflicts=True,
            unique_fields=["shop", "sku"],
            update_fields=update_fields,
        )
