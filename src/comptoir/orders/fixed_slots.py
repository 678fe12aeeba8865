"""`FixedSlots`: a DeliveryBooking adapter for a node without the cooperative's rounds.

Fixed daily windows (`settings.COMPTOIR_FIXED_SLOTS`, default 10–12, 14–16, 17–19) over the next
`COMPTOIR_FIXED_SLOT_DAYS` days, from `COMPTOIR_FIXED_SLOT_LEAD_MINUTES` ahead, each taking
`COMPTOIR_FIXED_SLOT_CAPACITY` orders, at the governed flat delivery fee. Bookings are the orders
themselves (their slot_id): nothing is planned, a shop or a volunteer delivers. Used by the
protocol's test nodes and by orders' own tests (which do not exercise the planner); the node's
default is `comptoir.delivery.booking.CoopDelivery`.

Limit, on purpose: capacity is counted, not locked, so two simultaneous checkouts may both take a
slot's last place. Use it where a slot's capacity is a guide, not a promise.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comptoir.core.money import Money
from comptoir.core.parameters import governed
from comptoir.orders.delivery_port import (
    Booking,
    DeliveryUnavailable,
    Drop,
    FeeLine,
    Parcel,
    ServedArea,
    SlotOption,
    Tracking,
)

SLOT_PREFIX = "fixed-"


def _windows() -> list[tuple[time, time]]:
    return [
        (time.fromisoformat(start), time.fromisoformat(end)) for start, end in settings.COMPTOIR_FIXED_SLOTS
    ]


def _fee() -> tuple[Money, list[FeeLine]]:
    value = governed("delivery_fee_cents")
    fee = Money(int(value.value))
    label = gettext_lazy("Delivery by the cooperative (flat fee)")
    labels = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            labels[code] = str(label)
    return fee, [FeeLine(label=str(label), amount=fee, source=value.source, labels=labels)]


def _slot_id(starts: datetime) -> str:
    return SLOT_PREFIX + timezone.localtime(starts).strftime("%Y%m%d%H%M")


def _parse_slot_id(slot_id: str) -> datetime:
    try:
        naive = datetime.strptime(slot_id.removeprefix(SLOT_PREFIX), "%Y%m%d%H%M")
    except ValueError as error:
        raise DeliveryUnavailable(_("This delivery slot does not exist.")) from error
    return timezone.make_aware(naive)


def _booked(slot_ids: list[str]) -> dict[str, int]:
    from django.db.models import Count

    from comptoir.orders.models import Order  # the bookings are the orders' slot ids

    rows = (
        Order.objects.filter(slot_id__in=slot_ids).exclude(delivery_status=Order.DeliveryStatus.CANCELLED)
        .values("slot_id").annotate(n=Count("id")).values_list("slot_id", "n")
    )  # fmt: skip
    return dict(rows)


class FixedSlots:
    def __init__(self) -> None:
        self.capacity = settings.COMPTOIR_FIXED_SLOT_CAPACITY  # orders per slot
        self.days = settings.COMPTOIR_FIXED_SLOT_DAYS
        self.lead = timedelta(minutes=settings.COMPTOIR_FIXED_SLOT_LEAD_MINUTES)

    def _slot(
        self, starts: datetime, ends: datetime, remaining: int, priced: tuple[Money, list[FeeLine]]
    ) -> SlotOption:
        fee, lines = priced
        local_s, local_e = timezone.localtime(starts), timezone.localtime(ends)
        label = f"{local_s:%d/%m} {local_s:%H:%M}–{local_e:%H:%M}"
        return SlotOption(_slot_id(starts), starts, ends, label, fee, lines, remaining, estimate=False)

    def _all_slots(self, now: datetime) -> list[tuple[datetime, datetime]]:
        today = timezone.localtime(now).date()
        slots = []
        for day in range(self.days + 1):
            date = today + timedelta(days=day)
            for start, end in _windows():
                starts = timezone.make_aware(datetime.combine(date, start))
                if starts >= now + self.lead:
                    slots.append((starts, timezone.make_aware(datetime.combine(date, end))))
        return slots

    def slots_for(
        self, lat: float, lon: float, weight_g: int, volume_ml: int, now: datetime
    ) -> list[SlotOption]:
        windows = self._all_slots(now)
        booked = _booked([_slot_id(s) for s, _e in windows])
        slots = [(s, e, self.capacity - booked.get(_slot_id(s), 0)) for s, e in windows]
        priced = _fee()  # one read of the governed fee for every slot offered
        return [self._slot(s, e, left, priced) for s, e, left in slots if left > 0]

    def book(self, slot_id: str, order_id: int, drop: Drop, parcels: list[Parcel]) -> Booking:
        starts = _parse_slot_id(slot_id)
        if starts not in {s for s, _e in self._all_slots(timezone.now())}:
            raise DeliveryUnavailable(_("This delivery slot is no longer offered; choose another one."))
        if _booked([slot_id]).get(slot_id, 0) >= self.capacity:
            raise DeliveryUnavailable(_("This delivery slot is full; choose another one."))
        fee, lines = _fee()
        return Booking(ref=f"{slot_id}/{order_id}", fee=fee, fee_lines=lines)

    def cancel(self, booking_ref: str) -> None:
        """Nothing to release: capacity is counted from orders whose delivery is not cancelled."""

    def tracking(self, booking_ref: str) -> Tracking | None:
        return None

    def area(self) -> list[ServedArea]:
        """Fixed slots deliver wherever an address is found: no area to draw."""
        return []
