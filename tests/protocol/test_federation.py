"""Three nodes on loopback (own folders, databases, processes): R is registry, gateway and buyer app;
B and C are seller apps found through R. R's search reaches both through the gateway and shows each
result's origin; R orders from B (flow 2, keys found by registry lookup); forged, expired, replayed
and unknown-subscriber requests to B are refused and leave nothing in B's tables."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest

from comptoir.protocol.nodes import Node, introduce
from comptoir.protocol.wire import logcheck, messages, signing
from comptoir.protocol.wire.signing import KeyPair


def _status_body(r: Node, b: Node, message_id: str) -> bytes:
    context = messages.request_context(
        action="status", domain="ONDC:RET10", city="std:0381", bap_id=r.subscriber_id, bap_uri=r.url,
        bpp_id=b.subscriber_id, bpp_uri=b.url, moment=datetime.now(UTC),
        transaction_id="t-probe", message_id=message_id,
    )  # fmt: skip
    return messages.encode(messages.envelope(context, order_id="none"))


def _post(url: str, body: bytes, authorization: str) -> int:
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": authorization},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _header(body: bytes, subscriber: str, ukid: str, private: str, created: int, lifetime: int = 300) -> str:
    return signing.authorization_header(
        body,
        subscriber_id=subscriber,
        unique_key_id=ukid,
        private=private,
        created=created,
        expires=created + lifetime,
    )


@pytest.mark.slow
def test_three_nodes_registry_gateway_search_order_and_refusals(tmp_path: Path):
    r = Node("registry", tmp_path / "r")
    b, c = Node("bakery", tmp_path / "b"), Node("grocer", tmp_path / "c")
    r.extra_env = {"COMPTOIR_PROTOCOL_REGISTRY": "1", "COMPTOIR_PROTOCOL_GATEWAY": "1",
                   "COMPTOIR_REGISTRY_URL": f"http://127.0.0.1:{r.port}/registry", "COMPTOIR_GATEWAY_URL": f"http://127.0.0.1:{r.port}/gateway"}  # fmt: skip
    for seller in (b, c):
        seller.extra_env = {"COMPTOIR_REGISTRY_URL": f"http://127.0.0.1:{r.port}/registry"}
    nodes = [r, b, c]
    try:
        r_keys = r.init()
        for seller in (b, c):
            seller.init(database_from=r)
            introduce(
                [(seller, {}, "BPP")], seed=seller
            )  # no trusted peer: every key comes from the registry
        for node in nodes:
            node.start()
        r.command("protocol", "subscribe", "--role", "BAP", "--domain", "ONDC:RET10")
        r.command("protocol", "subscribe", "--role", "BG", "--domain", "ONDC:RET10")
        for seller in (b, c):
            seller.command("protocol", "subscribe", "--role", "BPP", "--domain", "ONDC:RET10")

        merged = json.loads(r.command("peers", "search", "Pain", "--json", "--wait", "20"))
        assert merged["answered"] == ["bakery.localhost", "grocer.localhost"]
        assert [(x["node"], x["name"], x["price"]) for x in merged["results"]] == [
            ("bakery.localhost", "Pain de campagne", "3.20"), ("grocer.localhost", "Pain de campagne", "3.20"),
        ]  # fmt: skip

        out = tmp_path / "order"
        r.command("protocol", "flow-play", "2", "--seller-id", b.subscriber_id, "--seller-url", b.url, "--out", str(out),
                  "--seller-env", json.dumps(b.overrides()), timeout=600)  # fmt: skip
        assert logcheck.problems(out) == []
        assert (
            json.loads((out / "on_status_delivered.json").read_text())["message"]["order"]["state"]
            == "Completed"
        )

        before = json.loads(b.command("protocol", "stats"))
        now = int(time.time())
        r_private = json.loads((r.home / "protocol" / "keys.json").read_text())["signing_private_key"]
        ukid = r_keys["unique_key_id"]
        status_url = b.url + "/status"
        legit = _status_body(r, b, "probe-1")
        assert _post(status_url, legit, _header(legit, r.subscriber_id, ukid, r_private, now)) == 200
        forged = _status_body(r, b, "probe-2")
        assert (
            _post(status_url, forged, _header(forged, r.subscriber_id, ukid, KeyPair.generate().private, now))
            == 401
        )
        expired = _status_body(r, b, "probe-3")
        assert (
            _post(status_url, expired, _header(expired, r.subscriber_id, ukid, r_private, now - 1000, 300))
            == 401
        )
        assert (
            _post(status_url, legit, _header(legit, r.subscriber_id, ukid, r_private, now)) == 400
        )  # replay
        stranger = KeyPair.generate()
        unknown = _status_body(r, b, "probe-4")
        assert (
            _post(status_url, unknown, _header(unknown, "stranger.localhost", "k1", stranger.private, now))
            == 401
        )
        after = json.loads(b.command("protocol", "stats"))
        assert after["InboxMessage"] == before["InboxMessage"] + 1  # only the legitimate request
        assert after["Transaction"] == before["Transaction"]
        assert after["Subscriber"] == before["Subscriber"]
    finally:
        for node in nodes:
            node.stop()
