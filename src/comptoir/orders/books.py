"""Orders' side of the books: an order's figures now, handed to the ledger in the caller's transaction.

Every service that changes what an order is worth (checkout, acceptance, accepted changes,
rejection, cancellation, expiry) calls `post(order_id, kind)` once its amounts are settled; the
ledger writes the difference with what it already holds for the order (ledger/postings.py).
"""

from __future__ import annotations

from django.conf import settings

from comptoir.core.money import DEFAULT_CURRENCY
from comptoir.core.parameters import governed
from comptoir.ledger.postings import OrderPosition, ShopPart
from comptoir.ledger.services import do_post_order
from comptoir.orders.models import Order, ShopOrder

S = ShopOrder.Status
NOT_ACCEPTED = {S.PLACED, S.CHANGES}
DEAD = {S.REJECTED, S.CANCELLED, S.EXPIRED}


def currency() -> str:
    return str(getattr(settings, "COMPTOIR_CURRENCY", DEFAULT_CURRENCY))


def position(order: Order) -> tuple[OrderPosition, dict[str, str]]:
    shop_orders = list(order.shop_orders.select_related("shop"))
    fees = list(order.fee_lines.all())
    vat = governed("fees_vat_percent", order.created)
    parts = [
        ShopPart(
            so.shop.ref, so.goods_cents, accepted=so.status not in NOT_ACCEPTED, live=so.status not in DEAD
        )
        for so in shop_orders
    ]
    coop = [f for f in fees if f.kind == "coop"]
    extra = {"memo": f"Order {order.number}", "fees_vat_percent": vat.source}
    if coop:
        extra["coop_fee_percent"] = coop[0].source
    made = OrderPosition(
        order.pk, currency(), parts, sum(f.amount_cents for f in coop),
        sum(f.amount_cents for f in fees if f.kind == "delivery"), vat.value, extra,
    )  # fmt: skip
    return made, {so.shop.ref: so.shop.name for so in shop_orders}


def post(order_id: int, kind: str) -> None:
    order = Order.objects.get(pk=order_id)
    made, names = position(order)
    do_post_order(made, kind=kind, shop_names=names)
