"""`comptoir worker`: the background worker (django-tasks database backend)."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run the background worker: indexing, notifications, planning."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="Run what is queued, then exit.")
        parser.add_argument("--interval", type=float, default=1.0)

    def handle(self, *args: Any, batch: bool, interval: float, **options: Any) -> None:
        # The worker is the one writer of the search index: it follows the catalog's outbox
        # (sub-second) beside the task queue; with --batch it applies what is pending once.
        from comptoir.search.tasks import apply_index_changes, start_following

        if batch:
            apply_index_changes.call()
        else:
            start_following()
        call_command(
            "db_worker", queue_name="*", interval=interval, batch=batch, reload=False, startup_delay=not batch,
            verbosity=options["verbosity"],
        )  # fmt: skip
