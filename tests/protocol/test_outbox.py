"""Outbox over real HTTP: delivered once on ACK, retried with doubling delays, given up at the bound or the ttl."""

from __future__ import annotations

import http.server
import json
import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from comptoir.protocol import outbox
from comptoir.protocol.identity import do_generate_keys, load_identity
from comptoir.protocol.models import OutboxMessage
from comptoir.protocol.wire import messages, signing


class Peer(http.server.BaseHTTPRequestHandler):
    answers: list[int] = []
    received: list[tuple[str, bytes, str]] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Peer.received.append((self.path, body, self.headers["Authorization"]))
        status = Peer.answers.pop(0) if Peer.answers else 200
        payload = messages.ack() if status == 200 else messages.nack("CORE-ERROR", "10000", "busy")
        if status == 4002:  # a Comptoir node refusing a message id it already has
            status, payload = 400, messages.nack("CONTEXT-ERROR", "20002", "message m1 was already received")
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def peer():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Peer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Peer.answers, Peer.received = [], []
    yield f"http://127.0.0.1:{server.server_port}/beckn"
    server.shutdown()


@pytest.fixture
def me(settings, tmp_path, db):
    settings.COMPTOIR_HOME = tmp_path
    do_generate_keys()
    return load_identity()


def _callback(ttl: str | None = None) -> dict:
    context = messages.request_context(
        action="on_status", domain="ONDC:RET10", city="std:0381", bap_id="a", bap_uri="http://x", moment=timezone.now(),
        transaction_id="t", bpp_id="b", bpp_uri="http://y",
    )  # fmt: skip
    body = messages.envelope(context, order={"id": "A-1", "state": "Accepted"})
    if ttl is None:
        body["context"].pop("ttl")
    else:
        body["context"]["ttl"] = ttl
    return body


def test_sent_signed_once_on_ack(peer, me):
    queued = outbox.do_queue(peer, _callback())
    assert outbox.do_send_due() == 1
    assert outbox.do_send_due() == 0
    queued.refresh_from_db()
    assert (queued.state, queued.attempts, queued.last_error) == ("sent", 1, "")
    path, body, authorization = Peer.received[0]
    assert path == "/beckn/on_status"
    header = signing.parse_header(authorization)
    signing.check_header(header, body, me.signing.public, now=header.created)
    assert json.loads(body) == queued.body


def test_retries_with_doubling_delays_then_succeeds(peer, me):
    Peer.answers = [503, 500]
    queued = outbox.do_queue(peer, _callback(ttl="PT1H"))
    outbox.do_send_due()
    queued.refresh_from_db()
    assert (queued.state, queued.attempts) == ("pending", 1)
    assert "HTTP 503" in queued.last_error
    first_wait = queued.next_attempt - timezone.now()
    assert timedelta(0) < first_wait <= timedelta(seconds=0.25)
    assert outbox.do_send_due() == 0  # not due yet
    outbox.do_send_due(now=queued.next_attempt)
    queued.refresh_from_db()
    assert queued.attempts == 2
    assert timedelta(seconds=0.25) < queued.next_attempt - timezone.now() <= timedelta(seconds=0.5)
    outbox.do_send_due(now=queued.next_attempt)
    queued.refresh_from_db()
    assert (queued.state, queued.attempts) == ("sent", 3)
    assert len(Peer.received) == 3


def test_a_peer_that_already_has_the_message_counts_as_delivered(peer, me):
    """Our first send reached it but its ACK was lost (a killed worker): the peer refuses the resend as a
    replay (20002), which says it has the message: sent, not retried until given up."""
    Peer.answers = [4002]
    queued = outbox.do_queue(peer, _callback(ttl="PT1H"))
    outbox.do_send_due()
    queued.refresh_from_db()
    assert (queued.state, queued.attempts, queued.last_error) == ("sent", 1, "")
    Peer.answers = [400]  # any other refusal is still an error, retried
    other = outbox.do_queue(peer, _callback(ttl="PT1H"))
    outbox.do_send_due()
    other.refresh_from_db()
    assert (other.state, other.attempts) == ("pending", 1)
    assert other.last_error.startswith("HTTP 400")


def test_gives_up_after_the_bound(peer, me):
    Peer.answers = [500] * 10
    queued = outbox.do_queue(peer, _callback(ttl="PT1H"))
    for _ in range(outbox.MAX_ATTEMPTS):
        outbox.do_send_due(now=timezone.now() + timedelta(hours=0.5))
    queued.refresh_from_db()
    assert (queued.state, queued.attempts) == ("failed", outbox.MAX_ATTEMPTS)
    assert outbox.do_send_due(now=timezone.now() + timedelta(hours=0.9)) == 0


def test_dead_peer_is_given_up_at_the_ttl(me):
    queued = outbox.do_queue("http://127.0.0.1:9/beckn", _callback(ttl="PT30S"))
    assert queued.expires - queued.created >= timedelta(seconds=29)
    OutboxMessage.objects.filter(pk=queued.pk).update(expires=timezone.now() + timedelta(seconds=0.1))
    outbox.do_send_due()
    queued.refresh_from_db()
    assert queued.state == "failed"
    assert queued.last_error.startswith("unreachable")
