"""Logistics role (LSP, ONDC logistics 1.2.0, domain ``nic2004:60232``): the delivery cooperative
delivers for any seller app.

``search`` answers one offer per open slot of our planning at the drop, priced at cost (the
same fee our residents pay at checkout, from the delivery adapter); a pickup or a drop outside
our zones is refused with ONDC's 60001 / 60002, a parcel no vehicle can take or a full planning
with 60004. ``init`` quotes the chosen slot again for the full addresses and remembers the
quote; ``confirm`` books the job at that quote into the slot (delivery's ``outside_jobs``: its
own pickup place and code, capacity checked, all or nothing). ``status``, ``track`` and
``cancel`` follow the job (``logistics_orders.py`` writes the order and pushes each state).
``update`` takes what may change before pickup (ready to ship, the pickup code, the receiver's
contact, the parcel's size while its round is not planned); after pickup it is refused with 60007.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from comptoir.core.geo import point_in_polygon
from comptoir.delivery import outside_jobs
from comptoir.delivery.models import OutsideJob
from comptoir.delivery.outside_jobs import fee_taxes
from comptoir.ledger.postings import taxes_included
from comptoir.orders.delivery_port import SlotOption, delivery_booking
from comptoir.protocol.logistics_orders import (
    CANCEL_REASONS,
    FULFILLMENT_ID,
    PROVIDER_ID,
    NotServiceable,
    gps,
    grams,
    millilitres,
    read_confirm,
    read_update,
    remember_update,
    tracking,
    wire_order,
)
from comptoir.protocol.models import InboxMessage, Transaction
from comptoir.protocol.seller import _reply
from comptoir.protocol.services import handles
from comptoir.protocol.wire import messages
from comptoir.protocol.wire.durations import format_duration
from comptoir.protocol.wire.messages import timestamp
from comptoir.protocol.wire.models import Context

DOMAIN = messages.LOGISTICS
SLOTS_OFFERED = 4  # the next open slots at the drop, one offer each
QUOTE_TTL = timedelta(minutes=15)  # as the quote's ttl says: a confirm after it is refused


@dataclass(frozen=True)
class Job:
    """What a logistics request asks: a pickup and a drop, and the parcel's size."""

    pickup: tuple[float, float]
    drop: tuple[float, float]
    weight_g: int
    volume_ml: int


def read_job(fulfillment: dict[str, Any], payload: dict[str, Any]) -> Job:
    return Job(
        pickup=gps(fulfillment.get("start") or {}, "pickup"),
        drop=gps(fulfillment.get("end") or {}, "drop"),
        weight_g=grams(payload),
        volume_ml=millilitres(payload),
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


def _tax_cents(fee_cents: int, now: datetime) -> int:
    """The taxes inside our fee, shown as the quote's tax line (the books split the fee the same way)."""
    return sum(taxes_included(fee_cents, fee_taxes(now)).values())  # type: ignore[arg-type]


def _quote(slot: SlotOption, item_id: str, now: datetime) -> dict[str, Any]:
    tax = _tax_cents(slot.fee.cents, now)

    def price(cents: int) -> dict[str, str]:
        return {"currency": slot.fee.currency, "value": f"{cents / 100:.2f}"}

    return {"price": _price(slot), "ttl": "PT15M", "breakup": [
        {"@ondc/org/item_id": item_id, "@ondc/org/title_type": "delivery", "price": price(slot.fee.cents - tax)},
        {"@ondc/org/item_id": item_id, "@ondc/org/title_type": "tax", "price": price(tax)}]}  # fmt: skip


def _transaction(inbox: InboxMessage) -> Transaction:
    context = Context.model_validate(inbox.body["context"])
    found, _created = Transaction.objects.get_or_create(
        role=Transaction.Role.LOGISTICS, transaction_id=context.transaction_id,
        defaults={"domain": context.domain, "city": context.city or "", "bap_id": context.bap_id or "",
                  "bap_uri": context.bap_uri or "", "bpp_id": context.bpp_id or "", "bpp_uri": context.bpp_uri or ""},
    )  # fmt: skip
    return found


@handles("init", domain=DOMAIN)
def handle_init(inbox: InboxMessage) -> str:
    order = inbox.body["message"]["order"]
    now = timezone.now()
    fulfillment = (order.get("fulfillments") or [{}])[0]
    wanted = str((order.get("items") or [{}])[0].get("id", ""))
    payload = order.get("@ondc/org/payload_details") or {}
    try:
        job = read_job(fulfillment, payload)
        slot = next((s for s in open_slots(job, now) if f"slot-{s.id}" == wanted), None)
        if slot is None:
            raise NotServiceable("60004", f"Delivery Partners not available: {wanted} is no longer offered")
    except NotServiceable as refusal:
        return _refuse(inbox, refusal)
    item = _item(slot, now)
    items = [{"id": item["id"], "fulfillment_id": FULFILLMENT_ID, "category_id": item["category_id"],
              "descriptor": {"code": "P2P"}}]  # fmt: skip
    reply = {
        "provider": {"id": PROVIDER_ID},
        "items": items,
        "fulfillments": [{**{k: v for k, v in fulfillment.items() if k in ("start", "end", "type")},
                          "id": FULFILLMENT_ID, "type": "Delivery"}],
        "quote": _quote(slot, item["id"], now),
        "payment": {"type": "ON-ORDER", "collected_by": "BAP", "@ondc/org/settlement_details": []},
    }  # fmt: skip
    if order.get("billing"):
        reply["billing"] = order["billing"]
    with transaction.atomic():
        tx = _transaction(inbox)
        if tx.order_ref:
            return _refuse(inbox, NotServiceable("65001", f"transaction already confirmed as {tx.order_ref}"))
        tx.state = {"slot_id": int(slot.id), "item": items[0], "quote": reply["quote"], "payload": payload,
                    "fee_cents": slot.fee.cents, "currency": slot.fee.currency,
                    "quoted_until": (now + QUOTE_TTL).isoformat(),
                    "country": Context.model_validate(inbox.body["context"]).country}  # fmt: skip
        tx.save(update_fields=["state", "updated"])
        _reply(inbox, order=reply)
    return f"on_init: {item['id']} quoted {_price(slot)['value']}"


REFUSALS = {  # delivery's reasons → ONDC logistics error codes
    "invalid": "60006", "duplicate": "65001", "no_slot": "60004", "closed": "60004", "full": "60004",
    "too_big": "60004", "pickup_outside": "60001", "drop_outside": "60002", "unknown": "60006",
    "not_cancellable": "60007", "picked_up": "60007", "not_updatable": "60007", "planned": "40001",
}  # fmt: skip


def _confirmed(inbox: InboxMessage, order_id: str) -> tuple[Transaction, OutsideJob] | None:
    context = Context.model_validate(inbox.body["context"])
    tx = Transaction.objects.filter(
        role=Transaction.Role.LOGISTICS, order_ref=order_id, bap_id=context.bap_id or ""
    ).first()
    job = outside_jobs.outside_job(tx.bap_id, tx.order_ref) if tx else None
    return (tx, job) if tx and job else None


@handles("confirm", domain=DOMAIN)
def handle_confirm(inbox: InboxMessage) -> str:
    order = inbox.body["message"]["order"]
    order_id = str(order.get("id") or "")
    context = Context.model_validate(inbox.body["context"])
    tx = (  # locked: two confirms of one transaction book once, the second answers as the first
        Transaction.objects.select_for_update()
        .filter(
            role=Transaction.Role.LOGISTICS,
            transaction_id=context.transaction_id,
            bap_id=context.bap_id or "",
        )
        .first()
    )
    if tx is not None and tx.order_ref:
        found = _confirmed(inbox, tx.order_ref)
        if (
            tx.order_ref == order_id and found
        ):  # the same confirm again: the same answer, nothing booked twice
            _reply(inbox, order=wire_order(tx, found[1]))
            return f"on_confirm: {order_id} already booked"
        return _refuse(inbox, NotServiceable("65001", f"transaction already confirmed as {tx.order_ref}"))
    try:
        job_in = read_confirm(tx, order, timezone.now())
        with transaction.atomic():
            job = outside_jobs.do_book_outside_job(job_in)
            assert tx is not None
            tx.order_ref = order_id
            tx.state = {**tx.state, "order": {k: v for k, v in order.items() if k not in ("state", "quote")},
                        "confirmed_at": timestamp(timezone.now())}  # fmt: skip
            tx.pushed_state = "Accepted:Pending"
            tx.save(update_fields=["order_ref", "state", "pushed_state", "updated"])
            _reply(inbox, order=wire_order(tx, job))
    except NotServiceable as refusal:
        return _refuse(inbox, refusal)
    except outside_jobs.JobRefused as refusal:
        return _refuse(inbox, NotServiceable(REFUSALS[refusal.reason], refusal.message))
    return f"on_confirm: {order_id} booked in slot {job_in.slot_id}"


@handles("status", domain=DOMAIN)
def handle_status(inbox: InboxMessage) -> str:
    found = _confirmed(inbox, str(inbox.body["message"].get("order_id", "")))
    if found is None:
        return _refuse(inbox, NotServiceable("60006", "no such logistics order"))
    tx, job = found
    _reply(inbox, order=wire_order(tx, job))
    return f"on_status: {tx.order_ref}"


@handles("track", domain=DOMAIN)
def handle_track(inbox: InboxMessage) -> str:
    found = _confirmed(inbox, str(inbox.body["message"].get("order_id", "")))
    if found is None:
        return _refuse(inbox, NotServiceable("60006", "no such logistics order"))
    tx, job = found
    _reply(inbox, tracking=tracking(job))
    return f"on_track: {tx.order_ref}"


@handles("cancel", domain=DOMAIN)
def handle_cancel(inbox: InboxMessage) -> str:
    message = inbox.body["message"]
    reason = str(message.get("cancellation_reason_id", ""))
    found = _confirmed(inbox, str(message.get("order_id", "")))
    if found is None:
        return _refuse(inbox, NotServiceable("60006", "no such logistics order"))
    tx, job = found
    if reason not in CANCEL_REASONS:
        return _refuse(inbox, NotServiceable("60006", f"cancellation reason {reason!r} is not one we accept"))
    try:
        with transaction.atomic():
            job = outside_jobs.do_cancel_outside_job(tx.bap_id, tx.order_ref)
            tx.state = {**tx.state, "cancellation": {"reason": reason, "by": tx.bap_id}}
            tx.pushed_state = "Cancelled:Cancelled"
            tx.save(update_fields=["state", "pushed_state", "updated"])
            _reply(inbox, order=wire_order(tx, job))
    except outside_jobs.JobRefused as refusal:
        return _refuse(inbox, NotServiceable(REFUSALS[refusal.reason], refusal.message))
    return f"on_cancel: {tx.order_ref} cancelled ({reason})"


@handles("update", domain=DOMAIN)
def handle_update(inbox: InboxMessage) -> str:
    """Before pickup: ready to ship, the pickup code, the receiver's contact, the parcel's size (same fee)."""
    message = inbox.body["message"]
    found = _confirmed(inbox, str((message.get("order") or {}).get("id", "")))
    if found is None:
        return _refuse(inbox, NotServiceable("60006", "no such logistics order"))
    tx, job = found
    try:
        change = read_update(message, job)
        with transaction.atomic():
            job = outside_jobs.do_update_outside_job(tx.bap_id, tx.order_ref, change)
            remember_update(tx, message)
            tx.save(update_fields=["state", "updated"])
            _reply(inbox, order=wire_order(tx, job))
    except NotServiceable as refusal:
        return _refuse(inbox, refusal)
    except outside_jobs.JobRefused as refusal:
        return _refuse(inbox, NotServiceable(REFUSALS[refusal.reason], refusal.message))
    return f"on_update: {tx.order_ref} updated"
