"""A trusted peer with its keys, and a helper that signs a body as that peer."""

from __future__ import annotations

import time
from typing import Any

import pytest

from comptoir.protocol.services import do_trust_subscriber
from comptoir.protocol.wire import messages, signing
from comptoir.protocol.wire.signing import KeyPair


class Peer:
    def __init__(self, subscriber_id: str, role: str) -> None:
        self.subscriber_id, self.role = subscriber_id, role
        self.keys = KeyPair.generate()
        self.ukid = f"{subscriber_id}-k1"

    def trust(self, **extra: Any) -> None:
        do_trust_subscriber(
            subscriber_id=self.subscriber_id, unique_key_id=self.ukid, role=self.role,
            url=f"https://{self.subscriber_id}/beckn", signing_public_key=self.keys.public, **extra,
        )  # fmt: skip

    def headers(self, body: bytes, *, created: int | None = None, lifetime: int = 300) -> dict[str, str]:
        created = int(time.time()) if created is None else created
        value = signing.authorization_header(
            body, subscriber_id=self.subscriber_id, unique_key_id=self.ukid, private=self.keys.private,
            created=created, expires=created + lifetime,
        )  # fmt: skip
        return {"HTTP_AUTHORIZATION": value}


@pytest.fixture
def bap(db: Any) -> Peer:
    peer = Peer("node-a.example", "BAP")
    peer.trust(domain="ONDC:RET10")
    return peer


def encode(message: dict[str, Any]) -> bytes:
    return messages.encode(message)
