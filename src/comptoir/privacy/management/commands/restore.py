"""`comptoir restore FILE`: load a backup into an empty node, check it, rebuild the search index."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from comptoir.core.errors import ComptoirError
from comptoir.privacy.backup import restore_backup
from comptoir.privacy.progress import StageBar


class Command(BaseCommand):
    help = "Restore a backup made by `comptoir backup` into an empty node (or --replace this node's data)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--replace", action="store_true", help="Overwrite a node that already holds data."
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, file: Path, replace: bool, no_progress: bool, **options: Any) -> None:
        bar = None if no_progress else StageBar()
        started = time.perf_counter()
        try:
            report = restore_backup(file, replace=replace, **({"progress": bar} if bar else {}))
        except ComptoirError as error:
            raise CommandError(error.message) from error
        finally:
            if bar:
                bar.close()
        self.stdout.write(
            _("Restored %(tables)s tables, %(rows)s rows and %(files)s files into this %(vendor)s node; %(migrated)s "
              "migrations applied since the backup; search index rebuilt (%(offers)s offers), in %(seconds).2f s.")
            % {"tables": report.tables, "rows": report.rows, "files": report.files, "vendor": report.vendor,
               "migrated": report.migrated, "offers": report.offers_indexed, "seconds": time.perf_counter() - started}
        )  # fmt: skip
