"""The courier's round through the API: privacy of the active stop, proofs, idempotent replays."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from comptoir.catalog.models import Shop
from comptoir.delivery.models import Booking, CourierAction, Round, RoundCost, Slot, Stop
from comptoir.delivery.planner.vroom_solver import VroomSolver
from comptoir.delivery.planning import plan_slot
from comptoir.delivery.selectors import tracking
from comptoir.members.services import do_issue_api_token
from tests.conftest import PASSWORD, ApiClient
from tests.delivery.conftest import book, signature_png


@pytest.fixture
def planned(slot: Slot, shift: Any, shop: Shop, other_shop: Shop) -> Round:
    book(slot, 11, [shop], n=1)
    book(slot, 12, [other_shop], n=2)
    run = plan_slot(slot.pk, solver=VroomSolver(exploration_level=1, threads=1), limit=1)
    assert run.status == "done", run.message
    return Round.objects.get(slot=slot)


def api_for(person: Any) -> ApiClient:
    return ApiClient(do_issue_api_token(email=person.email, password=PASSWORD))


def action(kind: str, stop: Stop | None, at: datetime, **fields: Any) -> dict:
    return {"id": str(uuid.uuid4()), "kind": kind, "stop_id": stop.pk if stop else None,
            "happened_at": at.isoformat(), **fields}  # fmt: skip


def send(api: ApiClient, round_: Round, *actions: dict) -> list[dict]:
    response = api.call("post", f"/delivery/rounds/{round_.pk}/actions", {"actions": list(actions)})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_only_the_active_drop_shows_the_residents_phone(planned: Round, courier: Any) -> None:
    api = api_for(courier)
    stops = api.call("get", f"/delivery/rounds/{planned.pk}").json()["stops"]
    assert [s["kind"] for s in stops][:1] == ["pickup"]
    drops = [s for s in stops if s["kind"] == "drop"]
    assert all(
        s["phone"] == "" and s["address"] == "" and s["title"] == "" and s["geo_uri"] == "" for s in drops
    )
    assert all(round(s["lat"], 3) == s["lat"] for s in drops)  # approximate position only
    now = timezone.now()
    for stop in planned.stops.order_by("sequence"):
        if stop.kind == "drop":
            break
        r = send(api, planned, action("pickup", stop, now, code=stop.parcel.pickup_code))[0]
        assert r["result"] == "applied", r
    stops = api.call("get", f"/delivery/rounds/{planned.pk}").json()["stops"]
    active = [s for s in stops if s["active"]]
    assert len(active) == 1 and active[0]["kind"] == "drop"
    booking = Booking.objects.get(stops__pk=active[0]["id"])
    assert (active[0]["phone"], active[0]["address"], active[0]["title"]) == (
        booking.phone,
        booking.address,
        booking.name,
    )
    assert active[0]["geo_uri"] == f"geo:{booking.lat:.6f},{booking.lon:.6f}"
    assert all(s["phone"] == "" for s in stops if s["kind"] == "drop" and not s["active"])


def test_another_courier_cannot_see_or_act_on_the_round(
    planned: Round, other_courier: Any, owner: Any
) -> None:
    other = api_for(other_courier)
    assert other.call("get", f"/delivery/rounds/{planned.pk}").status_code == 403
    stop = planned.stops.first()
    response = other.call("post", f"/delivery/rounds/{planned.pk}/actions",
                          {"actions": [action("pickup", stop, timezone.now(), code=stop.parcel.pickup_code)]})  # fmt: skip
    assert response.status_code == 403
    assert api_for(owner).call("get", f"/delivery/rounds/{planned.pk}").status_code == 403  # not a courier
    stop.refresh_from_db()
    assert stop.status == "pending"


def test_a_replayed_action_applies_once_and_keeps_its_street_time(planned: Round, courier: Any) -> None:
    api = api_for(courier)
    stop = planned.stops.order_by("sequence").first()
    street_time = timezone.now() - timedelta(minutes=7)  # queued offline, sent 7 minutes later
    pickup = action("pickup", stop, street_time, code=stop.parcel.pickup_code)
    first = send(api, planned, pickup)[0]
    again = send(api, planned, pickup)[0]
    assert (first["result"], first["duplicate"]) == ("applied", False)
    assert (again["result"], again["duplicate"]) == ("applied", True)
    assert CourierAction.objects.filter(action_id=pickup["id"]).count() == 1
    stop.refresh_from_db()
    assert (stop.status, stop.done_at, stop.proof) == ("done", street_time, "code")


def test_wrong_codes_are_refused_and_a_signature_is_a_proof(planned: Round, courier: Any) -> None:
    api = api_for(courier)
    now = timezone.now()
    stops = list(planned.stops.order_by("sequence"))
    result = send(api, planned, action("pickup", stops[0], now, code="xxxx"))[0]
    assert (result["result"], result["message"]) == (
        "refused",
        "Code de retrait erroné\u00a0: demandez au commerce le code du colis.",
    )
    first_drop = next(s for s in stops if s.kind == "drop")
    if stops.index(first_drop) > 0:
        early = send(api, planned, action("deliver", first_drop, now, code=first_drop.booking.drop_code))[0]
        assert early["message"] == "Terminez d'abord les arrêts précédents."
    results = []
    for stop in stops:
        if stop.kind == "pickup":
            results += send(api, planned, action("pickup", stop, now, code=stop.parcel.pickup_code))
        elif stop == first_drop:
            results += send(api, planned, action("deliver", stop, now, signature=signature_png()))
        else:
            results += send(api, planned, action("incident", stop, now, reason="absent"))
    assert [r["result"] for r in results] == ["applied"] * len(stops)
    assert sorted(Booking.objects.values_list("status", flat=True)) == ["delivered", "failed"]
    assert Stop.objects.get(pk=first_drop.pk).proof == "signature"
    planned.refresh_from_db()
    assert planned.status == "done"
    cost = RoundCost.objects.get(round=planned)
    assert cost.deliveries == 1
    assert cost.total_cents == cost.courier_cents + cost.vehicle_cents + cost.margin_cents
    assert cost.cost_per_delivery_cents == cost.total_cents
    assert cost.fees_collected_cents == 543


def test_tracking_follows_the_confirmations(planned: Round, courier: Any, slot: Slot) -> None:
    booking = Booking.objects.get(order_id=11)
    drop = booking.stops.get(kind="drop")
    now = timezone.now()
    view = tracking(booking, now)
    assert view.status == "picking_up"
    assert view.eta == max(drop.eta, now)
    assert view.stops_before == planned.stops.filter(sequence__lt=drop.sequence).count()
    api = api_for(courier)
    first = planned.stops.order_by("sequence").first()
    shift_by = first.eta - (now - timedelta(minutes=13))  # the round started 13 minutes ago
    for stop in planned.stops.all():
        Stop.objects.filter(pk=stop.pk).update(eta=stop.eta - shift_by)
    first.refresh_from_db()
    drop.refresh_from_db()
    late = first.eta + timedelta(minutes=12)  # the courier confirms the first stop 12 minutes late
    send(api, planned, action("pickup", first, late, code=first.parcel.pickup_code))
    view = tracking(booking, now)
    assert view.eta == drop.eta + timedelta(minutes=12)
    public = ApiClient().call("get", f"/delivery/tracking/{booking.ref}").json()
    assert public["status"] in ("picking_up", "on_the_way")
    assert ApiClient().call("get", "/delivery/tracking/nope").status_code == 404


@pytest.fixture
def grouped(slot: Slot, shift: Any, shop: Shop) -> Round:
    book(slot, 31, [shop], n=1)
    book(slot, 32, [shop], n=2)
    run = plan_slot(slot.pk, solver=VroomSolver(exploration_level=1, threads=1), limit=1)
    assert run.status == "done", run.message
    return Round.objects.get(slot=slot)


def test_a_shops_parcels_are_one_stop_each_confirmed_by_its_own_code(grouped: Round, courier: Any) -> None:
    api = api_for(courier)
    stops = api.call("get", f"/delivery/rounds/{grouped.pk}").json()["stops"]
    assert [(s["sequence"], s["kind"], len(s["parcels"])) for s in stops] == [
        (1, "pickup", 2), (2, "drop", 0), (3, "drop", 0),
    ]  # fmt: skip
    pickup = stops[0]
    rows = list(grouped.stops.filter(kind="pickup").order_by("sequence").select_related("parcel", "booking"))
    by_number = sorted(rows, key=lambda s: s.booking.order_id)  # as on the shop's pickup page
    assert [line["stop_id"] for line in pickup["parcels"]] == [s.pk for s in by_number]
    assert pickup["id"] == rows[0].pk and pickup["active"] and pickup["title"] == "Boulangerie du Pont"
    assert pickup["items"] == [f"C{s.booking.order_id:06d} · 2,0\u00a0kg · 8,0\u00a0L" for s in by_number]
    now = timezone.now()
    last = Booking.objects.get(stops__pk=stops[2]["id"])
    assert tracking(last, now).stops_before == 2  # the shop's two parcels, then the other drop
    first, second = (action("pickup", s, now, code=s.parcel.pickup_code) for s in rows)
    wrong = action("pickup", rows[1], now, code="xxxx")
    assert [r["result"] for r in send(api, grouped, first, wrong)] == ["applied", "refused"]
    stops = api.call("get", f"/delivery/rounds/{grouped.pk}").json()["stops"]
    assert (stops[0]["id"], stops[0]["status"], stops[0]["active"]) == (rows[1].pk, "pending", True)
    assert [line["status"] for line in stops[0]["parcels"]] == [
        "done" if s == rows[0] else "pending" for s in by_number
    ]
    assert [(r["result"], r["duplicate"]) for r in send(api, grouped, first, second)] == [
        ("applied", True), ("applied", False),
    ]  # fmt: skip
    assert CourierAction.objects.filter(stop__in=rows, result="applied").count() == 2  # a record per parcel
    stops = api.call("get", f"/delivery/rounds/{grouped.pk}").json()["stops"]
    assert [(s["kind"], s["status"], s["active"]) for s in stops] == [
        ("pickup", "done", False), ("drop", "pending", True), ("drop", "pending", False),
    ]  # fmt: skip
    assert len([s for s in stops if s["phone"]]) == 1  # still only the active drop's identity
