"""The door: every incoming Beckn request is checked here before anything is stored.

Order of checks (cheapest refusal first, nothing written until all pass):
signature header present and well formed → sender known (registry lookup) →
signature and expiry → gateway signature if relayed → JSON and our schema →
context (action matches the endpoint, signer is the context's sender, domain
served, not past its ttl) → not a replay. A refusal is a NACK with the HTTP
status the Beckn signing spec gives (401 and ``WWW-Authenticate`` for
authentication, 400 otherwise) and one log line; an accepted message is stored
once and handed to the worker, and the answer is an ACK.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from comptoir.protocol.models import InboxMessage, Subscriber
from comptoir.protocol.selectors import known_key
from comptoir.protocol.wire import messages, signing, validation
from comptoir.protocol.wire.durations import parse_duration

log = logging.getLogger("comptoir.protocol.inbound")

# our codes in ONDC's error object (docs/decisions/0013): the type says which family
SIGNATURE_ERROR = "10001"
BAD_REQUEST = "10000"
CONTEXT_ERROR = "20001"
REPLAY = "20002"
STALE = "20003"


@dataclass
class Answer:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    inbox: InboxMessage | None = None

    @property
    def accepted(self) -> bool:
        return self.inbox is not None


class Refused(Exception):
    def __init__(self, status: int, kind: str, code: str, reason: str, *, challenge: str = "") -> None:
        super().__init__(reason)
        self.status, self.kind, self.code, self.reason, self.challenge = status, kind, code, reason, challenge


def _authenticate(
    value: str | None, body: bytes, *, now: datetime, header: str, role: str = ""
) -> Subscriber:
    challenge = "Proxy-Authenticate" if header == "X-Gateway-Authorization" else "WWW-Authenticate"
    if not value:
        raise Refused(401, "CORE-ERROR", SIGNATURE_ERROR, f"{header} header missing", challenge=challenge)
    try:
        parsed = signing.parse_header(value)
    except signing.SignatureError as error:
        raise Refused(401, "CORE-ERROR", SIGNATURE_ERROR, f"{header}: {error}", challenge=challenge) from None
    sender = known_key(parsed.subscriber_id, parsed.unique_key_id, now=now, role=role)
    if sender is None:
        reason = f"{header}: unknown subscriber {parsed.subscriber_id}|{parsed.unique_key_id}"
        raise Refused(401, "CORE-ERROR", SIGNATURE_ERROR, reason, challenge=challenge)
    try:
        signing.check_header(parsed, body, sender.signing_public_key, now=int(now.timestamp()))
    except signing.SignatureError as error:
        raise Refused(401, "CORE-ERROR", SIGNATURE_ERROR, f"{header}: {error}", challenge=challenge) from None
    return sender


def _check_context(envelope: messages.Envelope, action: str, sender: Subscriber, *, now: datetime) -> None:
    context = envelope.context
    if context.action != action:
        raise Refused(
            400, "CONTEXT-ERROR", CONTEXT_ERROR, f"context.action {context.action} sent to /{action}"
        )
    expected_sender = context.bpp_id if action.startswith("on_") else context.bap_id
    if sender.subscriber_id != expected_sender:
        reason = f"signed by {sender.subscriber_id} but the context's sender is {expected_sender}"
        raise Refused(401, "CORE-ERROR", SIGNATURE_ERROR, reason, challenge="WWW-Authenticate")
    if context.domain not in settings.COMPTOIR_PROTOCOL_DOMAINS:
        raise Refused(400, "DOMAIN-ERROR", CONTEXT_ERROR, f"domain {context.domain} is not served here")
    sent = messages.parse_timestamp(context.timestamp)
    if sent > now + timedelta(seconds=5):
        raise Refused(400, "CONTEXT-ERROR", STALE, "context.timestamp is in the future")
    ttl = parse_duration(context.ttl) if context.ttl else None
    if ttl is not None and sent + ttl < now:
        raise Refused(400, "CONTEXT-ERROR", STALE, f"the message's ttl {context.ttl} has passed")


def receive(
    action: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    now: datetime | None = None,
    relay: bool = False,
) -> Answer:
    """Check and store one request; ``relay``: we are the gateway, keep the exact bytes to pass on."""
    now = now or timezone.now()
    try:
        sender = _authenticate(headers.get("Authorization"), body, now=now, header="Authorization")
        gateway = None
        if headers.get("X-Gateway-Authorization"):
            value = headers["X-Gateway-Authorization"]
            gateway = _authenticate(
                value, body, now=now, header="X-Gateway-Authorization", role=Subscriber.Role.BG
            )
        try:
            envelope = messages.parse(body)
        except messages.WireError as error:
            raise Refused(400, "JSON-SCHEMA-ERROR", BAD_REQUEST, str(error)) from None
        raw = envelope.dump()
        problems = validation.problems(raw)
        if problems:
            raise Refused(400, "JSON-SCHEMA-ERROR", BAD_REQUEST, str(problems[0]))
        _check_context(envelope, action, sender, now=now)
        extra = {"gateway_id": gateway.subscriber_id if gateway else ""}
        if action == "on_search":
            extra["part"] = signing.digest(body)
        if relay:
            extra.update(raw=body.decode(), authorization=headers.get("Authorization", ""), gateway_id="")
        inbox = _store(sender, envelope, raw, action="gateway:" + action if relay else action, **extra)
    except Refused as refusal:
        log.warning("refused /%s: %s (HTTP %s)", action, refusal.reason, refusal.status)
        answer = Answer(refusal.status, messages.nack(refusal.kind, refusal.code, refusal.reason))
        if refusal.challenge:
            answer.headers[refusal.challenge] = signing.www_authenticate(settings.COMPTOIR_PROTOCOL_ID)
        return answer
    return Answer(200, messages.ack(), inbox=inbox)


def _store(
    sender: Subscriber, envelope: messages.Envelope, parsed: dict[str, Any], *, action: str, **extra: str
) -> InboxMessage:
    context = envelope.context
    try:
        with transaction.atomic():
            return InboxMessage.objects.create(
                sender_id=sender.subscriber_id,
                action=action,
                **extra,
                message_id=context.message_id,
                transaction_id=context.transaction_id,
                domain=context.domain,
                body=parsed,
            )
    except IntegrityError:
        raise Refused(
            400, "CONTEXT-ERROR", REPLAY, f"message {context.message_id} was already received"
        ) from None


def check_registry_call(body: bytes, authorization: str | None) -> Answer | None:
    """A call from the registry (on_subscribe) must be signed by a registry we trust; None when it is."""
    now = timezone.now()
    try:
        sender = _authenticate(authorization, body, now=now, header="Authorization")
        if sender.role != Subscriber.Role.REG:
            raise Refused(
                401, "CORE-ERROR", SIGNATURE_ERROR, f"{sender.subscriber_id} is not a registry we trust"
            )
    except Refused as refusal:
        log.warning("refused /on_subscribe: %s (HTTP %s)", refusal.reason, refusal.status)
        answer = Answer(refusal.status, messages.nack(refusal.kind, refusal.code, refusal.reason))
        answer.headers["WWW-Authenticate"] = signing.www_authenticate(settings.COMPTOIR_PROTOCOL_ID)
        return answer
    return None
