"""Order states as data (pure, no Django): the shop-order lifecycle table and the order's derived status.

A shop order moves only along `TRANSITIONS`: `(status, action) -> (new status, who may do it)`.
Every service goes through `orders/transitions.py: apply`, which asks `next_status` here; a
pair missing from the table is refused, so "the shop accepts bread already delivered" or "the
resident cancels a prepared parcel" cannot happen from any screen or API (django-oscar's
`pipeline` + `InvalidOrderStatus`, written as one table). Screens ask `actions_for` which
buttons to show, so they never offer what the table would refuse.

The resident's order has no stored status: it is derived from its shop orders and the
delivery (`derive_order_status`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Actor(StrEnum):
    RESIDENT = "resident"
    SHOP = "shop"
    COURIER = "courier"
    SYSTEM = "system"


class Status(StrEnum):
    PLACED = "placed"
    CHANGES = "changes_proposed"
    ACCEPTED = "accepted"
    PREPARED = "prepared"
    HANDED_OVER = "handed_over"
    COMPLETED = "completed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class Action(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"
    PROPOSE_CHANGES = "propose-changes"
    ACCEPT_CHANGES = "accept-changes"
    DECLINE_CHANGES = "decline-changes"
    CANCEL = "cancel"
    PREPARE = "prepare"
    HAND_OVER_TO_COURIER = "hand-over-to-courier"
    HAND_OVER_TO_RESIDENT = "hand-over-to-resident"
    DELIVER = "deliver"
    EXPIRE = "expire"
    MISS_ROUND = "miss-round"  # the drop was delivered without this part: it never left the shop


@dataclass(frozen=True)
class Transition:
    target: Status
    actors: frozenset[Actor]


S, A = Status, Action
RESIDENT, SHOP, COURIER, SYSTEM = (frozenset({a}) for a in Actor)
_BEFORE_HAND_OVER = (S.PLACED, S.CHANGES, S.ACCEPTED, S.PREPARED)

TRANSITIONS: dict[tuple[Status, Action], Transition] = {
    (S.PLACED, A.ACCEPT): Transition(S.ACCEPTED, SHOP),
    (S.PLACED, A.REJECT): Transition(S.REJECTED, SHOP),
    (S.PLACED, A.PROPOSE_CHANGES): Transition(S.CHANGES, SHOP),
    (S.PLACED, A.CANCEL): Transition(S.CANCELLED, RESIDENT),
    (S.PLACED, A.EXPIRE): Transition(S.EXPIRED, SYSTEM),
    (S.CHANGES, A.REJECT): Transition(S.REJECTED, SHOP),
    (S.CHANGES, A.ACCEPT_CHANGES): Transition(S.ACCEPTED, RESIDENT),
    (S.CHANGES, A.DECLINE_CHANGES): Transition(S.CANCELLED, RESIDENT),
    (S.CHANGES, A.CANCEL): Transition(S.CANCELLED, RESIDENT),
    (S.ACCEPTED, A.CANCEL): Transition(S.CANCELLED, RESIDENT | SHOP),
    (S.ACCEPTED, A.PREPARE): Transition(S.PREPARED, SHOP),
    # A courier holding the parcel proves it was prepared: the shop may have skipped "prepared".
    (S.ACCEPTED, A.HAND_OVER_TO_COURIER): Transition(S.HANDED_OVER, SHOP | COURIER),
    (S.PREPARED, A.CANCEL): Transition(S.CANCELLED, SHOP),
    (S.PREPARED, A.HAND_OVER_TO_COURIER): Transition(S.HANDED_OVER, SHOP | COURIER),
    (S.PREPARED, A.HAND_OVER_TO_RESIDENT): Transition(S.COMPLETED, SHOP),
    (S.HANDED_OVER, A.DELIVER): Transition(S.COMPLETED, COURIER | SYSTEM),
    **{(status, A.MISS_ROUND): Transition(S.CANCELLED, SYSTEM) for status in _BEFORE_HAND_OVER},
}

DEAD = frozenset({S.REJECTED, S.CANCELLED, S.EXPIRED})  # stock given back, costs nothing
FINAL = DEAD | {S.COMPLETED}  # nothing can happen any more
HOLDS_STOCK = frozenset({S.PLACED, S.CHANGES, S.ACCEPTED, S.PREPARED})  # reserved, not yet out of the shop
LIVE_QUEUE = (S.PLACED, S.CHANGES, S.ACCEPTED, S.PREPARED)  # what a shop's queue lists, in this order


class TransitionRefused(Exception):
    """`action` is not possible from `status` for `actor` (the table has no such entry)."""

    def __init__(self, status: str, action: str, actor: str) -> None:
        super().__init__(f"{action} by {actor} is not possible from {status}")
        self.status, self.action, self.actor = status, action, actor


def next_status(status: str, action: str, actor: str) -> Status:
    """The status `action` by `actor` leads to from `status`; raises TransitionRefused otherwise."""
    try:
        transition = TRANSITIONS[(Status(status), Action(action))]
    except (KeyError, ValueError):
        raise TransitionRefused(status, action, actor) from None
    if actor not in transition.actors:
        raise TransitionRefused(status, action, actor)
    return transition.target


def allowed(status: str, action: str, actor: str) -> bool:
    try:
        next_status(status, action, actor)
    except TransitionRefused:
        return False
    return True


def actions_for(status: str, actor: str) -> list[Action]:
    """What `actor` may do on a shop order in `status`, in the table's order (the buttons to show)."""
    return [a for (s, a), t in TRANSITIONS.items() if s == status and actor in t.actors]


PROGRESS = [S.ACCEPTED, S.PREPARED, S.HANDED_OVER, S.COMPLETED]
ORDER_STATUS_FOR = {
    S.ACCEPTED: "confirmed",
    S.PREPARED: "ready",
    S.HANDED_OVER: "handed_over",
    S.COMPLETED: "completed",
}
ORDER_STATUSES = (
    "cancelled", "action_needed", "awaiting_shops", "confirmed", "ready", "handed_over",
    "out_for_delivery", "partly_delivered", "delivery_failed", "completed",
)  # fmt: skip


def partly_delivered(delivery_parts: list[str], delivery_status: str) -> bool:
    """Some of the order's delivered parcels came to the door (their round rang) while another round
    still carries the others: `delivery_parts` are the statuses of the parts a courier brings."""
    live = [Status(s) for s in delivery_parts if s not in DEAD]
    return (
        delivery_status == "out_for_delivery" and S.COMPLETED in live and any(s != S.COMPLETED for s in live)
    )


def derive_order_status(shop_statuses: list[str], delivery_status: str = "") -> str:
    """One of ORDER_STATUSES. Dead shop orders do not count; the least advanced live one decides,
    refined by the delivery (out for delivery, failed)."""
    live = [Status(s) for s in shop_statuses if s not in DEAD]
    if not live:
        return "cancelled"
    if S.CHANGES in live:
        return "action_needed"
    if S.PLACED in live:
        return "awaiting_shops"
    least = min(live, key=PROGRESS.index)
    if least == S.HANDED_OVER and delivery_status == "out_for_delivery":
        return "out_for_delivery"
    if least == S.HANDED_OVER and delivery_status == "failed":
        return "delivery_failed"
    return ORDER_STATUS_FOR[least]
