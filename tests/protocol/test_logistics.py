"""Logistics role in process: our cooperative's zones, slots and fees answer an ONDC logistics search and
init (checked against ONDC's logistics OpenAPI) and refuse places outside our zones with 60001/60002;
confirm and what follows are in test_logistics_jobs.py."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from comptoir.delivery.booking import CoopDelivery
from comptoir.protocol.identity import do_generate_keys
from comptoir.protocol.models import InboxMessage, OutboxMessage, Transaction
from comptoir.protocol.services import do_process_inbox
from comptoir.protocol.wire import messages
from comptoir.protocol.wire.models import Quote
from tests.delivery.conftest import bike, depot, slot, tomorrow_at, zone  # noqa: F401  (fixtures)
from tests.protocol.shared import BECKN, ondc_errors

DOMAIN = "nic2004:60232"
SELLER_APP = {"bap_id": "seller-app.example", "bap_uri": "http://127.0.0.1:9/beckn"}
US = {"bpp_id": "comptoir.localhost", "bpp_uri": "http://127.0.0.1:8000/beckn"}
INSIDE, ALSO_INSIDE, OUTSIDE = "47.056000,6.004000", "47.060000,5.990000", "47.200000,6.300000"
PAYLOAD = {"weight": {"unit": "kilogram", "value": 2}, "category": "Grocery",
           "dimensions": {"length": {"unit": "centimeter", "value": 30}, "breadth": {"unit": "centimeter", "value": 20},
                          "height": {"unit": "centimeter", "value": 10}},
           "value": {"currency": "EUR", "value": "40.00"}, "dangerous_goods": False}  # fmt: skip
PLACE = {"name": "Boulangerie du Pont", "building": "3", "locality": "Grande Rue", "city": "Val-sur-Loue",
         "state": "Doubs", "country": "FRA", "area_code": "25000"}  # fmt: skip
CONTACT = {"phone": "0381000000", "email": "pont@example.org"}


@pytest.fixture
def coop(settings, tmp_path, slot, bike):  # noqa: F811
    settings.COMPTOIR_HOME = tmp_path
    settings.COMPTOIR_DELIVERY_BOOKING = "comptoir.delivery.booking.CoopDelivery"
    do_generate_keys()
    return slot


def _ask(action: str, **message: Any) -> dict[str, Any]:
    context = messages.request_context(
        action=action, domain=DOMAIN, city="std:0381", moment=datetime.now(UTC), transaction_id="lt-1",
        **SELLER_APP, **({} if action == "search" else US),
    )  # fmt: skip
    body = messages.envelope(context, **message)
    inbox = InboxMessage.objects.create(sender_id=SELLER_APP["bap_id"], action=action, message_id=context.message_id,
                                        transaction_id="lt-1", domain=DOMAIN, body=body)  # fmt: skip
    do_process_inbox(inbox.pk)
    reply = OutboxMessage.objects.get(message_id=context.message_id).body
    assert (reply["context"]["action"], reply["context"]["domain"]) == (f"on_{action}", DOMAIN)
    if BECKN.exists() and "error" not in reply:  # ONDC's OpenAPI has no shape for an error-only callback
        assert ondc_errors(reply, logistics=True) == []
    return dict(reply)


def _search(
    pickup: str = INSIDE, drop: str = ALSO_INSIDE, payload: dict[str, Any] = PAYLOAD
) -> dict[str, Any]:
    return _ask("search", intent={
        "category": {"id": "Standard Delivery"}, "@ondc/org/payload_details": payload,
        "fulfillment": {"type": "Delivery", "start": {"location": {"gps": pickup, "address": {"area_code": "25000"}}},
                        "end": {"location": {"gps": drop, "address": {"area_code": "25000"}}}},
        "payment": {"type": "ON-ORDER"},
    })  # fmt: skip


def _fee(slot_pk: int) -> str:
    lat, lon = (float(x) for x in ALSO_INSIDE.split(","))
    option = next(
        o for o in CoopDelivery().slots_for(lat, lon, 2000, 6000, datetime.now(UTC)) if o.id == str(slot_pk)
    )
    return f"{option.fee.cents / 100:.2f}"


def test_a_search_in_our_zones_is_quoted_at_our_delivery_fee(coop):
    reply = _search()
    provider = reply["message"]["catalog"]["bpp/providers"][0]
    assert provider["id"] == "coop-delivery"
    [item] = provider["items"]
    assert (item["id"], item["category_id"], item["fulfillment_id"]) == (
        f"slot-{coop.pk}",
        "Next Day Delivery",
        "F-coop-delivery",
    )
    assert item["price"] == {"currency": "EUR", "value": _fee(coop.pk)}
    assert float(item["price"]["value"]) > 0
    assert item["time"]["timestamp"] == tomorrow_at(17).date().isoformat()


@pytest.mark.parametrize(
    ("pickup", "drop", "payload", "code"),
    [
        (OUTSIDE, ALSO_INSIDE, PAYLOAD, "60001"),
        (INSIDE, OUTSIDE, PAYLOAD, "60002"),
        (INSIDE, ALSO_INSIDE, {**PAYLOAD, "weight": {"unit": "kilogram", "value": 500}}, "60004"),
        ("", ALSO_INSIDE, PAYLOAD, "60006"),
    ],
)
def test_what_we_cannot_deliver_is_refused_with_ondc_codes(coop, pickup, drop, payload, code):
    reply = _search(pickup, drop, payload)
    assert reply["error"]["code"] == code and reply["error"]["type"] == "DOMAIN-ERROR"
    assert "catalog" not in reply["message"]
    assert not Transaction.objects.exists()


def _init(item_id: str) -> dict[str, Any]:
    stop = {"contact": CONTACT}
    return _ask("init", order={
        "provider": {"id": "coop-delivery"},
        "items": [{"id": item_id, "fulfillment_id": "F-coop-delivery", "category_id": "Next Day Delivery",
                   "descriptor": {"code": "P2P"}}],
        "fulfillments": [{"id": "F-coop-delivery", "type": "Delivery",
                          "start": {**stop, "location": {"gps": INSIDE, "address": PLACE}},
                          "end": {**stop, "location": {"gps": ALSO_INSIDE, "address": {**PLACE, "name": "Ada Martin"}}}}],
        "billing": {"name": "Seller app", "address": PLACE, "phone": "0381000000", "tax_number": "FR00000000000",
                    "created_at": "2026-03-02T09:00:00.000Z", "updated_at": "2026-03-02T09:00:00.000Z"},
        "payment": {"type": "ON-ORDER"},
        "@ondc/org/payload_details": PAYLOAD,
    })  # fmt: skip


def test_init_quotes_the_chosen_slot_again(coop):
    reply = _init(f"slot-{coop.pk}")
    order = reply["message"]["order"]
    fee = _fee(coop.pk)
    assert order["quote"]["price"] == {"currency": "EUR", "value": fee}
    assert [b["@ondc/org/title_type"] for b in order["quote"]["breakup"]] == ["delivery", "tax"]
    assert messages.quote_problems(Quote.model_validate(order["quote"])) == []
    assert order["fulfillments"][0]["start"]["location"]["gps"] == INSIDE


def test_init_of_a_slot_no_longer_offered_is_refused(coop):
    assert _init("slot-999999")["error"]["code"] == "60004"


def test_a_refusing_callback_passes_our_schema_only_with_a_coded_error():
    from comptoir.protocol.wire import validation

    context = messages.request_context(
        action="on_search", domain=DOMAIN, city="std:0381", moment=datetime.now(UTC), transaction_id="lt-2",
        **SELLER_APP, **US,
    ).dump()  # fmt: skip
    refusal = {"type": "DOMAIN-ERROR", "code": "60002", "message": "Dropoff location not serviceable"}
    assert validation.problems({"context": context, "message": {}, "error": refusal}) == []
    assert [str(p) for p in validation.problems({"context": context, "message": {}})] == [
        "message: 'catalog' is a required property"
    ]
    assert [
        str(p) for p in validation.problems({"context": context, "message": {}, "error": {"message": "no"}})
    ] == ["error: 'code' is a required property"]
