"""`comptoir catalog import|export|import-network`: catalogs from the command line."""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from comptoir.catalog.exports import export_csv, export_xlsx, offers_to_export
from comptoir.catalog.imports import do_import_catalog
from comptoir.catalog.models import ImportJob, Shop
from comptoir.catalog.network_import import describe, import_network
from comptoir.core.errors import ComptoirError
from comptoir.core.progress import ProgressBar


def _count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return max(0, sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b"")) - 1)


class Command(BaseCommand):
    help = "Import or export catalogs."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Import one shop's CSV or XLSX catalog.")
        imp.add_argument("shop_ref")
        imp.add_argument("file", type=Path)
        imp.add_argument(
            "--valid-rows", action="store_true", help="Write the valid rows even if some are rejected."
        )
        exp = sub.add_parser("export", help="Export one shop's catalog.")
        exp.add_argument("shop_ref")
        exp.add_argument("file", type=Path)
        exp.add_argument(
            "--locale", choices=["fr", "en"], default=None,
            help="CSV for French (; and 2,40) or English (, and 2.40) spreadsheets; default: the node's language.",
        )  # fmt: skip
        net = sub.add_parser("import-network", help="Load many shops and offers from one CSV.")
        net.add_argument("file", type=Path)
        net.add_argument("--json", action="store_true")
        for sub_parser in (imp, exp, net):
            sub_parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        try:
            getattr(self, "_" + action.replace("-", "_"))(**options)
        except ComptoirError as error:
            raise CommandError(error.message) from error

    def _shop(self, ref: str) -> Shop:
        shop = Shop.objects.filter(ref=ref).first()
        if shop is None:
            raise CommandError(f"no shop with reference {ref!r}")
        return shop

    def _import(self, shop_ref: str, file: Path, valid_rows: bool, no_progress: bool, **_: Any) -> None:
        shop = self._shop(shop_ref)
        mode = ImportJob.Mode.VALID_ROWS if valid_rows else ImportJob.Mode.ALL_OR_NOTHING
        progress = None if no_progress or file.suffix == ".xlsx" else ProgressBar(_count_lines(file))
        with file.open("rb") as stream:
            job = do_import_catalog(shop, stream, file.name, mode=mode, progress=progress)
        if progress:
            sys.stderr.write("\n")
        self.stdout.write(
            f"{job.get_status_display()}: {job.rows_total} rows, {job.rows_created} created, "
            f"{job.rows_updated} updated, {job.rows_rejected} rejected"
        )
        for error in job.errors[:50]:
            self.stdout.write(f"  row {error['row']}, {error['column']}: {error['message']}")
        if job.status == ImportJob.Status.REJECTED:
            raise CommandError("nothing was written")

    def _export(
        self, shop_ref: str, file: Path, no_progress: bool, locale: str | None = None, **_: Any
    ) -> None:
        shop = self._shop(shop_ref)
        progress = None if no_progress else ProgressBar(offers_to_export(shop), unit="offers")
        if file.suffix == ".xlsx":
            file.write_bytes(export_xlsx(shop, progress))
        else:
            with file.open("w", encoding="utf-8", newline="") as handle:
                for chunk in export_csv(shop, locale or settings.LANGUAGE_CODE, progress):
                    handle.write(chunk)
        if progress:
            progress.finish()
        self.stdout.write(f"exported to {file}")

    def _import_network(self, file: Path, no_progress: bool, json: bool = False, **_: Any) -> None:
        if not file.exists():
            raise CommandError(f"no such file: {file}")
        started = time.perf_counter()
        progress = None if no_progress else ProgressBar(_count_lines(file))
        report = import_network(file, progress)
        if progress:
            sys.stderr.write("\n")
        figures = describe(report) | {
            "seconds": round(time.perf_counter() - started, 2),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
        for number, reason in report.rejected[:20]:
            self.stderr.write(f"  row {number}: {reason}")
        self.stdout.write(
            _json_dumps(figures) if json else ", ".join(f"{k}: {v}" for k, v in figures.items())
        )


def _json_dumps(value: Any) -> str:
    return json.dumps(value)
