"""JSON API for carts, checkout, orders and shop orders (all for a signed-in person or a bearer token)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Header, Router, Schema
from ninja.responses import Status

from comptoir.core.errors import NotFound
from comptoir.members.api import AUTH
from comptoir.orders import books, selectors, services
from comptoir.orders.cart import cart_of
from comptoir.orders.guards import Client
from comptoir.orders.models import Order
from comptoir.orders.permissions import access_order_for_customer, access_shop_order_for_staff

router = Router(tags=["orders"], auth=AUTH)


class CartLineOut(Schema):
    offer_id: int
    name: str
    quantity: int
    unit_price_cents: int
    price_cents_seen: int
    price_changed: bool
    stock: int
    stock_short: bool
    total_cents: int


class CartGroupOut(Schema):
    shop_ref: str
    shop_name: str
    open_now: bool
    offers_collect: bool
    offers_delivery: bool
    goods_cents: int
    lines: list[CartLineOut]


class CartOut(Schema):
    groups: list[CartGroupOut]
    goods_cents: int


class CartItemIn(Schema):
    offer_id: int
    quantity: int = 1


class QuantityIn(Schema):
    quantity: int


class ItemIn(Schema):
    offer_id: int
    quantity: int


class CheckoutIn(Schema):
    email: str
    fulfilment: dict[str, Literal["collect", "delivery"]]
    payment_method: str
    language: str = "fr"
    items: list[ItemIn] | None = None
    slot_id: str = ""
    recipient_name: str = ""
    phone: str = ""
    address: str = ""
    postal_code: str = ""
    city: str = ""
    instructions: str = ""
    lat: float | None = None
    lon: float | None = None
    expected_goods_cents: int | None = None


class LineOut(Schema):
    id: int
    offer_id: int | None
    sku: str
    name: str
    quantity: int
    unit_price_cents: int
    total_cents: int
    tax_cents: int
    proposed_quantity: int | None
    substitute_offer_id: int | None


class TaxLineOut(Schema):
    """One tax of a sale or an order: GST and QST each have theirs (Québec); France's VAT per rate."""

    code: str
    label_fr: str
    label_en: str
    rate: str  # percent, as a decimal string: "9.975"
    base_cents: int
    amount_cents: int
    included: bool  # inside the goods (France) or added on top (Québec)


class ShopOrderOut(Schema):
    id: int
    shop_ref: str
    shop_name: str
    status: str
    fulfilment: str
    goods_cents: int
    tax_cents: int
    taxes: list[TaxLineOut]
    note: str
    lines: list[LineOut]
    events: list[EventOut]


class FeeOut(Schema):
    kind: str
    label: str
    amount_cents: int
    source: str


class EventOut(Schema):
    at: datetime
    shop_order_id: int | None
    action: str
    from_status: str
    to_status: str
    actor: str  # resident, shop, courier, system
    actor_name: str
    note: str


class OrderOut(Schema):
    id: int
    number: str
    status: str
    goods_cents: int
    tax_cents: int
    prices_include_tax: bool  # True: total = goods + fees; False: total = goods + tax + fees
    taxes: list[TaxLineOut]
    fees_cents: int
    total_cents: int
    payment_method: str
    payment_status: str
    payment_instructions: str
    slot_id: str
    slot_starts: datetime | None
    slot_ends: datetime | None
    delivery_status: str
    delivery_booking_ref: str
    fees: list[FeeOut]
    shop_orders: list[ShopOrderOut]
    events: list[EventOut]


class ShopActionIn(Schema):
    reason: str = ""
    to: Literal["courier", "resident"] | None = None
    quantities: dict[int, int] = {}
    substitutes: dict[int, int] = {}


def cart_payload(groups: list[selectors.CartGroup]) -> dict[str, Any]:
    return {
        "goods_cents": sum(g.goods_cents for g in groups),
        "groups": [
            {
                "shop_ref": g.shop.ref, "shop_name": g.shop.name, "open_now": g.open_now, "goods_cents": g.goods_cents,
                "offers_collect": g.shop.offers_collect, "offers_delivery": g.shop.offers_delivery,
                "lines": [
                    {"offer_id": line.item.offer_id, "name": line.item.offer.name_fr, "quantity": line.item.quantity,
                     "unit_price_cents": line.item.offer.price_cents, "price_cents_seen": line.item.price_cents_seen,
                     "price_changed": line.price_changed, "stock": line.item.offer.stock,
                     "stock_short": line.stock_short, "total_cents": line.total_cents}
                    for line in g.lines
                ],
            }
            for g in groups
        ],
    }  # fmt: skip


def event_payload(events: list[Any]) -> list[dict[str, Any]]:
    return [
        {"at": e.created, "shop_order_id": e.shop_order_id, "action": e.action, "from_status": e.from_status,
         "to_status": e.to_status, "actor": e.actor_kind, "actor_name": e.actor_name, "note": e.note}
        for e in events
    ]  # fmt: skip


def order_payload(order: Order) -> dict[str, Any]:
    order = selectors.order_detail(order.pk)
    events = list(order.events.all())
    shop_orders = [
        {
            "id": so.pk, "shop_ref": so.shop.ref, "shop_name": so.shop.name, "status": so.status,
            "fulfilment": so.fulfilment, "goods_cents": so.goods_cents, "tax_cents": so.tax_cents, "taxes": so.taxes, "note": so.note,
            "lines": [
                {"id": li.pk, "offer_id": li.offer_id, "sku": li.sku, "name": li.name, "quantity": li.quantity,
                 "unit_price_cents": li.unit_price_cents, "total_cents": li.total_cents, "tax_cents": li.tax_cents,
                 "proposed_quantity": li.proposed_quantity, "substitute_offer_id": li.substitute_id}
                for li in so.lines.all()
            ],
            "events": event_payload([e for e in events if e.shop_order_id == so.pk]),
        }
        for so in order.shop_orders.all()
    ]  # fmt: skip
    fees = [
        {"kind": f.kind, "label": f.label, "amount_cents": f.amount_cents, "source": f.source}
        for f in order.fee_lines.all()
    ]
    fields = [
        "id", "number", "goods_cents", "tax_cents", "prices_include_tax", "taxes", "fees_cents", "total_cents",
        "payment_method", "payment_status",
        "payment_instructions", "slot_id", "slot_starts", "slot_ends", "delivery_status", "delivery_booking_ref",
    ]  # fmt: skip
    payload = {name: getattr(order, name) for name in fields}
    return {
        **payload, "status": selectors.order_status(order), "fees": fees, "shop_orders": shop_orders,
        "events": event_payload(events),
    }  # fmt: skip


@router.get("/cart", response=CartOut, summary="My cart, grouped by shop, with price and stock changes")
def get_cart(request: HttpRequest) -> dict[str, Any]:
    return cart_payload(selectors.cart_groups(cart_of(request.user)))


@router.post("/cart/items", response=CartOut, summary="Add an offer to my cart")
def add_cart_item(request: HttpRequest, body: CartItemIn) -> dict[str, Any]:
    cart = cart_of(request.user, create=True)
    services.do_add_to_cart(cart, body.offer_id, body.quantity)  # type: ignore[arg-type]
    return cart_payload(selectors.cart_groups(cart))


@router.patch("/cart/items/{offer_id}", response=CartOut, summary="Change a quantity (0 removes the item)")
def set_cart_item(request: HttpRequest, offer_id: int, body: QuantityIn) -> dict[str, Any]:
    cart = cart_of(request.user, create=True)
    services.do_set_cart_quantity(cart, offer_id, body.quantity)  # type: ignore[arg-type]
    return cart_payload(selectors.cart_groups(cart))


@router.post(
    "/checkout", response={200: OrderOut, 201: OrderOut},
    summary="Check out my cart (or the items given); a repeated Idempotency-Key returns the same order",
    description="The key is yours alone; reusing it with a different request is refused (422, "
    "`idempotency_key_reused`). Attempts are throttled per person and address (429, `checkout_throttled`).",
)  # fmt: skip
def checkout(
    request: HttpRequest, response: HttpResponse, body: CheckoutIn, idempotency_key: Header[str] = ""
) -> Status[dict[str, Any]]:
    data = body.dict()
    raw_items = data.pop("items")
    items = [(i["offer_id"], i["quantity"]) for i in raw_items] if raw_items is not None else None
    checkout_request = services.CheckoutRequest(**data, items=items, idempotency_key=idempotency_key[:100])
    client = Client(session=f"person:{request.user.pk}", ip=request.META.get("REMOTE_ADDR") or None)
    order, created = services.do_checkout(
        request.user, cart_of(request.user), checkout_request, client=client
    )
    if not created:
        response["Idempotent-Replayed"] = "true"
    return Status(201 if created else 200, order_payload(order))


@router.get(
    "/orders/{order_id}", response=OrderOut, summary="One of my orders, with its shop orders and fees"
)
def get_order(request: HttpRequest, order_id: int) -> dict[str, Any]:
    return order_payload(access_order_for_customer(request.user, order_id=order_id))


@router.post(
    "/orders/{order_id}/shop-orders/{shop_order_id}/{action}", response=OrderOut,
    summary="Resident's actions: cancel, accept-changes, decline-changes",
)  # fmt: skip
def customer_action(
    request: HttpRequest,
    order_id: int,
    shop_order_id: int,
    action: Literal["cancel", "accept-changes", "decline-changes"],
) -> dict[str, Any]:
    order = access_order_for_customer(request.user, order_id=order_id)
    shop_order = order.shop_orders.filter(pk=shop_order_id).first()
    if shop_order is None:
        raise NotFound(_("No such shop order."))
    if action == "cancel":
        services.do_cancel_shop_order(shop_order.pk, by="customer", actor=request.user)
    else:
        services.do_answer_changes(shop_order.pk, accept=action == "accept-changes", actor=request.user)
    return order_payload(order)


ShopAction = Literal["accept", "reject", "propose-changes", "prepare", "hand-over", "cancel"]


@router.post(
    "/shop-orders/{shop_order_id}/{action}", response=ShopOrderOut, summary="A shop's actions on its order"
)
def shop_action(
    request: HttpRequest, shop_order_id: int, action: ShopAction, body: ShopActionIn | None = None
) -> Any:
    shop_order = access_shop_order_for_staff(request.user, shop_order_id)
    body = body or ShopActionIn()
    services.do_shop_action(
        shop_order.pk, action, request.user, body.reason, body.to, body.quantities, body.substitutes
    )
    payload = order_payload(shop_order.order)
    return next(so for so in payload["shop_orders"] if so["id"] == shop_order.pk)


class MoneyIn(Schema):
    amount_cents: int
    method: Literal["bank", "cash"] = "bank"  # refunds go back by bank
    reference: str = ""
    at: datetime | None = None


class MoneyOut(Schema):
    entry_id: int
    order_id: int
    kind: str
    amount_cents: int
    owed_cents: int  # what the resident still owes (negative: what the coop owes them)
    payment_status: str


def _money_out(entry: Any, order_id: int) -> dict[str, Any]:
    order = Order.objects.get(pk=order_id)
    return {"entry_id": entry.pk, "order_id": order_id, "kind": entry.kind,
            "amount_cents": sum(x.debit for x in entry.lines.all()), "owed_cents": books.owed(order_id),
            "payment_status": order.payment_status}  # fmt: skip


@router.post(
    "/orders/{order_id}/payments", response={201: MoneyOut},
    summary="Record money received for an order (staff): by bank or cash, at most what is owed; paid once nothing is",
)  # fmt: skip
def record_payment(request: HttpRequest, order_id: int, body: MoneyIn) -> Status[dict[str, Any]]:
    entry = books.do_enter_payment(actor=request.user, order_id=order_id, amount_cents=body.amount_cents,
                                   method=body.method, reference=body.reference, at=body.at)  # fmt: skip
    return Status(201, _money_out(entry, order_id))


@router.post(
    "/orders/{order_id}/refunds", response={201: MoneyOut},
    summary="Record money sent back to a resident (staff), at most what the coop owes them for this order",
)  # fmt: skip
def record_refund(request: HttpRequest, order_id: int, body: MoneyIn) -> Status[dict[str, Any]]:
    entry = books.do_enter_refund(actor=request.user, order_id=order_id, amount_cents=body.amount_cents,
                                  reference=body.reference, at=body.at)  # fmt: skip
    return Status(201, _money_out(entry, order_id))
