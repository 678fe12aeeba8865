"""A seller app's node books our cooperative over real HTTP (two nodes, own databases and processes on
127.0.0.1): node A books a delivery (search, init, confirm); node B plans it with its own slot, its courier
collects the parcel at the seller's place with the seller's code and delivers it through node B's API; node
A receives each state as ONDC on_status; node B's books hold the fee owed by node A. An unsigned confirm and
a replayed one are refused at the door and book nothing; a second job is cancelled before pickup; a third
fails at the door and goes back to the seller on the next slot's round (RTO-Initiated, then RTO-Delivered),
both legs billed."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from comptoir.protocol.nodes import Node, introduce

SETUP = """
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo
from django.utils import timezone
from comptoir.delivery.models import Depot, Shift, Slot, Vehicle, Zone
from comptoir.members.models import Person
from comptoir.members.services import do_add_membership
day = timezone.localdate() + timedelta(days=1)
at = lambda h, m=0: datetime(day.year, day.month, day.day, h, m, tzinfo=ZoneInfo("Europe/Paris"))
depot = Depot.objects.create(name="Hangar", address="1 rue du Port", lat=47.054, lon=6.0)
ring = [[5.974, 47.036], [6.034, 47.036], [6.034, 47.076], [5.974, 47.076], [5.974, 47.036]]
zone = Zone.objects.create(name="Centre", depot=depot, ring=ring)
bike = Vehicle.objects.create(name="Biporteur", kind="cargo_bike", depot=depot, capacity_g=80000, capacity_ml=300000,
                              cost_per_hour_cents=50, cost_per_km_cents=8)
courier = Person.objects.create_user("coursier@coop.example", "correct horse battery", full_name="Alex Coursier")
do_add_membership(courier, "workers")
Shift.objects.create(courier=courier, vehicle=bike, starts=at(16, 30), ends=at(19, 30))
slot = Slot.objects.create(zone=zone, starts=at(17), ends=at(19), closes_at=at(12), capacity_orders=20,
                           capacity_ml=600000)
Slot.objects.create(zone=zone, starts=at(19), ends=at(21), closes_at=at(14), capacity_orders=20, capacity_ml=600000)
Slot.objects.create(zone=zone, starts=at(21), ends=at(23), closes_at=at(15), capacity_orders=20, capacity_ml=600000)
Shift.objects.create(courier=courier, vehicle=bike, starts=at(19, 30), ends=at(21, 30))
Shift.objects.create(courier=courier, vehicle=bike, starts=at(21, 30), ends=at(23, 30))
print(slot.pk)
"""
PLAN = """
from comptoir.delivery.planner.vroom_solver import VroomSolver
from comptoir.delivery.planning import plan_slot
from comptoir.delivery.models import Round
run = plan_slot({slot}, solver=VroomSolver(exploration_level=1, threads=1), limit=5)
print(run.message)
print(run.status, Round.objects.get(slot={slot}).pk)
"""
FACTS = """
import json
from comptoir.delivery.models import Booking, OutsideJob, Slot
from comptoir.ledger.models import Line
from django.db.models import Sum
owed = Line.objects.filter(account__code="4112-sellerapp.localhost").aggregate(d=Sum("debit"), c=Sum("credit"))
print(json.dumps({"jobs": sorted(OutsideJob.objects.values_list("client_ref", flat=True)),
                  "statuses": sorted(Booking.objects.values_list("status", flat=True)),
                  "booked": [[s.booked_orders, s.booked_ml] for s in Slot.objects.order_by("pk")], "owed": (owed["d"] or 0) - (owed["c"] or 0)}))
"""
REPLAY = """
import json
from django.conf import settings
from django.utils import timezone
from comptoir.protocol import http
from comptoir.protocol.identity import load_identity
from comptoir.protocol.wire import messages
me = load_identity()
context = messages.request_context(action="confirm", domain=messages.LOGISTICS, city=settings.COMPTOIR_PROTOCOL_CITY, bap_id=me.subscriber_id,
    bap_uri=me.url, bpp_id="coop.localhost", bpp_uri="{lsp}", moment=timezone.now(), transaction_id="{tx}")
body = messages.encode(messages.envelope(context, order={order}))
headers = http.signed_headers(body, me)
print(context.message_id)
first, second = http.post("{lsp}/confirm", body, headers), http.post("{lsp}/confirm", body, headers)
print(json.dumps([first.status, second.status, second.body["message"]["ack"]["status"], second.body["error"]["message"]]))
"""
PICKUP = ["--pickup", "47.056000,6.004000", "--pickup-name", "Boulangerie du Pont", "--pickup-phone", "0381000000",
          "--pickup-address", json.dumps({"building": "3", "locality": "Grande Rue", "city": "Val-sur-Loue",
                                          "area_code": "25000"})]  # fmt: skip
DROP = ["--drop", "47.060000,5.990000", "--drop-name", "Ada Martin", "--drop-phone", "0600000001",
        "--drop-address", json.dumps({"building": "12", "locality": "Rue des Lilas", "city": "Val-sur-Loue",
                                      "area_code": "25000"})]  # fmt: skip


def _api(node: Node, method: str, path: str, body: Any = None, token: str = "") -> Any:
    request = urllib.request.Request(
        f"http://127.0.0.1:{node.port}/api/v1{path}", method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _states(app: Node, tx: str, count: int, wait: float = 60.0) -> list[tuple[str, str]]:
    deadline = time.monotonic() + wait
    while True:
        said = [
            (s["order"], s["fulfillment"]) for s in json.loads(app.command("peers", "delivery-states", tx))
        ]
        if len(said) >= count or time.monotonic() > deadline:
            return said
        time.sleep(0.5)


def _do(
    node: Node, round_id: int, token: str, kind: str, stop_id: int, code: str, **more: str
) -> dict[str, Any]:
    action = {"id": str(uuid.uuid4()), "kind": kind, "stop_id": stop_id, "code": code,
              "happened_at": datetime.now(UTC).isoformat(), **more}  # fmt: skip
    return dict(
        _api(node, "POST", f"/delivery/rounds/{round_id}/actions", {"actions": [action]}, token)["results"][0]
    )


@pytest.mark.slow
def test_a_seller_app_books_our_courier_and_sees_each_state(tmp_path: Path):
    lsp, app = Node("coop", tmp_path / "lsp"), Node("sellerapp", tmp_path / "app")
    lsp.extra_env = {"COMPTOIR_DELIVERY_BOOKING": "comptoir.delivery.booking.CoopDelivery"}
    try:
        app_keys = app.init()
        introduce([(app, app_keys, "BAP"), (lsp, lsp.init(database_from=app), "BPP")])
        slot_id = int(lsp.command("shell", "-c", SETUP).strip().splitlines()[-1])
        lsp.start()
        app.start()

        def facts() -> dict[str, Any]:
            return dict(json.loads(lsp.command("shell", "-c", FACTS).strip().splitlines()[-1]))

        def book(order_id: str, *extra: str) -> dict[str, Any]:
            return dict(json.loads(app.command(
                "peers", "delivery-book", lsp.subscriber_id, "--order-id", order_id, *PICKUP, "--pickup-code",
                "070147", *DROP, "--weight", "2", "--wait", "30", *extra,
            )))  # fmt: skip

        outside = book("SO-0", "--drop", "47.200000,6.300000")
        assert outside["order"] is None and outside["error"]["code"] == "60002"
        booked = book("SO-1")
        assert booked["error"] is None, booked
        tx = booked["transaction_id"]
        order = booked["order"]
        assert (order["id"], order["state"], order["fulfillments"][0]["state"]["descriptor"]["code"]) == (
            "SO-1", "Accepted", "Pending")  # fmt: skip
        drop_code = order["fulfillments"][0]["end"]["authorization"]["token"]
        assert facts() == {
            "jobs": ["SO-1"],
            "statuses": ["booked"],
            "booked": [[1, 6000], [0, 0], [0, 0]],
            "owed": 0,
        }

        # at the door: an unsigned confirm, and a signed one sent twice (the second is a replay)
        unsigned = urllib.request.Request(f"{lsp.url}/confirm", data=b'{"context": {}, "message": {}}',
                                          headers={"Content-Type": "application/json"}, method="POST")  # fmt: skip
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(unsigned, timeout=30)
        assert (
            refused.value.code == 401
            and json.loads(refused.value.read())["message"]["ack"]["status"] == "NACK"
        )
        again = {**order, "id": "SO-9", "state": "Created"}
        replay = REPLAY.format(lsp=lsp.url, tx="tx-replay", order=repr(again))
        again_id, printed = app.command("shell", "-c", replay).strip().splitlines()[-2:]
        statuses = json.loads(printed)
        # the same bytes twice: the replay is refused at the door (400, CONTEXT-ERROR)
        assert statuses == [200, 400, "NACK", f"message {again_id} was already received"]
        assert facts()["jobs"] == ["SO-1"]  # and the first, with no init before it, booked nothing

        status, round_id = lsp.command("shell", "-c", PLAN.format(slot=slot_id)).split()[-2:]
        assert status == "done"
        token = _api(
            lsp,
            "POST",
            "/auth/token",
            {"email": "coursier@coop.example", "password": "correct horse battery"},
        )["token"]
        stops = _api(lsp, "GET", f"/delivery/rounds/{round_id}", token=token)["stops"]
        assert [(s["kind"], s["title"]) for s in stops] == [("pickup", "Boulangerie du Pont"), ("drop", "")]
        assert (
            stops[0]["address"] == "3, Grande Rue, Val-sur-Loue, 25000" and stops[0]["phone"] == "0381000000"
        )
        assert _states(app, tx, 2)[1] == ("In-progress", "Agent-assigned")

        wrong = _do(lsp, int(round_id), token, "pickup", stops[0]["parcels"][0]["stop_id"], "999999")
        assert wrong["result"] == "refused"
        assert (
            _do(lsp, int(round_id), token, "pickup", stops[0]["parcels"][0]["stop_id"], "070147")["result"]
            == "applied"
        )
        assert _do(lsp, int(round_id), token, "deliver", stops[1]["id"], drop_code)["result"] == "applied"
        assert _states(app, tx, 5) == [
            ("Accepted", "Pending"), ("In-progress", "Agent-assigned"), ("In-progress", "Order-picked-up"),
            ("In-progress", "Out-for-delivery"), ("Completed", "Order-delivered"),
        ]  # fmt: skip
        tracked = json.loads(
            app.command("peers", "delivery-follow", lsp.subscriber_id, tx, "SO-1", "track", "--wait", "30")
        )
        assert tracked["message"]["tracking"] == {"id": "F-coop-delivery", "status": "inactive"}
        fee_cents = round(float(order["quote"]["price"]["value"]) * 100)
        assert facts() == {
            "jobs": ["SO-1"],
            "statuses": ["delivered"],
            "booked": [[1, 6000], [0, 0], [0, 0]],
            "owed": fee_cents,
        }

        second = book("SO-2")  # the first slot is planned: the next one is offered
        assert second["error"] is None
        assert facts()["booked"] == [[1, 6000], [1, 6000], [0, 0]]
        cancelled = json.loads(app.command(
            "peers", "delivery-follow", lsp.subscriber_id, second["transaction_id"], "SO-2", "cancel", "--reason", "005",
            "--wait", "30",
        ))  # fmt: skip
        assert cancelled["message"]["order"]["state"] == "Cancelled"
        assert _states(app, second["transaction_id"], 2) == [
            ("Accepted", "Pending"),
            ("Cancelled", "Cancelled"),
        ]
        assert facts() == {"jobs": ["SO-1", "SO-2"], "statuses": ["cancelled", "delivered"],
                           "booked": [[1, 6000], [0, 0], [0, 0]], "owed": fee_cents}  # fmt: skip

        # return to origin: nobody at the door; the parcel goes back to the seller on the next slot's round
        third = book("SO-3")
        assert third["error"] is None, third
        rto_tx, rto_fee = (
            third["transaction_id"],
            round(float(third["order"]["quote"]["price"]["value"]) * 100),
        )
        status, round_id = lsp.command("shell", "-c", PLAN.format(slot=slot_id + 1)).split()[-2:]
        assert status == "done"
        stops = _api(lsp, "GET", f"/delivery/rounds/{round_id}", token=token)["stops"]
        assert _do(lsp, int(round_id), token, "pickup", stops[0]["parcels"][0]["stop_id"], "070147")["result"] == (
            "applied")  # fmt: skip
        assert (
            _do(lsp, int(round_id), token, "incident", stops[1]["id"], "", reason="absent")["result"]
            == "applied"
        )
        said = json.loads(app.command("peers", "delivery-states", rto_tx))
        deadline = time.monotonic() + 60
        while len(said) < 5 and time.monotonic() < deadline:
            time.sleep(0.5)
            said = json.loads(app.command("peers", "delivery-states", rto_tx))
        assert [(s["action"], s["order"], s["fulfillment"], s["rto"]) for s in said] == [
            ("on_confirm", "Accepted", "Pending", ""), ("on_status", "In-progress", "Agent-assigned", ""),
            ("on_status", "In-progress", "Order-picked-up", ""), ("on_status", "In-progress", "Out-for-delivery", ""),
            ("on_cancel", "Cancelled", "Cancelled", "RTO-Initiated"),
        ]  # fmt: skip
        assert facts()["booked"] == [[1, 6000], [1, 6000], [1, 6000]]  # the return, in the next slot
        assert facts()["owed"] == fee_cents + rto_fee  # the delivery attempted is billed
        status, round_id = lsp.command("shell", "-c", PLAN.format(slot=slot_id + 2)).split()[-2:]
        assert status == "done"
        stops = _api(lsp, "GET", f"/delivery/rounds/{round_id}", token=token)["stops"]
        assert [(s["kind"], s["title"]) for s in stops] == [("pickup", "Dépôt Hangar (retour à son vendeur)"),
                                                             ("drop", "")]  # fmt: skip
        assert (
            _do(lsp, int(round_id), token, "pickup", stops[0]["parcels"][0]["stop_id"], "")["result"]
            == "applied"
        )
        assert _do(lsp, int(round_id), token, "deliver", stops[1]["id"], "070147")["result"] == "applied"
        deadline = time.monotonic() + 60
        while len(said) < 6 and time.monotonic() < deadline:
            time.sleep(0.5)
            said = json.loads(app.command("peers", "delivery-states", rto_tx))
        assert [(s["action"], s["order"], s["fulfillment"], s["rto"]) for s in said[5:]] == [
            ("on_status", "Cancelled", "Cancelled", "RTO-Delivered")]  # fmt: skip
        assert facts() == {"jobs": ["SO-1", "SO-2", "SO-3"], "statuses": ["cancelled", "delivered", "delivered", "failed"],
                           "booked": [[1, 6000], [1, 6000], [1, 6000]], "owed": fee_cents + 2 * rto_fee}  # fmt: skip
    finally:
        lsp.stop()
        app.stop()
