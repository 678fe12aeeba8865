"""`comptoir search-rebuild`: rebuild the search index from the database, from scratch.

Streams the visible offers (`.iterator()`), builds a new index generation beside the
current one and swaps it in atomically; web processes switch at their next search.
"""

from __future__ import annotations

import json
import resource
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from comptoir.catalog.selectors import sellable_offers
from comptoir.core.progress import ProgressBar
from comptoir.search.services import do_rebuild_index, index_path


class Command(BaseCommand):
    help = "Rebuild the search index from the database (the index is only a cache)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print the figures as one JSON line.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar on stderr.")

    def handle(self, *args: Any, json: bool = False, no_progress: bool = False, **options: Any) -> None:
        bar = None if no_progress else ProgressBar(sellable_offers().count(), unit="offers")
        report = do_rebuild_index(progress=bar)
        if bar:
            bar.finish()
        figures = {
            "offers": report.offers,
            "seconds": round(report.seconds, 2),
            "mb_on_disk": round(report.bytes_on_disk / 1e6, 1),
            "changes_cleared": report.changes_cleared,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
        if json:
            self.stdout.write(_dumps(figures))
        elif options["verbosity"] > 0:
            self.stdout.write(
                f"Search index rebuilt at {index_path()}: {report.offers} offers in {report.seconds:.1f} s, "
                f"{figures['mb_on_disk']} MB."
            )


def _dumps(value: Any) -> str:
    return json.dumps(value)
