"""Background indexing: the catalog's changes reach the index within about a second.

Two ways in, one code path (`services.do_apply_pending_changes`):
- `apply_index_changes`, a django-tasks task: `schedule_index_update()` enqueues it when
  the current transaction commits, for code that wants its change indexed at once;
- `start_following`, the loop `comptoir worker` runs beside the task queue: it
  polls the outbox every `interval` seconds (one indexed SELECT when idle), so every
  write that records an `OfferChange` is indexed, whoever made it, with no hook in the
  catalog. The outbox is the contract; polling it keeps the catalog unaware of search.
"""

from __future__ import annotations

import threading
from typing import Any

from django.db import transaction
from django_tasks import task

from comptoir.core.followers import start_follower
from comptoir.search import services

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


def index_pending_changes() -> bool:
    """One pass of the follower; True when a full batch suggests more is waiting."""
    if not services.index_path().exists():  # a new node, or a wiped folder: build it whole
        services.do_rebuild_index()
    return services.do_apply_pending_changes().changes >= services.CHANGES_PER_BATCH


def start_following(interval: float = FOLLOW_INTERVAL_S) -> threading.Event:
    """Follow the catalog's outbox in a daemon thread; set the returned event to stop it."""
    return start_follower("search-indexer", index_pending_changes, interval)


@task()
def run_rebuild(rebuild_id: int) -> str:
    """A rebuild a node admin started from the web (decision 0028)."""
    from comptoir.search.rebuilds import do_run_rebuild

    rebuild = do_run_rebuild(rebuild_id)
    return f"{rebuild.status}: {rebuild.done} offers"
