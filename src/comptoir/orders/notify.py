"""Emails are sent by the background worker, and only once the transaction that caused them commits.

They are queued in that transaction (core/queue.py): an order never commits without its mails.
"""

from __future__ import annotations

from comptoir.core.queue import enqueue_with_transaction


def send_after_commit(kind: str, order_id: int, shop_order_id: int | None = None) -> None:
    from comptoir.orders.tasks import send_order_email

    enqueue_with_transaction(send_order_email, kind, order_id, shop_order_id)


def order_placed(order, shop_orders) -> None:  # type: ignore[no-untyped-def]
    send_after_commit("order_confirmed", order.pk)
    for shop_order in shop_orders:
        send_after_commit("shop_new_order", order.pk, shop_order.pk)
    schedule_expiry(shop_orders[0].expires_at)


def schedule_expiry(when) -> None:  # type: ignore[no-untyped-def]
    """Ask the worker to release unanswered reservations when they expire (if the backend can defer)."""
    from comptoir.orders.tasks import expire_shop_orders

    if expire_shop_orders.get_backend().supports_defer:
        enqueue_with_transaction(expire_shop_orders.using(run_after=when))


def email_code(order, code: str) -> None:  # type: ignore[no-untyped-def]
    """Mail a guest the code that confirms their address (and keeps their reservation)."""
    from comptoir.orders.tasks import send_email_code

    enqueue_with_transaction(send_email_code, order.pk, code)
