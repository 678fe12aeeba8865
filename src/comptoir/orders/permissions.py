"""Permission-checked loaders for orders.

A resident's order is reached by its unguessable token (the guest's key, in the URL); an
order placed by a signed-in member also needs that member signed in. A shop's staff reach
only their shop's part of an order.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from comptoir.catalog.permissions import access_shop_for_staff
from comptoir.core.errors import NotAllowed, NotFound
from comptoir.orders.models import Order, ShopOrder


def access_order_for_customer(person: Any, token: str = "", *, order_id: int | None = None) -> Order:
    if order_id is not None:
        order = Order.objects.filter(pk=order_id).first()
    else:
        order = Order.objects.filter(token=token).first() if token else None
    if order is None:
        raise NotFound(_("No such order."))
    signed_in = person is not None and person.is_authenticated
    if order.customer_id is None:
        if order_id is not None and not (signed_in and person.is_superuser):
            raise NotFound(_("No such order."))  # a guest order is reached by its token only
        return order
    if signed_in and (person.pk == order.customer_id or person.is_superuser):
        return order
    raise NotAllowed(_("Sign in with the account that placed this order."))


def access_shop_order_for_staff(person: Any, shop_order_id: int, shop_ref: str | None = None) -> ShopOrder:
    shop_order = ShopOrder.objects.select_related("shop", "order").filter(pk=shop_order_id).first()
    if shop_order is None or (shop_ref is not None and shop_order.shop.ref != shop_ref):
        raise NotFound(_("No such shop order."))
    access_shop_for_staff(person, shop_order.shop.ref)
    return shop_order
