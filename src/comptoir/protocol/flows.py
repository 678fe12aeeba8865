"""ONDC retail 1.2.0 certification flows, played by this node as buyer app against a real seller node.

Each request is signed and posted over HTTP; each callback is read from our
inbox once the door has accepted it. Every message is written as one JSON file
named as in ONDC's log folders. The seller's shop and courier steps (accept,
pack, hand over, deliver) are run on the seller node by a command given by the
caller, so they go through that node's own services.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils import timezone

from comptoir.core.errors import ComptoirError
from comptoir.protocol import http
from comptoir.protocol.identity import Identity, load_identity
from comptoir.protocol.models import InboxMessage
from comptoir.protocol.wire import messages

DOMAIN = "ONDC:RET10"
CALLBACK_WAIT = 30.0  # seconds; generous for a loaded test machine (latencies are reported, not assumed)
BUYER_PLACE = {
    "name": "Ada Martin", "building": "12", "street": "rue des Granges", "locality": "Centre",
    "city": "Val-sur-Loue", "state": "Doubs", "country": "FRA", "area_code": "25000",
}  # fmt: skip
BUYER_GPS = "47.056000,6.004000"
CONTACT = {"phone": "0600000000", "email": "ada@example.org"}


@dataclass
class Play:
    me: Identity
    seller_id: str
    seller_url: str
    out: Path
    city: str
    act: Callable[[str, str], None]  # (order id, step) run on the seller node
    transaction_id: str = field(default_factory=messages.new_id)
    latencies: list[float] = field(default_factory=list)

    def context(self, action: str, **extra: Any) -> messages.Context:
        bpp = {} if action == "search" else {"bpp_id": self.seller_id, "bpp_uri": self.seller_url}
        return messages.request_context(
            action=action, domain=DOMAIN, city=self.city, bap_id=self.me.subscriber_id, bap_uri=self.me.url,
            moment=timezone.now(), transaction_id=self.transaction_id, **bpp, **extra,
        )  # fmt: skip

    def ask(self, name: str, action: str, **message: Any) -> dict[str, Any]:
        """Send one request, wait for its callback; write both files; return the callback."""
        body = messages.envelope(self.context(action), **message)
        started = time.perf_counter()
        reply = http.post_signed(f"{self.seller_url}/{action}", body, self.me, timeout=CALLBACK_WAIT)
        if not reply.acked:
            raise ComptoirError(f"{action} was not acknowledged: HTTP {reply.status} {reply.body}")
        self.write(name, body)
        callback = self.wait(action="on_" + action, message_id=body["context"]["message_id"])
        self.latencies.append(time.perf_counter() - started)
        self.write("on_" + name, callback)
        return callback

    def wait(self, *, action: str, message_id: str | None = None, state: str | None = None) -> dict[str, Any]:
        deadline = time.monotonic() + CALLBACK_WAIT
        while time.monotonic() < deadline:
            found = InboxMessage.objects.filter(action=action, transaction_id=self.transaction_id)
            if message_id:
                found = found.filter(message_id=message_id)
            for row in found.order_by("pk"):
                if state is None or _fulfillment_state(row.body) == state:
                    return dict(row.body)
            time.sleep(0.02)
        raise ComptoirError(f"no {action} {state or ''} within {CALLBACK_WAIT} s")

    def write(self, name: str, body: dict[str, Any]) -> None:
        (self.out / f"{name}.json").write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n")


def _fulfillment_state(body: dict[str, Any]) -> str:
    fulfillments = body.get("message", {}).get("order", {}).get("fulfillments") or [{}]
    return str(fulfillments[0].get("state", {}).get("descriptor", {}).get("code", ""))


def _search_intent() -> dict[str, Any]:
    return {
        "fulfillment": {"type": "Delivery"},
        "payment": {
            "@ondc/org/buyer_app_finder_fee_type": "percent",
            "@ondc/org/buyer_app_finder_fee_amount": "3",
        },
    }


def _pick(on_search: dict[str, Any], *, beyond_stock: bool = False) -> dict[str, Any]:
    provider = on_search["message"]["catalog"]["bpp/providers"][0]
    location = provider["locations"][0]["id"]
    stocked = [i for i in provider["items"] if int(i["quantity"]["available"]["count"]) >= 2]
    scarce = [i for i in provider["items"] if int(i["quantity"]["available"]["count"]) == 1]
    chosen = [(stocked[0], 2)] + ([(scarce[0], 3)] if beyond_stock and scarce else [])
    return {
        "provider": {"id": provider["id"], "locations": [{"id": location}]},
        "items": [{"id": i["id"], "quantity": {"count": n}, "location_id": location} for i, n in chosen],
        "fulfillments": [
            {"end": {"location": {"gps": BUYER_GPS, "address": {"area_code": BUYER_PLACE["area_code"]}}}}
        ],
    }


def _init(selection: dict[str, Any], on_select: dict[str, Any], moment: str) -> dict[str, Any]:
    fulfillment_id = on_select["message"]["order"]["fulfillments"][0]["id"]
    billing = {"address": BUYER_PLACE, "phone": CONTACT["phone"], "name": BUYER_PLACE["name"],
               "email": CONTACT["email"], "created_at": moment, "updated_at": moment}  # fmt: skip
    return {
        "provider": selection["provider"],
        "items": [{**item, "fulfillment_id": fulfillment_id} for item in selection["items"]],
        "billing": billing,
        "fulfillments": [{"id": fulfillment_id, "type": "Delivery", "end": {
            "contact": CONTACT, "location": {"gps": BUYER_GPS, "address": BUYER_PLACE}}}],
    }  # fmt: skip


def _confirm(init: dict[str, Any], on_init: dict[str, Any], moment: str) -> dict[str, Any]:
    offered = on_init["message"]["order"]
    payment = dict(offered["payment"])
    payment.update(
        status="PAID",
        params={"amount": offered["quote"]["price"]["value"], "currency": offered["quote"]["price"]["currency"],
                "transaction_id": secrets.token_hex(8)},
    )  # fmt: skip
    fulfillment = dict(init["fulfillments"][0])
    fulfillment["end"] = {**fulfillment["end"], "person": {"name": BUYER_PLACE["name"]}}
    fulfillment.update(tracking=False)
    return {
        "id": f"{moment[:10]}-{secrets.randbelow(10**6):06d}",
        "state": "Created",
        "provider": init["provider"],
        "items": [{k: v for k, v in item.items() if k != "location_id"} for item in init["items"]],
        "billing": init["billing"],
        "fulfillments": [fulfillment],
        "quote": offered["quote"],
        "payment": payment,
        "tags": offered.get("tags", [])
        + [{"code": "bap_terms", "list": [{"code": "tax_number", "value": "FR00000000000"}]}],
        "created_at": moment,
        "updated_at": moment,
    }


def _order_to_confirm(play: Play, *, out_of_stock_first: bool = False) -> dict[str, Any]:
    on_search = play.ask("search_full_catalog_refresh", "search", intent=_search_intent())
    if out_of_stock_first:
        play.ask("select_out_of_stock", "select", order=_pick(on_search, beyond_stock=True))
    selection = _pick(on_search)
    on_select = play.ask("select", "select", order=selection)
    init = _init(selection, on_select, messages.timestamp(timezone.now()))
    on_init = play.ask("init", "init", order=init)
    return play.ask("confirm", "confirm", order=_confirm(init, on_init, messages.timestamp(timezone.now())))


def flow_1(play: Play) -> None:
    """Full catalog, then the incremental refresh of what changed since."""
    since = timezone.now()
    play.ask("search_full_catalog_refresh", "search", intent=_search_intent())
    play.act("", "reprice")
    window = {"code": "catalog_inc", "list": [
        {"code": "start_time", "value": messages.timestamp(since)},
        {"code": "end_time", "value": messages.timestamp(timezone.now())}]}  # fmt: skip
    play.ask(
        "search_inc_refresh", "search", intent={"payment": _search_intent()["payment"], "tags": [window]}
    )


def flow_2(play: Play) -> None:
    """Order to delivery: each shop or courier step on the seller pushes an on_status."""
    order_id = _order_to_confirm(play)["message"]["order"]["id"]
    for step, state, name in [
        ("accept", "Pending", "on_status_pending"),
        ("prepare", "Packed", "on_status_packed"),
        ("hand-over", "Order-picked-up", "on_status_picked"),
        ("out", "Out-for-delivery", "on_status_out_for_delivery"),
        ("delivered", "Order-delivered", "on_status_delivered"),
    ]:
        play.act(order_id, step)
        play.write(name, play.wait(action="on_status", state=state))


def flow_3(play: Play) -> None:
    """Out of stock at select (40002), then the buyer selects what is there and orders it."""
    _order_to_confirm(play, out_of_stock_first=True)


def flow_4(play: Play) -> None:
    """The buyer cancels a confirmed order with an ONDC reason code."""
    order_id = _order_to_confirm(play)["message"]["order"]["id"]
    play.ask("cancel", "cancel", order_id=order_id, cancellation_reason_id="003")


FLOWS = {1: flow_1, 2: flow_2, 3: flow_3, 4: flow_4}


def play_flow(
    number: int, *, seller_id: str, seller_url: str, out: Path, city: str, act: Callable[[str, str], None]
) -> Play:
    if number not in FLOWS:
        raise ComptoirError(f"flows 1 to 4 are played; not {number}")
    out.mkdir(parents=True, exist_ok=True)
    play = Play(
        me=load_identity(),
        seller_id=seller_id,
        seller_url=seller_url.rstrip("/"),
        out=out,
        city=city,
        act=act,
    )
    FLOWS[number](play)
    return play
