"""Background work of the protocol: one follower that processes accepted messages and sends the outbox.

A follower (not a queued task per message) because callbacks must leave within a
second: it polls two small indexed queries every ``COMPTOIR_PROTOCOL_POLL`` seconds.
"""

from __future__ import annotations

import threading

from django.conf import settings

from comptoir.core.followers import start_follower
from comptoir.protocol.models import InboxMessage


def protocol_pass() -> bool:
    """One pass: process accepted messages, push status changes, send what is due. True if busy."""
    from comptoir.protocol import logistics_orders, outbox, remote, seller
    from comptoir.protocol.services import do_process_inbox

    waiting = list(
        InboxMessage.objects.filter(processed__isnull=True).order_by("pk").values_list("pk", flat=True)[:20]
    )
    for inbox_id in waiting:
        do_process_inbox(inbox_id)
    pushed = seller.do_push_status_changes() + logistics_orders.do_push_logistics_changes()
    remote.do_recover_placings()
    sent = outbox.do_send_due()
    return bool(waiting or pushed or sent)


def start_protocol(interval: float | None = None) -> threading.Event:
    return start_follower("protocol", protocol_pass, interval or settings.COMPTOIR_PROTOCOL_POLL)
