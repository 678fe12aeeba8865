"""Background workers that die mid-task: their tasks are queued again, and finished once.

django-tasks-db marks a task "running" when a worker claims it and "successful" or "failed" when
it ends; a worker killed in between (SIGKILL, OOM, a lost machine) leaves it "running" for ever:
its mail never sent, its planning never done. So each `comptoir worker` beats (`WorkerBeat`)
every `COMPTOIR_WORKER_BEAT_SECONDS`; a running task whose worker has not beaten for
`STALE_BEATS` beats is put back in the queue with its arguments (the next worker runs it again),
or marked failed after `COMPTOIR_TASK_MAX_ATTEMPTS` claims, so a task that kills its worker every
time cannot loop for ever. Tasks are written to be run again safely: planning replaces the slot's
rounds in one transaction, mails are sent by one task each (see docs/decisions/0022).
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from comptoir.core.followers import start_follower
from comptoir.core.models import WorkerBeat

logger = logging.getLogger(__name__)

STALE_BEATS = 4  # a worker that missed this many beats is gone (not merely busy for one beat)


class WorkerDied(Exception):
    """Recorded as the failure of a task whose workers were killed `COMPTOIR_TASK_MAX_ATTEMPTS` times."""


@dataclass
class Recovery:
    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def beat_seconds() -> float:
    return float(settings.COMPTOIR_WORKER_BEAT_SECONDS)


def new_worker_id() -> str:
    host = socket.gethostname()[:32]
    return f"{host}:{os.getpid()}:{secrets.token_hex(4)}"


def do_beat(worker_id: str, now: datetime | None = None) -> None:
    now = now or timezone.now()
    updated = WorkerBeat.objects.filter(worker_id=worker_id).update(beat_at=now)
    if not updated:
        host, pid = worker_id.rsplit(":", 2)[0], os.getpid()
        WorkerBeat.objects.create(worker_id=worker_id, host=host, pid=pid, started_at=now, beat_at=now)


def do_recover_abandoned_tasks(now: datetime | None = None) -> Recovery:
    """Queue again (or fail, past the attempts) every running task whose worker stopped beating."""
    now = now or timezone.now()
    stale_before = now - timedelta(seconds=STALE_BEATS * beat_seconds())
    alive = set(WorkerBeat.objects.filter(beat_at__gte=stale_before).values_list("worker_id", flat=True))
    recovery = Recovery()
    with transaction.atomic():
        running = DBTaskResult.objects.select_for_update(skip_locked=True).filter(
            status=TaskResultStatus.RUNNING, started_at__lt=stale_before
        )
        for result in running:
            if result.worker_ids and result.worker_ids[-1] in alive:
                continue  # its worker is alive: a long task, not an abandoned one
            if len(result.worker_ids) >= settings.COMPTOIR_TASK_MAX_ATTEMPTS:
                _give_up(result, now)
                recovery.failed.append(str(result.id))
            else:
                result.status, result.started_at = TaskResultStatus.READY, None
                result.save(update_fields=["status", "started_at"])
                recovery.requeued.append(str(result.id))
    WorkerBeat.objects.filter(beat_at__lt=now - timedelta(days=1)).delete()
    for kind, ids in (("queued again", recovery.requeued), ("failed", recovery.failed)):
        if ids:
            logger.warning("tasks left running by a stopped worker, %s: %s", kind, ", ".join(ids))
    return recovery


def _give_up(result: DBTaskResult, now: datetime) -> None:
    attempts = len(result.worker_ids)
    result.status, result.finished_at = TaskResultStatus.FAILED, now
    result.exception_class_path = f"{WorkerDied.__module__}.{WorkerDied.__qualname__}"
    result.traceback = f"WorkerDied: the worker running this task stopped {attempts} times; not retried."
    result.return_value = None
    result.save(update_fields=["status", "finished_at", "exception_class_path", "traceback", "return_value"])
    abandoned = settings.COMPTOIR_TASK_ABANDONED.get(result.task_path)
    if abandoned:  # the task's own way to end what it started (a planning run ends failed, not running)
        args = result.args_kwargs
        import_string(abandoned)(*args.get("args", []), **args.get("kwargs", {}))


def start_beating(worker_id: str) -> threading.Event:
    """The worker's pulse and the recovery of its dead peers' tasks, in a follower thread."""

    def step() -> bool:
        do_beat(worker_id)
        do_recover_abandoned_tasks()
        return False

    return start_follower("worker-beat", step, beat_seconds())
