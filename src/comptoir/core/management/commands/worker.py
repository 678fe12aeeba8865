"""`comptoir worker`: the background worker (django-tasks database backend)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils.module_loading import import_string

from comptoir.core.worker import do_beat, do_recover_abandoned_tasks, new_worker_id, start_beating


class Command(BaseCommand):
    help = "Run the background worker: indexing, notifications, planning."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="Run what is queued, then exit.")
        parser.add_argument("--interval", type=float, default=1.0)

    def handle(self, *args: Any, batch: bool, interval: float, **options: Any) -> None:
        # Tasks a killed worker left running are queued again first, then this worker beats so that
        # its own are never taken for abandoned (core/worker.py).
        worker_id = new_worker_id()
        do_beat(worker_id)
        do_recover_abandoned_tasks()
        if not batch:
            start_beating(worker_id)
        # Beside the task queue, the worker runs the apps' followers named in settings (the search
        # indexer following the catalog's outbox, the slot closer...); with --batch each does one pass.
        for start_path, once_path in settings.COMPTOIR_WORKER_FOLLOWERS:
            if batch:
                once = import_string(once_path)
                once.call() if hasattr(once, "call") else once()  # a django-tasks task, or a function
            else:
                import_string(start_path)()
        call_command(
            "db_worker", queue_name="*", interval=interval, batch=batch, reload=False, startup_delay=not batch,
            worker_id=worker_id,
            verbosity=options["verbosity"],
        )  # fmt: skip
