"""JSON API of delivery: the courier's round and actions, dispatcher planning, tracking, round costs."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema

from comptoir.core.errors import NotFound
from comptoir.delivery import selectors, services
from comptoir.delivery.models import Booking, RoundCost
from comptoir.delivery.permissions import access_round_for_courier, check_dispatcher
from comptoir.members.api import AUTH

router = Router(tags=["delivery"])


class PickupLineOut(Schema):
    stop_id: int
    label: str
    status: str


class StopOut(Schema):
    id: int
    sequence: int
    kind: str
    status: str
    eta: datetime
    active: bool
    lat: float
    lon: float
    title: str
    address: str
    phone: str
    instructions: str
    items: list[str]
    geo_uri: str
    parcels: list[PickupLineOut]  # a pickup's parcels, each confirmed on its own stop_id with its code


class RoundOut(Schema):
    id: int
    status: str
    departs: datetime
    returns: datetime
    distance_m: int
    stops: list[StopOut]


class ActionSchema(Schema):
    id: uuid.UUID
    kind: str = Field(pattern="^(pickup|deliver|incident|position)$")
    happened_at: datetime
    stop_id: int | None = None
    code: str = Field("", max_length=8)
    signature: str = Field("", max_length=services.MAX_SIGNATURE_CHARS)
    reason: str = Field("", max_length=20)
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)


class ActionsIn(Schema):
    actions: list[ActionSchema] = Field(max_length=100)


class ActionResultOut(Schema):
    id: uuid.UUID
    result: str
    message: str
    duplicate: bool
    happened_at: datetime


class ActionsOut(Schema):
    results: list[ActionResultOut]


class PlanRunOut(Schema):
    id: int
    status: str
    message: str


class TrackingOut(Schema):
    status: str
    eta: datetime | None
    stops_before: int | None
    courier_position: tuple[float, float] | None


class RoundCostOut(Schema):
    round_id: int
    slot_starts: datetime
    courier_seconds: int
    distance_m: int
    courier_cents: int
    vehicle_cents: int
    margin_cents: int
    total_cents: int
    deliveries: int
    cost_per_delivery_cents: int
    fees_collected_cents: int
    sources: dict[str, str]
    published_at: datetime

    @staticmethod
    def resolve_slot_starts(cost: RoundCost) -> datetime:
        return cost.round.slot.starts


@router.get(
    "/rounds/{round_id}", response=RoundOut, auth=AUTH, summary="A courier's round, as they may see it"
)
def courier_round(request: HttpRequest, round_id: int) -> dict:
    round_ = access_round_for_courier(request.user, round_id)
    return {
        "id": round_.pk, "status": round_.status, "departs": round_.departs, "returns": round_.returns,
        "distance_m": round_.distance_m,
        "stops": [dict(vars(s), geo_uri=s.geo_uri, parcels=[vars(p) for p in s.parcels])
                  for s in selectors.courier_stops(round_)],
    }  # fmt: skip


@router.post(
    "/rounds/{round_id}/actions", response=ActionsOut, auth=AUTH, summary="Courier actions, idempotent per id"
)
def courier_actions(request: HttpRequest, round_id: int, body: ActionsIn) -> dict:
    access_round_for_courier(request.user, round_id)
    results = [
        services.do_apply_courier_action(request.user, round_id, services.ActionIn(**a.dict()))
        for a in body.actions
    ]
    return {"results": [vars(r) for r in results]}


@router.post("/slots/{slot_id}/plan", response=PlanRunOut, auth=AUTH, summary="Plan a slot in the background")
def plan(request: HttpRequest, slot_id: int) -> dict:
    run = services.do_request_plan(request.user, slot_id)
    return {"id": run.pk, "status": run.status, "message": run.message}


@router.get("/slots/{slot_id}/runs", response=list[PlanRunOut], auth=AUTH, summary="A slot's planning runs")
def plan_runs(request: HttpRequest, slot_id: int) -> list:
    check_dispatcher(request.user)
    return [{"id": r.pk, "status": r.status, "message": r.message} for r in selectors.plan_runs(slot_id)]


@router.get(
    "/tracking/{ref}",
    response=TrackingOut,
    auth=None,
    summary="Where a delivery is, by its booking reference",
)
def track(request: HttpRequest, ref: str) -> dict:
    booking = Booking.objects.filter(ref=ref).select_related("slot").first()
    if booking is None:
        raise NotFound("No such delivery.")
    view = selectors.tracking(booking, timezone.now())
    return {
        "status": view.status,
        "eta": view.eta,
        "stops_before": view.stops_before,
        "courier_position": view.courier_position,
    }


@router.get(
    "/round-costs", response=list[RoundCostOut], auth=None, summary="Published cost of each finished round"
)
def round_costs(request: HttpRequest) -> list[RoundCost]:
    return list(RoundCost.objects.select_related("round__slot").order_by("-published_at")[:500])
