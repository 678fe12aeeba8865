"""Logistics orders on the wire: a confirm read into delivery's job, the job written back as an
ONDC logistics order, and its states pushed to the seller app as they happen.

Delivery says where a job is in its own words (`outside_jobs.progress`: pending, assigned,
picked up…); the table below says what ONDC calls each. A push walks the states in order, so
a seller app sees Agent-assigned, Order-picked-up and Out-for-delivery even when the courier
went through two of them between two passes of the worker.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from comptoir.delivery import outside_jobs
from comptoir.delivery.models import OutsideJob
from comptoir.ledger.postings import taxes_included
from comptoir.protocol import outbox
from comptoir.protocol.identity import load_identity
from comptoir.protocol.models import Transaction
from comptoir.protocol.wire import messages
from comptoir.protocol.wire.messages import timestamp

PROVIDER_ID = "coop-delivery"
FULFILLMENT_ID = "F-coop-delivery"
# delivery's stage → (ONDC order state, ONDC fulfillment state)
STATES = {
    "pending": ("Accepted", "Pending"),
    "assigned": ("In-progress", "Agent-assigned"),
    "picked_up": ("In-progress", "Order-picked-up"),
    "out_for_delivery": ("In-progress", "Out-for-delivery"),
    "delivered": ("Completed", "Order-delivered"),
    "cancelled": ("Cancelled", "Cancelled"),
    "pickup_failed": ("In-progress", "Pickup-failed"),
    "delivery_failed": ("In-progress", "Delivery-failed"),
    # a return to origin: the order is cancelled, its delivery fulfillment too, an RTO fulfillment follows
    "rto_initiated": ("Cancelled", "RTO-Initiated"),
    "rto_delivered": ("Cancelled", "RTO-Delivered"),
    "rto_disposed": ("Cancelled", "RTO-Disposed"),
}
RTO_FULFILLMENT_ID = "F-coop-delivery-RTO"
# the courier's incident at the door → ONDC's cancellation reason (the LSP's side of the 01x codes)
RTO_REASONS = {"refused": "013", "absent": "015", "damaged": "016"}
FINAL = {":".join(STATES[stage]) for stage in ("delivered", *outside_jobs.ENDINGS)}
# what a seller app may give when it cancels a delivery it booked (ONDC cancellation codes)
CANCEL_REASONS = {
    "001": "Price of one or more items have changed due to which buyer was asked to make additional payment",
    "003": "Product available at lower than order price",
    "005": "Merchant rejected the order",
    "006": "Order not shipped as per buyer app SLA",
    "009": "Wrong delivery address",
    "010": "Buyer wants to modify address / other order details",
    "012": "Buyer does not want product any more",
}


class NotServiceable(Exception):
    def __init__(self, code: str, text: str) -> None:
        super().__init__(text)
        self.code, self.text = code, text


def gps(stop: dict[str, Any], which: str) -> tuple[float, float]:
    raw = str((stop.get("location") or {}).get("gps", ""))
    try:
        lat, lon = (float(part) for part in raw.split(","))
    except ValueError:
        raise NotServiceable("60006", f'the {which} location has no gps ("lat,lon")') from None
    return lat, lon


def grams(payload: dict[str, Any]) -> int:
    weight = payload.get("weight") or {}
    try:
        value = float(weight.get("value") or 0)
    except (TypeError, ValueError):
        raise NotServiceable("60006", "the parcel's weight is not a number") from None
    return round(value * (1000 if weight.get("unit", "kilogram") == "kilogram" else 1))


def millilitres(payload: dict[str, Any]) -> int:
    dims = payload.get("dimensions") or {}
    try:
        sides = [float((dims.get(side) or {}).get("value") or 0) for side in ("length", "breadth", "height")]
    except (TypeError, ValueError):
        raise NotServiceable("60006", "the parcel's dimensions are not numbers") from None
    return round(sides[0] * sides[1] * sides[2])  # cm³ = ml


def _address(stop: dict[str, Any]) -> str:
    address = (stop.get("location") or {}).get("address") or {}
    parts = [address.get(key) for key in ("building", "street", "locality", "city", "area_code")]
    return ", ".join(str(part).strip() for part in parts if part and str(part).strip())[:300]


def _place(stop: dict[str, Any], which: str, name: str = "") -> outside_jobs.Place:
    lat, lon = gps(stop, which)
    address = (stop.get("location") or {}).get("address") or {}
    contact = stop.get("contact") or {}
    instructions = stop.get("instructions") or {}
    return outside_jobs.Place(
        name=(name or (stop.get("person") or {}).get("name") or address.get("name") or "")[:150],
        address=_address(stop), lat=lat, lon=lon, phone=str(contact.get("phone") or "")[:32],
        email=str(contact.get("email") or "")[:254], instructions=str(instructions.get("long_desc") or "")[:300],
    )  # fmt: skip


def _code(stop: dict[str, Any]) -> str:
    """The code a person reads out: an authorization token, else the instructions' short text."""
    token = (stop.get("authorization") or {}).get("token")
    return str(token or (stop.get("instructions") or {}).get("short_desc") or "").strip()


def read_confirm(tx: Transaction | None, order: dict[str, Any], now: datetime) -> outside_jobs.JobIn:
    """A confirm checked against the quote of on_init, as delivery's job (or the refusal to send)."""
    if tx is None or not tx.state.get("quote"):
        raise NotServiceable(
            "65001", "Logistics Provider is unable to confirm the order: no init for this transaction"
        )
    if datetime.fromisoformat(tx.state["quoted_until"]) < now:
        raise NotServiceable(
            "65001", "Logistics Provider is unable to confirm the order: the quote has expired"
        )
    if not str(order.get("id") or "").strip():
        raise NotServiceable("60006", "the order needs an id")
    item = str((order.get("items") or [{}])[0].get("id", ""))
    if item != tx.state["item"]["id"]:
        raise NotServiceable(
            "65001", f"Logistics Provider is unable to confirm the order: {item} was not quoted"
        )
    price = ((order.get("quote") or {}).get("price") or {}).get("value")
    if price != tx.state["quote"]["price"]["value"]:
        raise NotServiceable(
            "65001", f"Logistics Provider is unable to confirm the order: the quote was {tx.state['quote']['price']['value']}, not {price}"
        )  # fmt: skip
    fulfillment = (order.get("fulfillments") or [{}])[0]
    start, end = fulfillment.get("start") or {}, fulfillment.get("end") or {}
    linked = order.get("@ondc/org/linked_order") or {}
    seller = ((linked.get("provider") or {}).get("descriptor") or {}).get("name", "")
    parcel = linked.get("order") or tx.state.get("payload") or {}
    pickup_code = _code(start)
    if not pickup_code:
        raise NotServiceable(
            "60006", "the pickup needs a code (start.authorization.token or start.instructions.short_desc)"
        )
    return outside_jobs.JobIn(
        client_id=tx.bap_id, client_ref=str(order["id"]).strip()[:100], slot_id=int(tx.state["slot_id"]),
        pickup=_place(start, "pickup", seller), drop=_place(end, "drop"), weight_g=grams(parcel),
        volume_ml=millilitres(parcel), fee_cents=int(tx.state["fee_cents"]), currency=tx.state["currency"],
        pickup_code=pickup_code, drop_code=str((end.get("authorization") or {}).get("token") or "").strip(),
        ready=ready_to_ship(fulfillment) is not False, collect_cents=collection(order, tx.state["currency"]),
    )  # fmt: skip


def collection(order: dict[str, Any], currency: str) -> int:
    """Cash on delivery: ONDC's payment type ON-FULFILLMENT with `@ondc/org/collection_amount`, in cents."""
    payment = order.get("payment") or {}
    raw = payment.get("@ondc/org/collection_amount")
    if payment.get("type") != "ON-FULFILLMENT":
        if raw not in (None, "", "0", "0.00"):
            raise NotServiceable("60006", "a collection amount needs the payment type ON-FULFILLMENT")
        return 0
    try:
        cents = Decimal(str(raw)) * 100
    except (InvalidOperation, ValueError):
        raise NotServiceable("60006", f"the collection amount {raw!r} is not an amount") from None
    if cents <= 0 or cents != cents.to_integral_value():
        raise NotServiceable("60006", f"the collection amount {raw!r} is not a positive amount in cents")
    params_currency = (payment.get("params") or {}).get("currency")
    if params_currency and params_currency != currency:
        raise NotServiceable("60006", f"we collect in {currency}, not {params_currency}")
    return int(cents)


def ready_to_ship(fulfillment: dict[str, Any]) -> bool | None:
    """ONDC's `state` tag group: ready_to_ship yes or no; None when the fulfillment does not say."""
    for group in fulfillment.get("tags") or []:
        if isinstance(group, dict) and group.get("code") == "state":
            for tag in group.get("list") or []:
                if isinstance(tag, dict) and tag.get("code") == "ready_to_ship":
                    value = str(tag.get("value", "")).lower()
                    if value not in ("yes", "no"):
                        raise NotServiceable("60006", f"ready_to_ship is yes or no, not {value!r}")
                    return value == "yes"
    return None


UPDATE_TARGETS = {"fulfillment", "item"}


def read_update(message: dict[str, Any], job: OutsideJob) -> outside_jobs.JobChange:
    """An update read into delivery's change, or the refusal to send: only what may change before pickup."""
    targets = {t.strip() for t in str(message.get("update_target") or "").split(",") if t.strip()}
    if not targets or targets - UPDATE_TARGETS:
        raise NotServiceable(
            "30012", f"update_target must be fulfillment or item, not {message.get('update_target')!r}"
        )
    order = message.get("order") or {}
    fulfillment = (order.get("fulfillments") or [{}])[0]
    start, end = fulfillment.get("start") or {}, fulfillment.get("end") or {}
    booking = job.booking
    window = ((start.get("time") or {}).get("range")) or {}
    if window and (window.get("start"), window.get("end")) != (
        timestamp(booking.slot.starts), timestamp(booking.slot.ends)):  # fmt: skip
        raise NotServiceable(
            "40001", "the pickup time is the round's window and cannot be moved; cancel and book again"
        )
    if (end.get("location") or {}).get("gps"):
        lat, lon = gps(end, "drop")
        if (round(lat, 6), round(lon, 6)) != (round(booking.lat, 6), round(booking.lon, 6)):
            raise NotServiceable("40001", "a new drop place cannot be taken by update; cancel and book again")
    code = _code(start) if start else ""
    contact, person = end.get("contact") or {}, end.get("person") or {}
    instructions = end.get("instructions") or {}
    linked = (order.get("@ondc/org/linked_order") or {}).get("order") or {}
    return outside_jobs.JobChange(
        ready=ready_to_ship(fulfillment), pickup_code=code or None,
        drop_name=str(person["name"]) if "name" in person else None,
        drop_phone=str(contact["phone"]) if "phone" in contact else None,
        drop_instructions=str(instructions["long_desc"]) if "long_desc" in instructions else None,
        weight_g=grams(linked) if linked.get("weight") else None,
        volume_ml=millilitres(linked) if linked.get("dimensions") else None,
    )  # fmt: skip


def remember_update(tx: Transaction, message: dict[str, Any]) -> None:
    """Keep what the seller app changed in the stored order, so every later answer repeats it."""
    stored = dict(tx.state.get("order") or {})
    sent = dict((stored.get("fulfillments") or [{}])[0])
    new = ((message.get("order") or {}).get("fulfillments") or [{}])[0]
    for side in ("start", "end"):
        merged = dict(sent.get(side) or {})
        for key in ("contact", "person", "instructions", "authorization"):
            if (new.get(side) or {}).get(key):
                merged[key] = {**(merged.get(key) or {}), **new[side][key]}
        sent[side] = merged
    if new.get("tags"):
        sent["tags"] = new["tags"]
    stored["fulfillments"] = [sent]
    linked = (message.get("order") or {}).get("@ondc/org/linked_order") or {}
    if linked.get("order"):
        previous = dict(stored.get("@ondc/org/linked_order") or {})
        previous["order"] = {**(previous.get("order") or {}), **linked["order"]}
        stored["@ondc/org/linked_order"] = previous
    tx.state = {**tx.state, "order": stored}


def wire_order(tx: Transaction, job: OutsideJob, stage: str | None = None) -> dict[str, Any]:
    """The order as the seller app sees it now (or as it stood at `stage`, for a push that catches up)."""
    now = outside_jobs.progress(job)
    stage = stage or now.stage
    order_state, code = STATES[stage]
    reached = outside_jobs.STAGES.index(stage) if stage in outside_jobs.STAGES else len(outside_jobs.STAGES)
    stored = tx.state.get("order") or {}
    sent = (stored.get("fulfillments") or [{}])[0]
    window = {"range": {"start": timestamp(now.window[0]), "end": timestamp(now.window[1])}}
    keep = ("location", "contact", "person", "instructions")
    start = {k: v for k, v in (sent.get("start") or {}).items() if k in keep}
    end = {k: v for k, v in (sent.get("end") or {}).items() if k in keep}
    start["time"], end["time"] = dict(window), dict(window)
    if now.picked_at and reached >= outside_jobs.STAGES.index("picked_up"):
        start["time"]["timestamp"] = timestamp(now.picked_at)
    if now.delivered_at and stage == "delivered":
        end["time"]["timestamp"] = timestamp(now.delivered_at)
    end["authorization"] = {
        "type": "OTP",
        "token": job.booking.drop_code,
    }  # the receiver gives it to the courier
    fulfillment: dict[str, Any] = {
        "id": FULFILLMENT_ID, "type": "Delivery", "state": {"descriptor": {"code": code}},
        "tracking": stage in ("picked_up", "out_for_delivery"), "start": start, "end": end,
    }  # fmt: skip
    if sent.get("tags"):
        fulfillment["tags"] = sent["tags"]
    if now.agent and stage != "pending":
        fulfillment["agent"] = {"name": now.agent}
        fulfillment["vehicle"] = {"registration": now.vehicle}
    order: dict[str, Any] = {
        "id": tx.order_ref, "state": order_state, "provider": {"id": PROVIDER_ID}, "items": [tx.state["item"]],
        "quote": tx.state["quote"], "fulfillments": [fulfillment],
        "created_at": stored.get("created_at") or tx.state.get("confirmed_at"),
        "updated_at": timestamp(timezone.now()),
    }  # fmt: skip
    for key in ("billing", "payment", "@ondc/org/linked_order"):
        if stored.get(key):
            order[key] = stored[key]
    if job.collect_cents:
        order["payment"] = cash_on_delivery(order.get("payment") or {}, job, tx.state["currency"])
    cancellation = tx.state.get("cancellation")
    if stage == "cancelled" and cancellation:
        order["cancellation"] = {"cancelled_by": cancellation["by"], "reason": {"id": cancellation["reason"]}}
    if stage.startswith("rto_"):
        _return_to_origin(order, tx, job, now, stage, start, end)
    return order


def _return_to_origin(
    order: dict[str, Any], tx: Transaction, job: OutsideJob, now: outside_jobs.Progress, stage: str,
    start: dict[str, Any], end: dict[str, Any],
) -> None:  # fmt: skip
    """ONDC's RTO: the delivery fulfillment cancelled, an RTO fulfillment from the drop back to the
    seller, its item and its charge (the same fee, taxes inside) added to the quote."""
    forward = order["fulfillments"][0]
    forward["state"] = {"descriptor": {"code": "Cancelled"}}
    forward["tracking"] = False
    item = tx.state["item"]
    rto_item = {**item, "id": f"{item['id']}-rto", "fulfillment_id": RTO_FULFILLMENT_ID}
    order["items"] = [item, rto_item]
    started = timestamp(job.return_started_at) if job.return_started_at else order["updated_at"]
    window = now.return_window or now.window
    range_ = {"start": timestamp(window[0]), "end": timestamp(window[1])}
    rto: dict[str, Any] = {
        "id": RTO_FULFILLMENT_ID, "type": "RTO", "state": {"descriptor": {"code": STATES[stage][1]}},
        "tracking": False,
        "start": {"location": end.get("location") or {}, "time": {"range": range_, "timestamp": started}},
        "end": {"location": start.get("location") or {}, "time": {"range": range_}},
    }  # fmt: skip
    if now.returned_at:
        rto["end"]["time"]["timestamp"] = timestamp(now.returned_at)
    order["fulfillments"] = [forward, rto]
    quote = tx.state["quote"]
    fee = job.return_booking.fee_cents if job.return_booking else job.booking.fee_cents
    tax = sum(taxes_included(fee, outside_jobs.fee_taxes(job.return_started_at or timezone.now())).values())  # type: ignore[arg-type]
    currency = quote["price"]["currency"]

    def price(cents: int) -> dict[str, str]:
        return {"currency": currency, "value": f"{cents / 100:.2f}"}

    total = round(float(quote["price"]["value"]) * 100) + fee
    order["quote"] = {**quote, "price": price(total), "breakup": [*quote["breakup"],
        {"@ondc/org/item_id": rto_item["id"], "@ondc/org/title_type": "rto", "price": price(fee - tax)},
        {"@ondc/org/item_id": rto_item["id"], "@ondc/org/title_type": "tax", "price": price(tax)}]}  # fmt: skip
    order["cancellation"] = {"cancelled_by": tx.bpp_id or load_identity().subscriber_id,
                             "reason": {"id": RTO_REASONS.get(job.return_reason, "017")}}  # fmt: skip


def cash_on_delivery(sent: dict[str, Any], job: OutsideJob, currency: str) -> dict[str, Any]:
    """ONDC's settlement fields for cash we collect: collected by us (BPP), then settled to the seller
    app (the LBNP) less our fee, with the settlement's reference and time once paid."""
    amount = f"{job.collect_cents / 100:.2f}"
    detail: dict[str, Any] = {"settlement_counterparty": "lbnp", "settlement_status": "NOT-PAID"}
    if job.settled_at is not None:
        detail.update(settlement_status="PAID", settlement_reference=job.settlement_ref,
                      settlement_timestamp=timestamp(job.settled_at))  # fmt: skip
    return {
        **sent, "type": "ON-FULFILLMENT", "collected_by": "BPP",
        "status": "PAID" if job.collected_at is not None else "NOT-PAID",
        "params": {**(sent.get("params") or {}), "currency": currency, "amount": amount},
        "@ondc/org/collection_amount": amount, "@ondc/org/settlement_basis": "invoicing",
        "@ondc/org/settlement_details": [detail],
    }  # fmt: skip


def tracking(job: OutsideJob) -> dict[str, Any]:
    """Where the courier is, shared only on the way to this job's drop (delivery's privacy rule)."""
    now = outside_jobs.progress(job)
    found: dict[str, Any] = {"id": FULFILLMENT_ID, "status": "active" if now.position else "inactive"}
    if now.position and now.position_at:
        found["location"] = {
            "gps": f"{now.position[0]:.6f},{now.position[1]:.6f}",
            "time": {"timestamp": timestamp(now.position_at)},
            "updated_at": timestamp(now.position_at),
        }
    return found


def _steps(pushed: str, current: str) -> list[str]:
    """The stages to push, in order, from what the seller app last heard to where the job is."""
    ladder = outside_jobs.STAGES
    last = next((stage for stage, pair in STATES.items() if ":".join(pair) == pushed), None)
    if current.startswith(
        "rto_"
    ):  # the delivery's steps it missed first (the parcel was collected), then the return
        if last is None or last in ladder:
            start = ladder.index(last) + 1 if last in ladder else 0  # type: ignore[arg-type]
            missed = list(ladder[start : ladder.index("out_for_delivery") + 1])
            return [*missed, "rto_initiated", *([current] if current != "rto_initiated" else [])]
        return [current] if last == "rto_initiated" and current != "rto_initiated" else []
    if current not in ladder:
        return [] if ":".join(STATES[current]) == pushed else [current]
    if last in ladder and ladder.index(current) <= ladder.index(last):  # type: ignore[arg-type]
        return []  # never backwards (a re-planned round): the next real step is pushed
    start = ladder.index(last) + 1 if last in ladder else 0  # type: ignore[arg-type]
    return list(ladder[start : ladder.index(current) + 1])


def _push_action(stage: str) -> str:
    """ONDC cancels the order first (an unsolicited on_cancel) when a return to origin starts."""
    return "on_cancel" if stage == "rto_initiated" else "on_status"


def do_push_logistics_changes() -> int:
    """Unsolicited on_status for each step of every booked job since its last push."""
    pushed = 0
    live = Transaction.objects.filter(role=Transaction.Role.LOGISTICS).exclude(order_ref="")
    for tx in live.exclude(pushed_state__in=FINAL)[:50]:
        job = outside_jobs.outside_job(tx.bap_id, tx.order_ref)
        if job is None:
            continue
        for stage in _steps(tx.pushed_state, outside_jobs.progress(job).stage):
            me = load_identity()
            context = messages.request_context(
                action=_push_action(stage), domain=tx.domain, city=tx.city, bap_id=tx.bap_id, bap_uri=tx.bap_uri,
                bpp_id=me.subscriber_id, bpp_uri=me.url, moment=timezone.now(), transaction_id=tx.transaction_id,
                country=tx.state.get("country", "IND"),
            )  # fmt: skip
            body = messages.envelope(context, order=wire_order(tx, job, stage))
            body["context"].pop("ttl", None)
            with transaction.atomic():
                outbox.do_queue(tx.bap_uri, body)
                tx.pushed_state = ":".join(STATES[stage])
                tx.save(update_fields=["pushed_state", "updated"])
            pushed += 1
    return pushed
