"""One owner for stock (every shortfall at once, outbox marked), the order event log, states that agree
after a delivery, and the API's coded errors."""

from __future__ import annotations

import json

import pytest

from comptoir.catalog import stock
from comptoir.catalog.models import Offer, OfferChange
from comptoir.core.errors import InvalidInput
from comptoir.orders import services
from comptoir.orders.models import Order, OrderEvent, ShopOrder
from comptoir.orders.selectors import order_status
from tests.orders.conftest import delivery_body, first_slot


def place(resident, town, fulfil=None, items=None):
    request = services.CheckoutRequest(
        **{**delivery_body(first_slot()), "fulfilment": fulfil or {"boulangerie": "delivery", "quincaillerie": "delivery"}},
        items=items or [(town["bread"].pk, 3), (town["hammer"].pk, 1)],
    )  # fmt: skip
    order, _created = services.do_checkout(resident, None, request)
    return order, {so.shop.ref: so.pk for so in order.shop_orders.select_related("shop")}


def test_every_short_line_is_refused_at_once_and_nothing_moves(resident_api, town):
    Offer.objects.filter(pk=town["hammer"].pk).update(stock=0)
    Offer.objects.filter(pk=town["bread"].pk).update(stock=2)
    OfferChange.objects.all().delete()
    body = delivery_body(
        first_slot(), fulfilment={"boulangerie": "delivery", "quincaillerie": "delivery"},
        items=[{"offer_id": town["hammer"].pk, "quantity": 1}, {"offer_id": town["bread"].pk, "quantity": 3},
               {"offer_id": town["cake"].pk, "quantity": 5}],
    )  # fmt: skip
    response = resident_api.call("post", "/checkout", body)
    assert response.status_code == 400
    payload = response.json()
    assert (payload["code"], payload["error"]) == ("out_of_stock", "invalid")
    assert payload["message"] == (
        "2 produits manquent\u00a0: Il ne reste que 2 «\u00a0Pain complet\u00a0» (Boulangerie du Pont)\u00a0; vous en demandez 3."
        " «\u00a0Marteau\u00a0» (Quincaillerie Girard) est en rupture de stock."
    )
    assert payload["details"]["shortfalls"] == [
        {"offer_id": town["bread"].pk, "wanted": 3, "left": 2},
        {"offer_id": town["hammer"].pk, "wanted": 1, "left": 0},
    ]
    assert Order.objects.count() == 0 and OfferChange.objects.count() == 0
    assert [Offer.objects.get(pk=town[k].pk).stock for k in ("bread", "hammer")] == [2, 0]


def test_the_error_body_is_in_the_persons_language(resident_api, resident, town):
    resident.language = "en"
    resident.save()
    Offer.objects.filter(pk=town["hammer"].pk).update(stock=0)
    body = delivery_body(first_slot(), fulfilment={"quincaillerie": "delivery"}, language="en",
                         items=[{"offer_id": town["hammer"].pk, "quantity": 1}])  # fmt: skip
    response = resident_api.call("post", "/checkout", body)
    assert response.json()["message"] == "“Marteau” (Quincaillerie Girard) is out of stock."


def test_stock_moves_with_f_expressions_and_marks_the_outbox(db, town):
    OfferChange.objects.all().delete()
    bread, cake = town["bread"], town["cake"]
    stock.take({bread.pk: 4, cake.pk: 9})  # made to order: never short, never taken from
    assert (Offer.objects.get(pk=bread.pk).stock, Offer.objects.get(pk=cake.pk).stock) == (6, 0)
    stock.move(take={town["hammer"].pk: 2}, give={bread.pk: 4})
    assert [Offer.objects.get(pk=town[k].pk).stock for k in ("bread", "hammer")] == [10, 3]
    assert sorted(OfferChange.objects.values_list("offer_id", flat=True)) == sorted(
        [bread.pk, bread.pk, town["hammer"].pk]
    )
    with pytest.raises(stock.OutOfStock) as refused:
        stock.take({town["hammer"].pk: 4, bread.pk: 11})
    assert [(s.offer_id, s.wanted, s.left) for s in refused.value.shortfalls] == [
        (bread.pk, 11, 10), (town["hammer"].pk, 4, 3),
    ]  # fmt: skip
    with pytest.raises(ValueError):
        stock.give_back({bread.pk: -1})


def test_every_transition_records_who_did_it(resident, town, owner, other_shop, make_person):
    courier = make_person("coursier@example.org", full_name="Léa Vélo")
    order, so = place(resident, town)
    services.do_accept_shop_order(so["boulangerie"], actor=owner)
    services.do_prepare_shop_order(so["boulangerie"], actor=owner)
    services.do_hand_over(so["boulangerie"], to="courier", by="courier", actor=courier)
    services.do_cancel_shop_order(so["quincaillerie"], by="customer", actor=resident)
    services.do_mark_delivered(order.pk, proof="code", actor=courier)
    rows = [(e.shop_order_id, e.action, e.from_status, e.to_status, e.actor_kind, e.actor_name)
            for e in OrderEvent.objects.filter(order=order)]  # fmt: skip
    b, q = so["boulangerie"], so["quincaillerie"]
    assert rows == [
        (b, "accept", "placed", "accepted", "shop", "Camille Roux"),
        (b, "prepare", "accepted", "prepared", "shop", "Camille Roux"),
        (b, "hand-over-to-courier", "prepared", "handed_over", "courier", "Léa Vélo"),
        (q, "cancel", "placed", "cancelled", "resident", "Alice Martin"),
        (b, "deliver", "handed_over", "completed", "courier", "Léa Vélo"),
        (None, "delivered", "", "", "courier", "Léa Vélo"),
    ]


def test_after_delivery_every_screen_agrees(resident, town, owner, other_shop):
    """A part that never left its shop missed the round: cancelled, stock back, not paid; nobody can act on it."""
    order, so = place(resident, town)
    services.do_accept_shop_order(so["boulangerie"], actor=owner)
    services.do_hand_over(so["boulangerie"], to="courier", by="courier", actor=None)
    services.do_mark_delivered(order.pk, proof="code")
    order.refresh_from_db()
    statuses = dict(ShopOrder.objects.filter(order=order).values_list("shop__ref", "status"))
    assert statuses == {"boulangerie": "completed", "quincaillerie": "cancelled"}
    assert order_status(order) == "completed"
    assert Offer.objects.get(pk=town["hammer"].pk).stock == 5
    assert order.goods_cents == 720  # the bread only
    for act in (
        lambda: services.do_accept_shop_order(so["boulangerie"], actor=owner),
        lambda: services.do_reject_shop_order(so["boulangerie"], actor=owner),
        lambda: services.do_cancel_shop_order(so["boulangerie"], by="customer", actor=resident),
        lambda: services.do_accept_shop_order(so["quincaillerie"], actor=owner),
    ):
        with pytest.raises(InvalidInput) as refused:
            act()
        assert refused.value.code == "transition_not_allowed"
    missed = OrderEvent.objects.get(shop_order_id=so["quincaillerie"])
    assert (missed.action, missed.actor_kind) == ("miss-round", "system")


def test_a_courier_never_takes_a_parcel_no_shop_accepted(resident, town):
    _order, so = place(resident, town)
    with pytest.raises(InvalidInput) as refused:
        services.do_hand_over(so["boulangerie"], to="courier", by="courier", actor=None)
    assert refused.value.code == "transition_not_allowed"
    assert ShopOrder.objects.get(pk=so["boulangerie"]).status == "placed"


def test_the_openapi_document_lists_the_error_codes(anon_api):
    schema = anon_api.call("get", "/openapi.json").json()
    codes = schema["components"]["schemas"]["Error"]["properties"]["code"]["enum"]
    assert {
        "out_of_stock",
        "idempotency_key_reused",
        "transition_not_allowed",
        "not_found",
        "offer_not_found",
    } <= set(codes)
    checkout = schema["paths"]["/api/v1/checkout"]["post"]["responses"]
    assert checkout["400"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_the_openapi_document_names_each_status_once(anon_api):
    """Ninja's own responses and the error statuses are merged by text key: swagger-ui refuses
    a document with a status twice in one operation (its YAML parser: "duplicated mapping key")."""
    repeated: list[str] = []

    def no_repeats(pairs: list[tuple[str, object]]) -> dict[str, object]:
        keys = [key for key, _ in pairs]
        repeated.extend(key for key in set(keys) if keys.count(key) > 1)
        return dict(pairs)

    json.loads(anon_api.call("get", "/openapi.json").content, object_pairs_hook=no_repeats)
    assert repeated == []


def test_the_api_shows_the_event_log(resident_api, resident, town, owner):
    order, so = place(resident, town)
    services.do_accept_shop_order(so["boulangerie"], actor=owner)
    events = resident_api.call("get", f"/orders/{order.pk}").json()["events"]
    assert [(e["action"], e["actor"], e["to_status"]) for e in events] == [("accept", "shop", "accepted")]
