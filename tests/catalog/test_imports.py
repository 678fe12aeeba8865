import csv
import gzip
import io

import pytest
from openpyxl import Workbook

from comptoir.catalog.exports import export_csv, export_xlsx
from comptoir.catalog.imports import do_import_catalog
from comptoir.catalog.models import ImportJob, Offer, OfferChange
from tests.conftest import SHARED

HEADER = "sku,name_fr,name_en,price,stock,category,gtin\n"
GOOD = 'B1,Pain complet,Wholemeal bread,"2,40",12,food/bakery,3017620422003\nB2,Baguette,Baguette,1.10,30,food/bakery,\n'
BAD = "B3,Croissant,,prix,4,food/bakery,\nB4,,Nameless,1.00,1,,\nB1,Doublon,,1.00,1,,\n"


def run(shop, text, mode=ImportJob.Mode.ALL_OR_NOTHING, name="catalogue.csv"):
    return do_import_catalog(shop, io.BytesIO(text.encode()), name, mode=mode)


def test_valid_file_creates_then_updates(shop):
    job = run(shop, HEADER + GOOD)
    assert (job.status, job.rows_total, job.rows_created, job.rows_updated, job.rows_rejected) == (
        "applied",
        2,
        2,
        0,
        0,
    )
    bread = Offer.objects.get(shop=shop, sku="B1")
    assert (bread.price_cents, bread.stock, bread.gtin, bread.category.path) == (
        240,
        12,
        "3017620422003",
        "food/bakery",
    )
    job = run(shop, HEADER + "B1,Pain complet,,2.60,8,food/bakery,\n")
    assert (job.rows_created, job.rows_updated) == (0, 1)
    bread.refresh_from_db()
    assert (bread.price_cents, bread.stock) == (260, 8)
    assert OfferChange.objects.filter(shop_id=shop.pk).count() == 2


def test_bad_rows_write_nothing_and_are_explained(shop):
    job = run(shop, HEADER + GOOD + BAD)
    assert job.status == "rejected"
    assert Offer.objects.count() == 0
    assert job.rows_rejected == 3
    assert job.errors == [
        {"row": 4, "column": "price", "message": "prix invalide (par ex. 2,40) : prix"},
        {"row": 5, "column": "name_fr", "message": "obligatoire"},
        {"row": 6, "column": "sku", "message": "même SKU que la ligne 2"},
    ]


def test_valid_rows_mode_writes_the_good_ones(shop):
    job = run(shop, HEADER + GOOD + BAD, mode=ImportJob.Mode.VALID_ROWS)
    assert (job.status, job.rows_created, job.rows_rejected) == ("partial", 2, 3)
    assert sorted(Offer.objects.values_list("sku", flat=True)) == ["B1", "B2"]


def test_semicolon_csv_and_missing_columns(shop):
    job = run(shop, "sku;name_fr;price\nX1;Vis à bois 4x40;3,90\n")
    assert job.status == "applied" and Offer.objects.get().price_cents == 390
    from comptoir.core.errors import InvalidInput

    with pytest.raises(InvalidInput, match="Colonnes manquantes : price"):
        run(shop, "sku,name_fr\nX1,Vis\n")
    with pytest.raises(InvalidInput):
        run(shop, "sku,name_fr,price\n", name="catalogue.pdf")


def test_xlsx_import_with_typed_cells(shop):
    book = Workbook()
    sheet = book.active
    sheet.append(["sku", "name_fr", "price", "stock", "gtin"])
    sheet.append(["H1", "Marteau de menuisier", 14.9, 3, 3017620422003])
    sheet.append(["H2", "Tournevis", "abc", 1, None])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    job = do_import_catalog(shop, data, "catalogue.xlsx", mode=ImportJob.Mode.VALID_ROWS)
    assert (job.rows_created, job.rows_rejected) == (1, 1)
    hammer = Offer.objects.get(sku="H1")
    assert (hammer.price_cents, hammer.stock, hammer.gtin) == (1490, 3, "3017620422003")


def test_export_round_trip_changes_nothing(shop):
    run(shop, HEADER + GOOD)
    before = list(Offer.objects.order_by("sku").values())
    exported = "".join(export_csv(shop))
    assert exported.splitlines()[0].startswith("sku,gtin,name_fr,name_en")
    job = run(shop, exported)
    assert (job.status, job.rows_updated) == ("applied", 2)
    after = list(Offer.objects.order_by("sku").values())
    assert [{k: v for k, v in o.items() if k != "updated"} for o in after] == [
        {k: v for k, v in o.items() if k != "updated"} for o in before
    ]
    job = do_import_catalog(shop, io.BytesIO(export_xlsx(shop)), "c.xlsx")
    assert (job.status, job.rows_updated) == ("applied", 2)


def test_open_food_facts_names_as_one_shops_catalog(shop):
    """47k real product names (ODbL) as one shop's catalog, through the same import."""
    source = SHARED / "data" / "catalog" / "off_names_categories_47k.tsv.gz"
    if not source.exists():
        pytest.skip("shared data not present")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["sku", "name_fr", "price", "stock"])
    with gzip.open(source, "rt", encoding="utf-8") as handle:
        header = handle.readline().rstrip("\n").split("\t")
        name_column = header.index(next(h for h in header if "name" in h))
        count = 0
        for number, line in enumerate(handle):
            name = line.rstrip("\n").split("\t")[name_column].strip()[:200]
            if name:
                writer.writerow([f"OFF-{number}", name, f"{1 + number % 20},{number % 100:02d}", number % 7])
                count += 1
    job = do_import_catalog(shop, io.BytesIO(out.getvalue().encode()), "off.csv")
    assert job.status == "applied", job.errors[:3]
    assert job.rows_created == count == Offer.objects.filter(shop=shop).count()
    assert count > 40_000
