"""The door: signed requests accepted once; forged, expired, unknown, invalid or replayed ones refused, leaving nothing."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

import pytest
from django.test import Client

from comptoir.protocol.models import InboxMessage
from comptoir.protocol.wire import messages
from tests.protocol.conftest import Peer, encode


def _status_request(
    *, message_id: str = "m-1", domain: str = "ONDC:RET10", ttl: str = "PT30S", bap_id: str = "node-a.example"
) -> dict:
    context = messages.request_context(
        action="status", domain=domain, city="std:0381", bap_id=bap_id, bap_uri=f"https://{bap_id}/beckn",
        bpp_id="comptoir.localhost", bpp_uri="http://127.0.0.1:8000/beckn", moment=datetime.now(UTC),
        transaction_id="t-1", message_id=message_id, ttl=ttl,
    )  # fmt: skip
    return messages.envelope(context, order_id="42")


def _post(body: bytes, headers: dict[str, str], action: str = "status"):
    return Client().post(f"/beckn/{action}", data=body, content_type="application/json", **headers)


def _refused(response, status: int, kind: str, reason: str) -> None:
    assert response.status_code == status
    payload = response.json()
    assert payload["message"]["ack"]["status"] == "NACK"
    assert payload["error"]["type"] == kind
    assert reason in payload["error"]["message"]
    assert InboxMessage.objects.count() == 0


def test_signed_request_is_acked_and_stored_once(bap: Peer):
    body = encode(_status_request())
    response = _post(body, bap.headers(body))
    assert response.status_code == 200
    assert response.json() == {"message": {"ack": {"status": "ACK"}}}
    stored = InboxMessage.objects.get()
    assert (stored.sender_id, stored.action, stored.message_id, stored.transaction_id) == (
        "node-a.example",
        "status",
        "m-1",
        "t-1",
    )
    assert stored.body == _status_request() | {"context": stored.body["context"]}
    assert stored.processed is None  # the worker processes it, not the request


def test_forged_signature_is_refused_with_www_authenticate(bap: Peer, caplog):
    body = encode(_status_request())
    forged = Peer("node-a.example", "BAP")  # same name, other key
    with caplog.at_level(logging.WARNING, logger="comptoir.protocol.inbound"):
        response = _post(body, forged.headers(body))
    _refused(response, 401, "CORE-ERROR", "does not match")
    assert (
        response["WWW-Authenticate"]
        == 'Signature realm="comptoir.localhost",headers="(created) (expires) digest"'
    )
    assert [r.getMessage() for r in caplog.records if r.name == "comptoir.protocol.inbound"] == [
        "refused /status: Authorization: the signature does not match the body and the subscriber's key (HTTP 401)"
    ]


def test_body_altered_after_signing_is_refused(bap: Peer):
    body = encode(_status_request())
    headers = bap.headers(body)
    _refused(_post(body.replace(b'"42"', b'"43"'), headers), 401, "CORE-ERROR", "does not match")


def test_expired_signature_is_refused(bap: Peer):
    body = encode(_status_request())
    _refused(
        _post(body, bap.headers(body, created=int(time.time()) - 400, lifetime=300)),
        401,
        "CORE-ERROR",
        "expired",
    )


def test_unknown_subscriber_is_refused(db):
    stranger = Peer("stranger.example", "BAP")
    body = encode(_status_request(bap_id="stranger.example"))
    response = _post(body, stranger.headers(body))
    _refused(response, 401, "CORE-ERROR", "unknown subscriber stranger.example|stranger.example-k1")
    assert "WWW-Authenticate" in response


def test_missing_header_is_refused(bap: Peer):
    _refused(_post(encode(_status_request()), {}), 401, "CORE-ERROR", "Authorization header missing")


def test_replayed_message_id_is_refused(bap: Peer):
    body = encode(_status_request())
    assert _post(body, bap.headers(body)).status_code == 200
    again = _post(body, bap.headers(body))
    assert again.status_code == 400
    assert again.json()["error"]["message"] == "message m-1 was already received"
    assert InboxMessage.objects.count() == 1


def test_signer_must_be_the_contexts_sender(bap: Peer, db):
    other = Peer("node-c.example", "BAP")
    other.trust(domain="ONDC:RET10")
    body = encode(_status_request())  # bap_id is node-a
    _refused(_post(body, other.headers(body)), 401, "CORE-ERROR", "signed by node-c.example")


@pytest.mark.parametrize(
    ("change", "status", "kind", "reason"),
    [
        (
            lambda m: m["context"].update(core_version="1.1.0"),
            400,
            "JSON-SCHEMA-ERROR",
            "context/core_version",
        ),
        (
            lambda m: m["message"].pop("order_id"),
            400,
            "JSON-SCHEMA-ERROR",
            "'order_id' is a required property",
        ),
        (
            lambda m: m["context"].update(domain="ONDC:RET14"),
            400,
            "DOMAIN-ERROR",
            "domain ONDC:RET14 is not served",
        ),
        (
            lambda m: m["context"].update(timestamp="2020-01-01T00:00:00.000Z"),
            400,
            "CONTEXT-ERROR",
            "ttl PT30S has passed",
        ),
        (
            lambda m: m["context"].update(action="track"),
            400,
            "CONTEXT-ERROR",
            "context.action track sent to /status",
        ),
    ],
)
def test_invalid_messages_are_refused_and_leave_nothing(bap: Peer, change, status, kind, reason):
    message = _status_request()
    change(message)
    body = encode(message)
    _refused(_post(body, bap.headers(body)), status, kind, reason)


def test_not_json_is_refused(bap: Peer):
    _refused(_post(b"{oops", bap.headers(b"{oops")), 400, "JSON-SCHEMA-ERROR", "not JSON")


def test_unknown_action_is_404(bap: Peer):
    assert _post(b"{}", {}, action="dance").status_code == 404


def test_catalog_parts_share_a_message_id_but_a_replayed_part_is_refused(db):
    seller = Peer("node-b.example", "BPP")
    seller.trust(domain="ONDC:RET10")
    request = _status_request()
    context = messages.reply_context(
        messages.parse(encode({**request, "context": {**request["context"], "action": "search"}})).context,
        bpp_id="node-b.example", bpp_uri="https://node-b.example/beckn", moment=datetime.now(UTC),
    )  # fmt: skip
    first = encode(messages.envelope(context, catalog={"bpp/providers": [{"id": "shop-1"}]}))
    second = encode(messages.envelope(context, catalog={"bpp/providers": [{"id": "shop-2"}]}))
    assert _post(first, seller.headers(first), action="on_search").status_code == 200
    assert _post(second, seller.headers(second), action="on_search").status_code == 200
    assert _post(first, seller.headers(first), action="on_search").status_code == 400
    assert InboxMessage.objects.filter(action="on_search").count() == 2
