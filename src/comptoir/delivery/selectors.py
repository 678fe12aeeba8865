"""Reads for delivery: rates, zones and slots for a point, the courier's view, tracking.

The courier's view is where the privacy rule lives: a resident's name, phone and
exact address leave the server only for the round's active stop (the first one
not yet done); other drops show an approximate position and no identity.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from comptoir.core import formats
from comptoir.core.geo import haversine_km, point_in_polygon
from comptoir.core.money import Money
from comptoir.core.parameters import governed_many
from comptoir.delivery.fees import Rate, Rates
from comptoir.delivery.models import (
    Booking,
    OutsideJob,
    Parcel,
    PlanRun,
    Round,
    RoundCost,
    Slot,
    Stop,
    Vehicle,
    Zone,
)
from comptoir.orders.models import Order, ShopOrder
from comptoir.orders.selectors import due_on_delivery

POSITION_FRESH = timedelta(minutes=10)
NOTIFY_STOPS_AWAY = 3
APPROXIMATE_DIGITS = 3  # ≈100 m: enough to draw a round, not to find a door
COURIER_SPEED_KMH = 15.0
DETOUR = 1.3


RATE_PARAMETERS = {
    "courier_cost_per_hour_cents": "courier_cost_per_hour_cents",
    "vehicle_cost_per_km_cents": "vehicle_cost_per_km_cents",
    "minutes_per_order": "delivery_minutes_per_order",
    "km_per_order": "delivery_km_per_order",
    "round_base_minutes": "delivery_round_base_minutes",
    "slot_expected_orders": "delivery_slot_expected_orders",
    "margin_percent": "delivery_margin_percent",
}


def current_rates(at: datetime | None = None) -> Rates:
    """The rates in force at `at` (now), read at once; each carries its version's source."""
    values = governed_many(list(RATE_PARAMETERS.values()), at)
    return Rates(**{
        field: Rate(Decimal(str(values[name].value)), values[name].source) for field, name in RATE_PARAMETERS.items()
    })  # fmt: skip


def zones_at(lat: float, lon: float) -> list[Zone]:
    return [
        z for z in Zone.objects.filter(active=True) if point_in_polygon(lat, lon, [tuple(p) for p in z.ring])
    ]


def largest_vehicle() -> tuple[int, int]:
    """(grams, millilitres) of the largest active vehicle: heavier orders cannot be delivered."""
    vehicles = list(Vehicle.objects.filter(active=True).values_list("capacity_g", "capacity_ml"))
    return (max((g for g, _ in vehicles), default=0), max((ml for _, ml in vehicles), default=0))


def bookable_slots(zone_ids: list[int], now: datetime) -> QuerySet[Slot]:
    return Slot.objects.filter(
        zone_id__in=zone_ids, status=Slot.Status.OPEN, closes_at__gt=now
    ).select_related("zone")


def upcoming_slots(now: datetime) -> QuerySet[Slot]:
    return (
        Slot.objects.filter(ends__gte=now - timedelta(hours=12))
        .select_related("zone")
        .order_by("starts")[:60]
    )


def rounds_of_courier(person: Any, now: datetime) -> QuerySet[Round]:
    return Round.objects.filter(courier=person, returns__gte=now - timedelta(hours=12)).select_related(
        "slot__zone"
    )


def active_stop(round_: Round) -> Stop | None:
    return round_.stops.filter(status=Stop.Status.PENDING).order_by("sequence").first()


def _approximate(value: float) -> float:
    return round(value, APPROXIMATE_DIGITS)


@dataclass(frozen=True)
class PickupPlace:
    """Where a parcel is collected: one of our shops, or an outside job's own place."""

    key: int  # see `place_key`
    name: str
    address: str
    lat: float
    lon: float
    phone: str


def place_key(parcel: Parcel) -> int:
    """The shop's id, or an outside job's booking id negated: a job's place never merges with a shop."""
    return parcel.shop_id if parcel.shop_id is not None else -parcel.booking_id


def pickup_place(parcel: Parcel) -> PickupPlace:
    if parcel.shop_id is not None:
        shop = parcel.shop
        assert shop is not None
        return PickupPlace(shop.pk, shop.name, shop.address, shop.lat, shop.lon, shop.phone)
    job = forward_job(parcel.booking)
    if job is None:  # a return to origin: the parcel came back to our depot with the courier
        depot = parcel.booking.slot.zone.depot
        name = _("Depot %(name)s (return to its seller)") % {"name": depot.name}
        return PickupPlace(place_key(parcel), name, depot.address, depot.lat, depot.lon, "")
    return PickupPlace(
        place_key(parcel),
        job.pickup_name,
        job.pickup_address,
        job.pickup_lat,
        job.pickup_lon,
        job.pickup_phone,
    )


def forward_job(booking: Booking) -> OutsideJob | None:
    """The outside job whose own delivery this booking is (None: ours, or a return to origin)."""
    try:
        return booking.outside_job
    except OutsideJob.DoesNotExist:
        return None


def is_return(booking: Booking) -> bool:
    """A return to origin: an outside job's parcel taken back from our depot to its seller."""
    return booking.order_id is None and forward_job(booking) is None


def booking_number(booking: Booking) -> str:
    """The number couriers and dispatchers see: our order's (C000033), or an outside job's (L000012)."""
    if booking.order_id is None:
        return f"L{booking.pk:06d}"
    return order_number(booking.order_id)


def order_number(order_id: int) -> str:
    """The customer order's number (C000033) that residents, shops and couriers all see.

    Orders delivered here were placed here: only orders moved in from another node (history,
    never booked for delivery) carry an imported number, so no query is needed.
    """
    return Order(pk=order_id, imported_number="").number


def parcel_size(weight_g: int, volume_ml: int) -> str:
    """« 2,5 kg · 8,0 L » in French, "2.5 kg · 8.0 L" in English."""
    lang = get_language()
    return f"{formats.quantity(weight_g / 1000, 1, 'kg', lang)} · {formats.quantity(volume_ml / 1000, 1, 'L', lang)}"


PICKABLE = {ShopOrder.Status.ACCEPTED, ShopOrder.Status.PREPARED, ShopOrder.Status.HANDED_OVER}


@dataclass(frozen=True)
class PickupLine:
    """One parcel of a pickup stop: its own stop row, confirmed by its own code."""

    stop_id: int
    label: str
    status: str
    ready: bool = True  # the shop accepted the order: the parcel can really be collected
    note: str = ""  # why it cannot, when it cannot
    code_needed: bool = True  # a return to origin is collected at our own depot, without a code


@dataclass
class StopView:
    id: int
    sequence: int
    kind: str
    status: str
    eta: datetime
    active: bool
    lat: float
    lon: float
    title: str
    address: str = ""
    phone: str = ""
    instructions: str = ""
    items: list[str] = field(default_factory=list)
    exact: bool = False
    parcels: list[PickupLine] = field(default_factory=list)  # a pickup's parcels, in order-number order
    collect: str = ""  # the amount to collect from the resident (pays on delivery), active drop only

    @property
    def geo_uri(self) -> str:
        return f"geo:{self.lat:.6f},{self.lon:.6f}" if self.exact else ""


def group_stops(stops: Iterable[Stop]) -> list[list[Stop]]:
    """Stops as the courier makes them: consecutive pickups at one shop are one stop.

    Planning writes a shop's parcels of a round one after the other (`slot_problem.read_solution`
    merges them as it merges drops at one door); each parcel keeps its own row, code and record.
    `stops` are in sequence order with their parcels loaded.
    """
    groups: list[list[Stop]] = []
    for stop in stops:
        last = groups[-1][-1] if groups else None
        if (
            last is not None
            and stop.kind == last.kind == Stop.Kind.PICKUP
            and place_key(stop.parcel) == place_key(last.parcel)  # type: ignore[arg-type]
        ):
            groups[-1].append(stop)
        else:
            groups.append([stop])
    return groups


def group_status(group: Sequence[Stop]) -> str:
    """Pending while a parcel is; then failed if any failed; else done."""
    statuses = {s.status for s in group}
    for status in (Stop.Status.PENDING, Stop.Status.FAILED):
        if status in statuses:
            return status
    return Stop.Status.DONE


def courier_stops(round_: Round) -> list[StopView]:
    """The round's stops as the courier may see them: identities only on the active stop.

    A shop's parcels collected in a row are one stop (`group_stops`): its id is the first
    parcel still to collect, `parcels` lists each parcel's own stop to confirm with its code.
    """
    stops = list(
        round_.stops.select_related("booking__outside_job", "parcel__shop", "parcel__booking__outside_job")
        .order_by("sequence")
    )  # fmt: skip
    active = next((s for s in stops if s.status == Stop.Status.PENDING), None)
    shop_statuses = dict(
        ShopOrder.objects.filter(
            pk__in=[s.parcel.shop_order_id for s in stops if s.parcel and s.parcel.shop_order_id]
        ).values_list("pk", "status")
    )
    views = []
    for position, group in enumerate(group_stops(stops), start=1):
        stop = group[0]
        is_active = active in group
        status = group_status(group)
        if stop.kind == Stop.Kind.PICKUP:
            place = pickup_place(stop.parcel)  # type: ignore[arg-type]
            # Listed by order number, as on the shop's pickup page, so codes are read in the same order.
            lead = next((s for s in group if s.status == Stop.Status.PENDING), stop)
            by_number = sorted(group, key=lambda s: (s.booking.order_id or 0, s.pk))
            lines = [_pickup_line(s, shop_statuses.get(s.parcel.shop_order_id or 0)) for s in by_number]  # type: ignore[union-attr]
            views.append(StopView(
                lead.pk, position, stop.kind, status, stop.eta, is_active, place.lat, place.lon,
                place.name, address=place.address, phone=place.phone if is_active else "",
                items=[line.label for line in lines], exact=True, parcels=lines,
            ))  # fmt: skip
            continue
        booking = stop.booking
        parcels = [
            p
            for p in booking.parcels.select_related("shop", "booking__outside_job")
            if p.pk in _drop_parcels(stop)
        ]
        items = [f"{booking_number(booking)} · {pickup_place(p).name}" for p in parcels]
        if is_active:
            views.append(StopView(
                stop.pk, position, stop.kind, status, stop.eta, True, booking.lat, booking.lon,
                booking.name, address=booking.address, phone=booking.phone, instructions=booking.instructions,
                items=items, exact=True,
                collect=amount_to_collect(stop),
            ))  # fmt: skip
        else:
            views.append(StopView(
                stop.pk, position, stop.kind, status, stop.eta, False,
                _approximate(booking.lat), _approximate(booking.lon), "", items=items,
            ))  # fmt: skip
    return views


def _pickup_label(stop: Stop) -> str:
    parcel = stop.parcel
    return f"{booking_number(stop.booking)} · {parcel_size(parcel.weight_g, parcel.volume_ml)}"  # type: ignore[union-attr]


def _pickup_line(stop: Stop, shop_status: str | None) -> PickupLine:
    # an outside job's parcel has no shop order: its seller app said it is ready to ship
    outside = stop.parcel is not None and stop.parcel.shop_id is None
    if outside and is_return(stop.booking):
        return PickupLine(stop.pk, _pickup_label(stop), stop.status, code_needed=False)
    if outside and stop.status == Stop.Status.PENDING and not stop.booking.outside_job.ready_to_ship:
        note = _("Not ready: the seller has not said this parcel is ready yet.")
        return PickupLine(stop.pk, _pickup_label(stop), stop.status, ready=False, note=note)
    if outside or stop.status != Stop.Status.PENDING or shop_status in PICKABLE:
        return PickupLine(stop.pk, _pickup_label(stop), stop.status)
    if shop_status in (ShopOrder.Status.PLACED, ShopOrder.Status.CHANGES):
        note = _("Not ready: the shop has not accepted this order yet.")
    else:
        note = _("Cancelled: do not collect this parcel.")
    return PickupLine(stop.pk, _pickup_label(stop), stop.status, ready=False, note=note)


def amount_to_collect(drop: Stop) -> str:
    """What the courier collects at this door when the resident pays on delivery, formatted; else "".

    What the books post when the drop completes the booking (`orders.services.do_mark_delivered`):
    the parcels handed to couriers and the fees that follow them, not the order's first total (a
    shop's part cancelled or never handed over is not paid). A drop that does not complete the
    booking (its other parcels come in another round, still to drop) collects nothing: the money
    is taken, and posted, once, at the last door. An outside job collects what its seller app asked
    (`collect_cents`, ONDC's cash on delivery), a return to origin nothing."""
    order_id = drop.booking.order_id
    if order_id is None:  # an outside job: the seller app's cash on delivery, if it asked for one
        job = forward_job(drop.booking)
        cents = job.collect_cents if job is not None else 0
        return Money(cents, job.currency).format(get_language() or "fr") if job is not None and cents else ""
    others = Stop.objects.filter(booking=drop.booking_id, kind=Stop.Kind.DROP).exclude(pk=drop.pk)
    if others.filter(status=Stop.Status.PENDING).exists():
        return ""
    due = due_on_delivery(order_id)
    return Money(due).format(get_language() or "fr") if due > 0 else ""


def _drop_parcels(stop: Stop) -> set[int]:
    """Parcels a drop stop hands over: those whose pickup is on the same round."""
    return set(
        Stop.objects.filter(round=stop.round_id, booking=stop.booking_id, kind="pickup").values_list(
            "parcel", flat=True
        )
    )


def round_delay(round_: Round, now: datetime) -> timedelta:
    """How late the round runs: from its latest confirmation, or its fresher shared position."""
    last = (
        round_.stops.exclude(status=Stop.Status.PENDING).exclude(done_at=None).order_by("-sequence").first()
    )
    delay = (last.done_at - last.eta) if last and last.done_at else timedelta(0)
    fresh = round_.position_at and now - round_.position_at <= POSITION_FRESH
    position_at = round_.position_at
    if fresh and position_at and (last is None or last.done_at is None or position_at > last.done_at):
        nxt = active_stop(round_)
        if nxt is not None:
            km = haversine_km(round_.position_lat, round_.position_lon, nxt.lat, nxt.lon) * DETOUR  # type: ignore[arg-type]
            arrival = now + timedelta(hours=km / COURIER_SPEED_KMH)
            delay = arrival - nxt.eta
    return delay


@dataclass(frozen=True)
class TrackingView:
    status: str
    eta: datetime | None
    stops_before: int | None
    courier_position: tuple[float, float] | None
    history: list[tuple[datetime, str]]
    slot: Slot
    drop_code: str
    parcels_delivered: int = 0
    """Parcels already handed over at this door by an earlier round (the others come in another)."""
    parcels: int = 0


def tracking(booking: Booking, now: datetime | None = None) -> TrackingView:
    now = now or timezone.now()
    stops = list(booking.stops.select_related("round").order_by("round_id", "sequence"))
    history = [(booking.created, "booked")]
    history += [(s.done_at, f"{s.kind}_{s.status}") for s in stops if s.done_at]
    history.sort(key=lambda item: item[0])
    if booking.status in (Booking.Status.BOOKED, Booking.Status.CANCELLED) or not stops:
        status = "cancelled" if booking.status == Booking.Status.CANCELLED else "planned"
        return TrackingView(status, None, None, None, history, booking.slot, booking.drop_code)
    drops = [s for s in stops if s.kind == Stop.Kind.DROP]
    if any(s.status == Stop.Status.FAILED for s in drops):
        return TrackingView("failed", None, 0, None, history, booking.slot, booking.drop_code)
    pending_drop = next((s for s in drops if s.status == Stop.Status.PENDING), None)
    if pending_drop is None:
        return TrackingView("delivered", None, 0, None, history, booking.slot, booking.drop_code)
    round_ = pending_drop.round
    done_rounds = {s.round_id for s in drops if s.status == Stop.Status.DONE}
    delivered = sum(1 for s in stops if s.kind == Stop.Kind.PICKUP and s.round_id in done_rounds)
    pickups_pending = any(
        s.kind == Stop.Kind.PICKUP and s.status == Stop.Status.PENDING and s.round_id == round_.pk
        for s in stops
    )
    status = "picking_up" if pickups_pending else "on_the_way"
    before = len(group_stops(
        round_.stops.filter(status=Stop.Status.PENDING, sequence__lt=pending_drop.sequence)
        .select_related("parcel").order_by("sequence")
    ))  # fmt: skip
    eta = max(pending_drop.eta + round_delay(round_, now), now)
    # The courier's position is shown only on the way to this door: before that it would show
    # where other residents live, the moment `stops_before` falls.
    # Only a position taken after the last confirmation: one taken before it was at another door.
    position = None
    last_done = max((s.done_at for s in round_.stops.exclude(done_at=None) if s.done_at), default=None)
    on_the_way = round_.position_at and (last_done is None or round_.position_at > last_done)
    if before == 0 and on_the_way and now - round_.position_at <= POSITION_FRESH:  # type: ignore[operator]
        position = (round_.position_lat, round_.position_lon)
    parcels = sum(1 for s in stops if s.kind == Stop.Kind.PICKUP)
    return TrackingView(
        status, eta, before, position, history, booking.slot, booking.drop_code,  # type: ignore[arg-type]
        delivered, parcels,
    )  # fmt: skip


def slot_rounds(slot: Slot) -> QuerySet[Round]:
    return slot.rounds.select_related("courier", "vehicle").prefetch_related(
        "stops__booking__outside_job", "stops__parcel__shop", "stops__parcel__booking__outside_job"
    )


def round_costs(slot: Slot) -> QuerySet[RoundCost]:
    return RoundCost.objects.filter(round__slot=slot).select_related("round")


def plan_runs(slot_id: int) -> QuerySet[PlanRun]:
    return PlanRun.objects.filter(slot_id=slot_id).order_by("-created")[:10]
