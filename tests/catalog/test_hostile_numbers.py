"""Issue 13, item 1: every numeric input of the catalog is strict and bounded.

Before the fix, `1e999999999` as a stock built a billion-digit Decimal (minutes of CPU: these
tests would hang), `Infinity` and `sNaN` raised 500s, `page=abc` and a negative offset too.
How fast each hostile input is answered is measured by bench/hostile_probe.py, not here.
"""

import io

import pytest
from django.test import Client

from comptoir.catalog.imports import do_import_catalog
from comptoir.catalog.models import Offer, Shop
from comptoir.catalog.network_import import import_network
from comptoir.catalog.services import do_create_offer
from comptoir.catalog.validation import check_offer_fields
from tests.conftest import PASSWORD

HOSTILE = ["1e999999999", "Infinity", "-Infinity", "NaN", "sNaN", "9" * 40, "1" * 100_000, "١٢"]


def signed_in(person):
    client = Client()
    assert client.login(username=person.email, password=PASSWORD)
    return client


@pytest.mark.parametrize("column", ["stock", "weight_g", "volume_ml", "quantity", "tax_rate", "price"])
@pytest.mark.parametrize("text", HOSTILE)
def test_each_numeric_column_refuses_hostile_text_at_once(column, text):
    _fields, errors = check_offer_fields({"sku": "A", "name_fr": "Pain", "price": "1", column: text}, {})
    assert [e.column for e in errors] == [column]
    assert len(errors[0].message) < 200  # the text is shown cut, never whole


def test_upper_bounds_and_their_messages():
    def error(column, text):
        return [
            e.message
            for e in check_offer_fields({"sku": "A", "name_fr": "P", "price": "1", column: text}, {})[1]
        ]

    assert error("stock", "1000001") == ["doit être entre 0 et 1\u00a0000\u00a0000\u00a0: 1000001"]
    assert error("stock", "1000000") == []
    assert error("weight_g", "2 000 000") == ["doit être entre 0 et 1\u00a0000\u00a0000\u00a0: 2 000 000"]
    assert error("volume_ml", "1,5") == ["doit être un nombre entier\u00a0: 1,5"]
    assert error("quantity", "0") == ["doit être entre 0,001 et 9\u00a0999\u00a0999,999\u00a0: 0"]
    assert error("tax_rate", "5,555") == ["au plus 2 décimales\u00a0: 5,555"]
    assert error("stock", "1e9") == ["pas un nombre (des chiffres, par ex. 12 ou 2,5)\u00a0: 1e9"]
    assert error("stock", "x" * 50) == ["trop long pour un nombre (32 caractères au plus)"]


def test_api_refuses_hostile_numbers_with_the_field_named(owner_api, shop):
    for text in ["1e999999999", "Infinity", "sNaN"]:
        response = owner_api.call(
            "post", "/shops/boulangerie/offers", {"sku": "A", "name_fr": "Pain", "price": "1", "stock": text}
        )
        assert response.status_code == 400
        assert response.json()["details"]["errors"][0]["column"] == "stock"
    offer = do_create_offer(shop, {"sku": "B", "name_fr": "Pain", "price": "1"})
    response = owner_api.call("patch", f"/offers/{offer.pk}", {"weight_g": "1e999999999"})
    assert (response.status_code, response.json()["details"]["errors"][0]["column"]) == (400, "weight_g")
    # A number longer than 32 characters does not even reach the checks: the schema refuses it.
    response = owner_api.call("patch", f"/offers/{offer.pk}", {"volume_ml": "1" * 33})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "volume_ml"
    assert Offer.objects.get(pk=offer.pk).weight_g == 0


@pytest.mark.parametrize(
    ("column", "limit"), [("sku", 64), ("name_fr", 200), ("gtin", 14), ("description_fr", 5000)]
)
def test_api_strings_longer_than_their_column_are_a_422_naming_it(owner_api, shop, column, limit):
    body = {"sku": "A", "name_fr": "Pain", "price": "1", column: "x" * (limit + 1)}
    response = owner_api.call("post", "/shops/boulangerie/offers", body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == column
    assert Offer.objects.count() == 0


def test_offers_pagination_is_bounded(anon_api, shop):
    do_create_offer(shop, {"sku": "A", "name_fr": "Pain", "price": "1"})
    assert anon_api.call("get", "/shops/boulangerie/offers?offset=-1").status_code == 422
    assert anon_api.call("get", "/shops/boulangerie/offers?limit=0").status_code == 422
    assert anon_api.call("get", "/shops/boulangerie/offers?limit=1e999").status_code == 422
    assert anon_api.call("get", "/shops/boulangerie/offers?offset=99999999999999999999").status_code == 422
    assert [o["sku"] for o in anon_api.call("get", "/shops/boulangerie/offers?offset=0&limit=1").json()] == [
        "A"
    ]


def test_dashboard_page_number_is_checked(shop, owner):
    client = signed_in(owner)
    for page in ["abc", "-1", "0", "1e999999999", "99999999999"]:
        response = client.get(f"/gestion/boulangerie/?page={page}")
        assert response.status_code == 400, page
        assert "page" in response.content.decode()
    assert client.get("/gestion/boulangerie/?page=2").status_code == 200


def test_offer_form_refuses_hostile_numbers(shop, owner):
    offer = do_create_offer(shop, {"sku": "B1", "name_fr": "Pain", "price": "2,40", "stock": "3"})
    form = {"sku": "B1", "name_fr": "Pain", "unit": "piece", "quantity": "1", "price": "2,40", "tax_rate": "5,5",
            "stock": "1e999999999", "weight_g": "Infinity", "volume_ml": "sNaN", "active": "on"}  # fmt: skip
    page = signed_in(owner).post(f"/gestion/boulangerie/offres/{offer.pk}/", form).content.decode()
    assert "pas un nombre (des chiffres, par ex. 12 ou 2,5)\u00a0: 1e999999999" in page
    assert "pas un nombre (des chiffres, par ex. 12 ou 2,5)\u00a0: Infinity" in page
    offer.refresh_from_db()
    assert (offer.stock, offer.weight_g) == (3, 0)


def test_import_row_with_a_huge_exponent_is_a_row_error(shop):
    text = "sku,name_fr,price,stock,weight_g\nA,Pain,1.00,1e999999999,Infinity\nB,Brioche,2.00,3,sNaN\n"
    job = do_import_catalog(shop, io.BytesIO(text.encode()), "c.csv")
    assert job.status == "rejected"
    assert [(e["row"], e["column"]) for e in job.errors] == [(2, "stock"), (2, "weight_g"), (3, "weight_g")]


def test_network_import_validates_rows_before_creating_shops_or_categories(db, tmp_path):
    path = tmp_path / "network.csv"
    path.write_text(
        "shop_ref,shop_name,lat,lon,sku,gtin,name,category,price,stock\n"
        "new-1,Nouveau,47.05,6.00,S1,,Riz,brand-new/thing,prix,1\n"  # bad price: no shop, no category
        "new-2,Nouveau deux,Infinity,6.00,S2,,Riz,food,1.00,1\n"  # bad latitude
        "new-3,Nouveau trois,47.05,6.00,S3,,Riz,food,1.00,1e999999999\n"  # bad stock
        "bad ref!,Mauvais,47.05,6.00,S4,,Riz,food,1.00,1\n"
        "new-4,Bon,47.05,6.00,S5,,Riz,other-new/thing,1.00,1000000\n"
    )
    report = import_network(path)
    assert [number for number, _ in report.rejected] == [2, 3, 4, 5]
    assert "stock" in report.rejected[2][1]
    assert list(Shop.objects.values_list("ref", flat=True)) == ["new-4"]
    assert (report.shops_created, report.categories_created, report.offers_written) == (1, 2, 1)
    assert Offer.objects.get().category.path == "other-new/thing"
