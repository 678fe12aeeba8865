"""Enqueue background work in the same transaction as the change that causes it.

With the database queue (django-tasks-db, the node's default) the task is a row: written inside
the transaction, it commits with the order, the planning request or the slot it belongs to, or
not at all. `transaction.on_commit` instead runs after the commit, so a process killed between the
two left an order whose confirmation mail and expiry were never queued. Other backends (the
immediate one of the tests) run the task at once: they still wait for the commit.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django_tasks.base import Task
from django_tasks_db.backend import DatabaseBackend


def enqueue_with_transaction(task: Task[Any, Any], *args: Any, **kwargs: Any) -> None:
    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(*args, **kwargs)  # a row of this transaction: it commits or rolls back with it
    else:
        transaction.on_commit(lambda: task.enqueue(*args, **kwargs))
