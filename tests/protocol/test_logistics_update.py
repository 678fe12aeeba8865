"""A seller app's `update` of a delivery it booked, before pickup: ready to ship, the pickup code,
the receiver's contact, the parcel's size (the fee stays: a round's cost is shared whatever a parcel
weighs). Anything after pickup, or a change we do not take, is refused with its code and changes
nothing. Answers are checked against ONDC's logistics OpenAPI."""

# ruff: noqa: F811  (the delivery fixtures are imported, then asked for by name)
from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from comptoir.delivery.models import Booking, OutsideJob, Parcel, Round, Slot, Stop
from comptoir.delivery.planner.vroom_solver import VroomSolver
from comptoir.delivery.planning import plan_slot
from comptoir.protocol.models import Transaction
from comptoir.protocol.wire import messages
from tests.delivery.conftest import bike, courier, depot, english, shift, slot, zone  # noqa: F401  (fixtures)
from tests.delivery.test_courier import action, api_for, send
from tests.protocol.test_logistics import ALSO_INSIDE, INSIDE
from tests.protocol.test_logistics_jobs import _ask, _confirm, _init, _state, coop  # noqa: F401


def _not_ready(tx: str, slot_pk: int) -> dict[str, Any]:
    """A confirm that says the parcel is not ready to ship yet (ONDC's `state` tag group)."""
    from tests.protocol.test_logistics_jobs import _fulfillment

    fulfillment = {
        **_fulfillment(),
        "tags": [{"code": "state", "list": [{"code": "ready_to_ship", "value": "no"}]}],
    }
    return _confirm(tx, _init(tx, slot_pk), fulfillments=[fulfillment])


def _update(tx: str, target: str = "fulfillment", order_id: str = "LO-1", **order: Any) -> dict[str, Any]:
    return _ask("update", tx, update_target=target, order={"id": order_id, **order})


def _ready(value: str = "yes", **fulfillment: Any) -> list[dict[str, Any]]:
    return [{"id": "F-coop-delivery", "type": "Delivery",
             "tags": [{"code": "state", "list": [{"code": "ready_to_ship", "value": value}]}], **fulfillment}]  # fmt: skip


def _snapshot() -> tuple[Any, ...]:
    booking = Booking.objects.get()
    parcel = Parcel.objects.get()
    slot = Slot.objects.get(pk=booking.slot_id)
    tx = Transaction.objects.exclude(order_ref="").get()
    return (booking.name, booking.phone, booking.instructions, booking.weight_g, booking.volume_ml,
            booking.fee_cents, parcel.weight_g, parcel.volume_ml, parcel.pickup_code, slot.booked_ml,
            OutsideJob.objects.get().ready_to_ship, tx.state)  # fmt: skip


def test_ready_to_ship_lets_the_courier_collect_and_is_repeated_in_on_update(coop, shift, courier):
    fee = _not_ready("lu-1", coop.pk)["message"]["order"]["quote"]["price"]
    assert OutsideJob.objects.get().ready_to_ship is False
    assert plan_slot(coop.pk, solver=VroomSolver(exploration_level=1, threads=1), limit=1).status == "done"
    round_ = Round.objects.get(slot=coop)
    pickup = Stop.objects.get(kind="pickup")
    api = api_for(courier)
    from django.test import Client

    page = Client()
    page.force_login(courier)
    html = page.get(f"/tournee/{round_.pk}/").content.decode()
    assert (
        f"L{pickup.booking_id:06d} · 2,0\xa0kg · 6,0\xa0L — Pas prêt\xa0: le vendeur n’a pas encore dit que ce colis est prêt."
        in html
    )
    refused = send(api, round_, action("pickup", pickup, timezone.now(), code="070147"))[0]
    assert (refused["result"], refused["message"]) == (
        "refused", "Le vendeur n’a pas encore dit que ce colis est prêt\u00a0: rien à retirer pour l’instant.")  # fmt: skip

    reply = _update("lu-1", fulfillments=_ready("yes"))
    order = reply["message"]["order"]
    assert _state(reply) == ("In-progress", "Agent-assigned")
    assert order["fulfillments"][0]["tags"] == [
        {"code": "state", "list": [{"code": "ready_to_ship", "value": "yes"}]}
    ]
    assert order["quote"]["price"] == fee
    assert OutsideJob.objects.get().ready_to_ship is True
    applied = send(
        api, round_, action("pickup", Stop.objects.get(kind="pickup"), timezone.now(), code="070147")
    )[0]
    assert applied["result"] == "applied"
    # the same order asked later says ready too: the change is kept in the order
    status = _ask("status", "lu-1", order_id="LO-1")["message"]["order"]
    assert status["fulfillments"][0]["tags"][0]["list"] == [{"code": "ready_to_ship", "value": "yes"}]


def test_pickup_code_contact_and_size_change_before_planning_at_the_same_fee(coop):
    quoted = _init("lu-2", coop.pk)
    fee = quoted["message"]["order"]["quote"]["price"]["value"]
    _confirm("lu-2", quoted)
    coop.refresh_from_db()
    assert coop.booked_ml == 6000
    bigger = {"weight": {"unit": "kilogram", "value": 3.5},
              "dimensions": {side: {"unit": "centimeter", "value": v}
                             for side, v in (("length", 40), ("breadth", 25), ("height", 20))}}  # fmt: skip
    reply = _update(
        "lu-2", target="fulfillment,item",
        fulfillments=[{"id": "F-coop-delivery", "type": "Delivery",
                       "start": {"instructions": {"code": "2", "short_desc": "5512", "long_desc": "New code."}},
                       "end": {"person": {"name": "Ada M."}, "contact": {"phone": "0600000009"},
                               "instructions": {"long_desc": "Code porte 12B"}, "location": {"gps": ALSO_INSIDE}}}],
        **{"@ondc/org/linked_order": {"order": {"id": "SO-77", **bigger}}},
    )  # fmt: skip
    order = reply["message"]["order"]
    assert _state(reply) == ("Accepted", "Pending")
    assert order["quote"]["price"] == {"currency": "EUR", "value": fee}
    assert order["fulfillments"][0]["end"]["contact"] == {"phone": "0600000009"}
    assert order["fulfillments"][0]["end"]["person"] == {"name": "Ada M."}
    assert order["@ondc/org/linked_order"]["order"]["weight"] == {"unit": "kilogram", "value": 3.5}
    booking = Booking.objects.get()
    parcel = Parcel.objects.get()
    assert (booking.name, booking.phone, booking.instructions, booking.weight_g, booking.volume_ml, booking.fee_cents) == (
        "Ada M.", "0600000009", "Code porte 12B", 3500, 20000, round(float(fee) * 100))  # fmt: skip
    assert (parcel.weight_g, parcel.volume_ml, parcel.pickup_code) == (3500, 20000, "5512")
    coop.refresh_from_db()
    assert (coop.booked_orders, coop.booked_ml) == (1, 20000)


@pytest.mark.parametrize(
    ("target", "order", "code", "words"),
    [
        ("billing", {"fulfillments": _ready()}, "30012", "update_target must be fulfillment or item"),
        ("fulfillment", {"fulfillments": _ready("maybe")}, "60006", "ready_to_ship is yes or no"),
        ("fulfillment", {"fulfillments": [{"end": {"location": {"gps": INSIDE}}}]}, "40001", "new drop place"),
        ("fulfillment", {"fulfillments": [{"start": {"time": {"range": {"start": "2020-01-01T08:00:00.000Z",
                                                                           "end": "2020-01-01T09:00:00.000Z"}}}}]},
         "40001", "cannot be moved"),
        ("fulfillment", {"fulfillments": [{"start": {"instructions": {"short_desc": "07"}}}]}, "60006", "4 to 8"),
        ("fulfillment", {"fulfillments": [{"end": {"contact": {"phone": " "}}}]}, "60006", "phone cannot be empty"),
        ("item", {"@ondc/org/linked_order": {"order": {"weight": {"unit": "kilogram", "value": 500}}}}, "60004",
         "no vehicle of ours"),
        ("item", {"@ondc/org/linked_order": {"order": {"weight": {"unit": "kilogram", "value": "heavy"}}}}, "60006",
         "not a number"),
    ],
)  # fmt: skip
def test_a_refused_update_changes_nothing(coop, target, order, code, words):
    _not_ready("lu-3", coop.pk)
    before = _snapshot()
    reply = _update("lu-3", target=target, **order)
    assert (reply["error"]["type"], reply["error"]["code"]) == ("DOMAIN-ERROR", code)
    assert words in reply["error"]["message"], reply["error"]["message"]
    assert "order" not in reply["message"]
    assert _snapshot() == before


def test_a_bigger_parcel_than_the_slot_has_room_for_is_refused(coop):
    _confirm("lu-4", _init("lu-4", coop.pk))
    Slot.objects.filter(pk=coop.pk).update(capacity_ml=7000)
    before = _snapshot()
    bigger = {
        "dimensions": {side: {"unit": "centimeter", "value": 20} for side in ("length", "breadth", "height")}
    }
    reply = _update("lu-4", target="item", **{"@ondc/org/linked_order": {"order": bigger}})
    assert (reply["error"]["code"], reply["error"]["message"]) == (
        "60004",
        "this slot has no room left for this parcel",
    )
    assert _snapshot() == before


def test_size_after_planning_and_anything_after_pickup_are_refused(coop, shift, courier):
    _confirm("lu-5", _init("lu-5", coop.pk))
    assert plan_slot(coop.pk, solver=VroomSolver(exploration_level=1, threads=1), limit=1).status == "done"
    heavier = {"@ondc/org/linked_order": {"order": {"weight": {"unit": "kilogram", "value": 3}}}}
    before = _snapshot()
    planned = _update("lu-5", target="item", **heavier)
    assert (planned["error"]["code"], planned["error"]["message"]) == (
        "40001", "the round is planned: the parcel's size can no longer change")  # fmt: skip
    assert _snapshot() == before
    # a contact change is still taken once planned
    assert "error" not in _update("lu-5", fulfillments=[{"end": {"contact": {"phone": "0600000002"}}}])
    round_ = Round.objects.get(slot=coop)
    pickup = Stop.objects.get(kind="pickup")
    assert (
        send(api_for(courier), round_, action("pickup", pickup, timezone.now(), code="070147"))[0]["result"]
        == "applied"
    )
    before = _snapshot()
    late = _update("lu-5", fulfillments=[{"end": {"contact": {"phone": "0600000003"}}}])
    assert (late["error"]["code"], late["error"]["message"]) == (
        "60007", "the parcel is already picked up: it can no longer change")  # fmt: skip
    assert _snapshot() == before
    assert Booking.objects.get().phone == "0600000002"


def test_update_of_an_unknown_or_cancelled_order_is_refused(coop):
    assert _update("lu-6", order_id="LO-404", fulfillments=_ready())["error"]["code"] == "60006"
    _confirm("lu-6", _init("lu-6", coop.pk))
    assert "error" not in _ask("cancel", "lu-6", order_id="LO-1", cancellation_reason_id="005")
    reply = _update("lu-6", fulfillments=_ready())
    assert (reply["error"]["code"], reply["error"]["message"]) == (
        "60007", "this delivery is cancelled: it can no longer change")  # fmt: skip


def test_the_on_update_we_send_is_valid_ondc(coop):
    """_ask checks every answer without an error against ONDC's logistics OpenAPI (when the specs are there)."""
    _confirm("lu-7", _init("lu-7", coop.pk))
    reply = _update("lu-7", fulfillments=_ready())
    assert reply["context"]["action"] == "on_update"
    assert reply["message"]["order"]["id"] == "LO-1"
    assert reply["message"]["order"]["fulfillments"][0]["start"]["time"]["range"][
        "start"
    ] == messages.timestamp(coop.starts)
