"""The states of a resident's order from another node, as data (pure: no Django).

Our side of a remote order has four states; the seller's ONDC order state and
fulfillment state are followed inside ``placed``. Callbacks may arrive late or
out of order (a retried on_status after a newer one): a step backwards is
ignored, never applied, and nothing leaves a final state.
"""

from __future__ import annotations

from dataclasses import dataclass

CART, PLACING, PLACED, COMPLETED, CANCELLED = "cart", "placing", "placed", "completed", "cancelled"
FINAL = frozenset({COMPLETED, CANCELLED})

# ours → ours: what may follow what (PLACING is the short moment select → init → confirm is in flight)
TRANSITIONS: dict[str, frozenset[str]] = {
    CART: frozenset({PLACING}),
    PLACING: frozenset({CART, PLACED, COMPLETED, CANCELLED}),
    PLACED: frozenset({PLACED, COMPLETED, CANCELLED}),
    COMPLETED: frozenset(),
    CANCELLED: frozenset(),
}

# the seller's words (ONDC retail 1.2.0), in the order a delivery goes through them
ORDER_STATES = ("Created", "Accepted", "In-progress", "Completed", "Cancelled")
FULFILLMENT_STATES = (
    "Pending",
    "Packed",
    "Agent-assigned",
    "Order-picked-up",
    "Out-for-delivery",
    "Order-delivered",
)


class InvalidTransition(Exception):
    """A change the table does not allow (the caller tells the resident or ignores a stale callback)."""


@dataclass(frozen=True)
class Position:
    state: str  # ours: cart, placing, placed, completed, cancelled
    order_state: str = ""  # the seller's: Created, Accepted, In-progress, Completed, Cancelled
    fulfillment: str = ""  # the seller's: Pending … Order-delivered, or Cancelled


def check_transition(current: str, new: str) -> None:
    if new not in TRANSITIONS.get(current, frozenset()):
        raise InvalidTransition(f"a remote order cannot go from {current} to {new}")


def _rank(position: Position) -> tuple[int, int]:
    order = ORDER_STATES.index(position.order_state) if position.order_state in ORDER_STATES else -1
    fulfillment = (
        FULFILLMENT_STATES.index(position.fulfillment) if position.fulfillment in FULFILLMENT_STATES else -1
    )
    return order, fulfillment


def follow(current: Position, order_state: str, fulfillment: str) -> Position | None:
    """Where a seller's report moves the order; None when it changes nothing (stale, repeated, or final).

    An unknown order state raises: the callback is wrong, not late.
    """
    if order_state not in ORDER_STATES:
        raise InvalidTransition(f"unknown order state {order_state!r}")
    if current.state in FINAL or current.state == CART:
        return None
    if order_state == "Cancelled":
        return Position(CANCELLED, "Cancelled", fulfillment or "Cancelled")
    if fulfillment and fulfillment not in FULFILLMENT_STATES:
        raise InvalidTransition(f"unknown fulfillment state {fulfillment!r}")
    new = Position(COMPLETED if order_state == "Completed" else current.state, order_state, fulfillment)
    if _rank(new) <= _rank(current):
        return None
    return new
