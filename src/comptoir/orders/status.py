"""The status of a resident's order, derived from its shop orders (pure, no Django).

A shop order that was rejected, cancelled or expired no longer counts; the order
waits on the least advanced of the others, and delivery progress decides the rest.
"""

from __future__ import annotations

DEAD = {"rejected", "cancelled", "expired"}
PROGRESS = ["accepted", "prepared", "handed_over", "completed"]
ORDER_STATUS_FOR = {
    "accepted": "confirmed",
    "prepared": "ready",
    "handed_over": "handed_over",
    "completed": "completed",
}


def derive_order_status(shop_statuses: list[str], delivery_status: str = "") -> str:
    """One of: cancelled, action_needed, awaiting_shops, confirmed, ready, handed_over,
    out_for_delivery, delivery_failed, completed."""
    live = [s for s in shop_statuses if s not in DEAD]
    if not live:
        return "cancelled"
    if "changes_proposed" in live:
        return "action_needed"
    if "placed" in live:
        return "awaiting_shops"
    least = min(live, key=PROGRESS.index)
    if least == "handed_over" and delivery_status == "out_for_delivery":
        return "out_for_delivery"
    if least == "handed_over" and delivery_status == "failed":
        return "delivery_failed"
    return ORDER_STATUS_FOR[least]
