"""The registry role (subscribe, on_subscribe challenge, lookup) and the client side of it.

A node that runs the registry (``COMPTOIR_PROTOCOL_REGISTRY=1``) keeps the
network's participants in ``Subscriber`` rows with source ``registered``. A
subscription is proven twice: the request is signed with the signing key being
registered, and the subscriber must decrypt an on_subscribe challenge encrypted
for the encryption key being registered. Other nodes ask ``/registry/lookup`` and
cache the answer for ``COMPTOIR_PROTOCOL_LOOKUP_SECONDS``.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import secrets
import urllib.error
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from comptoir.core.errors import InvalidInput
from comptoir.protocol import http
from comptoir.protocol.identity import Identity
from comptoir.protocol.models import Subscriber
from comptoir.protocol.selectors import lookup_lifetime
from comptoir.protocol.wire import challenge, signing
from comptoir.protocol.wire.messages import encode, parse_timestamp, timestamp

log = logging.getLogger(__name__)
REQUIRED = (
    "subscriber_id",
    "unique_key_id",
    "url",
    "type",
    "domain",
    "signing_public_key",
    "encr_public_key",
)


def subscription_entry(row: Subscriber) -> dict[str, Any]:
    """A participant as lookup answers it (Beckn's Subscription, with ONDC's ``ukId`` spelling too)."""
    return {
        "subscriber_id": row.subscriber_id,
        "unique_key_id": row.unique_key_id,
        "ukId": row.unique_key_id,
        "subscriber_url": row.url,
        "url": row.url,
        "type": row.role,
        "domain": row.domain,
        "city": row.city,
        "country": "IND",
        "signing_public_key": row.signing_public_key,
        "encr_public_key": row.encr_public_key,
        "valid_from": timestamp(row.valid_from),
        "valid_until": timestamp(row.valid_until),
        "status": row.status,
        "created": timestamp(row.created),
        "updated": timestamp(row.updated),
    }


def _check_request(body: dict[str, Any]) -> None:
    missing = [name for name in REQUIRED if not body.get(name)]
    if missing:
        raise InvalidInput("missing: " + ", ".join(missing))
    if body["type"] not in ("BAP", "BPP", "BG"):
        raise InvalidInput("type must be BAP, BPP or BG")
    try:
        if len(base64.b64decode(body["signing_public_key"], validate=True)) != 32:
            raise InvalidInput("signing_public_key must be 32 bytes of ed25519, base64")
        base64.b64decode(body["encr_public_key"], validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("keys must be base64") from None


def do_subscribe(raw: bytes, authorization: str | None, *, registry: Identity, now: datetime) -> Subscriber:
    """Register a participant after it proves both keys; raises InvalidInput (nothing kept) otherwise."""
    try:
        body = json.loads(raw)
    except ValueError:
        raise InvalidInput("the body is not JSON") from None
    if not isinstance(body, dict):
        raise InvalidInput("the body is not a JSON object")
    _check_request(body)
    try:
        header = signing.parse_header(authorization or "")
        if (header.subscriber_id, header.unique_key_id) != (body["subscriber_id"], body["unique_key_id"]):
            raise signing.SignatureError("the request must be signed with the key being registered")
        signing.check_header(header, raw, body["signing_public_key"], now=int(now.timestamp()))
    except signing.SignatureError as error:
        raise InvalidInput(f"subscription signature: {error}") from None
    plain = secrets.token_urlsafe(24)
    try:
        sealed = challenge.encrypt(plain, registry.encryption.private, body["encr_public_key"])
    except ValueError as error:
        raise InvalidInput(f"encr_public_key: {error}") from None
    answer = _ask_challenge(body["url"], sealed, body["subscriber_id"], registry)
    if answer != plain:
        raise InvalidInput("the on_subscribe challenge was not answered: the encryption key is not proven")
    valid_until = (
        parse_timestamp(body["valid_until"]) if body.get("valid_until") else now + timedelta(days=365)
    )
    with transaction.atomic():
        row, _ = Subscriber.objects.update_or_create(
            subscriber_id=body["subscriber_id"],
            unique_key_id=body["unique_key_id"],
            role=body["type"],
            domain=body["domain"],
            defaults={
                "url": body["url"].rstrip("/"),
                "city": body.get("city") or "*",
                "signing_public_key": body["signing_public_key"],
                "encr_public_key": body["encr_public_key"],
                "status": "SUBSCRIBED",
                "valid_from": now,
                "valid_until": valid_until,
                "source": Subscriber.Source.REGISTERED,
                "cached_until": None,
            },
        )
    log.info("subscribed %s", row)
    return row


def _ask_challenge(url: str, sealed: str, subscriber_id: str, registry: Identity) -> str:
    message = {
        "subscriber_id": subscriber_id,
        "challenge": sealed,
        "registry_encr_public_key": registry.encryption.public,
    }
    try:
        reply = http.post_signed(url.rstrip("/") + "/on_subscribe", message, registry, timeout=5)
    except (OSError, urllib.error.URLError) as error:
        raise InvalidInput(f"on_subscribe could not reach {url}: {error}") from None
    return str(reply.body.get("answer", "")) if reply.status == 200 else ""


def answer_challenge(body: dict[str, Any], me: Identity) -> str:
    """The subscriber's side: decrypt the registry's challenge with our encryption key."""
    return challenge.decrypt(
        str(body["challenge"]), me.encryption.private, str(body["registry_encr_public_key"])
    )


def lookup(criteria: dict[str, Any], *, now: datetime) -> list[dict[str, Any]]:
    rows = Subscriber.objects.filter(
        source=Subscriber.Source.REGISTERED, status="SUBSCRIBED", valid_from__lte=now, valid_until__gt=now
    )
    for field, column in (("subscriber_id", "subscriber_id"), ("type", "role"), ("domain", "domain")):
        if criteria.get(field):
            rows = rows.filter(**{column: criteria[field]})
    key = criteria.get("unique_key_id") or criteria.get("ukId")
    if key:
        rows = rows.filter(unique_key_id=key)
    if criteria.get("city"):
        rows = rows.filter(city__in=[criteria["city"], "*"])
    return [subscription_entry(row) for row in rows.order_by("subscriber_id", "role")]


def do_cache_lookup(*, subscriber_id: str, unique_key_id: str, now: datetime) -> int:
    """Ask the registry for a participant's keys and keep them until the cache expires."""
    body = encode({"subscriber_id": subscriber_id, "ukId": unique_key_id})
    try:
        reply = http.post(
            settings.COMPTOIR_REGISTRY_URL + "/lookup", body, {"Content-Type": "application/json"}
        )
    except (OSError, urllib.error.URLError) as error:
        log.warning("registry lookup of %s failed: %s", subscriber_id, error)
        return 0
    entries = (
        reply.body.get("value")
        if isinstance(reply.body.get("value"), list)
        else reply.body.get("subscribers")
    )
    return do_cache_entries(entries or [], now=now)


def do_cache_entries(entries: list[dict[str, Any]], *, now: datetime) -> int:
    kept = 0
    for entry in entries:
        if entry.get("status") != "SUBSCRIBED" or entry.get("type") not in Subscriber.Role.values:
            continue
        Subscriber.objects.update_or_create(
            subscriber_id=entry["subscriber_id"],
            unique_key_id=entry.get("ukId") or entry["unique_key_id"],
            role=entry["type"],
            domain=entry.get("domain", ""),
            defaults={
                "url": entry.get("subscriber_url") or entry["url"],
                "city": entry.get("city") or "*",
                "signing_public_key": entry["signing_public_key"],
                "encr_public_key": entry.get("encr_public_key", ""),
                "status": "SUBSCRIBED",
                "valid_from": parse_timestamp(entry["valid_from"]),
                "valid_until": parse_timestamp(entry["valid_until"]),
                "source": Subscriber.Source.LOOKUP,
                "cached_until": now + lookup_lifetime(),
            },
        )
        kept += 1
    return kept


def do_refresh_participants(*, domain: str, role: str, now: datetime | None = None) -> int:
    """Gateway and buyer: learn every participant of a role in a domain from the registry."""
    now = now or timezone.now()
    body = encode({"type": role, "domain": domain})
    reply = http.post(settings.COMPTOIR_REGISTRY_URL + "/lookup", body, {"Content-Type": "application/json"})
    entries = reply.body.get("value")
    return do_cache_entries(entries if isinstance(entries, list) else [], now=now)


def do_subscribe_to_registry(
    *, me: Identity, role: str, domain: str, city: str, url: str = ""
) -> dict[str, Any]:
    """Subscriber side: trust the registry's key (first use, over the configured URL), then subscribe."""
    import urllib.request

    base = settings.COMPTOIR_REGISTRY_URL
    with urllib.request.urlopen(base + "/identity", timeout=settings.COMPTOIR_PROTOCOL_TIMEOUT) as response:
        known = json.loads(response.read())
    from comptoir.protocol.services import do_trust_subscriber

    do_trust_subscriber(
        subscriber_id=known["subscriber_id"],
        unique_key_id=known["ukId"],
        role=Subscriber.Role.REG,
        url=known["subscriber_url"],
        signing_public_key=known["signing_public_key"],
        encr_public_key=known["encr_public_key"],
    )
    request = {
        "subscriber_id": me.subscriber_id,
        "unique_key_id": me.unique_key_id,
        "url": url or me.url,
        "type": role,
        "domain": domain,
        "city": city,
        "signing_public_key": me.signing.public,
        "encr_public_key": me.encryption.public,
        "nonce": secrets.token_hex(8),
    }
    reply = http.post_signed(base + "/subscribe", request, me)
    if reply.status != 200:
        raise InvalidInput(
            f"the registry refused: {reply.body.get('error', {}).get('message', reply.status)}"
        )
    return reply.body
