"""Reads for pages and the API: the cart grouped by shop, orders with their derived status, shop queues."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from comptoir.catalog.models import Offer, OpeningHours, Shop
from comptoir.catalog.selectors import is_open, sellable_offers
from comptoir.core import formats
from comptoir.core.money import Money, percent_of
from comptoir.orders import books, pricing
from comptoir.orders.models import Cart, CartItem, FeeLine, Fulfilment, Order, OrderEvent, ShopOrder
from comptoir.orders.payments import payment_methods
from comptoir.orders.status import DEAD, LIVE_QUEUE, Status, derive_order_status, partly_delivered

ORDER_STATUS_LABELS = {
    "cancelled": _("Cancelled"),
    "action_needed": _("Your answer is needed"),
    "awaiting_shops": _("Waiting for the shops to accept"),
    "confirmed": _("Confirmed by the shops"),
    "ready": _("Ready"),
    "handed_over": _("Handed over"),
    "out_for_delivery": _("Out for delivery"),
    "partly_delivered": _("Partly delivered"),
    "delivery_failed": _("Delivery failed"),
    "completed": _("Completed"),
}


@dataclass
class CartLine:
    item: CartItem
    total_cents: int
    price_changed: bool
    stock_short: bool


@dataclass
class CartGroup:
    shop: Shop
    hours: list[OpeningHours]
    open_now: bool
    lines: list[CartLine] = field(default_factory=list)

    @property
    def goods_cents(self) -> int:
        return sum(line.total_cents for line in self.lines)


def cart_groups(cart: Cart | None) -> list[CartGroup]:
    """The cart grouped by shop, with each shop's hours and the changes since each item was added."""
    if cart is None:
        return []
    items = (
        cart.items.select_related("offer__shop")
        .prefetch_related(
            Prefetch("offer__shop__hours", queryset=OpeningHours.objects.order_by("weekday", "opens"))
        )
        .order_by("offer__shop__name", "id")
    )
    groups: dict[int, CartGroup] = {}
    for item in items:
        shop = item.offer.shop
        if shop.pk not in groups:
            hours = list(shop.hours.all())
            groups[shop.pk] = CartGroup(shop, hours, is_open(hours))
        offer = item.offer
        groups[shop.pk].lines.append(
            CartLine(item, offer.price_cents * item.quantity, offer.price_cents != item.price_cents_seen,
                     not offer.on_demand and item.quantity > offer.stock)
        )  # fmt: skip
    return list(groups.values())


@dataclass(frozen=True)
class Totals:
    """An order's figures for a given set of live shop orders (`totals_for`)."""

    goods_cents: int
    tax_cents: int
    taxes: list[dict[str, Any]]
    fee_cents: dict[int, int]  # fee line id -> amount
    total_cents: int


def totals_for(order: Order, live: list[ShopOrder]) -> Totals:
    """What the order costs when only `live` shop orders remain: the coop's share follows the goods,
    delivery is charged only while a delivered part remains. Used to reprice (`services._reprice`)
    and to tell the courier what a drop really collects (`due_on_delivery`)."""
    goods = sum(so.goods_cents for so in live)
    fees: dict[int, int] = {}
    for fee in order.fee_lines.all():
        amount = fee.amount_cents
        if fee.kind == "coop" and fee.rate_percent is not None:
            amount = percent_of(Money(goods), fee.rate_percent).cents
        elif fee.kind == "delivery" and not any(so.fulfilment == Fulfilment.DELIVERY for so in live):
            amount = 0
        fees[fee.pk] = amount
    tax = sum(so.tax_cents for so in live)
    taxes = [
        t.as_dict()
        for t in pricing.sum_taxes([[pricing.TaxAmount.from_dict(t) for t in so.taxes] for so in live])
    ]
    added = 0 if order.prices_include_tax else tax
    return Totals(goods, tax, taxes, fees, goods + added + sum(fees.values()))


AT_THE_DOOR = frozenset({Status.HANDED_OVER, Status.COMPLETED})
"""Delivery parts the drop hands over; the others miss the round and are cancelled (decision 0008)."""


def due_on_delivery(order_id: int) -> int:
    """Cents the courier collects at the door from a resident who pays on delivery, as
    `services.do_mark_delivered` will post it: what the resident owes once the delivery parts
    not handed to a courier (cancelled, refused, or missed the round) are taken off. 0 if nothing."""
    order = Order.objects.filter(pk=order_id).first()
    if order is None or order.payment_method != "on_handover" or order.payment_status == "paid":
        return 0
    live = [so for so in order.shop_orders.all() if so.status not in DEAD]
    kept = [so for so in live if so.fulfilment != Fulfilment.DELIVERY or so.status in AT_THE_DOOR]
    missed = order.total_cents - totals_for(order, kept).total_cents if len(kept) < len(live) else 0
    return max(books.owed(order.pk) - missed, 0)


def order_status(order: Order) -> str:
    parts = order.shop_orders.all()
    delivered = [so.status for so in parts if so.fulfilment == Fulfilment.DELIVERY]
    if partly_delivered(delivered, order.delivery_status):
        return "partly_delivered"
    return derive_order_status([so.status for so in parts], order.delivery_status)


def order_detail(order_id: int) -> Order:
    return Order.objects.prefetch_related(
        Prefetch(
            "shop_orders",
            queryset=ShopOrder.objects.select_related("shop").prefetch_related("lines", "shop__hours"),
        ),
        "fee_lines",
        Prefetch("events", queryset=OrderEvent.objects.select_related("shop_order__shop")),
    ).get(pk=order_id)


def orders_of(person: Any) -> QuerySet[Order]:
    return Order.objects.filter(customer=person).prefetch_related(
        Prefetch("shop_orders", queryset=ShopOrder.objects.select_related("shop"))
    )


def shop_queue(shop: Shop) -> QuerySet[ShopOrder]:
    return (
        ShopOrder.objects.filter(shop=shop, status__in=LIVE_QUEUE)
        .select_related("order").prefetch_related("lines__substitute").order_by("created", "pk")
    )  # fmt: skip


def orders_awaiting_shops(shop_ids: list[int]) -> dict[int, int]:
    """Per shop, its orders waiting for it to accept or refuse them (one query, for every page's header)."""
    rows = (
        ShopOrder.objects.filter(shop_id__in=shop_ids, status=ShopOrder.Status.PLACED)
        .values("shop_id")
        .annotate(n=Count("id"))
    )
    return {row["shop_id"]: row["n"] for row in rows}


def status_label(order: Order) -> Any:
    status = order_status(order)
    if status == "partly_delivered":  # parcels of one order in two rounds: say how many came
        parts = [
            so
            for so in order.shop_orders.all()
            if so.fulfilment == Fulfilment.DELIVERY and so.status not in DEAD
        ]
        done = sum(1 for so in parts if so.status == Status.COMPLETED)
        return ngettext(
            "Partly delivered (%(done)d of %(total)d parcel)",
            "Partly delivered (%(done)d of %(total)d parcels)",
            len(parts),
        ) % {"done": done, "total": len(parts)}
    return ORDER_STATUS_LABELS[status]


SUBSTITUTES_SHOWN = 500


def substitute_offers(shop: Shop) -> list[Offer]:
    """What a shop can offer instead of a missing product: its active offers in stock (or made to order)."""
    offers = sellable_offers().filter(Q(stock__gt=0) | Q(on_demand=True), shop=shop)
    return list(
        offers.only("id", "name_fr", "price_cents", "stock", "on_demand").order_by("name_fr", "id")[
            :SUBSTITUTES_SHOWN
        ]
    )


def coop_fee_label(rate: Decimal, lang: str) -> str:
    """« Contribution coopérative (2,0 % des marchandises) », "Cooperative fee (2.0% of goods)"."""
    with translation.override(lang):
        return gettext("Cooperative fee (%(rate)s of goods)") % {"rate": formats.percent(rate, 1, lang)}


def fee_label(fee: FeeLine, lang: str) -> str:
    """A fee line's label in `lang`: the coop line from its rate, the others as written at checkout."""
    if fee.kind == "coop" and fee.rate_percent is not None:
        return coop_fee_label(fee.rate_percent, lang)
    return str(fee.labels.get(lang) or fee.label)


def payment_text(order: Order, lang: str) -> str:
    """What to pay and how, in `lang`: the stored text is in the order's language (it went by email)."""
    method = payment_methods().get(order.payment_method)
    if lang == order.language or method is None or not hasattr(method, "instructions"):
        return order.payment_instructions
    with translation.override(lang):
        return str(method.instructions(order, lang))
