"""Signed HTTP between nodes: one small client, bounded by a timeout (no retries here: the outbox retries)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from comptoir.protocol.identity import Identity
from comptoir.protocol.wire import signing
from comptoir.protocol.wire.messages import encode

SIGNATURE_LIFETIME = 300  # seconds a signature stays valid: long enough for retries in flight, no longer


@dataclass(frozen=True)
class Reply:
    status: int
    body: dict[str, Any]

    @property
    def acked(self) -> bool:
        return self.status == 200 and self.body.get("message", {}).get("ack", {}).get("status") == "ACK"


def signed_headers(body: bytes, identity: Identity, *, now: int | None = None) -> dict[str, str]:
    created = int(time.time()) if now is None else now
    return {
        "Content-Type": "application/json",
        "Authorization": signing.authorization_header(
            body,
            subscriber_id=identity.subscriber_id,
            unique_key_id=identity.unique_key_id,
            private=identity.signing.private,
            created=created,
            expires=created + SIGNATURE_LIFETIME,
        ),
    }


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float | None = None) -> Reply:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(
            request, timeout=timeout or settings.COMPTOIR_PROTOCOL_TIMEOUT
        ) as response:
            return Reply(response.status, _json(response.read()))
    except urllib.error.HTTPError as error:
        return Reply(error.code, _json(error.read()))


def post_signed(
    url: str, message: dict[str, Any], identity: Identity, *, timeout: float | None = None
) -> Reply:
    body = encode(message)
    return post(url, body, signed_headers(body, identity), timeout=timeout)


def _json(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw or b"{}")
    except ValueError:
        return {"raw": raw[:200].decode(errors="replace")}
    return value if isinstance(value, dict) else {"value": value}
