"""Registry over real HTTP (a live server): subscribe with the on_subscribe challenge, lookup, cached lookups."""

from __future__ import annotations

import json
import urllib.request
from datetime import timedelta

import pytest
from django.utils import timezone

from comptoir.core.errors import InvalidInput
from comptoir.protocol import registry
from comptoir.protocol.identity import do_generate_keys, load_identity
from comptoir.protocol.models import Subscriber
from comptoir.protocol.selectors import known_key
from comptoir.protocol.wire import challenge


@pytest.fixture
def node(live_server, settings, tmp_path):
    settings.COMPTOIR_HOME = tmp_path
    settings.COMPTOIR_PROTOCOL_ID = "node-b.example"
    settings.COMPTOIR_PROTOCOL_URL = live_server.url + "/beckn"
    settings.COMPTOIR_REGISTRY_URL = live_server.url + "/registry"
    settings.COMPTOIR_PROTOCOL_REGISTRY = True
    do_generate_keys()
    return load_identity()


def _lookup(url: str, criteria: dict) -> list[dict]:
    request = urllib.request.Request(
        url + "/registry/lookup", data=json.dumps(criteria).encode(), method="POST"
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def test_subscribe_proves_both_keys_then_lookup_finds_it(node, live_server):
    body = registry.do_subscribe_to_registry(me=node, role="BPP", domain="ONDC:RET10", city="std:0381")
    assert body["status"] == "SUBSCRIBED"
    row = Subscriber.objects.get(source=Subscriber.Source.REGISTERED)
    assert (row.subscriber_id, row.role, row.domain, row.city, row.signing_public_key) == (
        "node-b.example", "BPP", "ONDC:RET10", "std:0381", node.signing.public,
    )  # fmt: skip
    found = _lookup(live_server.url, {"subscriber_id": "node-b.example", "ukId": node.unique_key_id})
    assert [(e["subscriber_id"], e["type"], e["signing_public_key"], e["subscriber_url"]) for e in found] == [
        ("node-b.example", "BPP", node.signing.public, node.url)
    ]
    assert _lookup(live_server.url, {"type": "BAP", "domain": "ONDC:RET10"}) == []
    assert (
        _lookup(live_server.url, {"type": "BPP", "domain": "ONDC:RET10", "city": "std:0381"})[0]["ukId"]
        == node.unique_key_id
    )


def test_subscription_with_someone_elses_encryption_key_is_refused(node, live_server):
    stranger = challenge.EncryptionKeyPair.generate()
    imposter = type(node)(node.subscriber_id, node.unique_key_id, node.url, node.signing, challenge.EncryptionKeyPair(
        private=node.encryption.private, public=stranger.public))  # fmt: skip
    with pytest.raises(InvalidInput, match="challenge was not answered"):
        registry.do_subscribe_to_registry(me=imposter, role="BPP", domain="ONDC:RET10", city="std:0381")
    assert not Subscriber.objects.filter(source=Subscriber.Source.REGISTERED).exists()


def test_lookup_is_cached_until_it_expires(node, live_server, settings):
    registry.do_subscribe_to_registry(me=node, role="BAP", domain="ONDC:RET10", city="*")
    now = timezone.now()
    assert (
        registry.do_cache_entries(registry.lookup({"subscriber_id": "node-b.example"}, now=now), now=now) == 1
    )
    cached = Subscriber.objects.get(source=Subscriber.Source.LOOKUP)
    assert cached.cached_until == now + timedelta(seconds=settings.COMPTOIR_PROTOCOL_LOOKUP_SECONDS)
    later = now + timedelta(seconds=settings.COMPTOIR_PROTOCOL_LOOKUP_SECONDS + 1)
    Subscriber.objects.exclude(source=Subscriber.Source.LOOKUP).delete()  # only the cached copy is left
    assert known_key("node-b.example", node.unique_key_id, now=now) == cached
    settings.COMPTOIR_REGISTRY_URL = ""
    assert known_key("node-b.example", node.unique_key_id, now=later) is None  # expired, no registry to ask


def test_on_subscribe_from_an_unknown_registry_is_refused(node, live_server):
    from comptoir.protocol import http

    stranger_home = load_identity()
    reply = http.post_signed(
        live_server.url + "/beckn/on_subscribe",
        {"challenge": "x", "registry_encr_public_key": "y"},
        stranger_home,
    )
    assert reply.status == 401
    assert "unknown subscriber" in reply.body["error"]["message"]


def test_lookup_on_a_node_that_is_not_a_registry_is_404(client, settings):
    settings.COMPTOIR_PROTOCOL_REGISTRY = False
    assert client.post("/registry/lookup", data="{}", content_type="application/json").status_code == 404
