"""`comptoir demo --region quebec` at a small size: a Montréal neighbourhood with Québec taxes, CAD, balanced books."""

from __future__ import annotations

import re
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from comptoir.catalog.models import Offer, Organisation, Shop, Supplier
from comptoir.delivery.models import Depot, Zone
from comptoir.demo.generator import generate_demo
from comptoir.ledger import selectors
from comptoir.ledger.models import Line
from comptoir.orders.models import Order


@pytest.fixture
def quebec(settings: Any) -> None:
    settings.COMPTOIR_REGION = "quebec"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_the_quebec_demo_is_a_montreal_neighbourhood(quebec: None, db: Any) -> None:
    out = StringIO()
    call_command(
        "demo", region="quebec", shops=6, offers=120, seed=3, past_months=0, load_only=True, stdout=out
    )
    assert "10 shops, 440 offers (12 suppliers), 30 residents, 6 couriers" in out.getvalue()
    shops = list(Shop.objects.filter(organisation__isnull=True).order_by("pk"))
    assert [s.kind for s in shops] == [
        "convenience",
        "hardware",
        "bookshop",
        "cheese",
        "bakery",
        "greengrocer",
    ]
    assert [s.name.split()[0] for s in shops] == [
        "Dépanneur", "Quincaillerie", "Librairie", "Fromagerie", "Boulangerie", "Fruiterie"
    ]  # fmt: skip
    for shop in shops:
        assert re.fullmatch(r"H[12][A-Z] \d[A-Z]\d", shop.postal_code), shop.postal_code
        assert 45.45 < shop.lat < 45.60 and -73.68 < shop.lon < -73.50 and shop.city == "Montréal"
    assert sorted(set(Offer.objects.values_list("tax_code", flat=True))) == ["DETAXE", "TPS", "TPS+TVQ"]
    assert set(Offer.objects.filter(shop__kind="cheese").values_list("tax_code", flat=True)) == {"DETAXE"}
    assert set(Offer.objects.filter(category__path="books/fiction").values_list("tax_code", flat=True)) == {
        "TPS"
    }
    assert set(Offer.objects.filter(tax_code="TPS+TVQ").values_list("tax_rate", flat=True)) == {
        Decimal("14.975")
    }
    # Suppliers from the province (placed) and far away (a region only), linked to offers: a real mix.
    placed = set(Supplier.objects.filter(lat__isnull=False).values_list("ref", flat=True))
    far = dict(Supplier.objects.filter(lat__isnull=True).values_list("ref", "country"))
    assert len(placed) == 8 and far == {
        "outils-nordiques": "CA", "lumiere-guangdong": "CN", "cacao-andino": "EC", "peintures-grands-lacs": "US"
    }  # fmt: skip
    linked = Offer.objects.filter(supplier__isnull=False)
    assert linked.filter(supplier__ref__in=placed).exists() and linked.filter(supplier__ref__in=far).exists()
    assert Offer.objects.filter(supplier__isnull=True).exists()
    assert set(
        Offer.objects.filter(shop__kind="cheese", supplier__isnull=False).values_list(
            "supplier__kind", flat=True
        )
    ) == {"dairy"}
    # A hardware chain: one shared catalog of 80 products, four branches, each with its own stock.
    chain = Organisation.objects.get()
    branches = list(Shop.objects.filter(organisation=chain).order_by("pk"))
    assert chain.name == "Quincailleries Boréal" and [b.neighbourhood for b in branches] == [
        "Plateau", "Rosemont", "Villeray", "Hochelaga"
    ]  # fmt: skip
    skus = [set(Offer.objects.filter(shop=b).values_list("sku", flat=True)) for b in branches]
    assert all(len(s) == 80 and s == skus[0] for s in skus)
    stocks = [
        list(Offer.objects.filter(shop=b).order_by("sku").values_list("stock", flat=True)) for b in branches
    ]
    assert len({tuple(s) for s in stocks}) == 4  # each branch its own stock
    assert (
        Offer.objects.filter(shop=branches[0], sku="BOR-0001").values_list("tax_code", flat=True).get()
        == "TPS+TVQ"
    )
    depot = Depot.objects.get()
    assert abs(depot.lat - 45.519) < 0.001 and Zone.objects.count() == 2
    # The demo's click-and-collect and delivery orders went through checkout: taxes added, books in CAD.
    orders = list(Order.objects.all())
    assert orders and all(not o.prices_include_tax for o in orders)
    assert all(o.total_cents == o.goods_cents + o.tax_cents + o.fees_cents for o in orders)
    assert set(Line.objects.values_list("currency", flat=True)) == {"CAD"}
    assert set(selectors.check()) == {"CAD"} and selectors.check()["CAD"]["balanced"]
    taxed = next(o for o in orders if any(t["code"] == "QST" for t in o.taxes))
    gst = sum(t["amount_cents"] for t in taxed.taxes if t["code"] == "GST")
    assert Line.objects.filter(entry__order_id=taxed.pk, account__code="445711").exists() == (gst > 0)


def test_quebec_pages_write_dollars_and_taxes_on_top(quebec: None, db: Any) -> None:
    from comptoir.demo.quebec import generate_quebec_demo

    generate_quebec_demo(seed=3, shops=3, offers=30, residents=1, couriers=0)
    offer = Offer.objects.filter(tax_code="TPS+TVQ", active=True).order_by("pk").first()
    page = Client().get(reverse("web:offer", args=[offer.pk]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    units, cents = divmod(offer.price_cents, 100)
    assert f"{units},{cents:02d}\u00a0$" in page
    assert "TPS 5\u202f% et TVQ 9,975\u202f% en sus" in page


def test_a_data_folder_keeps_its_region(settings: Any, db: Any) -> None:
    generate_demo(seed=3, shops=2, offers=10, residents=1, couriers=0)  # the French town
    settings.COMPTOIR_REGION = "quebec"
    with pytest.raises(CommandError, match="another region's demo"):
        call_command("demo", region="quebec", load_only=True, stdout=StringIO())
