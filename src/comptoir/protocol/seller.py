"""Seller role (BPP): our shops answer any buyer app through the protocol.

Every quote is computed by orders' pricing and delivery's booking adapter, and a
confirm places the order with orders' ``do_checkout`` — the same code path as the
web checkout, with an idempotency key derived from the transaction, so a
repeated confirm returns the first order. Wire ids: provider = shop ref, item =
offer id, order = our order number.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from comptoir.catalog.models import Offer, Shop
from comptoir.core.errors import ComptoirError
from comptoir.orders.checkout import CheckoutRequest, do_checkout
from comptoir.orders.models import Order, ShopOrder
from comptoir.orders.pricing import TaxAmount
from comptoir.orders.services import do_cancel_shop_order
from comptoir.orders.status import derive_order_status
from comptoir.protocol import outbox
from comptoir.protocol.identity import load_identity
from comptoir.protocol.mapping import (
    buyer_of,
    currency,
    gps,
    image,
    offer_info,
    offers_on_sale,
    price_basket,
    shop_info,
    tax_lines,
    terms,
)
from comptoir.protocol.models import InboxMessage, Subscriber, Transaction
from comptoir.protocol.services import handles
from comptoir.protocol.wire import messages, retail
from comptoir.protocol.wire.messages import QuoteLine, timestamp
from comptoir.protocol.wire.models import Context, Envelope, Tag, TagGroup

log = logging.getLogger(__name__)
CATALOG_CHUNK = 1000  # offers per on_search message: a large catalog is several callbacks to one search
QUERY_LIMIT = 100  # a search by name answers with its first matches, not a catalog
# ONDC buyer-side cancellation reason codes a buyer app may send
BUYER_CANCEL_REASONS = {
    "001": "Price of one or more items have changed due to which buyer was asked to make additional payment",
    "003": "Product available at lower than order price",
    "006": "Order not received as per buyer app TAT SLA",
    "009": "Wrong delivery address",
    "010": "Buyer wants to modify address / other order details",
}
# our order status → (ONDC order state, fulfillment state code)
WIRE_STATES = {
    "awaiting_shops": ("Created", "Pending"),
    "action_needed": ("Created", "Pending"),
    "confirmed": ("Accepted", "Pending"),
    "ready": ("In-progress", "Packed"),
    "handed_over": ("In-progress", "Order-picked-up"),
    "out_for_delivery": ("In-progress", "Out-for-delivery"),
    "partly_delivered": ("In-progress", "Out-for-delivery"),
    "delivery_failed": ("In-progress", "Out-for-delivery"),
    "completed": ("Completed", "Order-delivered"),
    "cancelled": ("Cancelled", "Cancelled"),
}


def _reply(inbox: InboxMessage, **message: Any) -> None:
    """Queue the callback: to the buyer app, or to the gateway that relayed the request."""
    request = Envelope.model_validate(inbox.body)
    me = load_identity()
    context = messages.reply_context(
        request.context, bpp_id=me.subscriber_id, bpp_uri=me.url, moment=timezone.now()
    )
    body = messages.envelope(context, **{k: v for k, v in message.items() if k != "error"})
    if message.get("error"):
        body["error"] = message["error"]
    url = request.context.bap_uri or ""
    if inbox.gateway_id:
        gateway = Subscriber.objects.filter(subscriber_id=inbox.gateway_id, role=Subscriber.Role.BG).first()
        url = gateway.url if gateway else url
    outbox.do_queue(url, body)


def _catalog(offers: list[Offer], moment: str) -> Any:
    shops: dict[int, tuple[Shop, list[retail.OfferInfo]]] = {}
    for offer in offers:
        shops.setdefault(offer.shop_id, (offer.shop, []))[1].append(offer_info(offer))
    return retail.catalog(
        settings.COMPTOIR_NODE_NAME,
        [(shop_info(shop), infos) for shop, infos in shops.values()],
        moment=moment,
        currency=currency(),
        symbol=image("comptoir.png"),
    )


def _incremental_window(envelope: Envelope) -> tuple[datetime, datetime] | None:
    intent = envelope.message.intent if envelope.message else None
    for group in (intent.tags if intent else None) or []:
        if group.code == "catalog_inc":
            values = {tag.code: tag.value or "" for tag in group.entries or []}
            if values.get("start_time") and values.get("end_time"):
                return messages.parse_timestamp(values["start_time"]), messages.parse_timestamp(
                    values["end_time"]
                )
    return None


@handles("search")
def handle_search(inbox: InboxMessage) -> str:
    """Full catalog, or (``catalog_inc`` start/end) the offers changed in that window."""
    envelope = Envelope.model_validate(inbox.body)
    offers = offers_on_sale().order_by("shop_id", "pk")
    window = _incremental_window(envelope)
    intent = envelope.message.intent if envelope.message else None
    query = intent.item.descriptor.name if intent and intent.item and intent.item.descriptor else None
    if window:
        offers = offers.filter(updated__gte=window[0], updated__lt=window[1])
    if query:
        offers = offers.filter(name_fr__icontains=query)
    fee = intent.payment.finder_fee_amount if intent and intent.payment else None
    if fee:  # on_init must repeat the finder fee the buyer app announced at search
        tx = _transaction(inbox)
        tx.state = {**tx.state, "finder_fee": fee}
        tx.save(update_fields=["state", "updated"])
    chosen = list(offers[:QUERY_LIMIT]) if query else offers.iterator(chunk_size=CATALOG_CHUNK)
    sent = chunks = 0
    batch: list[Offer] = []
    for offer in chosen:
        batch.append(offer)
        if len(batch) == CATALOG_CHUNK:
            _reply(inbox, catalog=_catalog(batch, timestamp(timezone.now())))
            sent, chunks, batch = sent + len(batch), chunks + 1, []
    if batch or not chunks:
        _reply(inbox, catalog=_catalog(batch, timestamp(timezone.now())))
        sent, chunks = sent + len(batch), chunks + 1
    return f"on_search: {sent} offers in {chunks} messages" + (" (incremental)" if window else "")


def _transaction(inbox: InboxMessage) -> Transaction:
    context = Context.model_validate(inbox.body["context"])
    found, _ = Transaction.objects.get_or_create(
        role=Transaction.Role.SELLER,
        transaction_id=context.transaction_id,
        defaults={
            "domain": context.domain,
            "city": context.city or "",
            "bap_id": context.bap_id or "",
            "bap_uri": context.bap_uri or "",
            "bpp_id": context.bpp_id or "",
            "bpp_uri": context.bpp_uri or "",
        },
    )
    return found


def _refusal(code: str, text: str) -> dict[str, str]:
    return {"type": "DOMAIN-ERROR", "code": code, "message": text}


@handles("select")
def handle_select(inbox: InboxMessage) -> str:
    envelope = Envelope.model_validate(inbox.body)
    order = envelope.message.order if envelope.message else None
    lat, lon = gps(order.fulfillments if order else None)
    try:
        basket, facts = price_basket(order, lat=lat, lon=lon)
    except ComptoirError as error:
        _reply(inbox, error=_refusal("30004", error.message))
        return f"on_select refused: {error.message}"
    tx = _transaction(inbox)
    tx.state = {**tx.state, "select": facts}
    tx.save(update_fields=["state", "updated"])
    short = basket.shortfalls()
    if short:
        # ONDC flow 3: quote what can be sold, say which items lack stock (40002)
        listing = [{"item_id": offer.id, "error": "40002"} for offer in short]
        _reply(
            inbox,
            order=retail.on_select_order(basket),
            error=_refusal("40002", str(listing).replace("'", '"')),
        )
        return f"on_select: out of stock {[o.id for o in short]}"
    _reply(inbox, order=retail.on_select_order(basket))
    return "on_select: quoted"


@handles("init")
def handle_init(inbox: InboxMessage) -> str:
    envelope = Envelope.model_validate(inbox.body)
    order = envelope.message.order if envelope.message else None
    lat, lon = gps(order.fulfillments if order else None)
    try:
        basket, facts = price_basket(order, lat=lat, lon=lon)
        settlement = terms()
        payment_terms = _payment_terms(order)
    except ComptoirError as error:
        _reply(inbox, error=_refusal("30004", error.message))
        return f"on_init refused: {error.message}"
    assert order is not None and order.billing is not None
    buyer = buyer_of(order)
    tx = _transaction(inbox)
    tx.state = {**tx.state, "init": facts, "buyer": asdict(buyer), "billed_at": order.billing.created_at,
                "payment_terms": list(payment_terms)}  # fmt: skip
    tx.save(update_fields=["state", "updated"])
    _reply(
        inbox,
        order=retail.on_init_order(
            basket,
            buyer,
            settlement,
            billed_at=order.billing.created_at or "",
            finder_fee=_finder_fee(order, tx),
            payment_terms=payment_terms,
        ),
    )
    return "on_init: terms sent"


def _payment_terms(order: Any) -> tuple[str, str]:
    """Who collects, as the buyer app asks in init: it collects at order (and settles with us), or our
    courier takes the payment at the door if our checkout offers that; nothing asked: the buyer app collects."""
    from comptoir.orders.payments import payment_methods

    asked = order.payment if order is not None else None
    if asked is None or not (asked.type or asked.collected_by):
        return ("ON-ORDER", "BAP")
    wanted = (asked.type or "", asked.collected_by or "")
    if wanted not in retail.PAYMENT_TERMS:
        raise ComptoirError(f"payment {wanted[0]} collected by {wanted[1]} is not offered here")
    if wanted[1] == "BPP" and "on_handover" not in payment_methods():
        raise ComptoirError("payment on delivery is not offered here")
    return wanted


def _checkout_method(tx: Transaction, order: Any) -> str:
    """Our checkout's payment method for the terms agreed at init; confirm must repeat them."""
    agreed = tuple(tx.state.get("payment_terms") or ("ON-ORDER", "BAP"))
    said = order.payment if order is not None else None
    if said is None or (said.type or "ON-ORDER", said.collected_by or "BAP") != agreed:
        raise ComptoirError(f"the payment must be {agreed[0]} collected by {agreed[1]}, as agreed at init")
    return "on_handover" if agreed[1] == "BPP" else "buyer_app"


def _finder_fee(order: Any, tx: Transaction) -> str:
    payment = order.payment if order is not None else None
    if payment and payment.finder_fee_amount:
        return str(payment.finder_fee_amount)
    return str(tx.state.get("finder_fee", "0"))


@handles("confirm")
def handle_confirm(inbox: InboxMessage) -> str:
    """Place the order through orders' checkout (idempotent per transaction)."""
    envelope = Envelope.model_validate(inbox.body)
    order = envelope.message.order if envelope.message else None
    lat, lon = gps(order.fulfillments if order else None)
    try:
        _, facts = price_basket(order, lat=lat, lon=lon)
        assert order is not None and order.billing is not None
        buyer = buyer_of(order)
        if not facts["slot_id"]:
            raise ComptoirError("no delivery slot can take this order at this address")
        request = CheckoutRequest(
            email=buyer.email,
            fulfilment={facts["shop"]: "delivery"},
            payment_method=_checkout_method(_transaction(inbox), order),
            language="fr",
            items=[(offer_id, count) for offer_id, count in facts["items"]],
            slot_id=facts["slot_id"],
            recipient_name=buyer.name,
            phone=buyer.phone,
            address=" ".join(
                p for p in (buyer.place.building, buyer.place.street, buyer.place.locality) if p
            ),
            postal_code=buyer.place.area_code,
            city=buyer.place.city,
            lat=lat,
            lon=lon,
            idempotency_key=f"beckn:{envelope.context.bap_id}:{envelope.context.transaction_id}",
            expected_goods_cents=facts["goods_cents"],
            notes={"protocol": envelope.context.bap_id},
        )
        with transaction.atomic():
            placed, _ = do_checkout(None, None, request)
            tx = _transaction(inbox)
            tx.order, tx.order_ref = placed, order.id or placed.number
            tx.state = {**tx.state, "confirm": facts, "buyer": asdict(buyer), "billed_at": order.billing.created_at,
                        "created_at": order.created_at or timestamp(placed.created),
                        "payment": order.payment.dump() if order.payment else {}}  # fmt: skip
            tx.save()
    except ComptoirError as error:
        _reply(inbox, error=_refusal("40000", error.message))
        return f"on_confirm refused: {error.message}"
    wire = _wire_order(tx, placed, _basket_of(tx))
    tx.pushed_state = _pair(wire)
    assert wire.quote is not None
    tx.state = {**tx.state, "quote": wire.quote.dump()}  # a full cancellation repeats it
    tx.save(update_fields=["pushed_state", "state", "updated"])
    _reply(inbox, order=wire)
    return f"on_confirm: order {placed.number}"


def _pair(wire: Any) -> str:
    """What a status push compares: the order state and the fulfillment state together."""
    fulfillment = wire.fulfillments[0] if wire.fulfillments else None
    code = (
        fulfillment.state.descriptor.code
        if fulfillment and fulfillment.state and fulfillment.state.descriptor
        else ""
    )
    return f"{wire.state}:{code}"


def _wire_order(tx: Transaction, placed: Order, basket: retail.Basket, moment: datetime | None = None) -> Any:
    status = derive_order_status(
        list(placed.shop_orders.values_list("status", flat=True)), placed.delivery_status or ""
    )
    state, fulfillment = WIRE_STATES[status]
    buyer = retail.Buyer(**{**tx.state["buyer"], "place": retail.Place(**tx.state["buyer"]["place"])})
    now = timestamp(moment or timezone.now())
    pickup = delivery_window = None
    if placed.slot_starts and placed.slot_ends:
        pickup = (timestamp(placed.slot_starts - timedelta(hours=1)), timestamp(placed.slot_starts))
        delivery_window = (timestamp(placed.slot_starts), timestamp(placed.slot_ends))
    # ONDC checks that pickup and delivery times never change once given: keep the first ones
    moments: dict[str, str] = {}
    if fulfillment in ("Order-picked-up", "Out-for-delivery", "Order-delivered"):
        moments["start"] = tx.state.setdefault("picked_at", now)
    if fulfillment == "Order-delivered":
        moments["end"] = tx.state.setdefault("delivered_at", now)
    if moments:
        tx.save(update_fields=["state", "updated"])
    wire = retail.confirmed_order(
        basket, buyer, terms(), order_id=tx.order_ref, state=state, billed_at=tx.state.get("billed_at") or now,
        created_at=tx.state.get("created_at") or now, updated_at=now, finder_fee=str(tx.state.get("finder_fee", "0")),
        fulfillment_state=fulfillment, pickup=pickup, delivery_window=delivery_window, moments=moments,
        payment_terms=tuple(tx.state.get("payment_terms") or ("ON-ORDER", "BAP")),
    )  # fmt: skip
    confirmed = tx.state.get("payment") or {}
    assert wire.payment is not None
    for name in ("uri", "tl_method", "params", "status"):  # what the buyer app collected, as it said
        if confirmed.get(name):
            setattr(wire.payment, name, confirmed[name])
    return wire


def _basket_of(tx: Transaction) -> retail.Basket:
    """The placed order's own lines and fees (what checkout recorded), not today's prices."""
    assert tx.order is not None
    shop_order = tx.order.shop_orders.select_related("shop").get()
    lines = [
        (retail.OfferInfo(id=str(line.offer_id), name=line.name, code="", unit_price=Decimal(line.unit_price_cents) / 100,
                          available=0, category="", image=""), line.quantity)
        for line in shop_order.lines.all()
    ]  # fmt: skip
    fees = list(tx.order.fee_lines.all())
    fulfillment_id = f"F-{shop_order.shop.ref}"
    extra = tax_lines(fulfillment_id, [TaxAmount.from_dict(tax) for tax in shop_order.taxes]) + [
        QuoteLine(fulfillment_id, fee.label, "misc", Decimal(fee.amount_cents) / 100)
        for fee in fees
        if fee.kind == "coop"
    ]
    return retail.Basket(
        shop=shop_info(shop_order.shop),
        lines=lines,
        delivery_fee=Decimal(sum(fee.amount_cents for fee in fees if fee.kind == "delivery")) / 100,
        currency=currency(),
        fulfillment_id=fulfillment_id,
        extra=extra,
    )


def _ordered(inbox: InboxMessage, order_id: str) -> Transaction | None:
    context = Context.model_validate(inbox.body["context"])
    return (
        Transaction.objects.filter(role=Transaction.Role.SELLER, order_ref=order_id, bap_id=context.bap_id)
        .select_related("order")
        .first()
    )


@handles("status")
def handle_status(inbox: InboxMessage) -> str:
    tx = _ordered(inbox, str(inbox.body["message"]["order_id"]))
    if tx is None or tx.order is None:
        _reply(inbox, error=_refusal("40000", "unknown order"))
        return "on_status: unknown order"
    _reply(inbox, order=_wire_order(tx, tx.order, _basket_of(tx)))
    return "on_status sent"


@handles("track")
def handle_track(inbox: InboxMessage) -> str:
    tx = _ordered(inbox, str(inbox.body["message"]["order_id"]))
    if tx is None or tx.order is None:
        _reply(inbox, error=_refusal("40000", "unknown order"))
        return "on_track: unknown order"
    active = tx.order.delivery_status == Order.DeliveryStatus.OUT
    _reply(inbox, tracking={"status": "active" if active else "inactive"})
    return "on_track sent"


@handles("cancel")
def handle_cancel(inbox: InboxMessage) -> str:
    """Buyer cancellation with an ONDC reason code, through orders' cancel service."""
    message = inbox.body["message"]
    reason = str(message.get("cancellation_reason_id", ""))
    tx = _ordered(inbox, str(message["order_id"]))
    if tx is None or tx.order is None:
        _reply(inbox, error=_refusal("40000", "unknown order"))
        return "on_cancel: unknown order"
    if reason not in BUYER_CANCEL_REASONS:
        _reply(inbox, error=_refusal("40000", f"cancellation reason {reason} is not a buyer reason code"))
        return f"on_cancel refused: reason {reason}"
    try:
        with transaction.atomic():
            for shop_order in tx.order.shop_orders.exclude(status__in=["cancelled", "rejected", "expired"]):
                do_cancel_shop_order(
                    shop_order.pk,
                    by="customer",
                    actor=None,
                    reason=f"{reason}: {BUYER_CANCEL_REASONS[reason]}",
                )
    except ComptoirError as error:
        _reply(inbox, error=_refusal("50001", f"cannot cancel now: {error.message}"))
        return f"on_cancel refused: {error.message}"
    wire = _wire_order(tx, Order.objects.get(pk=tx.order.pk), _basket_of(tx))
    wire.cancellation = None
    body_order = wire.dump()
    if tx.state.get("quote"):  # a full cancellation: the confirmed quote stands; refunds go by settlement
        body_order["quote"] = tx.state["quote"]
    body_order["cancellation"] = {"cancelled_by": tx.bap_id, "reason": {"id": reason}}
    body_order["tags"] = [
        TagGroup(
            code="cancel_request",
            entries=[Tag(code="reason_id", value=reason), Tag(code="initiated_by", value=tx.bap_id)],
        ).dump()
    ]
    tx.pushed_state = "Cancelled:Cancelled"
    tx.save(update_fields=["pushed_state", "updated"])
    _reply(inbox, order=body_order)
    return f"on_cancel: {tx.order_ref} cancelled ({reason})"


def do_push_status_changes() -> int:
    """Unsolicited on_status for every protocol order whose state moved since the last push."""
    pushed = 0
    live = Transaction.objects.filter(role=Transaction.Role.SELLER, order__isnull=False).exclude(
        pushed_state__in=["Completed:Order-delivered", "Cancelled:Cancelled"]
    )
    for tx in live.select_related("order")[:50]:
        assert tx.order is not None
        statuses = list(ShopOrder.objects.filter(order=tx.order).values_list("status", flat=True))
        state = ":".join(WIRE_STATES[derive_order_status(statuses, tx.order.delivery_status or "")])
        if state == tx.pushed_state:
            continue
        me = load_identity()
        context = messages.request_context(
            action="on_status", domain=tx.domain, city=tx.city, bap_id=tx.bap_id, bap_uri=tx.bap_uri,
            bpp_id=me.subscriber_id, bpp_uri=me.url, moment=timezone.now(), transaction_id=tx.transaction_id,
        )  # fmt: skip
        moment = messages.parse_timestamp(context.timestamp)
        body = messages.envelope(context, order=_wire_order(tx, tx.order, _basket_of(tx), moment))
        body["context"].pop("ttl", None)
        with transaction.atomic():
            outbox.do_queue(tx.bap_uri, body)
            tx.pushed_state = state
            tx.save(update_fields=["pushed_state", "updated"])
        pushed += 1
    return pushed


@handles("update")
def handle_update(inbox: InboxMessage) -> str:
    """Not built yet (returns, partial cancellation, address changes): say so instead of staying silent."""
    _reply(
        inbox, error=_refusal("40000", "update is not supported by this seller yet; cancel and order again")
    )
    return "on_update: not supported"
