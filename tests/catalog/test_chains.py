"""Chains and their branches: one shared catalog, each branch's own stock and prices, who may do what."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from comptoir.catalog.chains import (
    do_add_branch,
    do_add_chain_staff,
    do_create_organisation,
    do_save_chain_product,
)
from comptoir.catalog.models import ChainProduct, ImportJob, Offer, Organisation, Shop
from comptoir.catalog.services import do_add_shop_staff, do_create_shop
from comptoir.members.services import do_issue_api_token
from tests.conftest import PASSWORD, ApiClient

BRANCHES = [
    ("qj-centre", "Quincaillerie Jurassienne Centre", 47.056, 6.004),
    ("qj-gare", "Quincaillerie Jurassienne Gare", 47.062, 6.021),
    ("qj-plateau", "Quincaillerie Jurassienne Plateau", 47.040, 5.980),
]


@pytest.fixture
def chain(make_person: Any) -> Organisation:
    boss = make_person("siege@qj.example")
    organisation = do_create_organisation(ref="qj", name="Quincaillerie Jurassienne", owner=boss)
    for ref, name, lat, lon in BRANCHES:
        shop = do_create_shop(owner=None, ref=ref, name=name, kind="hardware", lat=lat, lon=lon,
                              status=Shop.Status.ACTIVE)  # fmt: skip
        do_add_branch(organisation, shop)
    return organisation


@pytest.fixture
def chain_api(chain: Organisation) -> ApiClient:
    return ApiClient(do_issue_api_token(email="siege@qj.example", password=PASSWORD))


@pytest.fixture
def branch_api(chain: Organisation, make_person: Any) -> ApiClient:
    person = make_person("gare@qj.example")
    do_add_shop_staff(Shop.objects.get(ref="qj-gare"), person)
    return ApiClient(do_issue_api_token(email=person.email, password=PASSWORD))


def _product(chain: Organisation, sku: str = "MART-500", price: str = "12,90") -> ChainProduct:
    return do_save_chain_product(
        chain, {"sku": sku, "gtin": "3045386369300", "name_fr": "Marteau de menuisier 500 g", "price": price}
    )


def _offer(ref: str, sku: str = "MART-500") -> Offer:
    return Offer.objects.get(shop__ref=ref, sku=sku)


def test_a_product_of_the_shared_catalog_is_sold_by_every_branch(chain):
    product = _product(chain)
    offers = Offer.objects.filter(chain_product=product).order_by("shop__ref")
    assert [(o.shop.ref, o.sku, o.name_fr, o.price_cents, o.stock, o.branch_price) for o in offers] == [
        ("qj-centre", "MART-500", "Marteau de menuisier 500 g", 1290, 0, False),
        ("qj-gare", "MART-500", "Marteau de menuisier 500 g", 1290, 0, False),
        ("qj-plateau", "MART-500", "Marteau de menuisier 500 g", 1290, 0, False),
    ]
    # A branch joining later gets the whole shared catalog.
    late = do_create_shop(
        owner=None, ref="qj-lac", name="QJ Lac", lat=47.0, lon=6.0, status=Shop.Status.ACTIVE
    )
    do_add_branch(chain, late)
    assert _offer("qj-lac").name_fr == "Marteau de menuisier 500 g"


def test_a_branch_price_survives_the_chains_changes_and_stock_stays_the_branchs(chain):
    chain.branches_set_prices = True
    chain.save()
    product = _product(chain)
    gare = _offer("qj-gare")
    from comptoir.catalog.services import do_update_offer

    do_update_offer(gare, {"price": "11,50", "stock": "4"})
    do_save_chain_product(chain, {"price": "13,40", "name_fr": "Marteau 500 g"}, product)
    rows = Offer.objects.filter(chain_product=product).order_by("shop__ref")
    assert [(o.shop.ref, o.name_fr, o.price_cents, o.stock, o.branch_price) for o in rows] == [
        ("qj-centre", "Marteau 500 g", 1340, 0, False),
        ("qj-gare", "Marteau 500 g", 1150, 4, True),
        ("qj-plateau", "Marteau 500 g", 1340, 0, False),
    ]
    # Back at the chain's price, the branch follows the chain again.
    do_update_offer(_offer("qj-gare"), {"price": "13,40"})
    do_save_chain_product(chain, {"price": "13,90"}, product)
    assert (_offer("qj-gare").price_cents, _offer("qj-gare").branch_price) == (1390, False)


def test_chain_staff_edit_the_shared_catalog_branch_staff_do_not(chain_api, branch_api, anon_api, chain):
    created = chain_api.call(
        "post", "/organisations/qj/products", {"sku": "VIS-4", "name_fr": "Vis 4x40", "price": "3"}
    )
    assert created.status_code == 201, created.content
    assert Offer.objects.filter(chain_product_id=created.json()["id"]).count() == 3

    refused = branch_api.call(
        "post", "/organisations/qj/products", {"sku": "X", "name_fr": "X", "price": "1"}
    )
    assert (refused.status_code, refused.json()["code"]) == (403, "not_chain_staff")
    assert (
        branch_api.call("patch", f"/chain-products/{created.json()['id']}", {"price": "0,01"}).status_code
        == 403
    )
    assert branch_api.call("delete", f"/chain-products/{created.json()['id']}").status_code == 403
    assert anon_api.call("post", "/organisations/qj/products", {"sku": "X"}).status_code == 401
    # A branch cannot add a product of its own, nor change a shared one's name, nor delete it.
    own = branch_api.call("post", "/shops/qj-gare/offers", {"sku": "Y", "name_fr": "Y", "price": "1"})
    assert (own.status_code, own.json()["code"]) == (403, "shared_catalog")
    gare = _offer("qj-gare", "VIS-4")
    renamed = branch_api.call("patch", f"/offers/{gare.pk}", {"name_fr": "Vis à bois"})
    assert (renamed.status_code, renamed.json()["code"], renamed.json()["details"]) == (
        403, "shared_catalog", {"fields": ["name_fr"]},
    )  # fmt: skip
    deleted = branch_api.call("delete", f"/offers/{gare.pk}")
    assert (deleted.status_code, deleted.json()["code"]) == (403, "shared_catalog")
    # Its stock, yes; its price only where the chain allows.
    stocked = branch_api.call("patch", f"/offers/{gare.pk}", {"stock": "17"})
    assert (stocked.status_code, stocked.json()["stock"]) == (200, 17)
    assert (stocked.json()["chain_product"], stocked.json()["branch_price"]) == (created.json()["id"], False)
    priced = branch_api.call("patch", f"/offers/{gare.pk}", {"price": "2,50"})
    assert (priced.status_code, priced.json()["code"]) == (403, "branch_prices_locked")
    chain.branches_set_prices = True
    chain.save()
    priced = branch_api.call("patch", f"/offers/{gare.pk}", {"price": "2,50"})
    assert (priced.status_code, priced.json()["price_cents"], priced.json()["branch_price"]) == (
        200,
        250,
        True,
    )
    # Another branch's offer: not theirs.
    centre = _offer("qj-centre", "VIS-4")
    assert branch_api.call("patch", f"/offers/{centre.pk}", {"stock": "1"}).status_code == 403
    # The chain's staff act for every branch (stock, orders).
    assert chain_api.call("patch", f"/offers/{centre.pk}", {"stock": "5"}).json()["stock"] == 5
    assert [(o.shop.ref, o.name_fr, o.price_cents, o.stock) for o in Offer.objects.filter(sku="VIS-4").order_by("shop__ref")] == [
        ("qj-centre", "Vis 4x40", 300, 5), ("qj-gare", "Vis 4x40", 250, 17), ("qj-plateau", "Vis 4x40", 300, 0),
    ]  # fmt: skip


def test_chain_catalog_then_branch_stock_files_with_row_errors(chain_api, branch_api, chain):
    catalog = SimpleUploadedFile(
        "qj.csv",
        b"sku;name_fr;price;category\nMART-500;Marteau 500 g;12,90;\nVIS-4;Vis 4x40;3,00;\nBAD;;1,00;\n",
        content_type="text/csv",
    )
    queued = chain_api.call("post", "/organisations/qj/imports", data={"file": catalog, "mode": "valid"})
    assert queued.status_code == 202, queued.content
    job = chain_api.call("get", f"/organisations/qj/imports/{queued.json()['id']}").json()
    assert (job["status"], job["rows_created"], job["rows_rejected"], job["errors"]) == (
        "partial", 2, 1, [{"row": 4, "column": "name_fr", "message": "obligatoire"}],
    )  # fmt: skip
    assert Offer.objects.filter(shop__organisation=chain).count() == 6

    stock = SimpleUploadedFile(
        "gare.csv", b"sku,stock\nMART-500,7\nVIS-4,abc\nPINCE-1,3\n", content_type="text/csv"
    )
    refused = branch_api.call("post", "/shops/qj-gare/imports", data={"file": stock, "mode": "all"})
    job = branch_api.call("get", f"/shops/qj-gare/imports/{refused.json()['id']}").json()
    assert (job["status"], job["rows_total"], job["rows_rejected"]) == ("rejected", 3, 2)
    assert [(e["row"], e["column"]) for e in job["errors"]] == [(3, "stock"), (4, "sku")]
    assert (
        job["errors"][1]["message"]
        == "SKU inconnu\u00a0: le catalogue de la chaîne n'a pas de produit PINCE-1"
    )
    assert _offer("qj-gare").stock == 0  # all or nothing: nothing written

    stock.seek(0)
    partial = branch_api.call("post", "/shops/qj-gare/imports", data={"file": stock, "mode": "valid"})
    job = branch_api.call("get", f"/shops/qj-gare/imports/{partial.json()['id']}").json()
    assert (job["status"], job["rows_updated"], job["rows_rejected"]) == ("partial", 1, 2)
    assert [(o.shop.ref, o.stock) for o in Offer.objects.filter(sku="MART-500").order_by("shop__ref")] == [
        ("qj-centre", 0), ("qj-gare", 7), ("qj-plateau", 0),
    ]  # fmt: skip
    # A price column where the chain sets prices: a row error, with its reason.
    priced = SimpleUploadedFile("p.csv", b"sku,stock,price\nMART-500,2,9.90\n", content_type="text/csv")
    job_id = branch_api.call("post", "/shops/qj-gare/imports", data={"file": priced, "mode": "all"}).json()[
        "id"
    ]
    assert ImportJob.objects.get(pk=job_id).errors == [
        {"row": 2, "column": "price", "message": "La chaîne fixe les prix de ses succursales."}
    ]
    # A branch cannot send the chain's catalog.
    again = SimpleUploadedFile("c.csv", b"sku,name_fr,price\nZ,Z,1\n", content_type="text/csv")
    refused = branch_api.call("post", "/organisations/qj/imports", data={"file": again})
    assert (refused.status_code, refused.json()["code"]) == (403, "not_chain_staff")
    assert not ChainProduct.objects.filter(sku="Z").exists()


def test_chain_staff_role_is_per_chain(make_person, chain):
    other = do_create_organisation(ref="autre", name="Autre chaîne")
    person = make_person("x@autre.example")
    do_add_chain_staff(other, person)
    api = ApiClient(do_issue_api_token(email=person.email, password=PASSWORD))
    assert (
        api.call("post", "/organisations/qj/products", {"sku": "A", "name_fr": "A", "price": "1"}).status_code
        == 403
    )
    assert (
        api.call(
            "post", "/organisations/autre/products", {"sku": "A", "name_fr": "A", "price": "1"}
        ).status_code
        == 201
    )


def test_back_office_pages_of_a_branch(chain, make_person):
    from django.test import Client

    _product(chain)
    person = make_person("plateau@qj.example")
    do_add_shop_staff(Shop.objects.get(ref="qj-plateau"), person)
    client = Client()
    assert client.login(username=person.email, password=PASSWORD)
    new = client.get("/gestion/qj-plateau/offres/nouvelle/")
    assert new.status_code == 403
    assert "catalogue commun de la chaîne" in new.content.decode()
    offer = _offer("qj-plateau")
    renamed = client.post(
        f"/gestion/qj-plateau/offres/{offer.pk}/",
        {"sku": "MART-500", "name_fr": "Autre nom", "price": "12,90", "unit": "piece", "quantity": "1",
         "tax_rate": "5,5", "stock": "2", "active": "on", "weight_g": "0", "volume_ml": "0", "gtin": "3045386369300"},
    )  # fmt: skip
    assert renamed.status_code == 302  # the shared fields are shown disabled: a posted name is ignored
    assert (_offer("qj-plateau").name_fr, _offer("qj-plateau").stock) == ("Marteau de menuisier 500 g", 2)
    form = client.get(f"/gestion/qj-plateau/offres/{offer.pk}/").content.decode()
    assert 'name="name_fr"' in form and "disabled" in form.split('name="name_fr"')[1].split(">")[0]
    assert "disabled" not in form.split('name="stock"')[1].split(">")[0]
    assert "Ce produit appartient au catalogue commun de Quincaillerie Jurassienne" in form
    assert f"/offres/{offer.pk}/supprimer/" not in form
    stocked = client.post(
        f"/gestion/qj-plateau/offres/{offer.pk}/",
        {"sku": "MART-500", "name_fr": "Marteau de menuisier 500 g", "price": "12,90", "unit": "piece",
         "quantity": "1", "tax_rate": "5,5", "stock": "2", "active": "on", "weight_g": "0", "volume_ml": "0",
         "gtin": "3045386369300"},
    )  # fmt: skip
    assert stocked.status_code == 302
    assert _offer("qj-plateau").stock == 2
    # The bulk edit takes the stock, and refuses the price the chain sets, cell by cell.
    bulk = client.post(
        "/gestion/qj-plateau/prix-stock/",
        {
            f"was_price-{offer.pk}": "12,90",
            f"was_stock-{offer.pk}": "2",
            f"price-{offer.pk}": "9,90",
            f"stock-{offer.pk}": "6",
            "q": "",
            "page": "1",
        },
    )
    assert bulk.status_code == 422
    assert "La chaîne fixe les prix de ses succursales." in bulk.content.decode()
    assert (_offer("qj-plateau").price_cents, _offer("qj-plateau").stock) == (1290, 6)


def test_import_network_with_an_organisation_column(db, tmp_path):
    from comptoir.catalog.network_import import import_network

    path = tmp_path / "network.csv"
    header = "shop_ref,shop_name,lat,lon,sku,gtin,name,category,price,stock,organisation\n"
    path.write_text(
        header
        + "rc-1,RC Centre,47.05,6.00,H1,,Marteau,,12.90,4,rc\n"
        + "rc-2,RC Gare,47.06,6.01,H1,,Marteau,,12.90,7,rc\n"
        + "rc-2,RC Gare,47.06,6.01,S1,,Scie,,19.00,1,rc\n"
        + "indep,Indépendant,47.07,6.02,X1,,Pelle,,9.00,2,\n"
        + "indep,Indépendant,47.07,6.02,X2,,Bêche,,9.00,2,rc\n"
        + "rc-1,RC Centre,47.05,6.00,X3,,Râteau,,9.00,2,\n"
        + "rc-3,RC Lac,47.08,6.03,H1,,Marteau,,bad,2,rc\n"
    )
    report = import_network(path)
    assert (report.rows, report.organisations_created, report.chain_products_written) == (7, 1, 2)
    assert [(number, message) for number, message in report.rejected] == [
        (6, "organisation: ce commerce n'est pas une succursale de rc"),
        (7, "organisation: ce commerce est une succursale d'une chaîne\u00a0: indiquez son organisation"),
        (8, "price: prix invalide (par ex. 2,40)\u00a0: bad"),
    ]
    chain = Organisation.objects.get(ref="rc")
    assert sorted(chain.branches.values_list("ref", flat=True)) == ["rc-1", "rc-2"]
    assert not Shop.objects.filter(ref="rc-3").exists()  # a rejected row creates nothing
    # Every branch sells every product of the chain; each row's stock is its branch's.
    offers = Offer.objects.filter(shop__organisation=chain).order_by("shop__ref", "sku")
    assert [(o.shop.ref, o.sku, o.price_cents, o.stock, o.chain_product.sku) for o in offers] == [
        ("rc-1", "H1", 1290, 4, "H1"), ("rc-1", "S1", 1900, 0, "S1"),
        ("rc-2", "H1", 1290, 7, "H1"), ("rc-2", "S1", 1900, 1, "S1"),
    ]  # fmt: skip
    assert Offer.objects.get(shop__ref="indep").chain_product is None


def test_chain_back_office_pages(chain, make_person):
    from django.test import Client

    _product(chain)
    boss, branch_staff = Client(), Client()
    assert boss.login(username="siege@qj.example", password=PASSWORD)
    person = make_person("centre@qj.example")
    do_add_shop_staff(Shop.objects.get(ref="qj-centre"), person)
    assert branch_staff.login(username=person.email, password=PASSWORD)

    page = boss.get("/chaine/qj/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Marteau de menuisier 500 g" in text and "Quincaillerie Jurassienne Gare" in text
    refused = branch_staff.get("/chaine/qj/")
    assert refused.status_code == 403
    assert "Seule l'équipe de la chaîne peut modifier son catalogue commun." in html.unescape(
        refused.content.decode()
    )
    assert branch_staff.get("/chaine/qj/import/").status_code == 403
    # The branch's own back office says where its products come from, and offers a stock file.
    dashboard = html.unescape(branch_staff.get("/gestion/qj-centre/").content.decode())
    assert "succursale de Quincaillerie Jurassienne" in dashboard
    assert "/gestion/qj-centre/offres/nouvelle/" not in dashboard
    # The chain imports its catalog from its page; the job's page reports it.
    upload = SimpleUploadedFile(
        "qj.csv", b"sku,name_fr,price\nSCIE-1,Scie egoine,19.90\n", content_type="text/csv"
    )
    sent = boss.post("/chaine/qj/import/", {"file": upload, "mode": "all"})
    assert sent.status_code == 302
    result = boss.get(sent["Location"])
    assert result.status_code == 200
    assert Offer.objects.filter(sku="SCIE-1").count() == 3


def test_the_fan_out_and_a_stock_file_write_the_same_rows_on_sqlite_and_postgresql(chain):
    """On PostgreSQL the copies are made by INSERT … SELECT and the stock file is one UPDATE … FROM
    unnest per kind; on SQLite row by row: the rows written must be the same, exactly."""
    from comptoir.catalog.chains import do_save_chain_products, write_branch_stock

    chain.branches_set_prices = True
    chain.save()
    rows = [
        {
            "sku": f"VIS-{n}",
            "name_fr": f"Vis {n}",
            "price_cents": 100 * n,
            "tax_rate": 20,
            "origin_place": "Morez",
        }
        for n in (1, 2, 3)
    ]
    assert do_save_chain_products(chain, rows) == (3, 0)
    gare = Shop.objects.get(ref="qj-gare")
    # Stock only, stock with the branch's own price, the chain's own price (no longer its own),
    # and a SKU sent twice: the later row wins.
    assert (
        write_branch_stock(
            gare, [("VIS-1", 4, None), ("VIS-2", 5, 180), ("VIS-3", 1, None), ("VIS-3", 6, 300)]
        )
        == 4
    )
    offers = Offer.objects.filter(sku__startswith="VIS-").order_by("shop__ref", "sku")
    assert [(o.shop.ref, o.sku, o.name_fr, o.price_cents, o.stock, o.branch_price, o.origin_place,
             o.chain_product.sku, o.active) for o in offers] == [
        ("qj-centre", "VIS-1", "Vis 1", 100, 0, False, "Morez", "VIS-1", True),
        ("qj-centre", "VIS-2", "Vis 2", 200, 0, False, "Morez", "VIS-2", True),
        ("qj-centre", "VIS-3", "Vis 3", 300, 0, False, "Morez", "VIS-3", True),
        ("qj-gare", "VIS-1", "Vis 1", 100, 4, False, "Morez", "VIS-1", True),
        ("qj-gare", "VIS-2", "Vis 2", 180, 5, True, "Morez", "VIS-2", True),
        ("qj-gare", "VIS-3", "Vis 3", 300, 6, False, "Morez", "VIS-3", True),
        ("qj-plateau", "VIS-1", "Vis 1", 100, 0, False, "Morez", "VIS-1", True),
        ("qj-plateau", "VIS-2", "Vis 2", 200, 0, False, "Morez", "VIS-2", True),
        ("qj-plateau", "VIS-3", "Vis 3", 300, 0, False, "Morez", "VIS-3", True),
    ]  # fmt: skip
    # The chain renames and reprices: names follow everywhere, the branch's own price and stock stay.
    rows = [
        {**row, "name_fr": row["name_fr"] + " inox", "price_cents": row["price_cents"] + 10} for row in rows
    ]
    assert do_save_chain_products(chain, rows) == (0, 3)
    gare_rows = [(o.name_fr, o.price_cents, o.stock, o.branch_price) for o in offers.filter(shop=gare)]
    assert gare_rows == [
        ("Vis 1 inox", 110, 4, False),
        ("Vis 2 inox", 180, 5, True),
        ("Vis 3 inox", 310, 6, False),
    ]
