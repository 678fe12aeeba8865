"""Reads for pages and the API: the cart grouped by shop, orders with their derived status, shop queues."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from comptoir.catalog.models import Offer, OpeningHours, Shop
from comptoir.catalog.selectors import is_open, sellable_offers
from comptoir.core import formats
from comptoir.orders.models import Cart, CartItem, FeeLine, Order, OrderEvent, ShopOrder
from comptoir.orders.payments import payment_methods
from comptoir.orders.status import LIVE_QUEUE, derive_order_status

ORDER_STATUS_LABELS = {
    "cancelled": _("Cancelled"),
    "action_needed": _("Your answer is needed"),
    "awaiting_shops": _("Waiting for the shops to accept"),
    "confirmed": _("Confirmed by the shops"),
    "ready": _("Ready"),
    "handed_over": _("Handed over"),
    "out_for_delivery": _("Out for delivery"),
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


def order_status(order: Order) -> str:
    return derive_order_status([so.status for so in order.shop_orders.all()], order.delivery_status)


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


def status_label(order: Order) -> Any:
    return ORDER_STATUS_LABELS[order_status(order)]


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
