"""Background indexing: the catalog's changes reach the index within about a second.

Two ways in, one code path (`services.do_apply_pending_changes`):
- `apply_index_changes`, a django-tasks task: `schedule_index_update()` enqueues it when
  the current transaction commits, for code that wants its change indexed at once;
- `follow_catalog_changes`, the loop `comptoir worker` runs beside the task queue: it
  polls the outbox every `interval` seconds (one indexed SELECT when idle), so every
  write that records an `OfferChange` is indexed, whoever made it, with no hook in the
  catalog. The outbox is the contract; polling it keeps the catalog unaware of search.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.db import close_old_connections, transaction
from django_tasks import task

from comptoir.search import services

logger = logging.getLogger(__name__)

FOLLOW_INTERVAL_S = 0.5


@task()
def apply_index_changes() -> dict[str, Any]:
    total = services.ApplyReport()
    while True:  # drain everything that is queued now, one commit per batch
        report = services.do_apply_pending_changes()
        if report.skipped or report.changes == 0:
            break
        total = services.ApplyReport(
            total.changes + report.changes, total.indexed + report.indexed, total.deleted + report.deleted,
            total.seconds + report.seconds,
        )  # fmt: skip
    return {"changes": total.changes, "indexed": total.indexed, "deleted": total.deleted}


def schedule_index_update() -> None:
    transaction.on_commit(apply_index_changes.enqueue)


def follow_catalog_changes(stop: threading.Event, interval: float = FOLLOW_INTERVAL_S) -> None:
    """Apply pending changes until `stop` is set; a failed batch is logged and retried."""
    while not stop.is_set():
        close_old_connections()
        try:
            if not services.index_path().exists():  # a new node, or a wiped folder: build it whole
                services.do_rebuild_index()
            report = services.do_apply_pending_changes()
        except Exception:  # keep following: the outbox keeps the change until a batch succeeds
            logger.exception("search indexing failed; retrying")
            report = services.ApplyReport()
        if report.changes < services.CHANGES_PER_BATCH:
            stop.wait(interval)


def start_following(interval: float = FOLLOW_INTERVAL_S) -> threading.Event:
    """Run `follow_catalog_changes` in a daemon thread; set the returned event to stop it."""
    stop = threading.Event()
    threading.Thread(
        target=follow_catalog_changes, args=(stop, interval), name="search-indexer", daemon=True
    ).start()
    return stop
