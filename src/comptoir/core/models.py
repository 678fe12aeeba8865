"""The shared kernel's one table: which background workers are alive. Thin: fields only."""

from __future__ import annotations

from django.db import models


class WorkerBeat(models.Model):
    """A `comptoir worker` process says it is alive every few seconds (core/worker.py).

    A task left "running" by a worker that stopped beating was cut off (killed, machine lost):
    it is queued again, so the next worker finishes it.
    """

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)
