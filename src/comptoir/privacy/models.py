"""What privacy did, without what it erased: erasures and purge runs. Thin: fields only."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


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
    protocol_messages = models.PositiveIntegerField(default=0)  # inbound and outbound bodies emptied

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


class ExportJob(models.Model):
    """An export prepared by the worker (decision 0021): who asked, what, how far it got, and the file,
    kept owner-only until it expires. Only the person who asked sees it or downloads it."""

    class Kind(models.TextChoices):
        CATALOG_CSV = "catalog_csv", _("Catalog (CSV)")
        CATALOG_XLSX = "catalog_xlsx", _("Catalog (XLSX)")
        ARCHIVE = "archive", _("My data (ZIP)")
        BUNDLE = "bundle", _("Migration bundle (ZIP)")
        BACKUP = "backup", _("Backup of the node (tar.gz)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for its turn")
        RUNNING = "running", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    person = models.ForeignKey("members.Person", on_delete=models.CASCADE, related_name="export_jobs")
    shop = models.ForeignKey(
        "catalog.Shop", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    locale = models.CharField(max_length=8, default="fr")  # the CSV dialect of a catalog export
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=16, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    path = models.CharField(max_length=300, blank=True)  # the file under COMPTOIR_HOME/exports, 0600
    size = models.PositiveBigIntegerField(default=0)
    message = models.CharField(max_length=500, blank=True)
    created = models.DateTimeField()
    finished = models.DateTimeField(null=True, blank=True)
    expires = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]

    @property
    def is_finished(self) -> bool:
        return self.status not in {self.Status.QUEUED, self.Status.RUNNING}

    @property
    def percent_done(self) -> int:
        if self.status == self.Status.READY:
            return 100
        return min(100, 100 * self.done // self.total) if self.total else 0
