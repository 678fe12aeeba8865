"""`CoopDelivery`: the cooperative's adapter for orders' `DeliveryBooking` port.

Checkout asks it for the slots that can take an order at a point (with the fee
estimate at cost and its breakdown), books one inside the checkout transaction
(the slot's row lock makes the last place go to one resident only), cancels, and
answers tracking. Refusals are `DeliveryUnavailable` with a message the resident
can act on.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comptoir.core import formats, l10n
from comptoir.core.geo import point_in_polygon
from comptoir.core.money import Money
from comptoir.delivery import selectors
from comptoir.delivery.fees import Fee, Line, fee_estimate
from comptoir.delivery.lock_objects import booking_for_update, slot_for_update
from comptoir.delivery.models import Booking, Parcel, Slot, Stop, Zone
from comptoir.orders.delivery_port import (
    Booking as BookingOut,
)
from comptoir.orders.delivery_port import (
    DeliveryUnavailable,
    Drop,
    FeeLine,
    ServedArea,
    SlotOption,
    Tracking,
)
from comptoir.orders.delivery_port import (
    Parcel as ParcelIn,
)

LABELS = {
    "courier": gettext_lazy("Courier time: {minutes} min at {rate} per hour"),
    "vehicle": gettext_lazy("Vehicle: {km} km at {rate} per km"),
    "depot_trip": gettext_lazy("Trip between depot and zone ({minutes} min), shared by {orders} orders"),
    "margin": gettext_lazy("Cooperative margin: {percent}"),
}


def _label(line: Line, lang: str) -> str:
    """A fee line's label in one language, its numbers written as that language writes them."""
    params = dict(line.params)
    if "rate_cents" in params:
        params["rate"] = Money(int(params.pop("rate_cents"))).format(lang)
    if "km" in params:
        params["km"] = formats.number(Decimal(params["km"]), 1, lang)
    if "percent" in params:
        params["percent"] = formats.percent(Decimal(params["percent"]), 1, lang)
    for whole in ("minutes", "orders"):
        if whole in params:
            params[whole] = formats.number(Decimal(params[whole]), 0, lang)
    with translation.override(lang):
        return str(LABELS[line.key]).format(**params)


def fee_lines(fee: Fee) -> list[FeeLine]:
    """Each line labelled in the page's language, and in every language of the node: an order keeps
    them all, so its page reads right in the language of whoever opens it."""
    current = translation.get_language() or settings.LANGUAGE_CODE
    return [
        FeeLine(
            _label(line, current),
            line.amount,
            line.source,
            labels={code: _label(line, code) for code, _name in settings.LANGUAGES},
        )
        for line in fee.lines
    ]


def slot_label(slot: Slot) -> str:
    starts, ends = timezone.localtime(slot.starts), timezone.localtime(slot.ends)
    day = l10n.day_long(starts, translation.get_language())
    return f"{day}, {starts:%H:%M}–{ends:%H:%M} ({slot.zone.name})"


def _code() -> str:
    return f"{secrets.randbelow(10_000):04d}"


class CoopDelivery:
    """Delivery by the cooperative's couriers, priced at cost."""

    def slots_for(
        self, lat: float, lon: float, weight_g: int, volume_ml: int, now: datetime
    ) -> list[SlotOption]:
        zones = selectors.zones_at(lat, lon)
        max_g, max_ml = selectors.largest_vehicle()
        if not zones or weight_g > max_g or volume_ml > max_ml:
            return []
        rates = selectors.current_rates()
        options = []
        for slot in selectors.bookable_slots([z.pk for z in zones], now):
            remaining = slot.capacity_orders - slot.booked_orders
            if remaining <= 0 or slot.booked_ml + volume_ml > slot.capacity_ml:
                continue
            fee = fee_estimate(rates, slot.booked_orders + 1)
            options.append(
                SlotOption(
                    str(slot.pk),
                    slot.starts,
                    slot.ends,
                    slot_label(slot),
                    fee.total,
                    fee_lines(fee),
                    remaining,
                )
            )
        return options

    def book(self, slot_id: str, order_id: int, drop: Drop, parcels: list[ParcelIn]) -> BookingOut:
        with transaction.atomic():
            existing = (
                Booking.objects.filter(order_id=order_id).exclude(status=Booking.Status.CANCELLED).first()
            )
            if existing is not None:
                return _booking_out(existing)
            slot = slot_for_update(int(slot_id)) if str(slot_id).isdigit() else None
            weight = sum(p.weight_g for p in parcels)
            volume = sum(p.volume_ml for p in parcels)
            _check_bookable(slot, drop, weight, volume)
            assert slot is not None
            fee = fee_estimate(selectors.current_rates(), slot.booked_orders + 1)
            booking = Booking.objects.create(
                ref=secrets.token_urlsafe(12), slot=slot, order_id=order_id, lat=drop.lat, lon=drop.lon,
                address=drop.address, name=drop.name, phone=drop.phone, instructions=drop.instructions,
                weight_g=weight, volume_ml=volume, fee_cents=fee.total.cents, drop_code=_code(),
                fee_lines=[{"label": line.label, "cents": line.amount.cents, "source": line.source, "labels": line.labels}
                       for line in fee_lines(fee)],
            )  # fmt: skip
            Parcel.objects.bulk_create(
                Parcel(booking=booking, shop_id=p.shop_id, shop_order_id=p.shop_order_id, weight_g=p.weight_g,
                       volume_ml=p.volume_ml, ready_at=p.ready_at, pickup_code=_code())
                for p in parcels
            )  # fmt: skip
            Slot.objects.filter(pk=slot.pk).update(
                booked_orders=F("booked_orders") + 1, booked_ml=F("booked_ml") + volume
            )
            return BookingOut(booking.ref, fee.total, fee_lines(fee))

    def cancel(self, booking_ref: str) -> None:
        with transaction.atomic():
            booking = booking_for_update(booking_ref)
            if booking is None or booking.status not in (Booking.Status.BOOKED, Booking.Status.PLANNED):
                return
            slot = slot_for_update(booking.slot_id)
            assert slot is not None
            booking.status = Booking.Status.CANCELLED
            booking.save(update_fields=["status"])
            booking.stops.filter(status=Stop.Status.PENDING).delete()
            Slot.objects.filter(pk=slot.pk).update(
                booked_orders=F("booked_orders") - 1, booked_ml=F("booked_ml") - booking.volume_ml
            )

    def tracking(self, booking_ref: str) -> Tracking | None:
        booking = Booking.objects.filter(ref=booking_ref).select_related("slot").first()
        if booking is None:
            return None
        view = selectors.tracking(booking)
        return Tracking(
            view.status,
            view.eta,
            view.stops_before,
            view.courier_position,
            view.history,
            drop_code=booking.drop_code,
            path=reverse("delivery:tracking", args=[booking.ref]),
            pickup_codes={
                order: code
                for order, code in booking.parcels.values_list("shop_order_id", "pickup_code")
                if order is not None
            },
        )

    def area(self) -> list[ServedArea]:
        return [
            ServedArea(z.name, [(lat, lon) for lon, lat in z.ring]) for z in Zone.objects.filter(active=True)
        ]


def _check_bookable(slot: Slot | None, drop: Drop, weight_g: int, volume_ml: int) -> None:
    if slot is None:
        raise DeliveryUnavailable(_("This delivery slot does not exist."))
    if slot.status != Slot.Status.OPEN or slot.closes_at <= timezone.now():
        raise DeliveryUnavailable(_("This delivery slot is closed: please choose another one."))
    if not point_in_polygon(drop.lat, drop.lon, [tuple(p) for p in slot.zone.ring]):
        raise DeliveryUnavailable(_("This address is outside the slot's delivery zone."))
    max_g, max_ml = selectors.largest_vehicle()
    if weight_g > max_g or volume_ml > max_ml:
        raise DeliveryUnavailable(
            _("This order is too heavy or too bulky for our vehicles (%(kg)s kg, %(litres)s L).")
            % {
                "kg": formats.number(weight_g / 1000, 1, translation.get_language()),
                "litres": formats.number(volume_ml / 1000, 1, translation.get_language()),
            }
        )
    if slot.booked_orders >= slot.capacity_orders:
        raise DeliveryUnavailable(_("This delivery slot is full: please choose another one."))
    if slot.booked_ml + volume_ml > slot.capacity_ml:
        raise DeliveryUnavailable(
            _("This delivery slot has no room left for this volume: please choose another one.")
        )


def _booking_out(booking: Booking) -> BookingOut:
    lines = [
        FeeLine(line["label"], Money(line["cents"]), line["source"], line.get("labels", {}))
        for line in booking.fee_lines
    ]
    return BookingOut(booking.ref, Money(booking.fee_cents), lines)
