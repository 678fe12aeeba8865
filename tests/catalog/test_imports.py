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
        {"row": 4, "column": "price", "message": "prix invalide (par ex. 2,40)\u00a0: prix"},
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

    with pytest.raises(InvalidInput, match="Colonnes manquantes\u00a0: price"):
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


TRICKY = (
    'F1,=HYPERLINK("http://evil.example"),,0.5,1,,\n'
    "F2,-20 % sur tout,@home,1.00,2,,\n"
    "F3,Pain d'épice,'t Hooft,3.25,3,,\n"
    "F4,+33 6 12,-x,4.00,0,,\n"
)


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_export_round_trip_changes_nothing(shop, locale):
    run(shop, HEADER + GOOD + TRICKY)
    Offer.objects.filter(sku="B1").update(quantity="0.375", tax_rate="5.5", unit="kg")
    before = list(Offer.objects.order_by("sku").values())
    exported = "".join(export_csv(shop, locale))
    lines = exported.splitlines()
    if locale == "fr":  # French spreadsheets split on ; and read decimal commas
        assert lines[0].startswith("sku;gtin;name_fr;name_en")
        assert (
            lines[1]
            == "B1;3017620422003;Pain complet;Wholemeal bread;;;food/bakery;kg;0,375;2,40;5,5;12;no;0;0;yes;;;;;;;;"
        )
    else:
        assert (
            lines[1]
            == "B1,3017620422003,Pain complet,Wholemeal bread,,,food/bakery,kg,0.375,2.40,5.5,12,no,0,0,yes,,,,,,,,"
        )
    # No cell starts a formula: each dangerous one carries an apostrophe.
    sep = ";" if locale == "fr" else ","
    cells = [cell for row in csv.reader(io.StringIO(exported), delimiter=sep) for cell in row]
    assert '\'=HYPERLINK("http://evil.example")' in cells
    assert {"'-20 % sur tout", "'@home", "'t Hooft", "'+33 6 12", "'-x"} <= set(cells)
    assert not [c for c in cells if c[:1] in {"=", "+", "-", "@", "\t", "\r"}]
    job = run(shop, exported)
    assert (job.status, job.rows_updated) == ("applied", 6)
    after = list(Offer.objects.order_by("sku").values())
    assert [{k: v for k, v in o.items() if k != "updated"} for o in after] == [
        {k: v for k, v in o.items() if k != "updated"} for o in before
    ]
    assert Offer.objects.get(sku="F3").name_en == "'t Hooft"
    assert Offer.objects.get(sku="F1").name_fr == '=HYPERLINK("http://evil.example")'
    job = do_import_catalog(shop, io.BytesIO(export_xlsx(shop)), "c.xlsx")
    assert (job.status, job.rows_updated) == ("applied", 6)
    assert list(Offer.objects.order_by("sku").values("name_fr", "price_cents")) == [
        {"name_fr": o["name_fr"], "price_cents": o["price_cents"]} for o in before
    ]


def test_xlsx_export_never_writes_a_formula(shop):
    run(shop, HEADER + TRICKY)
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(export_xlsx(shop))).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert {c.data_type for c in cells} <= {"s", "inlineStr"}  # text, never "f" (a formula)
    assert '=HYPERLINK("http://evil.example")' in [c.value for c in cells]


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


def test_neutralise_is_undone_by_the_import():
    from comptoir.catalog.exports import neutralise, unneutralise

    for text in ["=1+1", "-2", "+3", "@a", "\tx", "\ry", "'=x", "''", "'t Hooft", "plain", "", "'"]:
        assert unneutralise(neutralise(text)) == text
    assert neutralise("'=x") == "''=x"
    assert neutralise("'t Hooft") == "'t Hooft"
