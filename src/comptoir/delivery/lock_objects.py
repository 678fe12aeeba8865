"""The row locks of delivery, in one place: slot capacity, slots to close, rounds and their stops.

Booking takes the slot's row lock inside the checkout transaction, so two
residents cannot both get the last place; a courier's actions take their round's
lock, so a replayed action and its original cannot both apply. Rows of several ids
are locked in one statement, in id order (decision 0008): two flows that need an
overlapping set (two dispatchers moving orders between the same rounds in opposite
directions) then queue behind each other instead of deadlocking. On SQLite
`select_for_update` is a no-op and the IMMEDIATE transaction mode serialises writers.
Call these only inside `transaction.atomic()`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from comptoir.delivery.models import Booking, Round, Slot


def slot_for_update(slot_id: int) -> Slot | None:
    return Slot.objects.select_for_update().filter(pk=slot_id).first()


def due_slots_for_update(now: datetime) -> list[Slot]:
    """Open slots whose booking deadline has passed, locked in id order."""
    return list(
        Slot.objects.select_for_update().filter(status=Slot.Status.OPEN, closes_at__lte=now).order_by("pk")
    )


def round_for_update(round_id: int) -> Round:
    return Round.objects.select_for_update().get(pk=round_id)


def rounds_for_update(round_ids: Iterable[int]) -> dict[int, Round]:
    """The rounds with these ids, locked in one statement in id order; unknown ids are left out."""
    locked = Round.objects.select_for_update().filter(pk__in=sorted(set(round_ids))).order_by("pk")
    return {round_.pk: round_ for round_ in locked}


def booking_for_update(ref: str) -> Booking | None:
    return Booking.objects.select_for_update().filter(ref=ref).first()
