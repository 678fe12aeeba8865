"""The seller's Beckn quote carries one ONDC "tax" line per tax: GST and QST in Québec, VAT per rate in France.

Amounts worked by hand; each answer is checked against ONDC's retail schema, and the breakup adds up
to the quote's price, which is the placed order's total to the cent.
"""

from __future__ import annotations

from typing import Any

import pytest

from comptoir.catalog.services import do_create_offer, do_create_shop
from comptoir.orders.models import Order
from comptoir.protocol.wire import messages
from comptoir.protocol.wire.models import Quote
from tests.protocol import test_seller as seller_flow

node = seller_flow.node  # the French seller node (a fixture)
COOP = "Contribution coopérative (2,0\u202f% des marchandises)"


def _lines(quote: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(b["@ondc/org/title_type"], b.get("title", ""), b["price"]["value"]) for b in quote["breakup"]]


def _tags(quote: dict[str, Any]) -> list[dict[str, str]]:
    return [
        {t["code"]: t["value"] for t in b["item"]["tags"][0]["list"]}
        for b in quote["breakup"]
        if b["@ondc/org/title_type"] == "tax"
    ]


def _confirm(node: dict[str, Any], init: dict[str, Any]) -> dict[str, Any]:
    order = {**seller_flow._init_order(node), "id": "A-1", "state": "Created",
             "quote": init["message"]["order"]["quote"],
             "payment": {**init["message"]["order"]["payment"], "status": "NOT-PAID"},
             "created_at": "2026-03-02T09:01:00.000Z", "updated_at": "2026-03-02T09:01:00.000Z"}  # fmt: skip
    return seller_flow._ask("confirm", order=order)


def test_a_french_quote_shows_the_vat_of_each_rate_inside_the_prices(node: dict[str, Any]) -> None:
    do_create_offer(
        node["shop"], {"sku": "V1", "name_fr": "Vin", "price": "7,20", "stock": "5", "tax_rate": "20"}
    )
    order = seller_flow._order(node)
    wine = node["shop"].offers.get(sku="V1")
    order["items"] = [*seller_flow._items(node, jam=1), {"id": str(wine.pk), "quantity": {"count": 1}}]
    reply = seller_flow._ask("select", order=order)
    quote = reply["message"]["order"]["quote"]
    # Bread 2 × 2,40 + jam 4,15 = 8,95 € at 5,5 %: VAT inside 8,95 − 8,95 / 1,055 = 0,4668… → 0,47 € (the
    # lines' VAT: 0,25 + 0,22); wine 7,20 € at 20 %: 1,20 €. Taxes are inside the prices: 0.00 lines.
    assert _lines(quote) == [
        ("item", "Pain complet", "4.80"), ("item", "Confiture", "4.15"), ("item", "Vin", "7.20"),
        ("delivery", "Delivery charges", "4.50"),
        ("tax", "TVA/VAT 5,5 %", "0.00"), ("tax", "TVA/VAT 20 %", "0.00"),
        ("misc", COOP, "0.32"),
    ]  # fmt: skip
    assert _tags(quote) == [
        {"code": "VAT", "rate": "5.5", "base": "8.48", "amount": "0.47", "included": "yes"},
        {"code": "VAT", "rate": "20", "base": "6.00", "amount": "1.20", "included": "yes"},
    ]
    assert quote["price"]["value"] == "20.97"  # 16,15 + 4,50 + 0,32 (2 % of 16,15)
    assert messages.quote_problems(Quote.model_validate(quote)) == []


def test_a_french_confirm_repeats_the_vat_lines_checkout_recorded(node: dict[str, Any]) -> None:
    seller_flow._ask("select", order=seller_flow._order(node))
    init = seller_flow._ask("init", order=seller_flow._init_order(node))
    confirmed = _confirm(node, init)
    quote = confirmed["message"]["order"]["quote"]
    assert [line for line in _lines(quote) if line[0] == "tax"] == [("tax", "TVA/VAT 5,5 %", "0.00")]
    assert _tags(quote) == [
        {"code": "VAT", "rate": "5.5", "base": "4.55", "amount": "0.25", "included": "yes"}
    ]
    assert (
        quote["price"] == init["message"]["order"]["quote"]["price"] == {"currency": "EUR", "value": "9.40"}
    )
    assert Order.objects.get().total_cents == 940  # 4,80 + 4,50 + 0,10 (2 % of 4,80)


@pytest.fixture
def quebec_node(settings: Any, node: dict[str, Any], make_person: Any) -> dict[str, Any]:
    settings.COMPTOIR_REGION = "quebec"
    shop = do_create_shop(
        owner=make_person("proprio@quincaillerie.example"), ref="quincaillerie-st-denis",
        name="Quincaillerie Saint-Denis", kind="hardware", lat=45.5262, lon=-73.5790, status="active",
        address="4321 rue Saint-Denis", postal_code="H2J 2K9", city="Montréal",
    )  # fmt: skip
    return {
        "shop": shop,
        # taxable (GST + QST), a printed book (GST only), basic groceries (zero-rated)
        "bread": do_create_offer(shop, {"sku": "M1", "name_fr": "Marteau", "price": "12,99", "stock": "5"}),
        "jam": do_create_offer(
            shop,
            {"sku": "L1", "name_fr": "Guide du bricoleur", "price": "24,95", "stock": "5", "tax_code": "TPS"},
        ),
        "bread3": do_create_offer(
            shop,
            {"sku": "P1", "name_fr": "Pain de ménage", "price": "3,49", "stock": "5", "tax_code": "DETAXE"},
        ),
    }


@pytest.fixture
def montreal_drop(monkeypatch: Any) -> None:
    place = {**seller_flow.BUYER_PLACE, "street": "rue Rachel Est", "city": "Montréal", "area_code": "H2J 2K9",
             "country": "CAN"}  # fmt: skip
    monkeypatch.setattr(
        seller_flow, "DROP", {"gps": "45.526000,-73.578000", "address": {"area_code": "H2J 2K9"}}
    )
    monkeypatch.setattr(seller_flow, "BUYER_PLACE", place)


def test_a_quebec_quote_carries_gst_and_qst_as_two_tax_lines_that_add_up(
    quebec_node: dict[str, Any], montreal_drop: None
) -> None:
    order = seller_flow._order(quebec_node)
    order["items"] = [
        {"id": str(quebec_node[name].pk), "quantity": {"count": 1}} for name in ("bread", "jam", "bread3")
    ]
    reply = seller_flow._ask("select", order=order)
    quote = reply["message"]["order"]["quote"]
    # GST 5 % on 12,99 + 24,95 = 37,94 $ → 1,897 → 1,90 $; QST 9,975 % on 12,99 $ → 1,2957… → 1,30 $;
    # the bread bears neither. Coop fee: 2 % of 41,43 $ before taxes = 0,8286 → 0,83 $.
    assert _lines(quote) == [
        ("item", "Marteau", "12.99"), ("item", "Guide du bricoleur", "24.95"), ("item", "Pain de ménage", "3.49"),
        ("delivery", "Delivery charges", "4.50"),
        ("tax", "TPS/GST 5 %", "1.90"), ("tax", "TVQ/QST 9,975 %", "1.30"),
        ("misc", COOP, "0.83"),
    ]  # fmt: skip
    assert _tags(quote) == [
        {"code": "GST", "rate": "5", "base": "37.94", "amount": "1.90", "included": "no"},
        {"code": "QST", "rate": "9.975", "base": "12.99", "amount": "1.30", "included": "no"},
    ]
    assert quote["price"] == {"currency": "CAD", "value": "49.96"}  # 41,43 + 4,50 + 3,20 + 0,83
    assert messages.quote_problems(Quote.model_validate(quote)) == []


def test_a_quebec_confirm_quotes_the_taxes_checkout_recorded_and_the_order_total(
    quebec_node: dict[str, Any], montreal_drop: None
) -> None:
    seller_flow._ask("select", order=seller_flow._order(quebec_node))
    init = seller_flow._ask("init", order=seller_flow._init_order(quebec_node))
    confirmed = _confirm(quebec_node, init)
    quote = confirmed["message"]["order"]["quote"]
    # Two hammers, 25,98 $: GST 1,299 → 1,30 $; QST 2,5915… → 2,59 $; coop fee 0,5196 → 0,52 $.
    assert [line for line in _lines(quote) if line[0] != "item"] == [
        ("delivery", "Delivery charges", "4.50"),
        ("tax", "TPS/GST 5 %", "1.30"), ("tax", "TVQ/QST 9,975 %", "2.59"),
        ("misc", COOP, "0.52"),
    ]  # fmt: skip
    assert (
        quote["price"] == init["message"]["order"]["quote"]["price"] == {"currency": "CAD", "value": "34.89"}
    )
    placed = Order.objects.get()
    assert (placed.goods_cents, placed.tax_cents, placed.total_cents) == (2598, 389, 3489)
    assert messages.quote_problems(Quote.model_validate(quote)) == []
