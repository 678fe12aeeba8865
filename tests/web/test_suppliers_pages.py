"""Suppliers' pages and directory, an offer's origin badge, a shop's suppliers page, and the
share of sales from local suppliers (page, CSV, back office)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from comptoir.catalog.models import Supplier
from comptoir.catalog.services import do_create_offer
from comptoir.catalog.suppliers import do_create_supplier
from comptoir.orders.models import Order, OrderLine, ShopOrder
from tests.conftest import PASSWORD


@pytest.fixture
def suppliers(shop: Any) -> dict[str, Supplier]:
    return {
        "farm": do_create_supplier(shop=shop, name="Ferme des Trois-Rivières", kind="farm", postal_code="25290",
                                   city="Ornans", lat=47.105, lon=6.145, listed=True),  # 12 km
        "brewery": do_create_supplier(shop=None, name="Brasserie de la Loue", kind="brewery", postal_code="25290",
                                      city="Ornans", lat=47.098, lon=6.121, listed=True),  # 10 km
        "tools": do_create_supplier(shop=None, name="Outillage Forézien", kind="manufacturer", postal_code="42000",
                                    city="Saint-Étienne", lat=45.439, lon=4.387, listed=True),  # 219 km
        "toys": do_create_supplier(shop=None, name="Jouets du Monde", kind="manufacturer", region="Guangdong",
                                   listed=True),
        "hidden": do_create_supplier(shop=None, name="Laiterie Discrète", kind="dairy", lat=47.06, lon=6.0),
    }  # fmt: skip


def _sale(shop: Any, lines: list[tuple[Any, int, int]], when: datetime, status: str = "completed") -> None:
    order = Order.objects.create(
        token=f"t{Order.objects.count()}", email="a@example.org", payment_method="on_handover"
    )
    Order.objects.filter(pk=order.pk).update(created=when)
    part = ShopOrder.objects.create(
        order=order, shop=shop, status=status, fulfilment="collect", expires_at=when
    )
    for offer, quantity, cents in lines:
        OrderLine.objects.create(shop_order=part, offer=offer, sku=offer.sku, name=offer.name_fr, unit_price_cents=cents,
                                 tax_rate=5.5, quantity=quantity, total_cents=quantity * cents, tax_cents=0)  # fmt: skip


@pytest.fixture
def sales(shop: Any, other_shop: Any, suppliers: dict[str, Supplier]) -> dict[str, Any]:
    apples = do_create_offer(
        shop, {"sku": "A1", "name_fr": "Pommes", "price": "3", "supplier": "ferme-des-trois-rivieres"}
    )
    bread = do_create_offer(shop, {"sku": "B1", "name_fr": "Pain", "price": "2"})
    hammer = do_create_offer(
        other_shop, {"sku": "H1", "name_fr": "Marteau", "price": "12", "supplier": "outillage-forezien"}
    )
    beer = do_create_offer(
        other_shop, {"sku": "K1", "name_fr": "Bière", "price": "4", "supplier": "brasserie-de-la-loue"}
    )
    november = timezone.make_aware(datetime(2026, 11, 10, 12))
    december = timezone.make_aware(datetime(2026, 12, 2, 12))
    _sale(shop, [(apples, 2, 300), (bread, 1, 200)], november)  # 600 local of 800; 2 of 3 units
    _sale(other_shop, [(hammer, 1, 1200), (beer, 3, 400)], november)  # 1200 local of 2400; 3 of 4
    _sale(shop, [(apples, 1, 300)], december)  # 300 of 300
    _sale(shop, [(apples, 9, 300)], december, status="cancelled")  # not a sale
    return {"apples": apples, "bread": bread, "hammer": hammer, "beer": beer}


def test_local_share_per_month_and_shop_on_its_page_and_in_csv(sales: dict[str, Any]) -> None:
    response = Client().get("/part-locale/", {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.decode().splitlines() == [
        "month,shop,shop_name,local_cents,unknown_cents,total_cents,local_value_percent,local_units,unknown_units,total_units,local_units_percent",
        "2026-12,,,300,0,300,100.0,1,0,1,100.0",
        "2026-12,boulangerie,Boulangerie du Pont,300,0,300,100.0,1,0,1,100.0",
        "2026-11,,,1800,200,3200,56.2,5,1,7,71.4",
        "2026-11,boulangerie,Boulangerie du Pont,600,200,800,75.0,2,1,3,66.7",
        "2026-11,quincaillerie,Quincaillerie Girard,1200,0,2400,50.0,3,0,4,75.0",
    ]
    html = Client().get("/part-locale/").content.decode()
    assert "Depuis le début\u00a0: 60,0\u202f% des ventes en valeur, 75,0\u202f% en unités." in html
    english = _english_client().get("/part-locale/").content.decode()
    assert "Since the start: 60.0% of sales by value, 75.0% by units." in english
    assert "à moins de 100\u00a0km du centre du nœud" in html
    assert 'href="/part-locale/"' in Client().get("/transparence/").content.decode()


def test_a_shop_sees_its_own_local_share_and_suppliers(
    sales: dict[str, Any], owner: Any, other_shop: Any
) -> None:
    client = Client()
    client.login(username=owner.email, password=PASSWORD)
    html = client.get("/gestion/boulangerie/fournisseurs/").content.decode()
    assert "Votre part locale\u00a0: 81,8\u202f% de vos ventes en valeur, 75,0\u202f% en unités." in html
    assert "<code>ferme-des-trois-rivieres</code>" in html
    assert client.get("/gestion/quincaillerie/fournisseurs/").status_code == 403


def test_a_shop_finds_proposes_and_adds_suppliers(suppliers: dict[str, Supplier], owner: Any) -> None:
    client = Client()
    client.login(username=owner.email, password=PASSWORD)
    url = "/gestion/boulangerie/fournisseurs/"
    exact = client.post(url, {"name": "ferme des trois rivieres", "postal_code": "25290", "kind": "farm"})
    assert exact.status_code == 400
    assert (
        "Ferme des Trois-Rivières — référence à donner dans vos offres\u00a0: ferme-des-trois-rivieres"
        in exact.content.decode()
    )
    close = client.post(url, {"name": "Ferme des Trois Rivière", "postal_code": "25000", "kind": "farm"})
    assert (
        "Est-ce l’un d’eux\u00a0?" in close.content.decode()
        and "<code>ferme-des-trois-rivieres</code>" in close.content.decode()
    )
    assert Supplier.objects.count() == 5
    added = client.post(url, {"name": "Ferme des Trois Rivière", "postal_code": "25000", "kind": "farm",
                              "distinct_from_close": "on"})  # fmt: skip
    assert added.status_code == 200
    assert Supplier.objects.get(ref="ferme-des-trois-riviere").added_by.ref == "boulangerie"


def test_directory_lists_volunteers_nearest_first_by_kind_and_distance(
    suppliers: dict[str, Supplier],
) -> None:
    html = Client().get("/fournisseurs/").content.decode()
    order = [html.index(name) for name in ("Brasserie de la Loue", "Ferme des Trois-Rivières", "Outillage Forézien",
                                           "Jouets du Monde")]  # fmt: skip
    assert order == sorted(order)
    assert "Laiterie Discrète" not in html  # not listed: it did not agree
    near = Client().get("/fournisseurs/", {"within": "50"}).content.decode()
    assert (
        "Ferme des Trois-Rivières" in near
        and "Outillage Forézien" not in near
        and "Jouets du Monde" not in near
    )
    farms = Client().get("/fournisseurs/", {"kind": "farm"}).content.decode()
    assert "Ferme des Trois-Rivières" in farms and "Brasserie de la Loue" not in farms
    bad = Client().get("/fournisseurs/", {"within": "loin"})
    assert bad.status_code == 400 and "Donnez une distance en km, par exemple 50." in bad.content.decode()


def test_supplier_page_shows_what_it_supplies_and_where(
    sales: dict[str, Any], suppliers: dict[str, Supplier]
) -> None:
    html = Client().get("/fournisseurs/ferme-des-trois-rivieres/").content.decode()
    assert "12\u00a0km" in html and "<strong>Local</strong>" in html
    assert (
        'href="/commerces/boulangerie/">Boulangerie du Pont</a> <span class="muted">1 produit</span>' in html
    )
    assert f'href="/produits/{sales["apples"].pk}/">Pommes</a>' in html
    assert Client().get("/fournisseurs/nobody/").status_code == 404


def test_offer_page_shows_the_origin_badge(sales: dict[str, Any]) -> None:
    apples = Client().get(f"/produits/{sales['apples'].pk}/").content.decode()
    assert (
        '<p class="origin local"><strong>Local</strong> · Produit à 12\u00a0km — Ferme des Trois-Rivières</p>'
        in apples
    )
    assert "<dt>Origine déclarée par</dt><dd>la boutique</dd>" in apples
    hammer = Client().get(f"/produits/{sales['hammer'].pk}/").content.decode()
    assert '<p class="origin">Produit à 219\u00a0km — Outillage Forézien</p>' in hammer
    bread = Client().get(f"/produits/{sales['bread'].pk}/").content.decode()
    assert '<p class="origin">Origine inconnue</p>' in bread


def test_offer_form_links_a_supplier_and_refuses_an_unknown_one(sales: dict[str, Any], owner: Any) -> None:
    client = Client()
    client.login(username=owner.email, password=PASSWORD)
    bread = sales["bread"]
    form = {"sku": "B1", "name_fr": "Pain", "price": "2", "unit": "piece", "quantity": "1", "tax_rate": "5.5",
            "stock": "0", "weight_g": "0", "volume_ml": "0", "active": "on"}  # fmt: skip
    refused = client.post(f"/gestion/boulangerie/offres/{bread.pk}/", {**form, "supplier": "moulin-fantome"})
    assert (
        refused.status_code == 400
        and "référence de fournisseur inconnue\u00a0: moulin-fantome" in refused.content.decode()
    )
    bread.refresh_from_db()
    assert bread.supplier is None
    saved = client.post(
        f"/gestion/boulangerie/offres/{bread.pk}/", {**form, "supplier": "ferme-des-trois-rivieres"}
    )
    assert saved.status_code == 302
    bread.refresh_from_db()
    assert (bread.supplier.ref, bread.origin_stated_by) == ("ferme-des-trois-rivieres", "shop")


def _english_client() -> Client:
    """A visitor who chose English (the language cookie the switcher sets)."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
