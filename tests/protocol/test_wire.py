"""Wire core: examples round-trip, built messages validate (ONDC OpenAPI and our schemas), quotes add up."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from comptoir.protocol.wire import messages, retail, schemagen, validation
from comptoir.protocol.wire.models import Envelope
from tests.protocol.shared import example_files, load, needs_shared, ondc_errors, openapi_errors
from tests.protocol.wire_samples import BUYER, JAM, SHOP, T0, TERMS, basket

EXAMPLES = example_files()


@needs_shared
@pytest.mark.parametrize("path", EXAMPLES, ids=[f"{p.parent.name}/{p.name}" for p in EXAMPLES])
def test_every_example_parses_revalidates_and_reserialises_whole(path):
    raw = load(path)
    parsed = messages.parse(path.read_bytes())
    assert parsed.dump() == raw  # nothing lost, extra fields kept
    assert messages.parse(json.dumps(parsed.dump())).dump() == raw
    assert validation.problems(raw) == []


@needs_shared
def test_parsed_example_fields_are_typed():
    flow = next(
        p for p in EXAMPLES if p.parent.name == "ondc-ret10-1.2.0-flow-2" and p.name == "on_select.json"
    )
    parsed = messages.parse(flow.read_bytes())
    quote = parsed.message.order.quote
    assert quote.price.value == "963.00"
    assert [line.title_type for line in quote.breakup] == ["item", "item", "delivery", "misc"]
    assert quote.breakup[0].item_quantity.count == 2
    assert quote.breakup[0].item.quantity.available.count == "99"
    assert messages.quote_problems(quote) == []


def test_shipped_schemas_are_the_generated_ones():
    for action, schema in schemagen.all_schemas().items():
        shipped = json.loads((schemagen.SCHEMAS / f"{action}.json").read_text())
        assert shipped == schema, action


def _context(action, **extra):
    return messages.request_context(
        action=action,
        domain="ONDC:RET10",
        city="std:0478",
        bap_id="node-a.example",
        bap_uri="https://node-a.example/beckn",
        moment=T0,
        transaction_id="t-1",
        message_id="m-1",
        **extra,
    )


def _bpp():
    return {"bpp_id": "node-b.example", "bpp_uri": "https://node-b.example/beckn"}


def built_messages() -> list[dict]:
    moment = messages.timestamp(T0)
    search = messages.envelope(
        _context("search"),
        intent={
            "fulfillment": {"type": "Delivery"},
            "payment": {
                "@ondc/org/buyer_app_finder_fee_type": "percent",
                "@ondc/org/buyer_app_finder_fee_amount": "3",
            },
        },
    )
    on_search_ctx = messages.reply_context(Envelope.model_validate(search).context, moment=T0, **_bpp())
    catalog = retail.catalog(
        "Comptoir Lyon",
        [(SHOP, [retail.OfferInfo(**{**JAM.__dict__, "available": 3})])],
        moment=moment,
        currency="EUR",
        symbol=SHOP.symbol,
    )
    on_search = messages.envelope(on_search_ctx, catalog=catalog)
    b = basket()
    select = messages.envelope(
        _context("select", **_bpp()),
        order={
            "provider": {"id": SHOP.id, "locations": [{"id": b.location_id}]},
            "items": [{"id": "offer-7", "quantity": {"count": 2}, "location_id": b.location_id}],
            "fulfillments": [
                {"end": {"location": {"gps": BUYER.place.gps, "address": {"area_code": "69002"}}}}
            ],
        },
    )

    def reply(request):
        return messages.reply_context(Envelope.model_validate(request).context, moment=T0, **_bpp())

    on_select = messages.envelope(reply(select), order=retail.on_select_order(b))
    init = messages.envelope(_context("init", **_bpp()), order=retail.init_order(b, BUYER, moment=moment))
    on_init = messages.envelope(
        reply(init), order=retail.on_init_order(b, BUYER, TERMS, billed_at=moment, finder_fee="3")
    )
    common = {"billed_at": moment, "created_at": moment, "finder_fee": "3", "order_id": "B-0042"}
    confirm = messages.envelope(
        _context("confirm", **_bpp()),
        order=retail.confirmed_order(b, BUYER, TERMS, state="Created", updated_at=moment, **common),
    )
    on_confirm = messages.envelope(
        reply(confirm),
        order=retail.confirmed_order(
            b, BUYER, TERMS, state="Accepted", updated_at=moment, fulfillment_state="Pending", **common
        ),
    )
    status = messages.envelope(_context("status", **_bpp()), order_id="B-0042")
    on_status = messages.envelope(
        reply(status),
        order=retail.confirmed_order(
            b,
            BUYER,
            TERMS,
            state="Completed",
            updated_at=moment,
            fulfillment_state="Order-delivered",
            pickup=(moment, moment),
            delivery_window=(moment, moment),
            moments={"start": moment, "end": moment},
            **common,
        ),
    )
    track = messages.envelope(_context("track", **_bpp()), order_id="B-0042")
    on_track = messages.envelope(reply(track), tracking={"status": "inactive"})
    cancel = messages.envelope(_context("cancel", **_bpp()), order_id="B-0042", cancellation_reason_id="001")
    return [
        search,
        on_search,
        select,
        on_select,
        init,
        on_init,
        confirm,
        on_confirm,
        status,
        on_status,
        track,
        on_track,
        cancel,
    ]


@needs_shared
@pytest.mark.parametrize("index", range(13))
def test_built_messages_validate_against_ondc_openapi_and_our_schemas(index):
    message = built_messages()[index]
    assert ondc_errors(message) == []
    assert validation.problems(message) == []


def test_reply_context_pairs_ids_and_comes_later():
    request = _context("select", **_bpp())
    earlier = T0.replace(second=0, minute=0, hour=8)
    reply = messages.reply_context(request, moment=earlier, **_bpp())
    assert (reply.action, reply.transaction_id, reply.message_id) == ("on_select", "t-1", "m-1")
    assert reply.timestamp == "2026-03-02T09:00:00.001Z"
    with pytest.raises(messages.WireError, match="no callback"):
        messages.reply_context(reply, moment=T0, **_bpp())


def test_quote_adds_up_and_reports_stock():
    quote = retail.on_select_order(basket(3)).quote
    assert quote.price.value == "14.10"  # 3 × 3.20 + 4.50
    assert [(line.title_type, line.price.value) for line in quote.breakup] == [
        ("item", "9.60"),
        ("delivery", "4.50"),
    ]
    assert quote.breakup[0].item.quantity.available.count == "5"
    assert messages.quote_problems(quote) == []
    quote.breakup[0].price.value = "9.61"
    assert len(messages.quote_problems(quote)) == 2


def test_out_of_stock_selection_is_not_serviceable():
    empty = retail.Basket(
        shop=SHOP, lines=[(JAM, 1)], delivery_fee=Decimal("4.50"), currency="EUR", fulfillment_id="f"
    )
    order = retail.on_select_order(empty)
    assert order.fulfillments[0].state.descriptor.code == "Non-serviceable"
    assert order.quote.breakup[0].item.quantity.available.count == "0"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json", "not JSON"),
        (b"[1]", "not a JSON object"),
        (b'{"context": {"action": "search"}}', "context/domain"),
    ],
)
def test_unreadable_messages_are_refused_with_a_reason(body, reason):
    with pytest.raises(messages.WireError, match=reason):
        messages.parse(body)


def test_schema_problems_name_the_path():
    message = built_messages()[2]
    message["message"]["order"]["items"][0]["quantity"]["count"] = "two"
    message["context"]["core_version"] = "1.1.0"
    found = [str(p) for p in validation.problems(message)]
    assert found == [
        "context/core_version: '1.2.0' was expected",
        "message/order/items/0/quantity/count: 'two' is not of type 'integer'",
    ]
    assert [str(p) for p in validation.problems({"context": {"action": "dance"}})] == [
        "context/action: unknown action 'dance'"
    ]


@needs_shared
def test_the_openapi_check_does_catch_a_wrong_message():
    message = built_messages()[3]
    message["context"]["colour"] = "blue"
    message["message"]["order"]["quote"]["price"] = {"currency": "EUR", "value": 14}
    errors = openapi_errors(message)
    assert any("'colour' was unexpected" in e for e in errors)
    assert any("14 is not of type 'string'" in e for e in errors)
