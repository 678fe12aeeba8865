"""Logistics role (LSP, ONDC logistics 1.2.0, domain ``nic2004:60232``): the delivery cooperative
quotes a pickup and a drop for any seller app.

Built: ``search`` answers one offer per open slot of our planning at the drop, priced at cost
(the same fee our residents pay at checkout, from the delivery adapter); a pickup or a drop
outside our zones is refused with ONDC's 60001 / 60002, a parcel no vehicle can take or a full
planning with 60004. ``init`` quotes the chosen slot again for the full addresses.

**Not built yet**: ``confirm`` — a delivery job for another node's seller does not fit our
planning, whose bookings are tied to our orders and parcels to our shops; it is refused with
ONDC's 65001 and says why, so the seller app books another provider. ``status``, ``track``,
``cancel`` and ``update`` therefore know no job and answer 40001 (action not applicable).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from comptoir.core.geo import point_in_polygon
from comptoir.orders.delivery_port import SlotOption, delivery_booking
from comptoir.protocol.models import InboxMessage
from comptoir.protocol.seller import _reply
from comptoir.protocol.services import handles
from comptoir.protocol.wire import messages
from comptoir.protocol.wire.durations import format_duration

DOMAIN = messages.LOGISTICS
PROVIDER_ID = "coop-delivery"
FULFILLMENT_ID = "F-coop-delivery"
SLOTS_OFFERED = 4  # the next open slots at the drop, one offer each


class NotServiceable(Exception):
    def __init__(self, code: str, text: str) -> None:
        super().__init__(text)
        self.code, self.text = code, text


@dataclass(frozen=True)
class Job:
    """What a logistics request asks: a pickup and a drop, and the parcel's size."""

    pickup: tuple[float, float]
    drop: tuple[float, float]
    weight_g: int
    volume_ml: int


def _gps(stop: dict[str, Any], which: str) -> tuple[float, float]:
    raw = str(stop.get("location", {}).get("gps", ""))
    try:
        lat, lon = (float(part) for part in raw.split(","))
    except ValueError:
        raise NotServiceable("60006", f'the {which} location has no gps ("lat,lon")') from None
    return lat, lon


def _grams(payload: dict[str, Any]) -> int:
    weight = payload.get("weight") or {}
    value = float(weight.get("value") or 0)
    return round(value * (1000 if weight.get("unit", "kilogram") == "kilogram" else 1))


def _millilitres(payload: dict[str, Any]) -> int:
    dims = payload.get("dimensions") or {}
    sides = [float((dims.get(side) or {}).get("value") or 0) for side in ("length", "breadth", "height")]
    return round(sides[0] * sides[1] * sides[2])  # cm³ = ml


def read_job(fulfillment: dict[str, Any], payload: dict[str, Any]) -> Job:
    return Job(
        pickup=_gps(fulfillment.get("start") or {}, "pickup"),
        drop=_gps(fulfillment.get("end") or {}, "drop"),
        weight_g=_grams(payload),
        volume_ml=_millilitres(payload),
    )


def open_slots(job: Job, now: datetime) -> list[SlotOption]:
    """Our slots that can take this job, or the ONDC refusal that says why none can."""
    booking = delivery_booking()
    areas = booking.area()  # an adapter without zones (fixed slots) delivers wherever it is asked

    def served(point: tuple[float, float]) -> bool:
        # ServedArea rings are (lat, lon); point_in_polygon takes GeoJSON's (lon, lat)
        return not areas or any(
            point_in_polygon(point[0], point[1], [(lon, lat) for lat, lon in area.ring]) for area in areas
        )

    if not served(job.pickup):
        raise NotServiceable("60001", "Pickup location not serviceable by Logistics Provider")
    if not served(job.drop):
        raise NotServiceable("60002", "Dropoff location not serviceable by Logistics Provider")
    slots = [s for s in booking.slots_for(*job.drop, job.weight_g, job.volume_ml, now) if s.remaining > 0]
    if not slots:
        raise NotServiceable("60004", "Delivery Partners not available (no open slot can take this parcel)")
    return slots[:SLOTS_OFFERED]


def _category(slot: SlotOption, now: datetime) -> str:
    days = (timezone.localdate(slot.starts) - timezone.localdate(now)).days
    return "Same Day Delivery" if days == 0 else "Next Day Delivery" if days == 1 else "Standard Delivery"


def _price(slot: SlotOption) -> dict[str, str]:
    return {"currency": slot.fee.currency, "value": f"{slot.fee.cents / 100:.2f}"}


def _item(slot: SlotOption, now: datetime) -> dict[str, Any]:
    tat = format_duration(max(slot.ends - now, timedelta(0)))
    name = f"{slot.label}"
    return {
        "id": f"slot-{slot.id}", "parent_item_id": "", "category_id": _category(slot, now),
        "fulfillment_id": FULFILLMENT_ID,
        "descriptor": {"code": "P2P", "name": name, "short_desc": name,
                       "long_desc": "Cooperative courier round; fee at cost (shared by the round's deliveries)"},
        "price": _price(slot),
        "time": {"label": "TAT", "duration": tat, "timestamp": slot.starts.date().isoformat()},
    }  # fmt: skip


def on_search_catalog(slots: list[SlotOption], now: datetime) -> dict[str, Any]:
    name = settings.COMPTOIR_NODE_NAME
    categories = sorted({_category(slot, now) for slot in slots})
    return {
        "bpp/descriptor": {"name": name},
        "bpp/providers": [{
            "id": PROVIDER_ID,
            "descriptor": {"name": name, "short_desc": "Delivery cooperative", "long_desc": "Delivery cooperative"},
            "categories": [{"id": c, "time": {"label": "TAT", "duration": "P1D",
                                              "timestamp": now.date().isoformat()}} for c in categories],
            "fulfillments": [{"id": FULFILLMENT_ID, "type": "Delivery",
                              "start": {"time": {"duration": "PT1H"}}}],
            "items": [_item(slot, now) for slot in slots],
        }],
    }  # fmt: skip


def _refuse(inbox: InboxMessage, refusal: NotServiceable) -> str:
    _reply(inbox, error={"type": "DOMAIN-ERROR", "code": refusal.code, "message": refusal.text})
    return f"on_{inbox.action} refused: {refusal.code} {refusal.text}"


@handles("search", domain=DOMAIN)
def handle_search(inbox: InboxMessage) -> str:
    intent = inbox.body["message"].get("intent") or {}
    now = timezone.now()
    try:
        job = read_job(intent.get("fulfillment") or {}, intent.get("@ondc/org/payload_details") or {})
        slots = open_slots(job, now)
    except NotServiceable as refusal:
        return _refuse(inbox, refusal)
    _reply(inbox, catalog=on_search_catalog(slots, now))
    return f"on_search: {len(slots)} slots quoted"


@handles("init", domain=DOMAIN)
def handle_init(inbox: InboxMessage) -> str:
    order = inbox.body["message"]["order"]
    now = timezone.now()
    fulfillment = (order.get("fulfillments") or [{}])[0]
    wanted = str((order.get("items") or [{}])[0].get("id", ""))
    try:
        job = read_job(fulfillment, order.get("@ondc/org/payload_details") or {})
        slot = next((s for s in open_slots(job, now) if f"slot-{s.id}" == wanted), None)
        if slot is None:
            raise NotServiceable("60004", f"Delivery Partners not available: {wanted} is no longer offered")
    except NotServiceable as refusal:
        return _refuse(inbox, refusal)
    item = _item(slot, now)
    zero = {"currency": slot.fee.currency, "value": "0.00"}
    reply = {
        "provider": {"id": PROVIDER_ID},
        "items": [{"id": item["id"], "fulfillment_id": FULFILLMENT_ID, "category_id": item["category_id"],
                   "descriptor": {"code": "P2P"}}],
        "fulfillments": [{**{k: v for k, v in fulfillment.items() if k in ("start", "end", "type")},
                          "id": FULFILLMENT_ID, "type": "Delivery"}],
        "quote": {"price": _price(slot), "ttl": "PT15M", "breakup": [
            {"@ondc/org/item_id": item["id"], "@ondc/org/title_type": "delivery", "price": _price(slot)},
            {"@ondc/org/item_id": item["id"], "@ondc/org/title_type": "tax", "price": zero}]},
        "payment": {"type": "ON-ORDER", "collected_by": "BAP", "@ondc/org/settlement_details": []},
    }  # fmt: skip
    if order.get("billing"):
        reply["billing"] = order["billing"]
    _reply(inbox, order=reply)
    return f"on_init: {item['id']} quoted {_price(slot)['value']}"


@handles("confirm", domain=DOMAIN)
def handle_confirm(inbox: InboxMessage) -> str:
    return _refuse(inbox, NotServiceable(
        "65001", "Logistics Provider is unable to confirm the order: this cooperative does not yet take "
        "deliveries for other sellers into its rounds",
    ))  # fmt: skip


@handles("status", "track", "cancel", "update", domain=DOMAIN)
def handle_unknown_job(inbox: InboxMessage) -> str:
    return _refuse(
        inbox, NotServiceable("40001", f"{inbox.action}: this node has no logistics order to act on")
    )
