"""One table: the index rebuilds a node admin asked for from the web (`IndexRebuild`, decision 0028).

The index itself lives on disk (`settings.COMPTOIR_SEARCH_DIR`), derived from the catalog.
What is waiting to be indexed is the catalog's own outbox, `catalog.models.OfferChange`;
which index generation a reader serves is told by the files themselves (the `offers`
symlink and its `meta.json`), so readers need no database row to notice a change.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class IndexRebuild(models.Model):
    """A rebuild asked for from the staff's page, run by the worker; its progress for the page that follows it.

    `current` is True while the rebuild is queued or running and NULL once it has ended: the unique
    constraint on it lets one rebuild at a time exist, even when two admins click at the same instant.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for the worker")
        RUNNING = "running", _("Rebuilding")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    current = models.BooleanField(null=True, default=True)
    done = models.PositiveIntegerField(default=0)  # offers written into the new index so far
    total = models.PositiveIntegerField(default=0)  # offers to write, counted when it starts
    seconds = models.FloatField(null=True, blank=True)
    bytes_on_disk = models.PositiveBigIntegerField(null=True, blank=True)
    message = models.CharField(max_length=500, blank=True)
    created = models.DateTimeField()
    updated = models.DateTimeField()  # the last sign of life: a start or a progress report
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [models.UniqueConstraint(fields=["current"], name="one_index_rebuild_at_a_time")]

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}

    @property
    def percent_done(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0
