"""Our node as a logistics buyer: it books a delivery with any logistics provider (ONDC logistics
1.2.0) and follows it.

``do_book_delivery`` plays search, init and confirm in one transaction, each step waiting for its
callback; ``do_follow_delivery`` sends status, track or cancel; ``delivery_states`` reads what the
provider said, in the order it said it. Callbacks are filed by the buyer role's door
(``buyer.handle_callback``): these functions only read them from the inbox. An operator drives it
with ``comptoir peers delivery-book`` / ``delivery-follow`` / ``delivery-states``; a shop order
outside our zones does not book through it by itself yet.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from comptoir.core.errors import ComptoirError
from comptoir.protocol import http
from comptoir.protocol.identity import load_identity
from comptoir.protocol.models import InboxMessage, Subscriber
from comptoir.protocol.wire import messages
from comptoir.protocol.wire.durations import format_duration


@dataclass(frozen=True)
class Place:
    """A pickup or a drop as the provider needs it: where, who, and the code the courier must hear."""

    gps: str  # "lat,lon"
    name: str
    phone: str
    address: dict[str, str] = field(default_factory=dict)  # building, locality, city, area_code…
    code: str = ""  # pickup: the code the seller gives the courier; drop: the receiver's (optional)
    email: str = ""

    def wire(self, *, pickup: bool) -> dict[str, Any]:
        stop: dict[str, Any] = {
            "person": {"name": self.name},
            "contact": {"phone": self.phone, **({"email": self.email} if self.email else {})},
            "location": {"gps": self.gps, "address": {"name": self.name, **self.address}},
        }
        if self.code and pickup:
            stop["instructions"] = {"code": "2", "short_desc": self.code, "long_desc": "Order pickup code."}
        elif self.code:
            stop["authorization"] = {"type": "OTP", "token": self.code}
        return stop


def _provider(lsp_id: str) -> Subscriber:
    provider = Subscriber.objects.filter(subscriber_id=lsp_id).order_by("pk").first()
    if provider is None:
        raise ComptoirError(f"unknown logistics provider {lsp_id}")
    return provider


def _ask(
    provider: Subscriber, action: str, transaction_id: str, wait: float, **message: Any
) -> dict[str, Any]:
    """Send one signed request and wait for its callback (same message id): the callback's body."""
    me = load_identity()
    context = messages.request_context(
        action=action, domain=messages.LOGISTICS, city=settings.COMPTOIR_PROTOCOL_CITY, bap_id=me.subscriber_id,
        bap_uri=me.url, moment=timezone.now(), transaction_id=transaction_id,
        ttl=format_duration(timedelta(seconds=max(1, round(wait)))),
        **({} if action == "search" else {"bpp_id": provider.subscriber_id, "bpp_uri": provider.url}),
    )  # fmt: skip
    reply = http.post_signed(
        f"{provider.url}/{action}", messages.envelope(context, **message), me, timeout=wait
    )
    if not reply.acked:
        raise ComptoirError(
            f"{provider.subscriber_id} refused {action}: HTTP {reply.status} {reply.body.get('error', '')}"
        )
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        found = InboxMessage.objects.filter(
            action=f"on_{action}", message_id=context.message_id, sender_id=provider.subscriber_id
        ).first()
        if found is not None:
            return dict(found.body)
        time.sleep(0.02)
    raise ComptoirError(f"{provider.subscriber_id} did not answer {action} within {wait:.0f} s")


def do_book_delivery(
    lsp_id: str, *, pickup: Place, drop: Place, weight_kg: float, order_id: str, dimensions_cm: tuple[int, int, int] = (30, 20, 10),
    item_id: str = "", billing_name: str = "", wait: float = 10.0,
) -> dict[str, Any]:  # fmt: skip
    """Search, init and confirm with one provider: {"transaction_id", "order" (on_confirm's), "error"}."""
    provider = _provider(lsp_id)
    transaction_id = messages.new_id()
    length, breadth, height = dimensions_cm
    payload = {"weight": {"unit": "kilogram", "value": weight_kg},
               "dimensions": {"length": {"unit": "centimeter", "value": length},
                              "breadth": {"unit": "centimeter", "value": breadth},
                              "height": {"unit": "centimeter", "value": height}}}  # fmt: skip
    fulfillment = {"type": "Delivery", "start": pickup.wire(pickup=True), "end": drop.wire(pickup=False)}
    found = _ask(provider, "search", transaction_id, wait, intent={
        "category": {"id": "Standard Delivery"}, "fulfillment": fulfillment, "@ondc/org/payload_details": payload,
    })  # fmt: skip
    if found.get("error"):
        return {"transaction_id": transaction_id, "order": None, "error": found["error"]}
    offers = [
        (p.get("id", ""), item)
        for p in found["message"]["catalog"].get("bpp/providers", [])
        for item in p.get("items", [])
    ]
    chosen = next(((p, i) for p, i in offers if not item_id or i["id"] == item_id), None)
    if chosen is None:
        return {"transaction_id": transaction_id, "order": None,
                "error": {"type": "DOMAIN-ERROR", "code": "60004", "message": f"{item_id or 'no offer'} not offered"}}  # fmt: skip
    provider_id, item = chosen
    billing = {"name": billing_name or settings.COMPTOIR_NODE_NAME, "phone": pickup.phone,
               "address": {"name": pickup.name, **pickup.address},
               "created_at": messages.timestamp(timezone.now()), "updated_at": messages.timestamp(timezone.now())}  # fmt: skip
    items = [{"id": item["id"], "fulfillment_id": item.get("fulfillment_id", ""), "category_id": item.get("category_id", ""),
              "descriptor": {"code": "P2P"}}]  # fmt: skip
    quoted = _ask(provider, "init", transaction_id, wait, order={
        "provider": {"id": provider_id}, "items": items,
        "fulfillments": [{**fulfillment, "id": item.get("fulfillment_id", "")}], "billing": billing,
        "payment": {"type": "ON-ORDER"}, "@ondc/org/payload_details": payload,
    })  # fmt: skip
    if quoted.get("error"):
        return {"transaction_id": transaction_id, "order": None, "error": quoted["error"]}
    now = messages.timestamp(timezone.now())
    confirmed = _ask(provider, "confirm", transaction_id, wait, order={
        "id": order_id, "state": "Created", "provider": {"id": provider_id}, "items": items,
        "quote": quoted["message"]["order"]["quote"],
        "fulfillments": [{**fulfillment, "id": item.get("fulfillment_id", "")}], "billing": billing,
        "payment": {"type": "ON-ORDER", "collected_by": "BAP"},
        "@ondc/org/linked_order": {"provider": {"descriptor": {"name": pickup.name}, "address": pickup.address},
                                   "order": {"id": order_id, **payload}, "items": []},
        "tags": [{"code": "bap_terms", "list": [{"code": "accept_bpp_terms", "value": "Y"}]}],
        "created_at": now, "updated_at": now,
    })  # fmt: skip
    return {
        "transaction_id": transaction_id,
        "order": confirmed["message"].get("order"),
        "error": confirmed.get("error"),
    }


def do_follow_delivery(
    lsp_id: str, transaction_id: str, order_id: str, action: str, *, reason: str = "", wait: float = 10.0
) -> dict[str, Any]:
    """status, track or cancel (with an ONDC reason code): the provider's callback body."""
    if action not in ("status", "track", "cancel"):
        raise ComptoirError(f"{action}: status, track or cancel")
    extra = {"cancellation_reason_id": reason} if action == "cancel" else {}
    return _ask(_provider(lsp_id), action, transaction_id, wait, order_id=order_id, **extra)


def delivery_states(transaction_id: str) -> list[dict[str, str]]:
    """Each state the provider reported for this delivery (on_confirm, on_status, on_cancel), in its order;
    `rto` is the return to origin's state when the provider started one."""
    rows = InboxMessage.objects.filter(
        transaction_id=transaction_id, action__in=("on_confirm", "on_status", "on_cancel")
    )
    said = []
    for row in rows:
        order = row.body.get("message", {}).get("order") or {}
        fulfillments = order.get("fulfillments") or [{}]
        code = [((f.get("state") or {}).get("descriptor") or {}).get("code", "") for f in fulfillments]
        rto = next((c for f, c in zip(fulfillments, code, strict=True) if f.get("type") == "RTO"), "")
        said.append({
            "at": row.body["context"]["timestamp"], "action": row.action, "order": order.get("state", ""),
            "fulfillment": code[0], "rto": rto,  # a return to origin: its own fulfillment's state
        })  # fmt: skip
    return sorted(said, key=lambda state: state["at"])
