"""Who sees and sells what (issue 13 item 3): one rule, `catalog.selectors`, everywhere.

An applied or suspended shop's offers are invisible to every public read (pages, API,
search documents) and cannot be put in a cart or bought; its staff cannot publish or
import offers until the cooperative approves the shop. A person who does not work for a
shop gets the same answer whether the shop exists or not.
"""

from __future__ import annotations

import io

import pytest
from django.test import Client

from comptoir.catalog.models import Offer, Shop
from comptoir.catalog.selectors import offer_is_visible, sellable_offers
from comptoir.catalog.services import do_create_offer, do_create_shop
from comptoir.core.errors import NotFound
from comptoir.members.services import do_issue_api_token
from comptoir.orders.cart import cart_of, do_add_to_cart, new_token
from comptoir.search.services import visible_offer_docs
from tests.conftest import PASSWORD, ApiClient


@pytest.fixture
def applicant_shop(make_person):
    person = make_person("applicant@fromagerie.example")
    return do_create_shop(
        owner=person, ref="fromagerie", name="Fromagerie", kind="cheese", lat=47.05, lon=6.0,
        status=Shop.Status.APPLIED,
    )  # fmt: skip


def _offer(shop: Shop, sku: str = "C1") -> Offer:
    return do_create_offer(shop, {"sku": sku, "name_fr": "Comté 18 mois", "price": "4,20", "stock": "5"})


def test_one_rule_for_every_reader(shop, applicant_shop):
    shown = _offer(shop, "B1")
    hidden = _offer(applicant_shop)  # written by a service (e.g. staff preparing), never shown
    inactive = do_create_offer(shop, {"sku": "B2", "name_fr": "Brioche", "price": "3", "active": "no"})
    assert [offer_is_visible(o) for o in (shown, hidden, inactive)] == [True, False, False]
    assert list(sellable_offers().values_list("sku", flat=True).order_by("sku")) == ["B1"]
    assert [doc.offer_id for doc in visible_offer_docs()] == [shown.pk]
    anon = ApiClient()
    assert anon.call("get", f"/offers/{shown.pk}").status_code == 200
    assert anon.call("get", f"/offers/{hidden.pk}").status_code == 404
    assert anon.call("get", f"/offers/{inactive.pk}").status_code == 404
    assert anon.call("get", "/shops/fromagerie/offers").status_code == 404
    client = Client()
    assert client.get(f"/produits/{hidden.pk}/").status_code == 404
    assert client.get("/commerces/fromagerie/").status_code == 404
    cart = cart_of(None, new_token(), create=True)
    with pytest.raises(NotFound):
        do_add_to_cart(cart, hidden.pk, 1)
    applicant_shop.status = Shop.Status.ACTIVE
    applicant_shop.save()
    assert anon.call("get", f"/offers/{hidden.pk}").json()["shop_ref"] == "fromagerie"
    shop.status = Shop.Status.SUSPENDED
    shop.save()
    assert anon.call("get", f"/offers/{shown.pk}").status_code == 404


def test_an_applied_shop_gets_no_catalog_writes(applicant_shop):
    staff = Client()
    assert staff.login(username="applicant@fromagerie.example", password=PASSWORD)
    dashboard = staff.get("/gestion/fromagerie/")
    assert dashboard.status_code == 200
    page = dashboard.content.decode()
    assert 'id="shop-awaiting-approval"' in page and "/gestion/fromagerie/import/" not in page
    assert staff.get("/gestion/fromagerie/offres/nouvelle/").status_code == 403
    created = staff.post("/gestion/fromagerie/offres/nouvelle/", {"sku": "X", "name_fr": "X", "price": "1"})
    assert created.status_code == 403
    assert "La coopérative n’a pas encore validé ce commerce" in created.content.decode()
    upload = io.BytesIO(b"sku;name_fr;price\nX;Comte;4,20\n")
    upload.name = "catalog.csv"
    assert (
        staff.post("/gestion/fromagerie/import/", {"file": upload, "mode": "valid_rows"}).status_code == 403
    )
    api = ApiClient(do_issue_api_token(email="applicant@fromagerie.example", password=PASSWORD))
    refused = api.call("post", "/shops/fromagerie/offers", {"sku": "X", "name_fr": "X", "price": "1"})
    assert refused.status_code == 403 and refused.json()["error"] == "not_allowed"
    csv = io.BytesIO(b"sku;name_fr;price\nX;Comte;4,20\n")
    assert api.call("post", "/shops/fromagerie/imports", data={"file": csv}).status_code == 403
    assert Offer.objects.count() == 0
    # The application itself (profile, hours) stays editable while staff review it.
    assert staff.get("/gestion/fromagerie/profil/").status_code == 200


def test_existing_and_fake_shops_answer_alike_to_outsiders(shop, applicant_shop, make_person):
    make_person("outsider@example.org")
    outsider = Client()
    assert outsider.login(username="outsider@example.org", password=PASSWORD)
    answers = {
        ref: (response.status_code, response.content.decode().split("<main", 1)[-1])
        for ref in ("boulangerie", "fromagerie", "no-such-shop")
        for response in [outsider.get(f"/gestion/{ref}/")]
    }
    assert answers["boulangerie"] == answers["fromagerie"] == answers["no-such-shop"]
    assert answers["no-such-shop"][0] == 403
    anonymous = Client()
    for ref in ("boulangerie", "fromagerie", "no-such-shop"):
        response = anonymous.get(f"/gestion/{ref}/export.csv")
        assert (response.status_code, response["Location"]) == (
            302,
            f"/connexion/?next=/gestion/{ref}/export.csv",
        )
    api = ApiClient()
    assert {api.call("post", f"/shops/{ref}/offers", {}).status_code for ref in answers} == {401}
