"""Every row lock orders take, in one place (as Saleor does).

Stock is reserved and released only while the offers' rows are locked, always in
ascending id order so two checkouts never deadlock. On SQLite `select_for_update`
is a no-op and the IMMEDIATE transaction mode serialises writers instead.
Call these only inside `transaction.atomic()`.
"""

from __future__ import annotations

from collections.abc import Iterable

from comptoir.catalog.models import Offer
from comptoir.orders.models import Order, ShopOrder


def offers_for_update(offer_ids: Iterable[int]) -> dict[int, Offer]:
    ids = sorted(set(offer_ids))
    locked = (
        Offer.objects.select_for_update(of=("self",)).select_related("shop").filter(pk__in=ids).order_by("pk")
    )
    return {offer.pk: offer for offer in locked}


def shop_order_for_update(shop_order_id: int) -> ShopOrder | None:
    return (
        ShopOrder.objects.select_for_update(of=("self",))
        .select_related("order", "shop")
        .filter(pk=shop_order_id)
        .first()
    )


def order_for_update(order_id: int) -> Order | None:
    return Order.objects.select_for_update().filter(pk=order_id).first()
