"""Seller role in process: each request handled as the worker would, each answer checked like ONDC's validator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from comptoir.catalog.services import do_create_offer
from comptoir.orders.models import Order, ShopOrder
from comptoir.orders.services import (
    do_accept_shop_order,
    do_hand_over,
    do_mark_delivered,
    do_notify_out_for_delivery,
    do_prepare_shop_order,
)
from comptoir.protocol import seller
from comptoir.protocol.identity import do_generate_keys
from comptoir.protocol.models import InboxMessage, OutboxMessage, Transaction
from comptoir.protocol.services import do_process_inbox
from comptoir.protocol.wire import messages
from comptoir.protocol.wire.models import Quote
from tests.protocol.shared import BECKN, ondc_errors

BAP = {"bap_id": "node-a.example", "bap_uri": "http://127.0.0.1:9/beckn"}
BPP = {"bpp_id": "comptoir.localhost", "bpp_uri": "http://127.0.0.1:8000/beckn"}
DROP = {"gps": "47.060000,6.000000", "address": {"area_code": "25000"}}
BUYER_PLACE = {
    "name": "Ada Martin",
    "building": "12",
    "street": "rue des Granges",
    "city": "Val-sur-Loue",
    "area_code": "25000",
    "country": "FRA",
}


@pytest.fixture
def node(settings, tmp_path, shop):
    settings.COMPTOIR_HOME = tmp_path
    settings.COMPTOIR_DELIVERY_BOOKING = "comptoir.orders.fixed_slots.FixedSlots"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.COMPTOIR_BANK_IBAN, settings.COMPTOIR_BANK_BIC = "FR7630006000011234567890189", "AGRIFRPP"
    do_generate_keys()
    bread = do_create_offer(
        shop, {"sku": "B1", "name_fr": "Pain complet", "price": "2,40", "stock": "10", "tax_rate": "5,5"}
    )
    jam = do_create_offer(
        shop, {"sku": "J1", "name_fr": "Confiture", "price": "4,15", "stock": "1", "tax_rate": "5,5"}
    )
    return {"shop": shop, "bread": bread, "jam": jam}


def _ask(action: str, tx: str = "t-1", **message: Any) -> dict:
    context = messages.request_context(
        action=action, domain="ONDC:RET10", city="std:0381", moment=datetime.now(UTC), transaction_id=tx,
        **BAP, **({} if action == "search" else BPP),
    )  # fmt: skip
    body = messages.envelope(context, **message)
    inbox = InboxMessage.objects.create(
        sender_id=BAP["bap_id"],
        action=action,
        message_id=context.message_id,
        transaction_id=tx,
        domain="ONDC:RET10",
        body=body,
    )
    do_process_inbox(inbox.pk)
    answer = OutboxMessage.objects.filter(message_id=context.message_id).get()
    assert answer.url == f"{BAP['bap_uri']}/on_{action}"
    reply = answer.body
    assert (reply["context"]["action"], reply["context"]["message_id"]) == (
        f"on_{action}",
        context.message_id,
    )
    assert reply["context"]["timestamp"] > body["context"]["timestamp"]
    if BECKN.exists() and "error" not in reply:
        assert ondc_errors(reply) == []
    return reply


def _items(node, bread: int = 2, jam: int = 0):
    items = [{"id": str(node["bread"].pk), "quantity": {"count": bread}}]
    if jam:
        items.append({"id": str(node["jam"].pk), "quantity": {"count": jam}})
    return items


def _order(node, **extra):
    return {
        "provider": {"id": node["shop"].ref},
        "items": _items(node),
        "fulfillments": [{"end": {"location": DROP}}],
        **extra,
    }


def _init_order(node):
    billing = {"name": "Ada Martin", "address": BUYER_PLACE, "phone": "0600000000", "email": "ada@example.org",
               "created_at": "2026-03-02T09:00:00.000Z", "updated_at": "2026-03-02T09:00:00.000Z"}  # fmt: skip
    drop = {"id": f"F-{node['shop'].ref}", "type": "Delivery", "end": {
        "location": {"gps": DROP["gps"], "address": BUYER_PLACE}, "contact": {"phone": "0600000000", "email": "ada@example.org"}}}  # fmt: skip
    return {
        "provider": {"id": node["shop"].ref},
        "items": _items(node),
        "billing": billing,
        "fulfillments": [drop],
    }


def test_full_and_incremental_catalog(node):
    full = _ask("search", intent={"fulfillment": {"type": "Delivery"}})
    provider = full["message"]["catalog"]["bpp/providers"][0]
    assert provider["id"] == node["shop"].ref
    assert sorted(item["descriptor"]["name"] for item in provider["items"]) == ["Confiture", "Pain complet"]
    bread = next(item for item in provider["items"] if item["id"] == str(node["bread"].pk))
    assert (bread["price"]["value"], bread["quantity"]["available"]["count"]) == ("2.40", "10")
    start = timezone.now() - timedelta(minutes=1)
    node["bread"].name_fr = "Pain complet bio"
    node["bread"].save()
    window = {"code": "catalog_inc", "list": [{"code": "start_time", "value": messages.timestamp(start)},
                                               {"code": "end_time", "value": messages.timestamp(timezone.now() + timedelta(seconds=1))}]}  # fmt: skip
    node["jam"].__class__.objects.filter(pk=node["jam"].pk).update(updated=start - timedelta(hours=1))
    incremental = _ask("search", tx="t-2", intent={"tags": [window]})
    names = [
        item["descriptor"]["name"] for item in incremental["message"]["catalog"]["bpp/providers"][0]["items"]
    ]
    assert names == ["Pain complet bio"]


def test_select_quotes_like_checkout_and_adds_up(node):
    reply = _ask("select", order=_order(node))
    quote = Quote.model_validate(reply["message"]["order"]["quote"])
    assert messages.quote_problems(quote) == []
    lines = [(line.title_type, line.price.value) for line in quote.breakup]
    # 2 × 2.40 goods; delivery: the governed flat fee; coop: the governed percent of goods
    assert lines[0] == ("item", "4.80")
    assert [kind for kind, _ in lines] == ["item", "delivery", "tax", "misc"]
    assert lines[2] == ("tax", "0.00")  # French VAT is inside the prices (its amount is in the tags)
    assert Decimal(quote.price.value) == sum(Decimal(value) for _, value in lines)
    assert reply["message"]["order"]["fulfillments"][0]["state"]["descriptor"]["code"] == "Serviceable"


def test_out_of_stock_select_says_which_item(node):
    order = _order(node)
    order["items"] = _items(node, bread=1, jam=3)
    reply = _ask("select", order=order)
    assert reply["error"]["code"] == "40002"
    assert str(node["jam"].pk) in reply["error"]["message"]
    jam_line = next(
        line
        for line in reply["message"]["order"]["quote"]["breakup"]
        if line["@ondc/org/item_id"] == str(node["jam"].pk)
    )
    assert jam_line["item"]["quantity"]["available"]["count"] == "1"


def test_unknown_provider_or_item_is_refused_with_a_reason(node):
    assert (
        "unknown provider nowhere"
        in _ask("select", order={**_order(node), "provider": {"id": "nowhere"}})["error"]["message"]
    )
    bad = _order(node)
    bad["items"] = [{"id": "999999", "quantity": {"count": 1}}]
    assert "items not sold by" in _ask("select", tx="t-3", order=bad)["error"]["message"]


def test_order_to_delivery_through_orders_services_with_status_pushes(node):
    select = _ask("select", order=_order(node))
    init = _ask("init", order=_init_order(node))
    assert init["message"]["order"]["quote"] == select["message"]["order"]["quote"] | {
        "breakup": init["message"]["order"]["quote"]["breakup"]
    }
    assert init["message"]["order"]["quote"]["price"] == select["message"]["order"]["quote"]["price"]
    payment = init["message"]["order"]["payment"]
    assert {
        "@ondc/org/settlement_basis",
        "@ondc/org/settlement_window",
        "@ondc/org/settlement_details",
    } <= set(payment)
    confirm_order = {**_init_order(node), "id": "A-1", "state": "Created", "quote": init["message"]["order"]["quote"],
                     "payment": {**payment, "status": "NOT-PAID"}, "created_at": "2026-03-02T09:01:00.000Z",
                     "updated_at": "2026-03-02T09:01:00.000Z"}  # fmt: skip
    confirmed = _ask("confirm", order=confirm_order)
    order = Order.objects.get()
    assert (order.goods_cents, order.payment_method, order.email) == (480, "buyer_app", "ada@example.org")
    assert node["bread"].__class__.objects.get(pk=node["bread"].pk).stock == 8  # reserved by checkout
    assert confirmed["message"]["order"]["id"] == "A-1"
    assert confirmed["message"]["order"]["quote"]["price"] == init["message"]["order"]["quote"]["price"]
    assert Decimal(confirmed["message"]["order"]["quote"]["price"]["value"]) * 100 == order.total_cents
    assert (
        confirmed["message"]["order"]["state"],
        confirmed["message"]["order"]["fulfillments"][0]["state"]["descriptor"]["code"],
    ) == ("Created", "Pending")
    again = _ask("confirm", order=confirm_order)  # a repeated confirm (new message id) returns the same order
    assert again["message"]["order"]["id"] == "A-1" and Order.objects.count() == 1

    shop_order = ShopOrder.objects.get()
    states = []
    for act in (
        lambda: do_accept_shop_order(shop_order.pk, actor=None),
        lambda: do_prepare_shop_order(shop_order.pk, actor=None),
        lambda: do_hand_over(shop_order.pk, to="courier", actor=None),
        lambda: do_notify_out_for_delivery(order.pk),
        lambda: do_mark_delivered(order.pk, proof="signature"),
    ):
        act()
        assert seller.do_push_status_changes() == 1
        push = OutboxMessage.objects.filter(action="on_status").latest("pk").body
        assert not BECKN.exists() or ondc_errors(push) == []
        states.append(
            (
                push["message"]["order"]["state"],
                push["message"]["order"]["fulfillments"][0]["state"]["descriptor"]["code"],
            )
        )
        assert push["message"]["order"]["quote"] == confirmed["message"]["order"]["quote"]
    assert states == [
        ("Accepted", "Pending"), ("In-progress", "Packed"), ("In-progress", "Order-picked-up"),
        ("In-progress", "Out-for-delivery"), ("Completed", "Order-delivered"),
    ]  # fmt: skip
    assert seller.do_push_status_changes() == 0  # nothing moved, nothing pushed
    status = _ask("status", order_id="A-1")
    assert status["message"]["order"]["state"] == "Completed"


def test_buyer_cancellation_with_reason_code(node):
    _ask("select", order=_order(node))
    init = _ask("init", order=_init_order(node))
    confirm_order = {**_init_order(node), "id": "A-2", "state": "Created", "quote": init["message"]["order"]["quote"],
                     "payment": init["message"]["order"]["payment"], "created_at": "2026-03-02T09:01:00.000Z",
                     "updated_at": "2026-03-02T09:01:00.000Z"}  # fmt: skip
    _ask("confirm", order=confirm_order)
    refused = _ask("cancel", order_id="A-2", cancellation_reason_id="052")
    assert "not a buyer reason code" in refused["error"]["message"]
    cancelled = _ask("cancel", order_id="A-2", cancellation_reason_id="003")
    assert cancelled["message"]["order"]["state"] == "Cancelled"
    assert cancelled["message"]["order"]["cancellation"] == {
        "cancelled_by": "node-a.example",
        "reason": {"id": "003"},
    }
    assert ShopOrder.objects.get().status == "cancelled"
    assert node["bread"].__class__.objects.get(pk=node["bread"].pk).stock == 10  # released by orders' service
    assert Transaction.objects.get(role="seller").pushed_state == "Cancelled:Cancelled"
    assert seller.do_push_status_changes() == 0


def test_init_is_refused_while_the_coop_has_no_bank_account(node, settings):
    settings.COMPTOIR_BANK_IBAN = ""
    _ask("select", order=_order(node))
    refused = _ask("init", order=_init_order(node))
    assert "bank account is not configured" in refused["error"]["message"]
    assert "order" not in refused["message"]


def test_a_large_catalog_comes_in_parts_answering_one_search(node, monkeypatch):
    monkeypatch.setattr(seller, "CATALOG_CHUNK", 1)
    context = messages.request_context(
        action="search",
        domain="ONDC:RET10",
        city="std:0381",
        moment=datetime.now(UTC),
        transaction_id="t-9",
        **BAP,
    )
    body = messages.envelope(context, intent={"fulfillment": {"type": "Delivery"}})
    inbox = InboxMessage.objects.create(
        sender_id=BAP["bap_id"],
        action="search",
        message_id=context.message_id,
        transaction_id="t-9",
        domain="ONDC:RET10",
        body=body,
    )
    assert do_process_inbox(inbox.pk) == "on_search: 2 offers in 2 messages"
    parts = OutboxMessage.objects.filter(message_id=context.message_id).order_by("pk")
    assert [p.body["context"]["message_id"] for p in parts] == [context.message_id] * 2
    names = [
        p.body["message"]["catalog"]["bpp/providers"][0]["items"][0]["descriptor"]["name"] for p in parts
    ]
    assert names == ["Pain complet", "Confiture"]


def test_update_is_answered_as_not_supported(node):
    reply = _ask("update", update_target="item", order={"id": "A-9"})
    assert reply["error"] == {
        "type": "DOMAIN-ERROR", "code": "40000", "message": "update is not supported by this seller yet; cancel and order again",
    }  # fmt: skip


def _confirm_order(node, init: dict, payment: dict, order_id: str) -> dict:
    return {**_init_order(node), "id": order_id, "state": "Created", "quote": init["message"]["order"]["quote"],
            "payment": payment, "created_at": "2026-03-02T09:01:00.000Z", "updated_at": "2026-03-02T09:01:00.000Z"}  # fmt: skip


def test_paying_our_courier_at_the_door_is_agreed_at_init_and_placed_as_on_handover(node):
    _ask("select", order=_order(node))
    at_the_door = {"type": "ON-FULFILLMENT", "collected_by": "BPP"}
    init = _ask("init", order={**_init_order(node), "payment": at_the_door})
    offered = init["message"]["order"]["payment"]
    assert (offered["type"], offered["collected_by"]) == ("ON-FULFILLMENT", "BPP")
    total = init["message"]["order"]["quote"]["price"]["value"]

    prepaid = {**offered, "type": "ON-ORDER", "collected_by": "BAP", "status": "NOT-PAID"}
    refused = _ask("confirm", order=_confirm_order(node, init, prepaid, "A-3"))
    assert (
        refused["error"]["message"]
        == "the payment must be ON-FULFILLMENT collected by BPP, as agreed at init"
    )
    assert not Order.objects.exists()

    payment = {**offered, "status": "NOT-PAID", "params": {"amount": total, "currency": "EUR"}}
    confirmed = _ask("confirm", order=_confirm_order(node, init, payment, "A-3"))
    order = Order.objects.get()
    assert (order.payment_method, order.payment_status) == ("on_handover", "pending")
    said = confirmed["message"]["order"]["payment"]
    assert (said["type"], said["collected_by"], said["status"], said["params"]) == (
        "ON-FULFILLMENT", "BPP", "NOT-PAID", {"amount": total, "currency": "EUR"},
    )  # fmt: skip


def test_a_buyer_app_that_collects_leaves_the_resident_nothing_to_pay_us(node):
    _ask("select", order=_order(node))
    init = _ask("init", order=_init_order(node))  # no payment asked: the buyer app collects
    offered = init["message"]["order"]["payment"]
    assert (offered["type"], offered["collected_by"]) == ("ON-ORDER", "BAP")
    _ask("confirm", order=_confirm_order(node, init, {**offered, "status": "NOT-PAID"}, "A-4"))
    order = Order.objects.get()
    assert (order.payment_method, order.payment_status) == ("buyer_app", "pending")
    amount = f"{order.total_cents // 100},{order.total_cents % 100:02d}\u00a0€"
    assert order.payment_instructions == f"Vous payez {amount} au nœud où vous avez commandé, qui nous règle."


def test_payment_terms_we_do_not_offer_are_refused_at_init(node, settings):
    _ask("select", order=_order(node))
    refused = _ask(
        "init", order={**_init_order(node), "payment": {"type": "ON-ORDER", "collected_by": "BPP"}}
    )
    assert refused["error"]["message"] == "payment ON-ORDER collected by BPP is not offered here"
    settings.COMPTOIR_PAYMENT_METHODS = ["comptoir.orders.payments.BankTransfer"]
    refused = _ask(
        "init", order={**_init_order(node), "payment": {"type": "ON-FULFILLMENT", "collected_by": "BPP"}}
    )
    assert refused["error"]["message"] == "payment on delivery is not offered here"
    assert not Transaction.objects.filter(state__has_key="payment_terms").exists()


def test_our_own_checkout_never_takes_the_buyer_app_method(db):
    from comptoir.core.errors import InvalidInput
    from comptoir.orders.checkout import CheckoutRequest, _check_contact

    request = CheckoutRequest(email="ada@example.org", fulfilment={}, payment_method="buyer_app")
    with pytest.raises(InvalidInput) as refused:
        _check_contact(request)
    assert refused.value.details == {"field": "payment_method"}
    _check_contact(CheckoutRequest(**{**request.__dict__, "notes": {"protocol": "node-a.example"}}))
