"""Messages to send: queued in the same transaction as the change they report, sent by the worker.

Bounded retries with exponential backoff (0.25 s, 0.5 s, 1 s, … at most
``MAX_ATTEMPTS``), never past the message's ttl: a callback nobody can take in
time is marked failed and kept for the operator, not retried forever.
"""

from __future__ import annotations

import logging
import urllib.error
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from comptoir.protocol import http
from comptoir.protocol.identity import Identity, load_identity
from comptoir.protocol.inbound import REPLAY
from comptoir.protocol.models import OutboxMessage
from comptoir.protocol.wire.durations import parse_duration

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 6
FIRST_DELAY = 0.25  # seconds; doubles at each attempt
DEFAULT_TTL = timedelta(seconds=30)


def do_queue(url: str, message: dict[str, Any], *, now: datetime | None = None) -> OutboxMessage:
    now = now or timezone.now()
    context = message["context"]
    ttl = parse_duration(context["ttl"]) if context.get("ttl") else DEFAULT_TTL
    return OutboxMessage.objects.create(
        url=url.rstrip("/") + "/" + context["action"],
        action=context["action"],
        message_id=context["message_id"],
        transaction_id=context["transaction_id"],
        body=message,
        next_attempt=now,
        expires=now + max(ttl, DEFAULT_TTL),
    )


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=FIRST_DELAY * 2 ** max(0, attempts - 1))


def do_send_due(*, now: datetime | None = None, identity: Identity | None = None, limit: int = 20) -> int:
    """Send what is due; returns how many were attempted (the follower loops again at once if any)."""
    now = now or timezone.now()
    due = list(
        OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING, next_attempt__lte=now).order_by("pk")[
            :limit
        ]
    )
    if not due:
        return 0
    identity = identity or load_identity()
    for message in due:
        _attempt(message, identity)
    return len(due)


def _send(message: OutboxMessage, identity: Identity) -> http.Reply:
    if not message.raw:
        return http.post_signed(message.url, message.body, identity)
    body = message.raw.encode()  # a relay: the sender's bytes and signature, countersigned by us
    headers = http.signed_headers(body, identity)
    headers["X-Gateway-Authorization"] = headers.pop("Authorization")
    headers["Authorization"] = message.authorization
    return http.post(message.url, body, headers)


def _already_received(reply: http.Reply) -> bool:
    """The peer refuses this message id as one it already has (a Comptoir node's replay refusal): our
    earlier send reached it, only its ACK was lost (a worker killed mid-request, a cut connection).
    Sending again would be refused again until the message is given up as failed, though delivered."""
    error = reply.body.get("error") or {}
    return reply.status == 400 and isinstance(error, dict) and error.get("code") == REPLAY


def _attempt(message: OutboxMessage, identity: Identity) -> None:
    try:
        reply = _send(message, identity)
        error = (
            "" if reply.acked or _already_received(reply)
            else f"HTTP {reply.status}: {str(reply.body.get('error', reply.body))[:200]}"
        )  # fmt: skip
    except (OSError, urllib.error.URLError) as problem:
        error = f"unreachable: {problem}"[:250]
    now = timezone.now()
    with transaction.atomic():
        message.attempts += 1
        if not error:
            message.state, message.sent = OutboxMessage.State.SENT, now
        elif message.attempts >= MAX_ATTEMPTS or now + backoff(message.attempts) > message.expires:
            message.state = OutboxMessage.State.FAILED
            log.warning(
                "gave up %s to %s after %s attempts: %s", message.action, message.url, message.attempts, error
            )
        else:
            message.next_attempt = now + backoff(message.attempts)
        message.last_error = error
        message.save(update_fields=["attempts", "state", "sent", "next_attempt", "last_error"])
