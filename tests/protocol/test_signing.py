"""Signing: every vector of ../shared/protocol/beckn/test-vectors.md, and properties of our own keys."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comptoir.protocol.wire import signing
from tests.protocol.shared import BECKN, field, needs_shared, vector_section

pytestmark = needs_shared


def _body(section: str) -> bytes:
    return section.split("```\n", 1)[1].split("\n```", 1)[0].encode()


def test_v0_blake2b_512():
    section = vector_section("V0")
    assert signing.digest(field(section, "input (ASCII)").encode()) == field(section, "base64")


def test_v1_bap_signs_search():
    section = vector_section("V1 ")
    body = _body(section)
    private, public = field(section, "signing_private_key"), field(section, "signing_public_key")
    created, expires = int(field(section, "created")), int(field(section, "expires: "))
    assert signing.KeyPair.from_private(private).public == public
    assert signing.digest(body) == field(section, "- digest")
    expected_string = section.split("- signing string:\n```\n", 1)[1].split("\n```", 1)[0]
    assert signing.signing_string(body, created, expires) == expected_string
    assert signing.sign(body, private, created, expires) == field(section, "- signature")
    header = signing.authorization_header(
        body,
        subscriber_id="example-bap.com",
        unique_key_id="ae3ea24b-cfec-495e-81f8-044aaef164ac",
        private=private,
        created=created,
        expires=expires,
    )
    assert header == field(section, "- header (as printed upstream):\n ")
    parsed = signing.parse_header(header)
    signing.check_header(parsed, body, public, now=created + 10)


def test_v1_gateway_resigns():
    v1, section = vector_section("V1 "), vector_section("V1-BG")
    body = _body(v1)
    private = field(section, "BG signing_private_key")
    assert signing.KeyPair.from_private(private).public == field(section, "BG signing_public_key")
    assert signing.sign(body, private, 1641287885, 1641291485) == field(section, "signature (DERIVED)")


def test_v2_reference_utility_reserialised_body():
    section, v1 = vector_section("V2"), vector_section("V1 ")
    raw = (BECKN / "signing-sample" / "request_body_raw_text.txt").read_text()
    body = json.dumps(json.loads(raw), separators=(",", ":")).encode()
    assert body == _body(v1)
    private = field(section, "Signing_private_key")
    assert signing.KeyPair.from_private(private).public == field(section, "Signing_public_key")
    header = signing.authorization_header(
        body,
        subscriber_id="buyer-app.ondc.org",
        unique_key_id="207",
        private=private,
        created=1641287875,
        expires=1641291475,
    )
    assert header == field(section, "- header")


def test_v4_site_verification_plain_ed25519():
    section = vector_section("V4")
    signature = signing.sign_text(field(section, "message"), field(section, "private"))
    assert signature == field(section, "signature")
    assert signing.verify_text(field(section, "message"), signature, field(section, "public"))


def test_v5_deterministic_seed():
    section = vector_section("V5")
    seed = base64.b64encode(bytes(range(32))).decode()
    pair = signing.KeyPair.from_private(seed)
    assert pair.private == field(section, "private (seed||pub)")
    assert pair.public == field(section, "public")
    body = b'{"hello":"world"}'
    assert signing.digest(body) == field(section, "digest")
    assert signing.sign(body, pair.private, 1700000000, 1700003600) == field(section, "signature")


def test_v3_on_subscribe_challenge():
    from comptoir.protocol.wire import challenge

    section = vector_section("V3")
    private = field(section, "X25519 private key (PKCS#8 DER, base64)")
    public = field(section, "X25519 public key (SPKI DER, base64)")
    assert challenge.shared_secret(private, public) == base64.b64decode(
        field(section, "shared secret (DERIVED)")
    )
    assert (
        challenge.decrypt(field(section, "ciphertext (base64)"), private, public)
        == "ONDC is a Great Initiative!"
    )
    again = challenge.encrypt("ONDC is a Great Initiative!", private, public)
    assert again == field(section, "ciphertext (base64)")


def test_refusals_say_why():
    pair = signing.KeyPair.generate()
    body = b'{"a":1}'
    header = signing.parse_header(
        signing.authorization_header(
            body, subscriber_id="s", unique_key_id="k", private=pair.private, created=100, expires=200
        )
    )
    with pytest.raises(signing.SignatureError, match="expired"):
        signing.check_header(header, body, pair.public, now=300)
    with pytest.raises(signing.SignatureError, match="future"):
        signing.check_header(header, body, pair.public, now=50)
    with pytest.raises(signing.SignatureError, match="does not match"):
        signing.check_header(header, b'{"a":2}', pair.public, now=150)
    other = signing.KeyPair.generate()
    with pytest.raises(signing.SignatureError, match="does not match"):
        signing.check_header(header, body, other.public, now=150)
    for bad, reason in [
        ("Bearer x", "not a Signature"),
        ('Signature keyId="a|b",created="1",expires="2",signature="x"', "keyId"),
        ('Signature keyId="a|b|rsa",created="1",expires="2",signature="x"', "ed25519"),
        ('Signature keyId="a|b|ed25519",created="x",expires="2",signature="x"', "unix"),
        ('Signature keyId="a|b|ed25519",created="1",signature="x"', "expires"),
        ('Signature keyId="a|b|ed25519",created="1",expires="2",headers="digest",signature="x"', "headers"),
    ]:
        with pytest.raises(signing.SignatureError, match=reason):
            signing.parse_header(bad)


def test_key_pair_rejects_mismatched_halves():
    one, two = signing.KeyPair.generate(), signing.KeyPair.generate()
    raw = base64.b64decode(one.private)[:32] + base64.b64decode(two.public)
    with pytest.raises(ValueError, match="public half"):
        signing.KeyPair.from_private(base64.b64encode(raw).decode())


_PAIR = signing.KeyPair.from_private(base64.b64encode(bytes(range(32))).decode())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.binary(min_size=1, max_size=300), position=st.integers(min_value=0), flip=st.integers(1, 255))
def test_signed_message_verifies_and_any_altered_byte_fails(body, position, flip):
    header = signing.parse_header(
        signing.authorization_header(
            body, subscriber_id="s", unique_key_id="k", private=_PAIR.private, created=10, expires=20
        )
    )
    signing.check_header(header, body, _PAIR.public, now=15)
    altered = bytearray(body)
    altered[position % len(body)] ^= flip
    with pytest.raises(signing.SignatureError):
        signing.check_header(header, bytes(altered), _PAIR.public, now=15)
