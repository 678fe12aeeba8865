"""The one door through which a shop order changes status: `apply(shop_order, action, actor)`.

It asks the transition table (`status.py`) whether `actor` may do `action` now, saves the new
status and writes the `OrderEvent` saying who did it, in the caller's transaction (the caller
holds the shop order's row lock, `lock_objects.shop_order_for_update`). Anything that must
happen on every transition (the ledger, a webhook) hooks here and nowhere else.

`record` writes an event for what happens to the whole order (its delivery reports).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from comptoir.core.errors import InvalidInput
from comptoir.orders.error_codes import OrderErrorCode
from comptoir.orders.models import Order, OrderEvent, ShopOrder
from comptoir.orders.status import Action, Actor, TransitionRefused, next_status


@dataclass(frozen=True)
class Who:
    """Who acts: their kind (resident, shop, courier, system) and the signed-in person, if any."""

    kind: Actor
    person: Any = None

    @classmethod
    def of(cls, kind: Actor, person: Any = None) -> Who:
        signed_in = person is not None and getattr(person, "is_authenticated", False)
        return cls(kind, person if signed_in else None)

    @property
    def name(self) -> str:
        return str(self.person)[:150] if self.person is not None else ""


SYSTEM = Who(Actor.SYSTEM)


def refusal(shop_order: ShopOrder) -> InvalidInput:
    message = _("Order %(number)s is “%(status)s”: this action is not possible any more.")
    return InvalidInput(
        message % {"number": shop_order.order.number, "status": shop_order.get_status_display()},
        code=OrderErrorCode.TRANSITION_NOT_ALLOWED,
        status=shop_order.status,
    )


def check(shop_order: ShopOrder, action: Action, who: Who) -> None:
    """Refuse now (before any other write) what `apply` would refuse."""
    try:
        next_status(shop_order.status, action, who.kind)
    except TransitionRefused:
        raise refusal(shop_order) from None


def apply(shop_order: ShopOrder, action: Action, who: Who, *, note: str = "") -> OrderEvent:
    """Move `shop_order` along the table and record who did it; raises InvalidInput if refused."""
    before = shop_order.status
    try:
        after = next_status(before, action, who.kind)
    except TransitionRefused:
        raise refusal(shop_order) from None
    shop_order.status = after
    if note:
        shop_order.note = note
    shop_order.save(update_fields=["status", "note", "handed_to", "updated"])
    return OrderEvent.objects.create(
        order_id=shop_order.order_id, shop_order=shop_order, action=action, from_status=before,
        to_status=after, actor_kind=who.kind, actor=who.person, actor_name=who.name, note=note,
    )  # fmt: skip


def record(order: Order, action: str, who: Who, *, note: str = "") -> OrderEvent:
    """An event of the whole order (out for delivery, delivered, delivery failed)."""
    return OrderEvent.objects.create(
        order=order, action=action, actor_kind=who.kind, actor=who.person, actor_name=who.name, note=note
    )
