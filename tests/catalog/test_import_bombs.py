"""Issue 13, item 2: import bombs are refused whole, early and clearly; imports run in the worker."""

import io
import re
import stat
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tasks_db.models import DBTaskResult
from openpyxl import Workbook

from comptoir.catalog import import_files
from comptoir.catalog.imports import MAX_ERRORS_LISTED, do_import_catalog
from comptoir.catalog.models import ImportJob, Offer
from comptoir.core.errors import InvalidInput
from tests.conftest import PASSWORD


def xlsx(rows, *, dimension=None):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    # openpyxl writes `<dimension ref="A1:C2" />` with the standard library's XML writer and
    # `<dimension ref="A1:C2"/>` with lxml (when another package installed it): one form here.
    data = rewrite_member(out.getvalue(), "xl/worksheets/sheet1.xml",
                          lambda xml: re.sub(rb'<dimension ref="([A-Z0-9:]+)"\s*/>', rb'<dimension ref="\1" />', xml))  # fmt: skip
    if dimension is None:
        return data
    return rewrite_member(data, "xl/worksheets/sheet1.xml",
                          lambda xml: xml.replace(b'<dimension ref="A1:C2" />', f'<dimension ref="{dimension}"/>'.encode()))  # fmt: skip


def rewrite_member(data, name, change):
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            target.writestr(info.filename, change(content) if info.filename == name else content)
    return out.getvalue()


def refused(shop, data, name):
    with pytest.raises(InvalidInput) as caught:
        do_import_catalog(shop, io.BytesIO(data), name)
    assert Offer.objects.count() == 0
    return caught.value.message


def test_xlsx_declaring_ten_billion_cells_is_refused_before_reading(shop):
    data = xlsx([["sku", "name_fr", "price"], ["A", "Pain", 1]], dimension="A1:XFD1048576")
    assert len(data) < 10_000
    assert (
        refused(shop, data, "c.xlsx")
        == "Le fichier a plus de 100000 lignes\u00a0: découpez-le en plusieurs fichiers."
    )
    data = xlsx([["sku", "name_fr", "price"], ["A", "Pain", 1]], dimension="A1:XFD3")
    assert refused(shop, data, "c.xlsx").startswith(
        "Le fichier a plus de 64 colonnes\u00a0; colonnes attendues\u00a0: sku,"
    )


def test_xlsx_real_rows_and_columns_are_counted_while_streaming(shop, monkeypatch):
    monkeypatch.setattr(import_files, "MAX_ROWS", 3)
    rows = [["sku", "name_fr", "price"]] + [[f"A{i}", "Pain", 1] for i in range(4)]
    assert (
        refused(shop, xlsx(rows), "c.xlsx")
        == "Le fichier a plus de 3 lignes\u00a0: découpez-le en plusieurs fichiers."
    )
    # No dimension at all, and one cell far to the right: the row is measured, not padded blindly.
    wide = rewrite_member(xlsx([["sku", "name_fr", "price"], ["A", "Pain", 1]]), "xl/worksheets/sheet1.xml",
                          lambda xml: xml.replace(b'<dimension ref="A1:C2" />', b"").replace(
                              b"</row></sheetData>", b'<c r="XFD2" t="n"><v>1</v></c></row></sheetData>'))  # fmt: skip
    assert refused(shop, wide, "c.xlsx").startswith("Le fichier a plus de 64 colonnes")
    # A lone cell a million rows down: the gap is counted as rows, and the count stops at the limit.
    deep = rewrite_member(xlsx([["sku", "name_fr", "price"], ["A", "Pain", 1]]), "xl/worksheets/sheet1.xml",
                          lambda xml: xml.replace(b'<dimension ref="A1:C2" />', b"").replace(
                              b"</sheetData>", b'<row r="1048576"><c r="A1048576" t="n"><v>1</v></c></row></sheetData>'))  # fmt: skip
    assert (
        refused(shop, deep, "c.xlsx")
        == "Le fichier a plus de 3 lignes\u00a0: découpez-le en plusieurs fichiers."
    )


def test_zip_bomb_is_refused_from_the_zip_directory(shop):
    # 300 MB of shared strings that deflate to a few hundred kilobytes.
    base = xlsx([["sku", "name_fr", "price"], ["A", "Pain", 1]])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        source = zipfile.ZipFile(io.BytesIO(base))
        for info in source.infolist():
            target.writestr(info.filename, source.read(info))
        with target.open("xl/sharedStrings.xml", "w") as member:
            chunk = b" " * (1 << 20)
            for _ in range(300):
                member.write(chunk)
    data = out.getvalue()
    assert len(data) < 2_000_000
    message = refused(shop, data, "c.xlsx")
    assert (
        message
        == "Le tableur se décompresse en 315\u00a0Mo, plus que les 268\u00a0Mo permis\u00a0: découpez-le."
    )


def test_not_a_zip_and_not_a_spreadsheet(shop):
    assert (
        refused(shop, b"PK\x03\x04garbage", "c.xlsx")
        == "Le tableur est illisible\u00a0: ce n’est pas un fichier XLSX."
    )
    assert refused(shop, b"sku,name_fr,price\n", "c.exe") == "Envoyez un fichier .csv ou .xlsx."


def test_csv_header_fields_columns_and_rows_are_bounded(shop, monkeypatch):
    assert refused(shop, b"sku," + b"x" * 5000 + b"\n", "c.csv") == (
        "La première ligne (les noms des colonnes) dépasse 4096 caractères."
    )
    header = b"sku,name_fr,price,description_fr\n"
    # Beyond the csv module's own limit (131,072): its error becomes a clear refusal, not a 500.
    message = refused(shop, header + b'A,Pain,1,"' + b"x" * 200_000 + b'"\n', "c.csv")
    assert message.startswith("La ligne 2 n’est pas du CSV lisible (field larger than field limit (131072))")
    assert refused(shop, header + b"A,Pain,1," + b"x" * 20_000 + b"\n", "c.csv") == (
        "La ligne 2 contient une valeur de plus de 10000 caractères."
    )
    assert refused(shop, header + b"A,Pain,1" + b",x" * 70 + b"\n", "c.csv").startswith(
        "Le fichier a plus de 64 colonnes"
    )
    monkeypatch.setattr(import_files, "MAX_ROWS", 2)
    assert refused(shop, header + b"A,Pain,1,\n" * 3, "c.csv").startswith("Le fichier a plus de 2 lignes")


def test_error_report_is_bounded_and_counts_everything(shop):
    text = "sku,name_fr,price\n" + "".join(f"A{i},Pain,cher\n" for i in range(1500))
    job = do_import_catalog(shop, io.BytesIO(text.encode()), "c.csv", mode=ImportJob.Mode.VALID_ROWS)
    assert (job.status, job.rows_total, job.rows_rejected, job.errors_total) == ("partial", 1500, 1500, 1500)
    assert len(job.errors) == MAX_ERRORS_LISTED
    assert job.errors[-1]["row"] == MAX_ERRORS_LISTED + 1


def signed_in(person):
    client = Client()
    assert client.login(username=person.email, password=PASSWORD)
    return client


def test_upload_over_the_limit_is_a_413_before_it_is_read(shop, owner, settings):
    settings.COMPTOIR_UPLOAD_MAX_BYTES = 4000
    client = signed_in(owner)
    upload = SimpleUploadedFile("c.csv", b"sku,name_fr,price\n" + b"A,Pain,1\n" * 1000)
    response = client.post("/gestion/boulangerie/import/", {"file": upload, "mode": "all"})
    assert response.status_code == 413
    assert "Fichier trop volumineux\u00a0: la limite est de 0.0\u00a0Mo." in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_file_over_the_import_limit_is_refused_on_the_form(shop, owner, settings):
    settings.COMPTOIR_IMPORT_MAX_BYTES = 2_000_000
    client = signed_in(owner)
    body = b"sku,name_fr,price\n" + b"A,Pain,1\n" * 250_000
    response = client.post(
        "/gestion/boulangerie/import/", {"file": SimpleUploadedFile("c.csv", body), "mode": "all"}
    )
    assert response.status_code == 413
    assert (
        "Le fichier est trop volumineux (2,2\u00a0Mo)\u00a0; la limite est de 2,0\u00a0Mo\u00a0: découpez-le."
        in response.content.decode()
    )


def test_api_answers_a_bomb_with_a_400_and_the_reason(owner_api, shop):
    data = xlsx([["sku", "name_fr", "price"], ["A", "Pain", 1]], dimension="A1:XFD1048576")
    upload = SimpleUploadedFile("c.xlsx", data)
    response = owner_api.call("post", "/shops/boulangerie/imports", data={"file": upload, "mode": "all"})
    assert response.status_code == 400
    assert (
        response.json()["message"]
        == "Le fichier a plus de 100000 lignes\u00a0: découpez-le en plusieurs fichiers."
    )
    assert ImportJob.objects.count() == 0


def test_import_runs_in_the_worker_and_the_page_follows_it(shop, owner, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client = signed_in(owner)
    upload = SimpleUploadedFile("catalogue.csv", b"sku,name_fr,price\nA,Pain,1.00\nB,Brioche,cher\n")
    response = client.post("/gestion/boulangerie/import/", {"file": upload, "mode": "valid"})
    job = ImportJob.objects.get()
    assert response["Location"] == f"/gestion/boulangerie/import/{job.pk}/"
    kept = Path(job.upload)
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert (job.status, job.rows_expected) == ("queued", 2)
    page = client.get(response["Location"]).content.decode()
    assert "En attente de son tour" in page and 'hx-trigger="every 1s"' in page
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
    assert "Vous pouvez quitter cette page" in page
    assert (
        "catalogue.csv</a> — En attente de son tour (0\u202f%)"
        in client.get("/gestion/boulangerie/").content.decode()
    )

    # The task waits in the database queue; run it as `comptoir worker` (db_worker's run_task) does.
    # (db_worker itself closes connections between tasks, which a test inside a transaction cannot allow.)
    queued = DBTaskResult.objects.get()
    assert (queued.task_path, queued.args_kwargs["args"]) == (
        "comptoir.catalog.tasks.run_catalog_import",
        [job.pk],
    )
    queued.set_successful(queued.task.call(*queued.task_result.args, **queued.task_result.kwargs))

    job.refresh_from_db()
    assert (job.status, job.rows_total, job.rows_created, job.rows_rejected, job.upload) == (
        "partial",
        2,
        1,
        1,
        "",
    )
    assert not kept.exists()
    live = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert live.startswith('<div id="import-job"') and "hx-trigger" not in live
    assert (
        "Appliqué, certaines lignes refusées" in live and "prix invalide (par ex. 2,40)\u00a0: cher" in live
    )
    # The API gives the same job.
    assert Offer.objects.get(shop=shop).sku == "A"
