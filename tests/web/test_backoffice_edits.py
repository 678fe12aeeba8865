"""Issue 20, item 13: the shop's bulk edit, offer form, import units and export speak the shop's language."""

import csv
import io

from django.conf import settings
from django.test import Client

from comptoir.catalog.imports import do_import_catalog
from comptoir.catalog.models import Offer
from comptoir.catalog.services import do_create_offer
from tests.conftest import PASSWORD


def signed_in(person, language=None):
    client = Client()
    assert client.login(username=person.email, password=PASSWORD)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def cells(offer, price=None, stock=None):
    """The dashboard's inputs for one offer, as the browser posts them."""
    was_price = f"{offer.price_cents // 100},{offer.price_cents % 100:02d}"
    return {
        f"price-{offer.pk}": price if price is not None else was_price, f"was_price-{offer.pk}": was_price,
        f"stock-{offer.pk}": stock if stock is not None else str(offer.stock), f"was_stock-{offer.pk}": str(offer.stock),
    }  # fmt: skip


def test_bulk_save_keeps_the_valid_edits_and_marks_the_bad_cell(shop, owner):
    bread = do_create_offer(shop, {"sku": "B1", "name_fr": "Pain complet", "price": "2,40", "stock": "3"})
    bun = do_create_offer(shop, {"sku": "B2", "name_fr": "Brioche", "price": "4,00", "stock": "5"})
    client = signed_in(owner)
    response = client.post(
        "/gestion/boulangerie/prix-stock/",
        {**cells(bread, price="2,75", stock="1e999999999"), **cells(bun, stock="8"), "q": "", "page": "1"},
    )
    assert response.status_code == 422
    page = response.content.decode()
    bread.refresh_from_db()
    bun.refresh_from_db()
    assert (bread.price_cents, bread.stock, bun.stock) == (275, 3, 8)  # the good cells are saved
    assert "2 offres mises à jour." in page
    assert "1 valeur a été refusée\u00a0: elle est signalée ci-dessous, telle que vous l’avez tapée." in page
    assert (
        f'<input class="short" name="stock-{bread.pk}" value="1e999999999" inputmode="numeric" '
        f'aria-label="Stock B1" aria-invalid="true" aria-describedby="stock-error-{bread.pk}">'
    ) in page
    assert (f'<span class="error" id="stock-error-{bread.pk}">pas un nombre (des chiffres, par ex. 12 ou 2,5)'
            "\u00a0: 1e999999999</span>") in page  # fmt: skip
    assert f'name="stock-{bun.pk}" value="8"' in page  # a saved cell shows its new value


def test_bulk_save_says_one_offer_in_the_singular_and_refuses_foreign_redirects(shop, owner):
    bread = do_create_offer(shop, {"sku": "B1", "name_fr": "Pain complet", "price": "2,40", "stock": "3"})
    client = signed_in(owner)
    response = client.post(
        "/gestion/boulangerie/prix-stock/",
        {**cells(bread, stock="4"), "next": "https://evil.example/"},
        follow=True,
    )
    assert response.redirect_chain == [("/gestion/boulangerie/", 302)]
    assert "1 offre mise à jour." in response.content.decode()
    response = client.post(
        "/gestion/boulangerie/prix-stock/",
        {**cells(bread, stock="5"), "next": "/gestion/boulangerie/?page=1"},
    )
    assert response["Location"] == "/gestion/boulangerie/?page=1"


def test_offer_form_shows_prices_in_the_locale_and_reads_both(shop, owner):
    offer = do_create_offer(
        shop, {"sku": "B1", "name_fr": "Pain", "price": "3,20", "quantity": "0,5", "unit": "kg"}
    )
    french = signed_in(owner).get(f"/gestion/boulangerie/offres/{offer.pk}/").content.decode()
    assert 'name="price" value="3,20"' in french and 'name="quantity" value="0,5"' in french
    assert 'name="tax_rate" value="5,5"' in french
    english = signed_in(owner, "en").get(f"/gestion/boulangerie/offres/{offer.pk}/").content.decode()
    assert 'name="price" value="3.20"' in english
    form = {"sku": "B1", "name_fr": "Pain", "unit": "kg", "quantity": "0.5", "tax_rate": "5.5", "stock": "1",
            "weight_g": "500", "volume_ml": "0", "active": "on"}  # fmt: skip
    for typed, cents in [("3.40", 340), ("3,45", 345)]:
        assert (
            signed_in(owner)
            .post(f"/gestion/boulangerie/offres/{offer.pk}/", {**form, "price": typed})
            .status_code
            == 302
        )
        offer.refresh_from_db()
        assert offer.price_cents == cents


def test_import_reads_the_units_the_form_shows_and_lists_the_accepted_ones(shop):
    text = "sku,name_fr,price,unit\nA,Pain,1,pièce\nB,Oeufs,2,Pièces\nC,Farine,3,kilo\nD,Lait,1,litre\nE,Sac,1,sac\n"
    job = do_import_catalog(shop, io.BytesIO(text.encode()), "c.csv", mode="valid")
    assert dict(Offer.objects.values_list("sku", "unit")) == {"A": "piece", "B": "piece", "C": "kg", "D": "l"}
    assert job.errors == [{"row": 6, "column": "unit",
                           "message": "unité inconnue\u00a0: sac (acceptées\u00a0: g, kg, l, m, ml, piece, pièce)"}]  # fmt: skip


def test_web_export_follows_the_node_locale_and_reads_back(shop, owner):
    do_create_offer(
        shop, {"sku": "B1", "name_fr": "Pain; complet", "price": "2,40", "quantity": "0,5", "unit": "kg"}
    )
    client = signed_in(owner)
    response = client.get("/gestion/boulangerie/export.csv")
    assert response["Content-Disposition"] == 'attachment; filename="boulangerie-catalog.csv"'
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[1][:10] == ["B1", "", "Pain; complet", "", "", "", "", "kg", "0,5", "2,40"]
    Offer.objects.update(price_cents=1)
    job = do_import_catalog(shop, io.BytesIO(text.encode()), "export.csv")
    assert (job.status, Offer.objects.get().price_cents) == ("applied", 240)
    assert client.get("/gestion/boulangerie/export.exe").status_code == 404
    assert client.get('/gestion/boulangerie/export.csv"%0d%0aX-Evil:1').status_code == 404
