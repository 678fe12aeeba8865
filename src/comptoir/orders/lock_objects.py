"""Every row lock the orders app takes on its own rows, in one place (as Saleor does).

Offers are the catalog's rows: orders lock them only through `catalog/stock.py`, which uses
`catalog/lock_objects.py` (ascending id order). Rows of several ids here are likewise locked in
id order. When a flow needs both, it locks the shop order first, then the offers, then the
order: every flow takes them in that order, so none waits on another in a cycle. On SQLite
`select_for_update` is a no-op and the IMMEDIATE transaction mode serialises writers instead.
Call these only inside `transaction.atomic()`.
"""

from __future__ import annotations

from typing import Any

from comptoir.orders.models import Cart, Order, ShopOrder
from comptoir.orders.status import Status


def shop_order_for_update(shop_order_id: int) -> ShopOrder | None:
    return (
        ShopOrder.objects.select_for_update(of=("self",))
        .select_related("order", "shop")
        .filter(pk=shop_order_id)
        .first()
    )


def order_for_update(order_id: int) -> Order | None:
    return Order.objects.select_for_update().filter(pk=order_id).first()


def cart_of_person_for_update(person: Any) -> Cart | None:
    return Cart.objects.select_for_update().filter(owner=person).first()


def unannounced_shop_orders_for_update(shop_id: int) -> list[ShopOrder]:
    """A shop's placed orders not yet announced on its queue, locked in id order."""
    return list(
        ShopOrder.objects.select_for_update(of=("self",))
        .filter(shop_id=shop_id, announced_at=None, status=Status.PLACED)
        .select_related("order")
        .order_by("pk")
    )
