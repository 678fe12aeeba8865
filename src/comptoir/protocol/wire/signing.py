"""Beckn HTTP signatures: BLAKE2b-512 digest, ``(created) (expires) digest``, ed25519.

Keys use libsodium's formats, as the registries publish them: a private key is
base64 of 64 bytes (32-byte seed then the 32-byte public key), a public key is
base64 of its 32 raw bytes. Always sign and verify the raw bytes of the body:
re-serialised JSON has another digest.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

HEADERS = "(created) (expires) digest"
_PARAM = re.compile(r'\s*([a-zA-Z]+)\s*=\s*"([^"]*)"\s*')


class SignatureError(Exception):
    """Why a signature header was refused; the text goes to the log and the NACK."""


@dataclass(frozen=True)
class KeyPair:
    private: str  # base64(seed || public), libsodium format
    public: str  # base64(32 bytes)

    @classmethod
    def generate(cls) -> KeyPair:
        return cls.from_private(base64.b64encode(bytes(SigningKey.generate())).decode())

    @classmethod
    def from_private(cls, private: str) -> KeyPair:
        raw = base64.b64decode(private, validate=True)
        if len(raw) not in (32, 64):
            raise ValueError("a signing key is 32 (seed) or 64 (seed and public key) bytes")
        key = SigningKey(raw[:32])
        public = bytes(key.verify_key)
        if len(raw) == 64 and raw[32:] != public:
            raise ValueError("the private key's public half does not match its seed")
        return cls(
            private=base64.b64encode(raw[:32] + public).decode(), public=base64.b64encode(public).decode()
        )


@dataclass(frozen=True)
class SignatureHeader:
    subscriber_id: str
    unique_key_id: str
    algorithm: str
    created: int
    expires: int
    headers: str
    signature: str


def digest(body: bytes) -> str:
    return base64.b64encode(hashlib.blake2b(body, digest_size=64).digest()).decode()


def signing_string(body: bytes, created: int, expires: int) -> str:
    return f"(created): {created}\n(expires): {expires}\ndigest: BLAKE-512={digest(body)}"


def sign_text(text: str, private: str) -> str:
    key = SigningKey(base64.b64decode(private)[:32])
    return base64.b64encode(key.sign(text.encode()).signature).decode()


def verify_text(text: str, signature: str, public: str) -> bool:
    try:
        VerifyKey(base64.b64decode(public, validate=True)).verify(text.encode(), base64.b64decode(signature))
    except (BadSignatureError, ValueError, TypeError):
        return False
    return True


def sign(body: bytes, private: str, created: int, expires: int) -> str:
    return sign_text(signing_string(body, created, expires), private)


def authorization_header(
    body: bytes, *, subscriber_id: str, unique_key_id: str, private: str, created: int, expires: int
) -> str:
    """The ``Authorization`` (or, signed by a gateway, ``X-Gateway-Authorization``) value."""
    signature = sign(body, private, created, expires)
    return (
        f'Signature keyId="{subscriber_id}|{unique_key_id}|ed25519",algorithm="ed25519",'
        f'created="{created}",expires="{expires}",headers="{HEADERS}",signature="{signature}"'
    )


def parse_header(value: str) -> SignatureHeader:
    value = value.strip()
    if not value.startswith("Signature "):
        raise SignatureError("the header is not a Signature header")
    params: dict[str, str] = {}
    for part in _split_params(value[len("Signature ") :]):
        match = _PARAM.fullmatch(part)
        if not match:
            raise SignatureError(f"malformed signature parameter: {part.strip()[:40]}")
        params[match.group(1)] = match.group(2)
    missing = {"keyId", "created", "expires", "signature"} - params.keys()
    if missing:
        raise SignatureError("missing signature parameters: " + ", ".join(sorted(missing)))
    key_parts = params["keyId"].split("|")
    if len(key_parts) != 3 or not all(key_parts):
        raise SignatureError('keyId must be "subscriber_id|unique_key_id|algorithm"')
    if key_parts[2] != "ed25519" or params.get("algorithm", "ed25519") != "ed25519":
        raise SignatureError("only ed25519 signatures are accepted")
    if params.get("headers", HEADERS) != HEADERS:
        raise SignatureError(f'headers must be "{HEADERS}"')
    try:
        created, expires = int(params["created"]), int(params["expires"])
    except ValueError:
        raise SignatureError("created and expires must be unix times") from None
    return SignatureHeader(
        subscriber_id=key_parts[0],
        unique_key_id=key_parts[1],
        algorithm="ed25519",
        created=created,
        expires=expires,
        headers=HEADERS,
        signature=params["signature"],
    )


def _split_params(text: str) -> list[str]:
    """Split on commas outside quotes (a keyId may not hold one, but a base64 value never does)."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == "," and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [part for part in parts if part.strip()]


def check_header(header: SignatureHeader, body: bytes, public: str, *, now: int, skew: int = 5) -> None:
    """Raise SignatureError unless the header signs this body, now, with this key."""
    if header.created > now + skew:
        raise SignatureError("the signature was created in the future")
    if header.expires < now - skew:
        raise SignatureError("the signature has expired")
    if header.expires <= header.created:
        raise SignatureError("the signature expires before it was created")
    if not verify_text(signing_string(body, header.created, header.expires), header.signature, public):
        raise SignatureError("the signature does not match the body and the subscriber's key")


def www_authenticate(realm: str) -> str:
    """What a refused request is told to send (Beckn signing spec, 401 response)."""
    return f'Signature realm="{realm}",headers="{HEADERS}"'
