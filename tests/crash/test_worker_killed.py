"""Issue 18 item 6: `comptoir worker` SIGKILLed in the middle of a task; restarted, it finishes it once.

The queue is django-tasks-db's table: the killed worker leaves its task "running"; the next worker
sees that the dead one stopped beating (`WorkerBeat`) and queues the task again (core/worker.py).
"""

from __future__ import annotations

import asyncio
import http.server
import json
import threading
import time
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.crash.node import Node, free_port

pytestmark = pytest.mark.slow

RUNNING_MAIL = "SELECT status FROM django_tasks_database_dbtaskresult WHERE task_path LIKE '%send_order_email' AND status = 'RUNNING'"


class HoldFirstRecipient:
    """An SMTP server that keeps the first delivery waiting at RCPT (the worker is killed there)."""

    def __init__(self) -> None:
        self.held = threading.Event()
        self.release = threading.Event()
        self.messages: list[tuple[list[str], str]] = []

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if not self.held.is_set():
            self.held.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 try again later"  # the client is gone by now
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        subject = next(
            (line[9:] for line in envelope.content.decode().splitlines() if line.startswith("Subject: ")), ""
        )
        self.messages.append((list(envelope.rcpt_tos), subject))
        return "250 Message accepted for delivery"


def test_mail_cut_off_by_a_killed_worker_is_sent_once(make_node: Any) -> None:
    smtp = HoldFirstRecipient()
    port = free_port()
    controller = Controller(smtp, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        node: Node = make_node(EMAIL_URL=f"smtp://127.0.0.1:{port}")
        node.step("seed_shop", "1", "10")
        order = node.step("place_order")
        node.start_worker()
        assert smtp.held.wait(120), node.log("worker")[-2000:]
        node.wait_for(RUNNING_MAIL, {"RUNNING"})  # the task is claimed and its mail half-way: kill
        node.kill("worker")
        smtp.release.set()
        assert smtp.messages == []

        node.start_worker()
        deadline = time.monotonic() + 120
        while len(smtp.messages) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(2)  # several beats: a duplicate would have come by now
        tasks = node.sql(
            "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult WHERE task_path LIKE '%send_order_email'"
        )
    finally:
        controller.stop()
    recipients = sorted(to for to, _subject in smtp.messages)
    assert recipients == [["habitant0@example.org"], ["owner@boulangerie.example"]], node.log("worker")[
        -2000:
    ]
    assert order["number"] in " ".join(subject for _to, subject in smtp.messages)
    assert sorted(status for status, _ids in tasks) == ["SUCCESSFUL", "SUCCESSFUL"]
    assert sorted(len(_ids(ids)) for _status, ids in tasks) == [1, 2]  # the cut-off one ran twice, sent once


def test_planning_cut_off_by_a_killed_worker_ends_done_once(make_node: Any) -> None:
    node: Node = make_node(COMPTOIR_PLANNING_SECONDS="5")
    world = node.step("plan_world", "40")
    node.start_worker()
    node.wait_for("SELECT status FROM delivery_planrun WHERE id = ?", {"running"}, 120, world["run"])
    node.kill("worker")
    (task_status,) = node.sql(
        "SELECT status FROM django_tasks_database_dbtaskresult WHERE task_path LIKE '%plan_slot_task'"
    )[0]
    assert task_status == "RUNNING"  # killed mid-planning, not after
    assert node.sql("SELECT COUNT(*) FROM delivery_round")[0][0] == 0

    node.start_worker()
    status = node.wait_for(
        "SELECT status FROM delivery_planrun WHERE id = ?", {"done", "failed"}, 120, world["run"]
    )
    assert status == "done", node.sql("SELECT message FROM delivery_planrun")
    drops = node.sql(
        "SELECT s.booking_id FROM delivery_stop s JOIN delivery_round r ON s.round_id = r.id WHERE s.kind = 'drop'"
    )
    assert sorted(b for (b,) in drops) == sorted(b for (b,) in node.sql("SELECT id FROM delivery_booking"))
    assert len(drops) == world["bookings"]
    assert node.sql("SELECT COUNT(*) FROM delivery_planrun")[0][0] == 1
    (task,) = node.sql(
        "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult WHERE task_path LIKE '%plan_slot_task'"
    )
    assert task[0] == "SUCCESSFUL" and len(_ids(task[1])) == 2


class HoldFirstCallback(http.server.BaseHTTPRequestHandler):
    """A buyer app that keeps the first callback waiting for its answer (the worker is killed there)."""

    held = threading.Event()
    release = threading.Event()
    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).received.append(body)
        if len(type(self).received) == 1:
            type(self).held.set()
            type(self).release.wait(60)  # the client is gone by now: this answer goes nowhere
        data = json.dumps({"message": {"ack": {"status": "ACK"}}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


def test_a_callback_cut_off_by_a_killed_worker_is_sent_again_and_recorded_once(make_node: Any) -> None:
    """The protocol follower is posting an on_status when the worker dies: the outbox row is still pending,
    so the next worker sends the same message (same message id and body: the buyer app deduplicates by
    message id) and records it sent, once."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), HoldFirstCallback)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    HoldFirstCallback.held.clear()
    HoldFirstCallback.release.clear()
    HoldFirstCallback.received = []
    try:
        node: Node = make_node(COMPTOIR_PROTOCOL_TIMEOUT="60")
        world = node.step("queue_callback", f"http://127.0.0.1:{server.server_port}/beckn")
        node.start_worker()
        assert HoldFirstCallback.held.wait(120), node.log("worker")[-2000:]
        node.kill("worker")  # mid-request: the buyer app has the body, the worker never reads the ACK
        row = "SELECT state, attempts FROM protocol_outboxmessage WHERE id = ?"
        assert node.sql(row, world["outbox"]) == [("pending", 0)]
        HoldFirstCallback.release.set()

        node.start_worker()
        node.wait_for(
            "SELECT state FROM protocol_outboxmessage WHERE id = ?", {"sent", "failed"}, 120, world["outbox"]
        )
        time.sleep(1.0)  # time for a wrong third send to show
        node.stop()
        assert node.sql(row, world["outbox"]) == [("sent", 1)]
        assert node.sql("SELECT COUNT(*) FROM protocol_outboxmessage")[0][0] == 1
        first, again = HoldFirstCallback.received  # exactly two posts: the cut one and the one ACKed
        assert first["context"]["message_id"] == again["context"]["message_id"] == world["message_id"]
        assert first == again  # the same message, not a new one
        assert again["context"]["action"] == "on_status" and again["message"]["order"]["id"] == "C-1"
    finally:
        HoldFirstCallback.release.set()
        server.shutdown()


def _ids(value: Any) -> list[str]:
    import json

    return list(json.loads(value) if isinstance(value, str) else value)


def test_indexing_cut_off_by_a_killed_worker_ends_with_one_document_per_offer(make_node: Any) -> None:
    node: Node = make_node()
    assert node.step("seed_offers", "6000")["rows"] == 6000
    node.start_worker()  # builds the index, which consumes the import's outbox rows
    node.wait_for("SELECT COUNT(*) FROM catalog_offerchange", {0}, 240)
    node.step("bump_stock")  # 6000 changes: a batch of 5000, then one of 1000
    node.wait_for(
        "SELECT COUNT(*) FROM catalog_offerchange", {1000}, 240
    )  # the second batch is being applied
    node.kill("worker")
    assert node.sql("SELECT COUNT(*) FROM catalog_offerchange")[0][0] == 1000  # killed before it committed

    node.start_worker()
    node.wait_for("SELECT COUNT(*) FROM catalog_offerchange", {0}, 240)
    node.kill("worker")  # the index is read by another process: its writer goes first
    state = node.step("index_state")
    assert state == {
        "docs": 6000,
        "distinct": 6000,
        "offers": 6000,
        "missing": 0,
        "wrong_price": 0,
        "pending": 0,
    }
