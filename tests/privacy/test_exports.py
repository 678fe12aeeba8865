"""Issue 19 item 6: exports run in the worker, show their progress on a page that reloads itself without
JavaScript, can be left and come back to, and end with a download link that expires. The file is the
synchronous download's; only the person who asked sees the job or its file."""

from __future__ import annotations

import io
import json
import stat
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from comptoir.catalog.exports import export_csv, export_xlsx
from comptoir.catalog.models import Shop
from comptoir.catalog.services import do_create_offer
from comptoir.members.models import Person
from comptoir.privacy.archive import person_archive
from comptoir.privacy.bundle import shop_bundle
from comptoir.privacy.exports import do_expire_exports
from comptoir.privacy.models import ExportJob
from comptoir.privacy.services import do_erase_account
from tests.conftest import PASSWORD

FIXED = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def queued_tasks(settings: Any) -> None:
    """Tasks wait in the database queue, as on a node, until `run_queued` runs them as the worker does."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_queued() -> list[str]:
    """Run the waiting exports as `comptoir worker` (db_worker's run_task) does, in the test's transaction."""
    results = []
    waiting = DBTaskResult.objects.filter(status="READY", task_path="comptoir.privacy.tasks.run_export")
    for queued in waiting.order_by("enqueued_at"):
        value = queued.task.call(*queued.task_result.args, **queued.task_result.kwargs)
        queued.set_successful(value)
        results.append(value)
    return results


def signed_in(person: Person) -> Client:
    client = Client()
    assert client.login(username=person.email, password=PASSWORD)
    return client


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture
def catalog(shop: Shop) -> Shop:
    for n in range(1, 4):
        do_create_offer(shop, {"sku": f"P{n}", "name_fr": f"Pain n°{n}", "price": f"{n},40", "stock": str(n * 5),
                               "tax_rate": "5,5"})  # fmt: skip
    do_create_offer(shop, {"sku": "F1", "name_fr": "=SOMME(A1)", "price": "1,00", "stock": "1"})
    return shop


def test_a_catalog_export_runs_in_the_worker_and_its_page_follows_it(
    queued_tasks: None, catalog: Shop, owner: Person
) -> None:
    client = signed_in(owner)
    response = client.post("/compte/exports/", {"kind": "catalog_csv", "shop": "boulangerie"})
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/compte/exports/{job.pk}/"
    assert (job.kind, job.status, job.shop_id, job.person_id, job.locale) == (
        "catalog_csv", "queued", catalog.pk, owner.pk, "fr",
    )  # fmt: skip
    page = client.get(response["Location"]).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page  # reloads itself, no JavaScript needed
    assert "En attente de son tour" in page and '<progress max="100" value="0">' in page
    assert "Vous pouvez quitter cette page" in page
    listed = client.get("/compte/exports/").content.decode()
    assert f'<a href="/compte/exports/{job.pk}/">Catalogue (CSV) — Boulangerie du Pont</a>' in listed
    assert "En attente de son tour (0\u202f%)" in listed
    assert client.get(f"/compte/exports/{job.pk}/telecharger").status_code == 404  # not ready yet

    queued = DBTaskResult.objects.get()
    assert (queued.task_path, queued.args_kwargs["args"]) == ("comptoir.privacy.tasks.run_export", [job.pk])
    expected = "".join(export_csv(catalog, "fr")).encode()
    assert run_queued() == [f"ready: {len(expected)} bytes"]

    job.refresh_from_db()
    assert (job.status, job.stage, job.done, job.total, job.size) == ("ready", "offers", 4, 4, len(expected))
    assert job.expires == job.finished + timedelta(hours=24)
    kept = Path(job.path)
    assert kept.parent.name == "exports" and stat.S_IMODE(kept.stat().st_mode) == 0o600
    page = client.get(f"/compte/exports/{job.pk}/").content.decode()
    assert "http-equiv" not in page and "Prêt" in page
    assert f'href="/compte/exports/{job.pk}/telecharger" download>Télécharger' in page
    download = client.get(f"/compte/exports/{job.pk}/telecharger")
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="boulangerie-catalog.csv"'
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert download["Cache-Control"] == "no-store"
    body = b"".join(download.streaming_content)
    synchronous = client.get("/gestion/boulangerie/export.csv")
    assert body == expected == b"".join(synchronous.streaming_content)
    assert body.decode().splitlines()[-1].startswith("P3;;Pain n°3;")
    assert "'=SOMME(A1)" in body.decode()  # neutralised as in the synchronous export


def test_only_the_person_who_asked_sees_the_export_or_its_file(
    queued_tasks: None, catalog: Shop, owner: Person, other_shop: Shop, make_person: Any
) -> None:
    job_page = signed_in(owner).post("/compte/exports/", {"kind": "catalog_xlsx", "shop": "boulangerie"})
    run_queued()
    job = ExportJob.objects.get()
    assert job.status == "ready"
    stranger = signed_in(make_person("stranger@example.org"))
    for path in (job_page["Location"], f"/compte/exports/{job.pk}/telecharger"):
        response = stranger.get(path)
        assert (response.status_code, "Cet export n’existe pas." in response.content.decode()) == (404, True)
        assert Client().get(path)["Location"] == f"/connexion/?next={path}"
    assert "boulangerie" not in stranger.get("/compte/exports/").content.decode()
    # Another shop's owner may not ask for this shop's export: refused, nothing queued.
    other_owner = other_shop.staff.get().person
    refused = signed_in(other_owner).post("/compte/exports/", {"kind": "bundle", "shop": "boulangerie"})
    assert refused.status_code == 403
    assert "Vous ne travaillez pas pour ce commerce." in refused.content.decode()
    assert (ExportJob.objects.count(), DBTaskResult.objects.count()) == (1, 1)
    # Unknown kinds are refused with the reason.
    bad = signed_in(owner).post("/compte/exports/", {"kind": "everything", "shop": "boulangerie"})
    assert (bad.status_code, "Export inconnu\u00a0: everything" in bad.content.decode()) == (400, True)
    assert ExportJob.objects.count() == 1
    # Someone who left the shop no longer downloads its export.
    catalog.staff.filter(person=owner).delete()
    assert signed_in(owner).get(f"/compte/exports/{job.pk}/telecharger").status_code == 403


def test_the_xlsx_archive_and_bundle_prepared_by_the_worker_are_the_synchronous_files(
    queued_tasks: None, world: dict[str, Any], catalog: Shop, owner: Person, resident: Person
) -> None:
    with mock.patch("django.utils.timezone.now", return_value=FIXED):  # the README's and manifest's date
        for kind in ("catalog_xlsx", "bundle"):
            assert (
                signed_in(owner).post("/compte/exports/", {"kind": kind, "shop": "boulangerie"}).status_code
                == 302
            )
        assert signed_in(resident).post("/compte/exports/", {"kind": "archive"}).status_code == 302
        assert len(run_queued()) == 3
        synchronous = {
            "catalog_xlsx": export_xlsx(catalog),
            "bundle": shop_bundle(catalog),
            "archive": person_archive(Person.objects.get(pk=resident.pk), settings.COMPTOIR_NODE_NAME),
        }
    jobs = {job.kind: job for job in ExportJob.objects.all()}
    for kind, expected in synchronous.items():
        prepared = unzip(Path(jobs[kind].path).read_bytes())
        expected_files = unzip(expected)
        if kind == "catalog_xlsx":  # the workbook's own creation time is not ours to fix
            prepared.pop("docProps/core.xml"), expected_files.pop("docProps/core.xml")
        assert prepared == expected_files, kind
    assert sorted(unzip(Path(jobs["bundle"].path).read_bytes())) == [
        "catalog.csv", "manifest.json", "offers.json", "orders.json", "shop.json", "statements.csv",
        "statements.json", "suppliers.json",
    ]  # fmt: skip
    assert (jobs["bundle"].stage, jobs["bundle"].done, jobs["bundle"].total) == ("zip", 7, 7)
    assert (jobs["archive"].stage, jobs["archive"].done, jobs["archive"].total) == ("archive", 11, 11)
    archive = signed_in(resident).get(f"/compte/exports/{jobs['archive'].pk}/telecharger")
    assert archive["Content-Disposition"] == f'attachment; filename="comptoir-{resident.pk}-data.zip"'
    bundle = signed_in(owner).get(f"/compte/exports/{jobs['bundle'].pk}/telecharger")
    assert bundle["Content-Disposition"] == 'attachment; filename="boulangerie-migration-bundle.zip"'


def test_an_export_expires_and_its_file_is_deleted(queued_tasks: None, catalog: Shop, owner: Person) -> None:
    client = signed_in(owner)
    client.post("/compte/exports/", {"kind": "catalog_csv", "shop": "boulangerie"})
    run_queued()
    job = ExportJob.objects.get()
    kept = Path(job.path)
    assert do_expire_exports(now=job.expires - timedelta(seconds=1)) == 0 and kept.is_file()
    ExportJob.objects.filter(pk=job.pk).update(expires=timezone.now() - timedelta(seconds=1))
    response = client.get(f"/compte/exports/{job.pk}/telecharger")
    assert response.status_code == 404
    assert "Cet export a expiré\u00a0: demandez-en un nouveau." in response.content.decode()
    job.refresh_from_db()
    assert (job.status, job.path, kept.exists()) == ("expired", "", False)
    assert "Expiré" in client.get(f"/compte/exports/{job.pk}/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_an_erased_account_takes_its_prepared_exports_with_it(queued_tasks: None, make_person: Any) -> None:
    person = make_person("leaving@example.org")
    signed_in(person).post("/compte/exports/", {"kind": "archive"})
    run_queued()
    kept = Path(ExportJob.objects.get().path)
    assert kept.is_file()
    do_erase_account(person=person, password=PASSWORD, confirm="ERASE", via="page")
    assert (ExportJob.objects.count(), kept.exists()) == (0, False)


def test_the_export_commands_draw_a_progress_bar(catalog: Shop, tmp_path: Path, capsys: Any) -> None:
    call_command("catalog", "export", "boulangerie", str(tmp_path / "c.csv"))
    last = capsys.readouterr().err.split("\r")[-1]
    assert last.startswith("[##############################] 100.0%          4 offers")
    assert (tmp_path / "c.csv").read_bytes() == "".join(export_csv(catalog, "fr")).encode()
    call_command("shop", "export-bundle", "boulangerie", str(tmp_path / "b.zip"))
    stages = [line.split("\r")[-1] for line in capsys.readouterr().err.rstrip("\n").split("\n")]
    assert [line.split(" (")[0] for line in stages] == [
        "[##############################] 100.0% offers",
        "[##############################] 100.0% orders",
        "[##############################] 100.0% statements",
        "[##############################] 100.0% zip",
    ]
    assert stages[-1].startswith("[##############################] 100.0% zip (7/7, ")


@pytest.mark.django_db(transaction=True)  # the backup reads what is committed, as the worker's would
def test_a_node_admin_prepares_a_backup_in_the_worker_and_no_one_else_may(
    queued_tasks: None, catalog: Shop, owner: Person, make_person: Any
) -> None:
    import tarfile

    from comptoir.privacy.backup import _home_files

    media = Path(settings.COMPTOIR_HOME) / "media"
    media.mkdir(parents=True, exist_ok=True)
    (media / "logo.txt").write_text("le logo")
    # A shop's owner is not a node administrator: no button, and the request is refused, nothing queued.
    assert "Préparer une sauvegarde du nœud" not in signed_in(owner).get("/compte/exports/").content.decode()
    refused = signed_in(owner).post("/compte/exports/", {"kind": "backup"})
    assert refused.status_code == 403 and "Réservé aux administrateurs du nœud." in refused.content.decode()
    assert (ExportJob.objects.count(), DBTaskResult.objects.count()) == (0, 0)

    admin = make_person("admin@example.org")
    admin.is_staff = True
    admin.save(update_fields=["is_staff"])
    client = signed_in(admin)
    listed = client.get("/compte/exports/").content.decode()
    assert '<button name="kind" value="backup">Préparer une sauvegarde du nœud (tar.gz)</button>' in listed
    response = client.post("/compte/exports/", {"kind": "backup"})
    job = ExportJob.objects.get()
    assert response["Location"] == f"/compte/exports/{job.pk}/"
    assert (job.kind, job.status, job.shop_id) == ("backup", "queued", None)
    page = client.get(response["Location"]).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page
    assert "<h1>Sauvegarde du nœud (tar.gz)</h1>" in page

    [outcome] = run_queued()
    job.refresh_from_db()
    files = len(_home_files(Path(settings.COMPTOIR_HOME)))
    assert files >= 1
    assert (job.status, job.stage, job.done, job.total) == ("ready", "files", files, files)
    assert outcome == f"ready: {job.size} bytes"
    kept = Path(job.path)
    assert kept.name.endswith(".tar.gz") and stat.S_IMODE(kept.stat().st_mode) == 0o600
    page = client.get(f"/compte/exports/{job.pk}/").content.decode()
    assert "fichiers ajoutés" not in page and f'href="/compte/exports/{job.pk}/telecharger" download>' in page
    download = client.get(f"/compte/exports/{job.pk}/telecharger")
    name = f"comptoir-backup-{timezone.localtime(job.created):%Y%m%d-%H%M}.tar.gz"
    assert download["Content-Disposition"] == f'attachment; filename="{name}"'
    assert download["Content-Type"] == "application/gzip"
    body = b"".join(download.streaming_content)
    assert len(body) == job.size
    with tarfile.open(fileobj=io.BytesIO(body), mode="r:gz") as tar:
        manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
        names = tar.getnames()
        assert tar.extractfile("home/media/logo.txt").read() == b"le logo"  # type: ignore[union-attr]
    assert manifest["format"] == "comptoir-backup" and manifest["tables"]["catalog_offer"] == 4
    assert f"database/{manifest['database']}" in names
    # No longer an administrator: the file is refused, as a shop's export is to someone who left the shop.
    admin.is_staff = False
    admin.save(update_fields=["is_staff"])
    assert client.get(f"/compte/exports/{job.pk}/telecharger").status_code == 403
