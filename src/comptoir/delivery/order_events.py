"""Delivery progress told to orders, through orders' services and nowhere else.

The orders app owns order statuses; delivery only reports what happened on the
street. Its services (`do_hand_over`, `do_mark_delivered`, `do_mark_delivery_failed`,
`do_notify_out_for_delivery`) are being written alongside this app, so they are
looked up by name here: until one exists the event is logged and skipped, and
only this module changes once they all do.

What happened on the street stays true even when orders disagrees (a parcel
handed over before the shop marked it prepared, an order already cancelled): the
courier's action is kept, and orders' refusal is logged for the dispatcher, never
turned into a refusal of the courier's confirmation.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Any

from comptoir.core.errors import ComptoirError

log = logging.getLogger(__name__)


def _service(name: str) -> Callable[..., Any] | None:
    try:
        module = importlib.import_module("comptoir.orders.services")
    except ImportError:
        return None
    return getattr(module, name, None)


def _call(name: str, *args: Any, **kwargs: Any) -> None:
    service = _service(name)
    if service is None:
        log.info("orders.services.%s is not available yet: %s %s skipped", name, args, kwargs)
        return
    try:
        service(*args, **kwargs)
    except ComptoirError as error:
        log.warning("orders refused %s%s: %s", name, args, error.message)


def handed_over(shop_order_id: int, courier: Any) -> None:
    _call("do_hand_over", shop_order_id, to="courier", actor=courier)


def delivered(order_id: int, proof: str) -> None:
    _call("do_mark_delivered", order_id, proof=proof)


def delivery_failed(order_id: int, reason: str) -> None:
    _call("do_mark_delivery_failed", order_id, reason=reason)


def out_for_delivery(order_id: int) -> None:
    _call("do_notify_out_for_delivery", order_id)
