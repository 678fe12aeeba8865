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


class BundleImport(models.Model):
    """A shop moved here with its migration bundle: where from, and its statements from the old node's books
    (kept as they were, read-only: they are not entries of this node's books)."""

    shop = models.ForeignKey("catalog.Shop", on_delete=models.PROTECT, related_name="bundle_imports")
    origin_node = models.CharField(max_length=200)
    origin_ref = models.CharField(max_length=64)
    imported_at = models.DateTimeField()
    manifest = models.JSONField()
    statements = models.JSONField(default=list)
    orders = models.PositiveIntegerField(default=0)
