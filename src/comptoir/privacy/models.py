"""What privacy did, without what it erased: erasures and purge runs. Thin: fields only."""

from __future__ import annotations

from django.db import models


class Erasure(models.Model):
    """An account erased: which row, when, and what was kept. No name, no address, no email."""

    person_id = models.BigIntegerField(unique=True)
    erased_at = models.DateTimeField()
    orders_kept = models.PositiveIntegerField()  # orders whose numbers, lines and totals stay on the books
    via = models.CharField(max_length=8)  # page or api


class PurgeRun(models.Model):
    """One pass of the retention purge; the worker runs one a day (the latest tells it when)."""

    ran_at = models.DateTimeField(db_index=True)
    retention_days = models.PositiveIntegerField()
    source = models.CharField(max_length=200)  # where the retention period came from (the vote)
    cutoff = models.DateTimeField()
    orders = models.PositiveIntegerField()
    bookings = models.PositiveIntegerField()
    signatures = models.PositiveIntegerField()

    class Meta:
        ordering = ["-ran_at", "-id"]
