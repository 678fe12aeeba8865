"""`comptoir backup [FILE]`: the database, uploads and keys in one tar.gz (the search index is rebuilt on restore)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.core.errors import ComptoirError
from comptoir.privacy.backup import write_backup
from comptoir.privacy.progress import StageBar


class Command(BaseCommand):
    help = "Back the node up: database (SQLite online backup or pg_dump), uploads and keys, in one file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file", nargs="?", type=Path, help="default: comptoir-backup-YYYYMMDD-HHMMSS.tar.gz"
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, file: Path | None, no_progress: bool, **options: Any) -> None:
        path = file or Path(f"comptoir-backup-{timezone.now():%Y%m%d-%H%M%S}.tar.gz")
        bar = None if no_progress else StageBar()
        started = time.perf_counter()
        try:
            report = write_backup(path.resolve(), **({"progress": bar} if bar else {}))
        except ComptoirError as error:
            raise CommandError(error.message) from error
        finally:
            if bar:
                bar.close()
        self.stdout.write(
            _("Backup written to %(path)s: %(vendor)s database, %(tables)s tables, %(rows)s rows, %(files)s files, "
              "%(mb).1f MB in %(seconds).2f s (the search index is rebuilt on restore).")
            % {"path": report.path, "vendor": report.vendor, "tables": report.tables, "rows": report.rows,
               "files": report.files, "mb": report.bytes / 1e6, "seconds": time.perf_counter() - started}
        )  # fmt: skip
