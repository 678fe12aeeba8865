"""The row locks of delivery, in one place: slot capacity and a round's stops.

Booking takes the slot's row lock inside the checkout transaction, so two
residents cannot both get the last place; a courier's actions take their round's
lock, so a replayed action and its original cannot both apply.
"""

from __future__ import annotations

from comptoir.delivery.models import Booking, Round, Slot


def slot_for_update(slot_id: int) -> Slot | None:
    return Slot.objects.select_for_update().filter(pk=slot_id).first()


def round_for_update(round_id: int) -> Round:
    return Round.objects.select_for_update().get(pk=round_id)


def booking_for_update(ref: str) -> Booking | None:
    return Booking.objects.select_for_update().filter(ref=ref).first()
