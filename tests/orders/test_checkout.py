"""Cart and checkout through the API: exact totals, stock reserved, refusals that write nothing."""

from __future__ import annotations

from django.core import mail

from comptoir.catalog.models import Offer
from comptoir.orders.models import CartItem, FeeLine, Order, OrderLine, ShopOrder
from tests.orders.conftest import delivery_body, first_slot

FULFIL = {"boulangerie": "delivery", "quincaillerie": "delivery", "fleurs": "collect"}


def fill_cart(api, town):
    for offer, quantity in [(town["bread"], 2), (town["hammer"], 1), (town["roses"], 1)]:
        assert (
            api.call("post", "/cart/items", {"offer_id": offer.pk, "quantity": quantity}).status_code == 200
        )


def test_cart_is_grouped_by_shop_with_changes_since_added(resident_api, town, django_assert_max_num_queries):
    fill_cart(resident_api, town)
    Offer.objects.filter(pk=town["bread"].pk).update(price_cents=260, stock=1)
    with django_assert_max_num_queries(6):
        cart = resident_api.call("get", "/cart").json()
    assert [g["shop_ref"] for g in cart["groups"]] == ["boulangerie", "fleurs", "quincaillerie"]
    assert [g["offers_delivery"] for g in cart["groups"]] == [True, False, True]
    bread = cart["groups"][0]["lines"][0]
    assert (bread["price_cents_seen"], bread["unit_price_cents"], bread["price_changed"]) == (240, 260, True)
    assert (bread["stock"], bread["stock_short"], bread["total_cents"]) == (1, True, 520)
    assert cart["goods_cents"] == 520 + 1050 + 1500


def test_cart_refuses_more_than_the_stock(resident_api, town):
    response = resident_api.call("post", "/cart/items", {"offer_id": town["roses"].pk, "quantity": 4})
    assert response.status_code == 400
    assert (
        response.json()["message"]
        == "Il ne reste que 3 «\u00a0Bouquet de roses\u00a0» (Fleurs de Loue)\u00a0; vous en demandez 4."
    )
    assert CartItem.objects.count() == 0


def test_checkout_splits_the_order_reserves_stock_and_breaks_down_the_total(
    resident_api, town, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    fill_cart(resident_api, town)
    body = delivery_body(first_slot(), fulfilment=FULFIL)
    # 29: the governed values in force are read from their versions (coop fee, acceptance delay, delivery fee);
    # the answer carries the order's event log (one query); +10: the ledger entry written in the same
    # transaction (this first checkout also opens the accounts).
    with django_assert_max_num_queries(39), django_capture_on_commit_callbacks() as emails:
        response = resident_api.call("post", "/checkout", body, HTTP_IDEMPOTENCY_KEY="k1")
    for send in emails:
        send()
    assert response.status_code == 201, response.json()
    order = response.json()
    assert (order["goods_cents"], order["tax_cents"], order["fees_cents"], order["total_cents"]) == (
        3030,
        336,
        511,
        3541,
    )
    assert [(f["kind"], f["amount_cents"], f["source"]) for f in order["fees"]] == [
        ("coop", 61, "adopted at founding (v1)"),
        ("delivery", 450, "adopted at founding (v1)"),
    ]
    assert order["fees"][0]["label"] == "Contribution coopérative (2,0\u202f% des marchandises)"
    groups = {
        so["shop_ref"]: (so["fulfilment"], so["goods_cents"], so["tax_cents"], so["status"])
        for so in order["shop_orders"]
    }
    assert groups == {
        "boulangerie": ("delivery", 480, 25, "placed"),
        "quincaillerie": ("delivery", 1050, 175, "placed"),
        "fleurs": ("collect", 1500, 136, "placed"),
    }
    assert order["status"] == "awaiting_shops"
    assert order["delivery_booking_ref"] == f"{body['slot_id']}/{order['id']}"
    stocks = dict(Offer.objects.filter(sku__in=["B1", "H1", "R1"]).values_list("sku", "stock"))
    assert stocks == {"B1": 8, "H1": 4, "R1": 2}
    saved = Order.objects.get(pk=order["id"])
    assert (saved.lat, saved.lon, saved.location_source) == (47.06, 6.0, "postal_code")
    assert CartItem.objects.count() == 0
    assert sorted(m.subject for m in mail.outbox) == [
        f"Commande C{order['id']:06d} confirmée", f"New order C{order['id']:06d}",
        f"Nouvelle commande C{order['id']:06d}", f"Nouvelle commande C{order['id']:06d}",
    ]  # fmt: skip


def test_an_oversell_is_refused_by_name_and_nothing_is_written(resident_api, town):
    fill_cart(resident_api, town)
    Offer.objects.filter(pk=town["hammer"].pk).update(stock=0)
    response = resident_api.call("post", "/checkout", delivery_body(first_slot(), fulfilment=FULFIL))
    assert response.status_code == 400
    assert (
        response.json()["message"] == "«\u00a0Marteau\u00a0» (Quincaillerie Girard) est en rupture de stock."
    )
    assert (
        Order.objects.count(),
        ShopOrder.objects.count(),
        OrderLine.objects.count(),
        FeeLine.objects.count(),
    ) == (0, 0, 0, 0)
    assert dict(Offer.objects.filter(sku__in=["B1", "R1"]).values_list("sku", "stock")) == {"B1": 10, "R1": 3}
    assert CartItem.objects.count() == 3 and mail.outbox == []


def test_a_retried_checkout_returns_the_same_order(resident_api, town):
    fill_cart(resident_api, town)
    body = delivery_body(first_slot(), fulfilment=FULFIL)
    first = resident_api.call("post", "/checkout", body, HTTP_IDEMPOTENCY_KEY="retry-7")
    again = resident_api.call("post", "/checkout", body, HTTP_IDEMPOTENCY_KEY="retry-7")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again["Idempotent-Replayed"] == "true"
    assert first.json()["id"] == again.json()["id"] and Order.objects.count() == 1
    assert Offer.objects.get(pk=town["bread"].pk).stock == 8


def test_bad_checkouts_are_refused_with_their_reason(resident_api, town):
    slot = first_slot()
    cases = [
        ({}, "Votre panier est vide."),
        ({"items": [{"offer_id": town["bread"].pk, "quantity": 1}], "email": "nope"}, "Saisissez une adresse e-mail valide."),
        ({"items": [{"offer_id": town["bread"].pk, "quantity": 1}], "payment_method": "bitcoin"}, "Choisissez un moyen de paiement."),
        ({"items": [{"offer_id": town["roses"].pk, "quantity": 1}], "fulfilment": {"fleurs": "delivery"}},
         "Choisissez le retrait en boutique ou la livraison pour Fleurs de Loue."),
        ({"items": [{"offer_id": town["bread"].pk, "quantity": 1}], "slot_id": ""}, "Choisissez un créneau de livraison."),
        ({"items": [{"offer_id": town["bread"].pk, "quantity": 1}], "slot_id": "fixed-200001011000"},
         "Ce créneau de livraison n’est plus disponible\u00a0; choisissez-en un autre."),
        ({"items": [{"offer_id": town["bread"].pk, "quantity": 1}], "postal_code": "99999"},
         "Nous ne savons pas situer cette adresse\u00a0: vérifiez le code postal ou placez une épingle sur la carte."),
        ({"items": [{"offer_id": town["bread"].pk, "quantity": 1}], "expected_goods_cents": 200},
         "Les prix ont changé depuis que vous avez vu votre panier\u00a0: les marchandises coûtent maintenant 2,40\u00a0€. Vérifiez et confirmez à nouveau."),
    ]  # fmt: skip
    for change, message in cases:
        body = {**delivery_body(slot, fulfilment={"boulangerie": "delivery"}), **change}
        response = resident_api.call("post", "/checkout", body)
        assert (response.status_code, response.json()["message"]) == (400, message), change
    assert Order.objects.count() == 0 and Offer.objects.get(pk=town["bread"].pk).stock == 10


def test_on_demand_offers_take_no_stock_and_a_pin_wins(resident_api, town):
    body = delivery_body(first_slot(), fulfilment={"boulangerie": "delivery"}, lat=47.1, lon=6.1,
                         items=[{"offer_id": town["cake"].pk, "quantity": 2}])  # fmt: skip
    response = resident_api.call("post", "/checkout", body)
    assert response.status_code == 201
    order = Order.objects.get()
    assert (order.lat, order.lon, order.location_source, order.goods_cents) == (47.1, 6.1, "pin", 4000)
    assert Offer.objects.get(pk=town["cake"].pk).stock == 0


def test_orders_are_private(resident_api, owner_api, town):
    response = resident_api.call(
        "post",
        "/checkout",
        {
            **delivery_body("", fulfilment={"fleurs": "collect"}),
            "items": [{"offer_id": town["roses"].pk, "quantity": 1}],
        },
    )
    order_id = response.json()["id"]
    assert resident_api.call("get", f"/orders/{order_id}").status_code == 200
    assert owner_api.call("get", f"/orders/{order_id}").status_code == 403
    fleurs_order = response.json()["shop_orders"][0]["id"]
    refused = owner_api.call("post", f"/shop-orders/{fleurs_order}/accept", {})
    assert (refused.status_code, refused.json()["message"]) == (
        403,
        "Vous ne travaillez pas pour ce commerce.",
    )
    assert ShopOrder.objects.get().status == "placed"
