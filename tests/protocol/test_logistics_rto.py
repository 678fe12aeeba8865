"""Return to origin: the drop of a seller app's parcel fails at the door after pickup (nobody home,
refused, damaged); the parcel goes back to the depot with the courier, then to the seller on a round
of the next open slot serving its place, collected at the depot without a code and handed back
against the seller's own pickup code. ONDC hears it in order: an unsolicited on_cancel with the RTO
fulfillment `RTO-Initiated` and the RTO charge in the quote, then on_status `RTO-Delivered` (or
`RTO-Disposed` when the seller cannot take it back). The delivery made is billed when the return
starts, the return when it is done, both to the seller app's receivable."""

# ruff: noqa: F811  (the delivery fixtures are imported, then asked for by name)
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from comptoir.delivery.models import Booking, OutsideJob, Round, Shift, Slot, Stop
from comptoir.delivery.outside_jobs import do_book_pending_returns
from comptoir.delivery.planner.vroom_solver import VroomSolver
from comptoir.delivery.planning import plan_slot
from comptoir.ledger.models import Entry, Line
from comptoir.protocol.logistics_orders import do_push_logistics_changes
from comptoir.protocol.models import OutboxMessage
from tests.delivery.conftest import bike, courier, depot, english, shift, slot, tomorrow_at, zone  # noqa: F401
from tests.delivery.test_courier import action, api_for, send
from tests.protocol.shared import BECKN, ondc_errors
from tests.protocol.test_logistics_jobs import _ask, _confirm, _init, _tax, coop  # noqa: F401

SOLVER = VroomSolver(exploration_level=1, threads=1)


@pytest.fixture
def later(coop, courier, bike) -> Slot:
    """The next day's slot in the same zone, with its courier's shift: where the return goes."""
    Shift.objects.create(courier=courier, vehicle=bike, starts=tomorrow_at(16, 30) + timedelta(days=1),
                         ends=tomorrow_at(19, 30) + timedelta(days=1))  # fmt: skip
    return Slot.objects.create(
        zone=coop.zone, starts=coop.starts + timedelta(days=1), ends=coop.ends + timedelta(days=1),
        closes_at=coop.closes_at + timedelta(days=1), capacity_orders=20, capacity_ml=600_000,
    )  # fmt: skip


def _sent() -> list[tuple[str, str, str, str]]:
    """(action, order state, delivery fulfillment state, RTO fulfillment state or "") of every push."""
    out = []
    for message in OutboxMessage.objects.filter(action__in=("on_status", "on_cancel")).order_by("pk"):
        if BECKN.exists():
            assert ondc_errors(message.body, logistics=True) == []
        order = message.body["message"]["order"]
        states = [f["state"]["descriptor"]["code"] for f in order["fulfillments"]]
        out.append(
            (
                message.body["context"]["action"],
                order["state"],
                states[0],
                states[1] if len(states) > 1 else "",
            )
        )
    return out


def _fail_at_the_door(coop: Slot, courier: Any, reason: str = "absent") -> Booking:
    """Confirm LO-1, plan, collect it with the seller's code, then the incident at its drop."""
    _confirm("lr-1", _init("lr-1", coop.pk))
    assert plan_slot(coop.pk, solver=SOLVER, limit=1).status == "done"
    round_ = Round.objects.get(slot=coop)
    api = api_for(courier)
    pickup = Stop.objects.get(round=round_, kind="pickup")
    assert (
        send(api, round_, action("pickup", pickup, timezone.now(), code="070147"))[0]["result"] == "applied"
    )
    drop = Stop.objects.get(round=round_, kind="drop")
    failed = send(api, round_, action("incident", drop, timezone.now(), reason=reason))[0]
    assert failed["result"] == "applied", failed
    return Booking.objects.get(outside_job__client_ref="LO-1")


def _delivery_entries() -> list[tuple[str, list[tuple[str, int, int]]]]:
    return [
        (entry.memo, sorted((line.account.code, line.debit, line.credit) for line in entry.lines.all()))
        for entry in Entry.objects.filter(kind="delivery_job").order_by("pk")
    ]


def test_a_failed_drop_goes_back_to_the_seller_on_the_next_slot_and_both_legs_are_billed(
    coop, later, shift, courier
):
    fee = _init("lr-0", coop.pk)["message"]["order"]["quote"]["price"]["value"]  # the quote LO-1 will get
    booking = _fail_at_the_door(coop, courier, "absent")
    job = OutsideJob.objects.get()
    back = job.return_booking
    assert back is not None and back.slot_id == later.pk
    assert (job.return_reason, back.order_id, back.name, back.phone, back.lat, back.lon) == (
        "absent", None, "Boulangerie du Pont", "0381000000", 47.056, 6.004)  # fmt: skip
    assert (back.weight_g, back.volume_ml, back.fee_cents, back.drop_code) == (
        2000,
        6000,
        booking.fee_cents,
        "070147",
    )
    later.refresh_from_db()
    assert (later.booked_orders, later.booked_ml) == (1, 6000)
    cents = int(Decimal(fee) * 100)
    tax = int(Decimal(_tax(fee)) * 100)
    # the delivery attempted is billed now; the return is not, yet
    assert _delivery_entries() == [
        ("Delivery for seller-app.example, order LO-1",
         [("4112-seller-app.example", cents, 0), ("44571", 0, tax), ("706200", 0, cents - tax)])]  # fmt: skip

    assert do_push_logistics_changes() == 4
    assert _sent() == [
        ("on_status", "In-progress", "Agent-assigned", ""), ("on_status", "In-progress", "Order-picked-up", ""),
        ("on_status", "In-progress", "Out-for-delivery", ""), ("on_cancel", "Cancelled", "Cancelled", "RTO-Initiated"),
    ]  # fmt: skip
    rto = OutboxMessage.objects.get(action="on_cancel").body["message"]["order"]
    assert rto["cancellation"] == {"cancelled_by": "comptoir.localhost", "reason": {"id": "015"}}
    assert [i["id"] for i in rto["items"]] == [f"slot-{coop.pk}", f"slot-{coop.pk}-rto"]
    assert rto["quote"]["price"] == {"currency": "EUR", "value": f"{2 * cents / 100:.2f}"}
    assert [(b["@ondc/org/title_type"], b["price"]["value"]) for b in rto["quote"]["breakup"]] == [
        ("delivery", f"{(cents - tax) / 100:.2f}"), ("tax", f"{tax / 100:.2f}"),
        ("rto", f"{(cents - tax) / 100:.2f}"), ("tax", f"{tax / 100:.2f}")]  # fmt: skip
    going = rto["fulfillments"][1]
    assert (going["id"], going["type"]) == ("F-coop-delivery-RTO", "RTO")
    assert going["start"]["location"]["gps"] == "47.060000,5.990000"  # from the failed drop…
    assert going["end"]["location"]["gps"] == "47.056000,6.004000"  # …back to the seller
    assert going["start"]["time"]["range"]["start"] == rto["fulfillments"][0]["start"]["time"]["range"][
        "start"].replace(coop.starts.strftime("%Y-%m-%d"), later.starts.strftime("%Y-%m-%d"))  # fmt: skip
    assert do_push_logistics_changes() == 0

    # the next day: the return is planned, collected at the depot without a code, handed to the seller
    assert plan_slot(later.pk, solver=SOLVER, limit=1).status == "done"
    round_ = Round.objects.get(slot=later)
    api = api_for(courier)
    stops = api.call("get", f"/delivery/rounds/{round_.pk}").json()["stops"]
    assert [(s["kind"], s["title"]) for s in stops] == [
        ("pickup", "Dépôt Hangar (retour à son vendeur)"),
        ("drop", ""),
    ]
    pickup = Stop.objects.get(round=round_, kind="pickup")
    taken = send(api, round_, action("pickup", pickup, timezone.now()))[0]
    assert taken["result"] == "applied", taken
    assert Stop.objects.get(pk=pickup.pk).proof == "depot"
    drop = Stop.objects.get(round=round_, kind="drop")
    active = api.call("get", f"/delivery/rounds/{round_.pk}").json()["stops"][1]
    assert (active["title"], active["phone"]) == (
        "Boulangerie du Pont",
        "0381000000",
    )  # the seller's door, now next
    wrong = send(api, round_, action("deliver", drop, timezone.now(), code="1234"))[0]
    assert wrong["result"] == "refused"
    assert send(api, round_, action("deliver", drop, timezone.now(), code="070147"))[0]["result"] == "applied"
    assert do_push_logistics_changes() == 1
    assert _sent()[-1] == ("on_status", "Cancelled", "Cancelled", "RTO-Delivered")
    done = OutboxMessage.objects.filter(action="on_status").last().body["message"]["order"]
    assert done["fulfillments"][1]["end"]["time"]["timestamp"]
    assert done["quote"]["price"]["value"] == f"{2 * cents / 100:.2f}"
    assert _delivery_entries()[1] == (
        "Delivery for seller-app.example, order LO-1 (return to origin)",
        [("4112-seller-app.example", cents, 0), ("44571", 0, tax), ("706200", 0, cents - tax)])  # fmt: skip
    owed = sum(
        line.debit - line.credit for line in Line.objects.filter(account__code="4112-seller-app.example")
    )
    assert owed == 2 * cents
    assert do_push_logistics_changes() == 0
    status = _ask("status", "lr-1", order_id="LO-1")["message"]["order"]
    assert [f["state"]["descriptor"]["code"] for f in status["fulfillments"]] == [
        "Cancelled",
        "RTO-Delivered",
    ]


def test_a_return_the_seller_cannot_take_is_disposed_and_only_the_delivery_is_billed(
    coop, later, shift, courier
):
    _fail_at_the_door(coop, courier, "refused")
    assert plan_slot(later.pk, solver=SOLVER, limit=1).status == "done"
    round_ = Round.objects.get(slot=later)
    api = api_for(courier)
    send(api, round_, action("pickup", Stop.objects.get(round=round_, kind="pickup"), timezone.now()))
    drop = Stop.objects.get(round=round_, kind="drop")
    assert (
        send(api, round_, action("incident", drop, timezone.now(), reason="absent"))[0]["result"] == "applied"
    )
    do_push_logistics_changes()
    assert [s[3] for s in _sent()] == ["", "", "", "RTO-Initiated", "RTO-Disposed"]
    cancelled = OutboxMessage.objects.get(action="on_cancel").body["message"]["order"]
    assert cancelled["cancellation"]["reason"] == {"id": "013"}
    assert [memo for memo, _lines in _delivery_entries()] == ["Delivery for seller-app.example, order LO-1"]


def test_a_return_waits_at_the_depot_until_a_slot_opens(coop, shift, courier, bike):
    _fail_at_the_door(coop, courier, "damaged")
    job = OutsideJob.objects.get()
    assert (job.return_reason, job.return_booking_id) == ("damaged", None)
    do_push_logistics_changes()
    assert _sent()[-1] == ("on_cancel", "Cancelled", "Cancelled", "RTO-Initiated")
    assert do_book_pending_returns(timezone.now()) == 0  # still no slot
    opened = Slot.objects.create(
        zone=coop.zone, starts=coop.starts + timedelta(days=2), ends=coop.ends + timedelta(days=2),
        closes_at=coop.closes_at + timedelta(days=2), capacity_orders=20, capacity_ml=600_000,
    )  # fmt: skip
    assert do_book_pending_returns(timezone.now()) == 1
    assert OutsideJob.objects.get().return_booking.slot_id == opened.pk
    assert do_book_pending_returns(timezone.now()) == 0
    assert do_push_logistics_changes() == 0  # still RTO-Initiated: nothing new to say


def test_a_failed_pickup_is_no_return(coop, later, shift, courier):
    _confirm("lr-4", _init("lr-4", coop.pk))
    assert plan_slot(coop.pk, solver=SOLVER, limit=1).status == "done"
    round_ = Round.objects.get(slot=coop)
    pickup = Stop.objects.get(round=round_, kind="pickup")
    assert send(api_for(courier), round_, action("incident", pickup, timezone.now(), reason="absent"))[0][
        "result"] == "applied"  # fmt: skip
    assert OutsideJob.objects.get().return_booking_id is None
    assert OutsideJob.objects.get().return_started_at is None
    do_push_logistics_changes()
    assert _sent()[-1] == ("on_status", "In-progress", "Pickup-failed", "")
    assert not Entry.objects.filter(kind="delivery_job").exists()
