"""Exports prepared by the worker: ask, leave, come back, download (decision 0021).

A person asks for an export (their archive; a shop's catalog in CSV or XLSX, or its migration bundle;
a node administrator, a backup of the whole node, the file `comptoir backup` writes)
with `do_request_export`: the job is recorded and its task queued in the same transaction. The worker
runs `do_run_export`, which writes the very bytes the synchronous download gives into a private file
(0600) under `COMPTOIR_HOME/exports`, telling the job its stage and progress as it goes. The file is
kept `COMPTOIR_EXPORT_HOURS` hours, then removed (`do_expire_exports`, at each download attempt and on
the worker's purge pass). Only the person who asked sees the job or downloads its file
(`access_export_for_person`); for a shop's export they must still work for the shop.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comptoir.catalog.exports import export_csv, export_xlsx, offers_to_export
from comptoir.catalog.models import Shop
from comptoir.catalog.permissions import access_shop_for_staff
from comptoir.core.errors import InvalidInput, NotAllowed, NotFound
from comptoir.members.models import Person
from comptoir.privacy.archive import person_archive
from comptoir.privacy.backup import write_backup
from comptoir.privacy.bundle import shop_bundle
from comptoir.privacy.models import ExportJob

logger = logging.getLogger(__name__)

SHOP_KINDS = {ExportJob.Kind.CATALOG_CSV, ExportJob.Kind.CATALOG_XLSX, ExportJob.Kind.BUNDLE}
SUFFIX = {"catalog_csv": "csv", "catalog_xlsx": "xlsx", "archive": "zip", "bundle": "zip", "backup": "tar.gz"}
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
    "tar.gz": "application/gzip",
}
STAGES = {
    "offers": gettext_lazy("offers"), "orders": gettext_lazy("orders"), "statements": gettext_lazy("statements"),
    "zip": gettext_lazy("files written"), "archive": gettext_lazy("parts written"),
    "database": gettext_lazy("database pages copied"), "files": gettext_lazy("files added"),
}  # fmt: skip
SAVE_EVERY_S = 0.5  # progress reaches the database at most twice a second


def exports_dir() -> Path:
    folder = Path(settings.COMPTOIR_HOME) / "exports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def download_name(job: ExportJob) -> str:
    """The file name the browser saves: the same as the synchronous download's."""
    if job.kind == ExportJob.Kind.ARCHIVE:
        return f"comptoir-{job.person_id}-data.zip"
    if job.kind == ExportJob.Kind.BACKUP:
        return f"comptoir-backup-{timezone.localtime(job.created):%Y%m%d-%H%M}.tar.gz"
    assert job.shop is not None
    if job.kind == ExportJob.Kind.BUNDLE:
        return f"{job.shop.ref}-migration-bundle.zip"
    return f"{job.shop.ref}-catalog.{SUFFIX[job.kind]}"


def do_request_export(*, person: Person, kind: str, shop_ref: str = "", locale: str = "fr") -> ExportJob:
    """Record the export and queue it for the worker; a shop's export needs someone who works for it."""
    from comptoir.privacy.tasks import run_export

    if kind not in ExportJob.Kind.values:
        raise InvalidInput(_("Unknown export: %(kind)s") % {"kind": kind[:20]}, field="kind")
    if kind == ExportJob.Kind.BACKUP:
        check_node_admin(person)
    shop: Shop | None = access_shop_for_staff(person, shop_ref) if kind in SHOP_KINDS else None
    with transaction.atomic():
        job = ExportJob.objects.create(
            person=person, shop=shop, kind=kind, locale="en" if locale.startswith("en") else "fr",
            created=timezone.now(),
        )  # fmt: skip
        # The database backend stores the task as a row of this transaction: never a task without its job.
        run_export.enqueue(job.pk)
    return job


def access_export_for_person(person: Any, job_id: int) -> ExportJob:
    """The job, for the person who asked for it only; anyone else is told it does not exist."""
    job = ExportJob.objects.select_related("shop").filter(pk=job_id, person_id=person.pk).first()
    if job is None or not person.is_authenticated:
        raise NotFound(_("No such export."))
    if job.shop is not None:
        access_shop_for_staff(person, job.shop.ref)  # left the shop since: refused
    if job.kind == ExportJob.Kind.BACKUP:
        check_node_admin(person)  # no longer an administrator: refused
    return job


def check_node_admin(person: Any) -> None:
    """A backup holds every member's data: node administrators (`is_staff`) only, as `comptoir backup`
    is for whoever has the node's shell."""
    if not (person.is_authenticated and person.is_staff):
        raise NotAllowed(_("Reserved for the node's administrators."))


def stage_label(stage: str) -> str:
    return str(STAGES.get(stage, stage))


def exports_of(person: Person) -> list[ExportJob]:
    return list(ExportJob.objects.filter(person=person).select_related("shop")[:20])


class _Reporter:
    """Writes the job's stage and progress, throttled, from the export's progress callbacks."""

    def __init__(self, job: ExportJob) -> None:
        self.job = job
        self.saved = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if stage == self.job.stage and done < total and now - self.saved < SAVE_EVERY_S:
            return
        self.job.stage, self.job.done, self.job.total, self.saved = stage, done, total, now
        ExportJob.objects.filter(pk=self.job.pk).update(stage=stage, done=done, total=total)

    def rows(self, stage: str, total: int) -> Any:
        return lambda done: self(stage, done, total)


def do_run_export(job_id: int) -> ExportJob:
    """The worker's part: write the export's file, then mark the job ready (or failed)."""
    job = ExportJob.objects.select_related("shop", "person").get(pk=job_id)
    if job.status != ExportJob.Status.QUEUED:  # a task run twice does the work once
        return job
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING)
    path = exports_dir() / f"{uuid.uuid4().hex}.{SUFFIX[job.kind]}"
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # private from its first byte
        with os.fdopen(descriptor, "wb") as target:
            # A backup is `comptoir backup`'s own file: written beside, then moved over this one.
            if job.kind == ExportJob.Kind.BACKUP:
                write_backup(path, progress=_Reporter(job))
            else:
                _write(job, target, _Reporter(job))
    except Exception as error:  # the job must say it failed, whatever broke
        logger.exception("export %s failed", job.pk)
        path.unlink(missing_ok=True)
        job.status, job.finished = ExportJob.Status.FAILED, timezone.now()
        job.message = _("The export failed: %(error)s") % {"error": type(error).__name__}
        job.save(update_fields=["status", "finished", "message"])
        return job
    job.refresh_from_db(fields=["stage", "done", "total"])
    job.status, job.finished, job.path, job.size = (
        ExportJob.Status.READY,
        timezone.now(),
        str(path),
        path.stat().st_size,
    )
    job.expires = job.finished + timedelta(hours=settings.COMPTOIR_EXPORT_HOURS)
    job.save(update_fields=["status", "finished", "path", "size", "expires"])
    return job


def _write(job: ExportJob, target: Any, report: _Reporter) -> None:
    shop = job.shop
    if job.kind == ExportJob.Kind.ARCHIVE:
        target.write(person_archive(job.person, settings.COMPTOIR_NODE_NAME, report))
    elif job.kind == ExportJob.Kind.BUNDLE:
        assert shop is not None
        target.write(shop_bundle(shop, report))
    else:
        assert shop is not None
        rows = report.rows("offers", offers_to_export(shop))
        rows(0)
        if job.kind == ExportJob.Kind.CATALOG_XLSX:
            target.write(export_xlsx(shop, rows))
        else:
            for chunk in export_csv(shop, job.locale, rows):
                target.write(chunk.encode())


def do_expire_exports(now: datetime | None = None) -> int:
    """Remove the files of exports past their time; the jobs stay, marked expired. Returns how many."""
    now = now or timezone.now()
    due = list(ExportJob.objects.filter(status=ExportJob.Status.READY, expires__lte=now).only("pk", "path"))
    for job in due:
        Path(job.path).unlink(missing_ok=True)
    ExportJob.objects.filter(pk__in=[job.pk for job in due]).update(status=ExportJob.Status.EXPIRED, path="")
    return len(due)


def do_forget_exports(person: Person) -> int:
    """An erased account's prepared exports go with it (they hold what the erasure removes); the files
    once the erasure has committed, so a refused erasure leaves them."""
    paths = [
        Path(p)
        for p in ExportJob.objects.filter(person=person).exclude(path="").values_list("path", flat=True)
    ]
    deleted = ExportJob.objects.filter(person=person).delete()[0]

    def unlink() -> None:
        for path in paths:
            path.unlink(missing_ok=True)

    transaction.on_commit(unlink)
    return deleted


def ready_file(job: ExportJob) -> Path:
    """The file of a ready export, or a refusal saying why there is none (yet, or any more)."""
    if job.status == ExportJob.Status.READY and job.expires and job.expires <= timezone.now():
        do_expire_exports()
        job.refresh_from_db()
    if job.status == ExportJob.Status.EXPIRED:
        raise NotFound(_("This export has expired: ask for a new one."))
    if job.status != ExportJob.Status.READY or not Path(job.path).is_file():
        raise NotFound(_("This export is not ready."))
    return Path(job.path)
