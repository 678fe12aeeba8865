"""Writes of the protocol: peers the operator trusts, processing of accepted messages.

Each accepted message is handled by the role that owns its action (seller for
search…update, buyer for the callbacks); a handler replies through the outbox.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from comptoir.core.errors import InvalidInput
from comptoir.protocol.models import InboxMessage, Subscriber

log = logging.getLogger(__name__)

Handler = Callable[[InboxMessage], str]
HANDLERS: dict[str, Handler] = {}
DOMAIN_HANDLERS: dict[tuple[str, str], Handler] = {}  # (domain, action): a role bound to a domain (logistics)


def handles(*actions: str, domain: str = "") -> Callable[[Handler], Handler]:
    def register(function: Handler) -> Handler:
        for action in actions:
            if domain:
                DOMAIN_HANDLERS[(domain, action)] = function
            else:
                HANDLERS[action] = function
        return function

    return register


def do_trust_subscriber(
    *,
    subscriber_id: str,
    unique_key_id: str,
    role: str,
    url: str,
    signing_public_key: str,
    domain: str = "",
    city: str = "*",
    encr_public_key: str = "",
    valid_until: datetime | None = None,
    source: str = Subscriber.Source.CONFIGURED,
) -> Subscriber:
    """Record (or update) a participant's key, checking it is a real ed25519 public key."""
    if role not in Subscriber.Role.values:
        raise InvalidInput(f"role must be one of {', '.join(Subscriber.Role.values)}")
    if not _is_public_key(signing_public_key):
        raise InvalidInput("signing_public_key is not a base64 ed25519 public key (32 bytes)")
    now = timezone.now()
    subscriber, _ = Subscriber.objects.update_or_create(
        subscriber_id=subscriber_id,
        unique_key_id=unique_key_id,
        role=role,
        domain=domain,
        defaults={
            "url": url.rstrip("/"),
            "city": city,
            "signing_public_key": signing_public_key,
            "encr_public_key": encr_public_key,
            "status": "SUBSCRIBED",
            "valid_from": now,
            "valid_until": valid_until or now.replace(year=now.year + 1),
            "source": source,
        },
    )
    return subscriber


def _is_public_key(value: str) -> bool:
    import base64
    import binascii

    try:
        return len(base64.b64decode(value, validate=True)) == 32
    except (binascii.Error, ValueError):
        return False


def do_process_inbox(inbox_id: int) -> str:
    """Run the handler of an accepted message once (a retried task finds it processed)."""
    with transaction.atomic():
        inbox = InboxMessage.objects.select_for_update().get(pk=inbox_id)
        if inbox.processed:
            return inbox.outcome
        handler = DOMAIN_HANDLERS.get((inbox.domain, inbox.action)) or HANDLERS.get(inbox.action)
        outcome = handler(inbox) if handler else f"no handler for {inbox.action} on this node"
        inbox.processed, inbox.outcome = timezone.now(), outcome[:200]
        inbox.save(update_fields=["processed", "outcome"])
    return outcome
