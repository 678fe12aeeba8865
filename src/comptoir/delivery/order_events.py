"""Delivery progress told to orders, through orders' services and nowhere else.

The orders app owns order statuses; delivery only reports what happened on the street,
with plain imports (a renamed service breaks at import time, not silently at run time).

What happened on the street stays true even when orders disagrees (an order already
cancelled): the courier's action is kept, and orders' refusal is logged for the
dispatcher, never turned into a refusal of the courier's confirmation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from typing import Any

from comptoir.core.errors import ComptoirError
from comptoir.orders import services

log = logging.getLogger(__name__)


def _call(service: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    try:
        service(*args, **kwargs)
    except ComptoirError as error:
        log.warning("orders refused %s%s: %s", service.__name__, args, error.message)


def handed_over(shop_order_id: int, courier: Any) -> None:
    _call(services.do_hand_over, shop_order_id, to="courier", by="courier", actor=courier)


def delivered(order_id: int, proof: str, shop_orders: Collection[int], courier: Any = None) -> None:
    """The order's last drop is done; `shop_orders` are the parts whose parcels the couriers delivered."""
    _call(services.do_mark_delivered, order_id, proof=proof, actor=courier, delivered=shop_orders)


def partly_delivered(order_id: int, shop_orders: Collection[int], courier: Any = None) -> None:
    """One round delivered these parts; another round still carries the order's other parcels."""
    _call(services.do_mark_partly_delivered, order_id, delivered=shop_orders, actor=courier)


def delivery_failed(order_id: int, reason: str, courier: Any = None) -> None:
    _call(services.do_mark_delivery_failed, order_id, reason=reason, actor=courier)


def out_for_delivery(order_id: int) -> None:
    _call(services.do_notify_out_for_delivery, order_id)
