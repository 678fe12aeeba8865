"""Outside delivery jobs: deliveries another platform's seller books with the cooperative.

The logistics role of the protocol (`protocol/logistics.py`) turns ONDC messages into these
calls; nothing here knows the wire format. A job is a booking in one of our slots like a
resident's: the slot's row lock, its capacity in orders and volume, all or nothing. Its one
parcel is collected at the seller's own place against the code the seller gave, so the
courier's pickup never asks the orders app anything; its fee is the one quoted to the seller
app, billed to it in the books once the parcel is delivered.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from comptoir.core.geo import GeoError, check_coordinates, point_in_polygon
from comptoir.core.parameters import governed
from comptoir.core.region import node_region
from comptoir.delivery import selectors
from comptoir.delivery.lock_objects import booking_for_update, round_for_update, slot_for_update
from comptoir.delivery.models import Booking, OutsideJob, Parcel, Slot, Stop
from comptoir.ledger.postings import VAT_COLLECTED, DeliveryJobPosting
from comptoir.ledger.services import (
    do_post_cash_on_delivery,
    do_post_delivery_job,
    do_post_platform_settlement,
)

CODE = re.compile(r"^[0-9A-Za-z]{4,8}$")  # a pickup or drop code a person can read out
STAGES = ("pending", "assigned", "picked_up", "out_for_delivery", "delivered")  # in the order they happen
RETURN_STAGES = ("rto_initiated", "rto_delivered")  # a failed drop after pickup: back to the seller
ENDINGS = ("cancelled", "pickup_failed", "delivery_failed", "rto_delivered", "rto_disposed")


class JobRefused(Exception):
    """Why a job cannot be booked or cancelled; `reason` is one of `REASONS`, for the caller to translate."""

    REASONS = (
        "invalid", "duplicate", "no_slot", "closed", "pickup_outside", "drop_outside", "too_big", "full",
        "unknown", "not_cancellable", "picked_up", "not_updatable", "planned", "not_collected", "settled",
    )  # fmt: skip

    def __init__(self, reason: str, message: str) -> None:
        assert reason in self.REASONS, reason
        super().__init__(message)
        self.reason, self.message = reason, message


@dataclass(frozen=True)
class Place:
    name: str
    address: str
    lat: float
    lon: float
    phone: str
    email: str = ""
    instructions: str = ""


@dataclass(frozen=True)
class JobIn:
    client_id: str  # the seller app's network id
    client_ref: str  # its order id
    slot_id: int
    pickup: Place
    drop: Place
    weight_g: int
    volume_ml: int
    fee_cents: int  # as quoted to the seller app, taxes included
    currency: str
    pickup_code: str  # the seller gives it to the courier with the parcel
    drop_code: str = ""  # the receiver's code; one is drawn when the seller app gave none
    ready: bool = True  # the seller app said the parcel is ready to ship (ONDC's ready_to_ship)
    collect_cents: int = 0  # cash on delivery: the seller's price, taken at the door


def _code() -> str:
    return f"{secrets.randbelow(10_000):04d}"


def _check(job: JobIn) -> None:
    for label, place in (("pickup", job.pickup), ("drop", job.drop)):
        try:
            check_coordinates(place.lat, place.lon)
        except GeoError as error:
            raise JobRefused("invalid", f"{label}: {error}") from error
        if not place.name.strip() or not place.address.strip() or not place.phone.strip():
            raise JobRefused("invalid", f"{label}: a name, an address and a phone are required")
    if not CODE.match(job.pickup_code):
        raise JobRefused("invalid", "the pickup code must be 4 to 8 letters or digits")
    if job.drop_code and not CODE.match(job.drop_code):
        raise JobRefused("invalid", "the drop code must be 4 to 8 letters or digits")
    if job.weight_g <= 0 or job.volume_ml < 0:
        raise JobRefused("invalid", "the parcel needs a weight")
    if not job.client_id or not job.client_ref:
        raise JobRefused("invalid", "the seller app and its order id are required")


def _check_slot(slot: Slot | None, job: JobIn, now: datetime) -> Slot:
    if slot is None:
        raise JobRefused("no_slot", "this slot does not exist")
    if slot.status != Slot.Status.OPEN or slot.closes_at <= now:
        raise JobRefused("closed", "this slot is closed to new deliveries")
    if not selectors.zones_at(job.pickup.lat, job.pickup.lon):
        raise JobRefused("pickup_outside", "the pickup place is outside our zones")
    if not point_in_polygon(job.drop.lat, job.drop.lon, [tuple(p) for p in slot.zone.ring]):
        raise JobRefused("drop_outside", "the drop is outside this slot's zone")
    max_g, max_ml = selectors.largest_vehicle()
    if job.weight_g > max_g or job.volume_ml > max_ml:
        raise JobRefused("too_big", "no vehicle of ours can carry this parcel")
    if slot.booked_orders >= slot.capacity_orders or slot.booked_ml + job.volume_ml > slot.capacity_ml:
        raise JobRefused("full", "this slot has no room left for this parcel")
    return slot


def do_book_outside_job(job: JobIn) -> OutsideJob:
    """Book the job into its slot, or refuse it with nothing written."""
    _check(job)
    with transaction.atomic():
        if OutsideJob.objects.filter(client_id=job.client_id, client_ref=job.client_ref).exists():
            raise JobRefused("duplicate", "this order is already booked")
        slot = _check_slot(slot_for_update(job.slot_id), job, timezone.now())
        drop = job.drop
        booking = Booking.objects.create(
            ref=secrets.token_urlsafe(12), slot=slot, order_id=None, lat=drop.lat, lon=drop.lon,
            address=drop.address, name=drop.name, phone=drop.phone, instructions=drop.instructions,
            weight_g=job.weight_g, volume_ml=job.volume_ml, fee_cents=job.fee_cents,
            fee_lines=[{"label": f"Quoted to {job.client_id}", "cents": job.fee_cents, "source": "quote"}],
            drop_code=job.drop_code or _code(),
        )  # fmt: skip
        made = OutsideJob.objects.create(
            booking=booking, client_id=job.client_id, client_ref=job.client_ref, pickup_name=job.pickup.name,
            pickup_address=job.pickup.address, pickup_lat=job.pickup.lat, pickup_lon=job.pickup.lon,
            pickup_phone=job.pickup.phone, pickup_email=job.pickup.email,
            pickup_instructions=job.pickup.instructions, currency=job.currency, ready_to_ship=job.ready,
            collect_cents=job.collect_cents,
        )  # fmt: skip
        Parcel.objects.create(
            booking=booking, shop=None, shop_order_id=None, weight_g=job.weight_g, volume_ml=job.volume_ml,
            pickup_code=job.pickup_code,
        )  # fmt: skip
        Slot.objects.filter(pk=slot.pk).update(
            booked_orders=F("booked_orders") + 1, booked_ml=F("booked_ml") + job.volume_ml
        )
    return made


def outside_job(client_id: str, client_ref: str) -> OutsideJob | None:
    return (
        OutsideJob.objects.filter(client_id=client_id, client_ref=client_ref)
        .select_related("booking__slot__zone")
        .first()
    )


def _locked_before_pickup(
    client_id: str, client_ref: str, *, refused: str, picked_up: str, why: str, status_why: str = ""
) -> tuple[OutsideJob, Booking]:
    """The job and its booking, locked, while its parcel is still at the seller's; else refused.

    The courier's actions take their round's lock: holding the rounds, no pickup lands between
    this check and the caller's change."""
    job = outside_job(client_id, client_ref)
    if job is None:
        raise JobRefused("unknown", "no such order")
    booking = booking_for_update(job.booking.ref)
    assert booking is not None
    if booking.status not in (Booking.Status.BOOKED, Booking.Status.PLANNED):
        raise JobRefused(refused, f"this delivery is {booking.status}{status_why}")
    for round_id in sorted(set(booking.stops.values_list("round_id", flat=True))):
        round_for_update(round_id)
    if booking.stops.filter(kind=Stop.Kind.PICKUP, status=Stop.Status.DONE).exists():
        raise JobRefused(picked_up, why)
    return job, booking


def do_cancel_outside_job(client_id: str, client_ref: str) -> OutsideJob:
    """Cancel a job whose parcel is still at the seller's: its place in the slot and its stops go.

    Once collected, a parcel comes back to its seller only after a failed drop (return to origin);
    a seller app's cancellation after pickup is refused."""
    with transaction.atomic():
        job, booking = _locked_before_pickup(
            client_id, client_ref, refused="not_cancellable", picked_up="picked_up",
            why="the parcel is already picked up; it can no longer be cancelled",
        )  # fmt: skip
        slot_for_update(booking.slot_id)
        booking.status = Booking.Status.CANCELLED
        booking.save(update_fields=["status"])
        booking.stops.filter(status=Stop.Status.PENDING).delete()
        Slot.objects.filter(pk=booking.slot_id).update(
            booked_orders=F("booked_orders") - 1, booked_ml=F("booked_ml") - booking.volume_ml
        )
        job.booking = booking
    return job


@dataclass(frozen=True)
class JobChange:
    """What a seller app may change before its parcel is collected; None leaves a field as it is."""

    ready: bool | None = None
    pickup_code: str | None = None
    drop_name: str | None = None
    drop_phone: str | None = None
    drop_instructions: str | None = None
    weight_g: int | None = None
    volume_ml: int | None = None


def _check_change(change: JobChange) -> None:
    if change.pickup_code is not None and not CODE.match(change.pickup_code):
        raise JobRefused("invalid", "the pickup code must be 4 to 8 letters or digits")
    for label, value in (("name", change.drop_name), ("phone", change.drop_phone)):
        if value is not None and not value.strip():
            raise JobRefused("invalid", f"the receiver's {label} cannot be empty")
    if change.weight_g is not None and change.weight_g <= 0:
        raise JobRefused("invalid", "the parcel needs a weight")
    if change.volume_ml is not None and change.volume_ml < 0:
        raise JobRefused("invalid", "the parcel's volume cannot be negative")


def _resize(booking: Booking, parcel: Parcel, weight_g: int, volume_ml: int) -> None:
    """A new size for a parcel not yet planned: the largest vehicle and the slot's volume still hold it."""
    if booking.status != Booking.Status.BOOKED:
        raise JobRefused("planned", "the round is planned: the parcel's size can no longer change")
    max_g, max_ml = selectors.largest_vehicle()
    if weight_g > max_g or volume_ml > max_ml:
        raise JobRefused("too_big", "no vehicle of ours can carry this parcel")
    slot = slot_for_update(booking.slot_id)
    assert slot is not None
    if slot.booked_ml - booking.volume_ml + volume_ml > slot.capacity_ml:
        raise JobRefused("full", "this slot has no room left for this parcel")
    Slot.objects.filter(pk=slot.pk).update(booked_ml=F("booked_ml") - booking.volume_ml + volume_ml)
    booking.weight_g, booking.volume_ml = weight_g, volume_ml
    parcel.weight_g, parcel.volume_ml = weight_g, volume_ml
    parcel.save(update_fields=["weight_g", "volume_ml"])


def do_update_outside_job(client_id: str, client_ref: str, change: JobChange) -> OutsideJob:
    """Apply a seller app's changes to a job whose parcel is still at the seller's, all or nothing.

    The fee does not change: it is the round's cost shared by its deliveries, whatever a parcel
    weighs. After pickup (or once cancelled, failed or delivered) nothing may change."""
    _check_change(change)
    with transaction.atomic():
        job, booking = _locked_before_pickup(
            client_id, client_ref, refused="not_updatable", picked_up="not_updatable",
            why="the parcel is already picked up: it can no longer change", status_why=": it can no longer change",
        )  # fmt: skip
        parcel = booking.parcels.get()
        weight = change.weight_g if change.weight_g is not None else booking.weight_g
        volume = change.volume_ml if change.volume_ml is not None else booking.volume_ml
        if (weight, volume) != (booking.weight_g, booking.volume_ml):
            _resize(booking, parcel, weight, volume)
        if change.pickup_code is not None:
            parcel.pickup_code = change.pickup_code
            parcel.save(update_fields=["pickup_code"])
        for field, value in (("name", change.drop_name), ("phone", change.drop_phone),
                             ("instructions", change.drop_instructions)):  # fmt: skip
            if value is not None:
                setattr(booking, field, value.strip()[: Booking._meta.get_field(field).max_length])  # type: ignore[union-attr]
        booking.save(update_fields=["weight_g", "volume_ml", "name", "phone", "instructions"])
        if change.ready is not None:
            job.ready_to_ship = change.ready
            job.save(update_fields=["ready_to_ship"])
        job.booking = booking
    return job


def fee_taxes(at: datetime) -> tuple[tuple[str, object], ...]:
    """The taxes inside the cooperative's fees, as orders' books count them."""
    region = tuple((tax.account, tax.rate) for tax in node_region().fee_taxes)
    return region or ((VAT_COLLECTED, governed("fees_vat_percent", at).value),)


def job_of(booking: Booking) -> OutsideJob | None:
    """The outside job a booking serves: its own delivery, or the return of its parcel to the seller."""
    return OutsideJob.objects.filter(models.Q(booking=booking) | models.Q(return_booking=booking)).first()


def _post(booking: Booking, job: OutsideJob, memo: str, at: datetime) -> None:
    do_post_delivery_job(
        DeliveryJobPosting(
            booking.ref, job.client_id, memo, booking.fee_cents, job.currency,
            fee_taxes(at),  # type: ignore[arg-type]
        ),
        at=at,
    )  # fmt: skip


def do_bill(booking: Booking, at: datetime) -> None:
    """Bill the seller app, in the courier's transaction: the quoted fee once its parcel is delivered,
    or the return's fee once the parcel is back at the seller's (each entry once, by booking)."""
    job = (
        OutsideJob.objects.select_for_update()
        .filter(models.Q(booking=booking) | models.Q(return_booking=booking))
        .first()
    )
    if job is None:
        return
    if job.return_booking_id == booking.pk:
        _post(booking, job, f"{job.client_ref} (return to origin)", at)
        return
    if job.collect_cents and job.collected_at is None:
        do_post_cash_on_delivery(
            booking_ref=booking.ref, client_id=job.client_id, client_ref=job.client_ref, cents=job.collect_cents,
            currency=job.currency, at=at,
        )  # fmt: skip
        job.collected_at = at
        job.save(update_fields=["collected_at"])
    if job.billed_at is not None:
        return
    _post(booking, job, job.client_ref, at)
    job.billed_at = at
    job.save(update_fields=["billed_at"])


def do_settle_outside_job(client_id: str, client_ref: str, *, reference: str, at: datetime) -> OutsideJob:
    """Pay the seller app what the courier collected for it, less our fee for the delivery: once."""
    with transaction.atomic():
        job = OutsideJob.objects.select_for_update().select_related("booking").filter(
            client_id=client_id, client_ref=client_ref).first()  # fmt: skip
        if job is None:
            raise JobRefused("unknown", "no such order")
        if job.settled_at is not None:
            raise JobRefused("settled", f"already settled ({job.settlement_ref})")
        if not job.collect_cents or job.collected_at is None:
            raise JobRefused("not_collected", "nothing was collected for this order")
        fee = job.booking.fee_cents
        do_post_platform_settlement(
            client_id=job.client_id, client_ref=job.client_ref, collected_cents=job.collect_cents, fees_cents=fee,
            currency=job.currency, at=at, reference=reference,
        )  # fmt: skip
        job.settled_at, job.settlement_ref = at, reference[:100]
        job.settled_cents = job.collect_cents - min(fee, job.collect_cents)
        job.save(update_fields=["settled_at", "settlement_ref", "settled_cents"])
    return job


def _return_slot(job: OutsideJob, volume_ml: int, now: datetime) -> Slot | None:
    """The first open slot whose zone holds the seller's place with room for the parcel, locked."""
    zones = [zone.pk for zone in selectors.zones_at(job.pickup_lat, job.pickup_lon)]
    for candidate in selectors.bookable_slots(zones, now).order_by("starts", "pk"):
        slot = slot_for_update(candidate.pk)
        if (
            slot is not None and slot.status == Slot.Status.OPEN and slot.closes_at > now
            and slot.booked_orders < slot.capacity_orders and slot.booked_ml + volume_ml <= slot.capacity_ml
        ):  # fmt: skip
            return slot
    return None


def do_start_return(booking: Booking, reason: str, at: datetime) -> OutsideJob | None:
    """The drop failed after pickup: the parcel goes back to the depot with the courier, then to the
    seller on the first open slot that serves its place (a booking of its own: picked up at the depot,
    dropped against the seller's own pickup code or a signature). The delivery made is billed now, the
    return once done. Without a slot with room, the parcel waits at the depot (`return_booking` None)
    and the dispatcher books it (`do_book_pending_returns`)."""
    job = OutsideJob.objects.select_for_update().filter(booking=booking).first()
    if job is None or job.return_started_at is not None:
        return job
    job.return_reason, job.return_started_at = reason, at
    job.save(update_fields=["return_reason", "return_started_at"])
    if job.billed_at is None:
        _post(booking, job, job.client_ref, at)
        job.billed_at = at
        job.save(update_fields=["billed_at"])
    _book_return(job, booking, at)
    return job


def _book_return(job: OutsideJob, booking: Booking, at: datetime) -> None:
    slot = _return_slot(job, booking.volume_ml, max(at, timezone.now()))
    if slot is None:
        return
    parcel = booking.parcels.get()
    back = Booking.objects.create(
        ref=secrets.token_urlsafe(12), slot=slot, order_id=None, lat=job.pickup_lat, lon=job.pickup_lon,
        address=job.pickup_address, name=job.pickup_name, phone=job.pickup_phone,
        instructions=job.pickup_instructions, weight_g=booking.weight_g, volume_ml=booking.volume_ml,
        fee_cents=booking.fee_cents,
        fee_lines=[{"label": f"Return to origin for {job.client_id}", "cents": booking.fee_cents, "source": "quote"}],
        drop_code=parcel.pickup_code,  # the seller's own code takes its parcel back
    )  # fmt: skip
    Parcel.objects.create(
        booking=back, shop=None, shop_order_id=None, weight_g=booking.weight_g, volume_ml=booking.volume_ml,
        pickup_code="",  # collected at our own depot: no one to give a code
    )  # fmt: skip
    Slot.objects.filter(pk=slot.pk).update(
        booked_orders=F("booked_orders") + 1, booked_ml=F("booked_ml") + booking.volume_ml
    )
    job.return_booking = back
    job.save(update_fields=["return_booking"])


def do_book_pending_returns(now: datetime) -> int:
    """Book the returns that found no slot when their drop failed (run by `comptoir delivery tick`)."""
    booked = 0
    waiting = OutsideJob.objects.filter(return_started_at__isnull=False, return_booking__isnull=True)
    for job_id in waiting.values_list("pk", flat=True):
        with transaction.atomic():
            job = OutsideJob.objects.select_for_update().select_related("booking").get(pk=job_id)
            if job.return_booking_id is None:
                _book_return(job, job.booking, now)
                booked += job.return_booking_id is not None
    return booked


@dataclass(frozen=True)
class Progress:
    """Where an outside job is, in delivery's words (the protocol maps them to ONDC states)."""

    stage: str  # one of STAGES or ENDINGS
    window: tuple[datetime, datetime]
    picked_at: datetime | None = None
    delivered_at: datetime | None = None
    agent: str = ""  # the courier's first name, once a round carries the job
    vehicle: str = ""
    position: tuple[float, float] | None = None  # the courier's, on the way to this drop only
    position_at: datetime | None = None
    reason: str = ""  # an incident's reason
    return_window: tuple[datetime, datetime] | None = None  # the return's slot, once booked
    returned_at: datetime | None = None  # the parcel back at the seller's


def progress(job: OutsideJob, now: datetime | None = None) -> Progress:
    booking = job.booking
    window = (booking.slot.starts, booking.slot.ends)
    stops = list(booking.stops.select_related("round__courier", "round__vehicle").order_by("sequence"))
    pickup = next((s for s in stops if s.kind == Stop.Kind.PICKUP), None)
    drop = next((s for s in stops if s.kind == Stop.Kind.DROP), None)
    picked_at = pickup.done_at if pickup and pickup.status == Stop.Status.DONE else None
    delivered_at = drop.done_at if drop and drop.status == Stop.Status.DONE else None
    carried = drop or pickup
    round_ = carried.round if carried is not None else None
    agent = (round_.courier.full_name or "").split(" ")[0] if round_ else ""
    vehicle = round_.vehicle.name if round_ else ""
    base = {"window": window, "picked_at": picked_at, "delivered_at": delivered_at, "agent": agent,
            "vehicle": vehicle}  # fmt: skip
    if booking.status == Booking.Status.CANCELLED:
        return Progress("cancelled", **base)  # type: ignore[arg-type]
    if job.return_started_at is not None:
        return _return_progress(job, base)
    if booking.status == Booking.Status.FAILED:
        failed = next((s for s in stops if s.status == Stop.Status.FAILED), None)
        stage = "pickup_failed" if picked_at is None else "delivery_failed"
        return Progress(stage, **base, reason=failed.proof if failed else "")  # type: ignore[arg-type]
    if booking.status == Booking.Status.DELIVERED:
        return Progress("delivered", **base)  # type: ignore[arg-type]
    if round_ is None:
        return Progress("pending", **base)  # type: ignore[arg-type]
    if picked_at is None:
        return Progress("assigned", **base)  # type: ignore[arg-type]
    view = selectors.tracking(booking, now)
    near = booking.notified_at is not None or view.stops_before == 0
    return Progress(
        "out_for_delivery" if near else "picked_up", **base,  # type: ignore[arg-type]
        position=view.courier_position, position_at=round_.position_at if view.courier_position else None,
    )  # fmt: skip


def _return_progress(job: OutsideJob, base: dict[str, Any]) -> Progress:
    """A return: initiated until the seller has its parcel back; disposed when that drop fails too."""
    back = job.return_booking
    reason = job.return_reason
    if back is None:
        return Progress("rto_initiated", **base, reason=reason)  # type: ignore[arg-type]
    window = (back.slot.starts, back.slot.ends)
    drop = back.stops.filter(kind=Stop.Kind.DROP).order_by("-pk").first()
    if back.status == Booking.Status.DELIVERED:
        at = drop.done_at if drop else None
        return Progress("rto_delivered", **base, reason=reason, return_window=window, returned_at=at)  # type: ignore[arg-type]
    if back.status in (Booking.Status.FAILED, Booking.Status.CANCELLED):
        return Progress("rto_disposed", **base, reason=reason, return_window=window)  # type: ignore[arg-type]
    return Progress("rto_initiated", **base, reason=reason, return_window=window)  # type: ignore[arg-type]
