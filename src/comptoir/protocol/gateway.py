"""The gateway role (BG): a buyer app's search goes to every seller serving its domain and city.

The gateway never changes a message: it passes on the exact bytes with the
sender's ``Authorization`` and adds its own ``X-Gateway-Authorization`` over the
same bytes, so each receiver checks both. Sellers answer ``on_search`` to the
gateway, which relays each answer the same way to the buyer app.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from comptoir.protocol import outbox
from comptoir.protocol.models import InboxMessage, OutboxMessage, Subscriber
from comptoir.protocol.selectors import participants
from comptoir.protocol.services import handles


def gateway_url() -> str:
    return settings.COMPTOIR_PROTOCOL_URL.rsplit("/", 1)[0] + "/gateway"


def _relay(inbox: InboxMessage, url: str) -> OutboxMessage:
    queued = outbox.do_queue(url, inbox.body)
    queued.raw, queued.authorization = inbox.raw, inbox.authorization
    queued.save(update_fields=["raw", "authorization"])
    return queued


@handles("gateway:search")
def handle_multicast(inbox: InboxMessage) -> str:
    context = inbox.body["context"]
    now = timezone.now()
    sellers = participants(
        role=Subscriber.Role.BPP, domain=context["domain"], city=context.get("city", ""), now=now
    )
    if not sellers and settings.COMPTOIR_REGISTRY_URL:
        from comptoir.protocol.registry import do_refresh_participants

        do_refresh_participants(domain=context["domain"], role=Subscriber.Role.BPP, now=now)
        sellers = participants(
            role=Subscriber.Role.BPP, domain=context["domain"], city=context.get("city", ""), now=now
        )
    targets = [s for s in sellers if s.subscriber_id != context.get("bap_id")]
    for seller in targets:
        _relay(inbox, seller.url)
    return f"search relayed to {len(targets)} sellers"


@handles("gateway:on_search")
def handle_relay_answer(inbox: InboxMessage) -> str:
    _relay(inbox, inbox.body["context"]["bap_uri"])
    return "on_search relayed to the buyer app"
