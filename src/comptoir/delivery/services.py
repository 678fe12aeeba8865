"""Writes for delivery, one function per use case, each in a transaction.

Set-up by dispatchers (depots, zones, vehicles, shifts, slots), asking for a
plan, moving a booking between rounds, the couriers' actions (applied once per
action id, at the time they happened on the street), and publishing a finished
round's cost.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.core.errors import InvalidInput, NotFound
from comptoir.core.geo import GeoError, check_coordinates
from comptoir.core.money import node_currency
from comptoir.core.parameters import governed_many
from comptoir.core.queue import enqueue_with_transaction
from comptoir.delivery import order_events, outside_jobs, planning, selectors
from comptoir.delivery.fees import round_cost
from comptoir.delivery.lock_objects import (
    due_slots_for_update,
    round_for_update,
    rounds_for_update,
    slot_for_update,
)
from comptoir.delivery.models import (
    Booking,
    CourierAction,
    Depot,
    PlanRun,
    Round,
    RoundCost,
    Shift,
    Slot,
    Stop,
    Vehicle,
    Zone,
)
from comptoir.delivery.permissions import check_dispatcher
from comptoir.delivery.planner.ports import RouteSolver
from comptoir.delivery.proofs import MAX_BYTES, BadSignature, check_signature
from comptoir.ledger.postings import RoundPosting
from comptoir.ledger.services import do_post_round
from comptoir.orders.models import ShopOrder

INCIDENTS = ("absent", "refused", "damaged")
MAX_SIGNATURE_CHARS = MAX_BYTES * 4 // 3 + 64
MAX_CODE_ATTEMPTS = 5  # 4-digit codes: 5 guesses give a 1-in-2000 chance, then the dispatcher decides


class WrongCode(InvalidInput):
    """A wrong pickup or delivery code: recorded on its stop, counted towards the attempt limit."""

    def __init__(self, message: str, stop: Stop) -> None:
        super().__init__(message)
        self.stop = stop


def parse_ring(geojson: str) -> list[list[float]]:
    """The exterior ring of a GeoJSON Polygon, Feature or FeatureCollection (first polygon)."""
    try:
        data = json.loads(geojson)
    except (TypeError, ValueError) as error:
        raise InvalidInput(_("Not valid GeoJSON: %(error)s") % {"error": error}, field="geojson") from error
    while isinstance(data, dict) and data.get("type") in ("FeatureCollection", "Feature"):
        data = (
            data["features"][0]
            if data["type"] == "FeatureCollection" and data.get("features")
            else data.get("geometry")
        )
    if isinstance(data, dict) and data.get("type") == "MultiPolygon" and data.get("coordinates"):
        data = {"type": "Polygon", "coordinates": data["coordinates"][0]}
    if not isinstance(data, dict) or data.get("type") != "Polygon" or not data.get("coordinates"):
        raise InvalidInput(_("The GeoJSON must contain a polygon."), field="geojson")
    ring = [[float(x), float(y)] for x, y, *_rest in data["coordinates"][0]]
    if len(ring) < 4:
        raise InvalidInput(_("A polygon needs at least three corners."), field="geojson")
    try:
        for lon, lat in ring:
            check_coordinates(lat, lon)
    except GeoError as error:
        raise InvalidInput(str(error), field="geojson") from error
    return ring


@transaction.atomic
def do_save_zone(dispatcher: Any, *, name: str, depot: Depot, geojson: str) -> Zone:
    check_dispatcher(dispatcher)
    zone, _created = Zone.objects.update_or_create(
        name=name, defaults={"depot": depot, "ring": parse_ring(geojson)}
    )
    return zone


@transaction.atomic
def do_create_depot(dispatcher: Any, **fields: Any) -> Depot:
    check_dispatcher(dispatcher)
    return Depot.objects.create(**fields)


@transaction.atomic
def do_create_vehicle(dispatcher: Any, **fields: Any) -> Vehicle:
    check_dispatcher(dispatcher)
    return Vehicle.objects.create(**fields)


@transaction.atomic
def do_create_shift(dispatcher: Any, **fields: Any) -> Shift:
    check_dispatcher(dispatcher)
    if fields["ends"] <= fields["starts"]:
        raise InvalidInput(_("A shift ends after it starts."))
    return Shift.objects.create(**fields)


SLOT_RULES = {"capacity_orders": "slot_capacity_orders", "capacity_ml": "slot_capacity_ml"}


@transaction.atomic
def do_create_slot(dispatcher: Any, **fields: Any) -> Slot:
    """A delivery window; what the dispatcher leaves empty comes from the governed values in force now
    (length, bookings' close, capacities), and a capacity above the governed one is refused."""
    check_dispatcher(dispatcher)
    rules = governed_many(
        ["slot_minutes", "slot_booking_closes_minutes", *SLOT_RULES.values()], timezone.now()
    )
    fields = {name: value for name, value in fields.items() if value is not None}
    starts = fields["starts"]
    fields.setdefault("ends", starts + timedelta(minutes=rules["slot_minutes"].value))
    fields.setdefault("closes_at", starts - timedelta(minutes=rules["slot_booking_closes_minutes"].value))
    for field, name in SLOT_RULES.items():
        fields.setdefault(field, rules[name].value)
        if fields[field] > rules[name].value:
            raise InvalidInput(
                _("At most %(max)s (%(source)s); a proposal to the members raises it.")
                % {"max": rules[name].value, "source": rules[name].source}, field=field,
            )  # fmt: skip
    if fields["ends"] <= starts or fields["closes_at"] > starts:
        raise InvalidInput(_("A slot ends after it starts, and bookings close before it starts."))
    return Slot.objects.create(**fields)


def do_request_plan(dispatcher: Any, slot_id: int) -> PlanRun:
    """Close the slot to new bookings and plan it in the background."""
    check_dispatcher(dispatcher)
    with transaction.atomic():
        slot = slot_for_update(slot_id)
        if slot is None:
            raise NotFound(_("No such slot."))
        if slot.status == Slot.Status.OPEN:
            slot.status = Slot.Status.CLOSED
            slot.save(update_fields=["status"])
        run = PlanRun.objects.create(slot=slot, requested_by=dispatcher)
        _enqueue_plan(slot.pk, run.pk)  # queued with the run, in this transaction (core/queue.py)
    return run


def _enqueue_plan(slot_id: int, run_id: int) -> None:
    from comptoir.delivery.tasks import plan_slot_task

    enqueue_with_transaction(plan_slot_task, slot_id, run_id)


def do_close_due_slots(now: datetime) -> list[int]:
    """Close the slots whose booking deadline passed and plan each one (run by `comptoir delivery tick`)."""
    with transaction.atomic():
        due = due_slots_for_update(now)
        for slot in due:
            slot.status = Slot.Status.CLOSED
            slot.save(update_fields=["status"])
            if not slot.bookings.filter(status__in=[Booking.Status.BOOKED, Booking.Status.PLANNED]).exists():
                # An empty slot needs no planning: its run is done now, not queued behind the worker.
                PlanRun.objects.create(
                    slot=slot, status=PlanRun.Status.DONE, finished=now, seconds=0.0,
                    message=_("No orders to deliver in this slot: nothing to plan."),
                )  # fmt: skip
                continue
            run = PlanRun.objects.create(slot=slot)
            _enqueue_plan(slot.pk, run.pk)
    return [s.pk for s in due]


@transaction.atomic
def do_move_booking(
    dispatcher: Any, booking_id: int, to_round_id: int, solver: RouteSolver | None = None
) -> Round:
    """Move a booking's stops to another round of its slot, and re-order both rounds.

    The target and the rounds holding the booking are locked together, in id order
    (`lock_objects.rounds_for_update`): two moves between the same rounds in opposite
    directions queue instead of deadlocking.
    """
    check_dispatcher(dispatcher)
    booking = Booking.objects.filter(pk=booking_id).first()
    held = set(booking.stops.values_list("round", flat=True)) if booking else set()
    locked = rounds_for_update({to_round_id, *held})
    target = locked.get(to_round_id)
    if target is None:
        raise NotFound(_("This round no longer exists: reload the page."))
    if booking is None or booking.slot_id != target.slot_id:
        raise NotFound(_("This order is not in this round's slot."))
    if set(booking.stops.values_list("round", flat=True)) != held:  # moved while we waited for the locks
        raise InvalidInput(_("This order was just moved by someone else: reload the page and try again."))
    sources = [locked[pk] for pk in sorted(held - {target.pk})]
    for round_ in [target, *sources]:
        if round_.status != Round.Status.PLANNED:
            raise InvalidInput(_("Only rounds that have not started can be re-ordered."))
    solver = solver or planning.default_solver()
    now = timezone.now()
    for round_ in sources:
        others = [b for b in _bookings_on(round_) if b.pk != booking.pk]
        planning.resequence(round_, others, solver, now)
    planning.resequence(
        target, [*(b for b in _bookings_on(target) if b.pk != booking.pk), booking], solver, now
    )
    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.PLANNED)
    return target


def _bookings_on(round_: Round) -> list[Booking]:
    ids = set(round_.stops.values_list("booking", flat=True))
    return list(
        Booking.objects.filter(pk__in=ids)
        .select_related("outside_job")
        .prefetch_related("parcels__shop", "parcels__booking__outside_job")
        .order_by("pk")
    )


@dataclass(frozen=True)
class ActionIn:
    id: uuid.UUID
    kind: str  # pickup, deliver, incident, position
    happened_at: datetime
    stop_id: int | None = None
    code: str = ""
    signature: str = ""
    reason: str = ""
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class ActionOut:
    id: uuid.UUID
    result: str  # applied, refused
    message: str
    duplicate: bool
    happened_at: datetime


def do_apply_courier_action(courier: Any, round_id: int, action: ActionIn) -> ActionOut:
    """Apply one action from the courier's phone, once per action id, at the time it happened."""
    with transaction.atomic():
        round_ = round_for_update(round_id)
        seen = CourierAction.objects.filter(action_id=action.id).first()
        if seen is not None:
            if seen.courier_id != courier.pk:
                return ActionOut(action.id, "refused", _("Unknown action."), True, seen.happened_at)
            return ActionOut(action.id, seen.result, seen.message, True, seen.happened_at)
        happened_at = min(
            action.happened_at, timezone.now()
        )  # a phone's clock may run ahead, never the street
        try:
            with transaction.atomic():
                stop = _apply(courier, round_, action, happened_at)
            result, message = "applied", _done_message(action, stop)
        except WrongCode as error:
            stop, result, message = error.stop, "refused", error.message
        except (InvalidInput, NotFound) as error:
            stop, result, message = None, "refused", error.message
        CourierAction.objects.create(
            action_id=action.id, courier=courier, round=round_, stop=stop, kind=action.kind,
            happened_at=happened_at, result=result, message=message[:300],
        )  # fmt: skip
        return ActionOut(action.id, result, message, False, happened_at)


def _apply(courier: Any, round_: Round, action: ActionIn, at: datetime) -> Stop | None:
    if action.kind == "position":
        if action.lat is None or action.lon is None:
            raise InvalidInput(_("A position needs a latitude and a longitude."))
        if round_.position_at is None or at > round_.position_at:
            round_.position_lat, round_.position_lon, round_.position_at = action.lat, action.lon, at
            round_.save(update_fields=["position_lat", "position_lon", "position_at"])
        return None
    stop = (
        round_.stops.select_related("booking__outside_job", "parcel").filter(pk=action.stop_id or 0).first()
    )
    if stop is None:
        raise NotFound(_("This stop is not on your round."))
    if stop.status != Stop.Status.PENDING:
        raise InvalidInput(_("This stop is already done."))
    if action.kind in ("pickup", "deliver") and code_attempts_left(stop) <= 0:
        raise InvalidInput(
            _("Too many wrong codes for this stop: call the dispatcher, who can allow new tries.")
        )
    if action.kind == "pickup":
        _pickup(courier, stop, action, at)
    elif action.kind == "deliver":
        _deliver(stop, action, at)
    elif action.kind == "incident":
        _incident(stop, action, at)
    else:
        raise InvalidInput(_("Unknown action."))
    if round_.status == Round.Status.PLANNED:
        round_.status = Round.Status.STARTED
        round_.save(update_fields=["status"])
    _notify_next(round_)
    if not round_.stops.filter(status=Stop.Status.PENDING).exists():
        do_publish_round_cost(round_)
    return stop


def _pickup(courier: Any, stop: Stop, action: ActionIn, at: datetime) -> None:
    if stop.kind != Stop.Kind.PICKUP or stop.parcel is None:
        raise InvalidInput(_("This stop is not a pickup."))
    if stop.parcel.shop_order_id is None:  # an outside job: its seller's code is the whole proof
        if selectors.is_return(stop.booking):  # back to its seller: collected at our own depot
            _close(stop, Stop.Status.DONE, at, "depot")
            return
        if not stop.booking.outside_job.ready_to_ship:
            raise InvalidInput(_("The seller has not said this parcel is ready yet: nothing to collect now."))
        if action.code.strip() != stop.parcel.pickup_code:
            raise WrongCode(_("Wrong pickup code: ask the seller for the parcel's code."), stop)
        _close(stop, Stop.Status.DONE, at, "code")
        return
    status = ShopOrder.objects.filter(pk=stop.parcel.shop_order_id).values_list("status", flat=True).first()
    if status not in selectors.PICKABLE:
        raise InvalidInput(pickup_refusal(status))
    if action.code.strip() != stop.parcel.pickup_code:
        raise WrongCode(_("Wrong pickup code: ask the shop for the parcel's code."), stop)
    _close(stop, Stop.Status.DONE, at, "code")
    if status != ShopOrder.Status.HANDED_OVER:
        order_events.handed_over(stop.parcel.shop_order_id, courier)


def pickup_refusal(status: str | None) -> str:
    """Why a parcel cannot be collected, told to the courier (None: it can)."""
    if status in (ShopOrder.Status.PLACED, ShopOrder.Status.CHANGES):
        return _("The shop has not accepted this order yet: nothing to collect for it now.")
    return _("This order was cancelled or refused: do not collect it.")


def code_attempts_left(stop: Stop) -> int:
    """Wrong codes since the dispatcher last allowed new tries, counted from the actions' record."""
    actions = CourierAction.objects.filter(stop=stop)
    reset = (
        actions.filter(kind="unlock").order_by("-received_at").values_list("received_at", flat=True).first()
    )
    wrong = actions.filter(kind__in=("pickup", "deliver"), result="refused")
    if reset is not None:
        wrong = wrong.filter(received_at__gt=reset)
    return max(MAX_CODE_ATTEMPTS - wrong.count(), 0)


@transaction.atomic
def do_allow_code_attempts(dispatcher: Any, stop_id: int) -> Stop:
    """The dispatcher, having checked with the shop or the resident, gives a stop new code tries."""
    check_dispatcher(dispatcher)
    stop = Stop.objects.filter(pk=stop_id).select_related("round").first()
    if stop is None:
        raise NotFound(_("No such stop."))
    round_for_update(stop.round_id)
    CourierAction.objects.create(
        action_id=uuid.uuid4(), courier=dispatcher, round=stop.round, stop=stop, kind="unlock",
        happened_at=timezone.now(), result="applied",
    )  # fmt: skip
    return stop


def _done_message(action: ActionIn, stop: Stop | None) -> str:
    """The confirmation the phone shows once the server applied an action."""
    if stop is None:
        return ""
    number = selectors.booking_number(stop.booking)
    if action.kind == "pickup":
        return _("Pickup of %(number)s confirmed.") % {"number": number}
    if action.kind == "deliver":
        return _("Delivery of %(number)s confirmed.") % {"number": number}
    return _("Incident recorded for %(number)s.") % {"number": number}


def _deliver(stop: Stop, action: ActionIn, at: datetime) -> None:
    if stop.kind != Stop.Kind.DROP:
        raise InvalidInput(_("This stop is not a delivery."))
    if selectors.active_stop(stop.round) != stop:
        raise InvalidInput(_("Finish the previous stops first."))
    signature = action.signature.strip()
    if action.code.strip() and action.code.strip() == stop.booking.drop_code:
        proof = "code"
    elif signature and not action.code.strip():
        try:
            check_signature(signature)
        except BadSignature as error:
            raise InvalidInput(
                _("This signature cannot be used (%(why)s): ask the resident to sign again.") % {"why": error}
            ) from error
        proof, stop.signature = "signature", signature
    else:
        raise WrongCode(_("Wrong code: ask the resident for their delivery code, or for a signature."), stop)
    _close(stop, Stop.Status.DONE, at, proof)
    booking = stop.booking
    # One order's parcels may come in several rounds: the order follows what each drop did.
    drops = list(booking.stops.filter(kind=Stop.Kind.DROP))
    if any(d.status == Stop.Status.PENDING for d in drops):
        if booking.order_id is not None:
            order_events.partly_delivered(booking.order_id, _delivered_parts(booking, [stop.round_id]))
        return
    done = [d.round_id for d in drops if d.status == Stop.Status.DONE]
    if len(done) == len(drops):
        booking.status = Booking.Status.DELIVERED
        booking.save(update_fields=["status"])
    if booking.order_id is None:
        if booking.status == Booking.Status.DELIVERED:
            outside_jobs.do_bill(booking, at)
    else:  # a round that failed (incident) left its part as the incident flow did
        order_events.delivered(booking.order_id, proof, _delivered_parts(booking, done))


def _delivered_parts(booking: Booking, rounds: list[int]) -> list[int]:
    """The shop orders whose parcels were collected on these rounds, whose drop at this door is done."""
    pickups = booking.stops.filter(kind=Stop.Kind.PICKUP, status=Stop.Status.DONE, round_id__in=rounds)
    return [pk for pk in pickups.values_list("parcel__shop_order_id", flat=True) if pk is not None]


def _incident(stop: Stop, action: ActionIn, at: datetime) -> None:
    if action.reason not in INCIDENTS:
        raise InvalidInput(_("Choose what happened: absent, refused or damaged."))
    if selectors.active_stop(stop.round) != stop:
        raise InvalidInput(_("An incident is reported at the current stop only."))
    _close(stop, Stop.Status.FAILED, at, action.reason)
    booking = stop.booking
    # A parcel that is not collected cannot be delivered: its drop on this round fails with it.
    stop.round.stops.filter(booking=booking, kind=Stop.Kind.DROP, status=Stop.Status.PENDING).update(
        status=Stop.Status.FAILED, done_at=at, proof=action.reason
    )
    booking.status = Booking.Status.FAILED
    booking.save(update_fields=["status"])
    if booking.order_id is not None:  # an outside job's seller app reads the failure from its status
        order_events.delivery_failed(booking.order_id, action.reason)
    elif (
        stop.kind == Stop.Kind.DROP
        and booking.stops.filter(kind=Stop.Kind.PICKUP, status=Stop.Status.DONE).exists()
    ):
        outside_jobs.do_start_return(booking, action.reason, at)  # the parcel is in hand: back to its seller


def _close(stop: Stop, status: str, at: datetime, proof: str) -> None:
    stop.status, stop.done_at, stop.proof = status, at, proof
    stop.save(update_fields=["status", "done_at", "proof", "signature"])


def _notify_next(round_: Round) -> None:
    """Tell residents whose drop is a few stops away (a shop's parcels in a row are one stop), once."""
    pending = list(
        round_.stops.filter(status=Stop.Status.PENDING)
        .order_by("sequence")
        .select_related("booking", "parcel")
    )
    for position, group in enumerate(selectors.group_stops(pending)):
        if position >= selectors.NOTIFY_STOPS_AWAY:
            break
        stop = group[0]
        booking = stop.booking
        if stop.kind == Stop.Kind.DROP and booking.notified_at is None:
            booking.notified_at = timezone.now()
            booking.save(update_fields=["notified_at"])
            if booking.order_id is not None:
                order_events.out_for_delivery(booking.order_id)


def do_publish_round_cost(round_: Round) -> RoundCost:
    """The finished round's real cost, ledger-ready: courier time until back at the depot, and kilometres."""
    existing = RoundCost.objects.filter(round=round_).first()
    if existing is not None:
        return existing
    stops = list(round_.stops.exclude(done_at=None).order_by("sequence"))
    last = stops[-1] if stops else None
    back_at = round_.returns
    if last is not None and last.done_at is not None:
        back_at = last.done_at + max(round_.returns - last.eta, timedelta(0))
    seconds = max(int((back_at - round_.departs).total_seconds()), 0)
    delivered = [s.booking for s in stops if s.kind == Stop.Kind.DROP and s.status == Stop.Status.DONE]
    rates = selectors.current_rates()
    figures = round_cost(
        courier_seconds=seconds, distance_m=round_.distance_m,
        courier_cost_per_hour_cents=rates.courier_cost_per_hour_cents.value,
        vehicle_cost_per_hour_cents=Decimal(round_.vehicle.cost_per_hour_cents),
        vehicle_cost_per_km_cents=Decimal(round_.vehicle.cost_per_km_cents),
        margin_percent=rates.margin_percent.value, deliveries=len(delivered),
    )  # fmt: skip
    round_.status = Round.Status.DONE
    round_.save(update_fields=["status"])
    # In this transaction: the round's courier and vehicle costs reach the books with its published cost.
    do_post_round(
        RoundPosting(round_.pk, round_.courier_id, str(round_.courier), figures.courier.cents, figures.vehicle.cents,
                     node_currency()),
        at=back_at,
    )  # fmt: skip
    return RoundCost.objects.create(
        round=round_, courier_seconds=seconds, distance_m=round_.distance_m, courier_cents=figures.courier.cents,
        vehicle_cents=figures.vehicle.cents, margin_cents=figures.margin.cents, total_cents=figures.total.cents,
        deliveries=len(delivered), cost_per_delivery_cents=figures.per_delivery.cents,
        fees_collected_cents=sum(b.fee_cents for b in {b.pk: b for b in delivered}.values()),
        sources={"courier_cost_per_hour_cents": rates.courier_cost_per_hour_cents.source,
                 "delivery_margin_percent": rates.margin_percent.source,
                 "vehicle": f"{round_.vehicle.name}: published vehicle costs"},
    )  # fmt: skip
