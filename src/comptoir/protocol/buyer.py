"""Buyer role (BAP): what we keep of the callbacks peers send to our requests.

A callback is stored by the door (the inbox); this handler files it under its
transaction so the waiting side (a resident's page, ``flow-log``) can read it.
"""

from __future__ import annotations

from comptoir.protocol.models import InboxMessage, Transaction
from comptoir.protocol.services import handles


@handles("on_search", "on_select", "on_init", "on_confirm", "on_status", "on_track", "on_cancel", "on_update")
def handle_callback(inbox: InboxMessage) -> str:
    context = inbox.body["context"]
    tx, _ = Transaction.objects.get_or_create(
        role=Transaction.Role.BUYER,
        transaction_id=context["transaction_id"],
        defaults={
            "domain": context["domain"],
            "city": context.get("city", ""),
            "bap_id": context.get("bap_id", ""),
            "bap_uri": context.get("bap_uri", ""),
            "bpp_id": context.get("bpp_id", ""),
            "bpp_uri": context.get("bpp_uri", ""),
        },
    )
    order = inbox.body.get("message", {}).get("order") or {}
    if order.get("id") and not tx.order_ref:
        tx.order_ref = order["id"]
        tx.save(update_fields=["order_ref", "updated"])
    return f"{inbox.action} filed"
