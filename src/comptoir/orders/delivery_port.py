"""The port through which orders book delivery: `DeliveryBooking`.

Orders never import the delivery app. Checkout asks the configured adapter
(`settings.COMPTOIR_DELIVERY_BOOKING`, a dotted path) for slots and fees and
books a delivery inside the checkout transaction; the delivery app provides
the adapter (`comptoir.delivery.booking.CoopDelivery`: cooperative rounds, fees
at cost) and reports progress back by calling orders' services. `fixed_slots.py`
is a second adapter: fixed windows at a flat fee, nothing planned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from comptoir.core.money import Money


@dataclass(frozen=True)
class FeeLine:
    label: str  # shown to the resident, e.g. "Courier time, shared by 12 orders"
    amount: Money
    source: str  # where the rate comes from, e.g. "vote #3 of 2026-10-02" or "founding default"
    labels: dict[str, str] = field(default_factory=dict)  # the label in each language of the node


@dataclass(frozen=True)
class SlotOption:
    id: str
    starts: datetime
    ends: datetime
    label: str
    fee: Money
    fee_lines: list[FeeLine]
    remaining: int  # orders the slot can still take
    estimate: bool = True  # the final cost per delivery is published after the round


@dataclass(frozen=True)
class Parcel:
    """What one shop hands to the courier for one order."""

    shop_order_id: int
    shop_id: int
    weight_g: int
    volume_ml: int
    ready_at: datetime | None = None


@dataclass(frozen=True)
class Drop:
    lat: float
    lon: float
    address: str
    name: str
    phone: str
    instructions: str = ""


@dataclass(frozen=True)
class Booking:
    ref: str
    fee: Money
    fee_lines: list[FeeLine]


@dataclass(frozen=True)
class Tracking:
    status: str  # planned, picking_up, on_the_way, delivered, failed
    eta: datetime | None
    stops_before: int | None
    courier_position: tuple[float, float] | None = None
    history: list[tuple[datetime, str]] = field(default_factory=list)
    drop_code: str = ""  # the resident gives it to the courier at the door
    path: str = ""  # the public tracking page, on this node
    pickup_codes: dict[int, str] = field(default_factory=dict)  # shop order id -> the code its shop gives


@dataclass(frozen=True)
class ServedArea:
    name: str
    ring: list[tuple[float, float]]  # (lat, lon) corners of the polygon


class DeliveryUnavailable(Exception):
    """No slot can take this delivery (full, outside every zone, too heavy); the message says why."""


class DeliveryBooking(Protocol):
    def slots_for(
        self, lat: float, lon: float, weight_g: int, volume_ml: int, now: datetime
    ) -> list[SlotOption]: ...

    def book(self, slot_id: str, order_id: int, drop: Drop, parcels: list[Parcel]) -> Booking:
        """Reserve the slot's capacity; called inside the checkout transaction; raises DeliveryUnavailable."""
        ...

    def cancel(self, booking_ref: str) -> None: ...

    def tracking(self, booking_ref: str) -> Tracking | None: ...

    def area(self) -> list[ServedArea]:
        """Where deliveries go, for the checkout's pin map (the node's own geometry, no tiles)."""
        ...


def delivery_booking() -> DeliveryBooking:
    """The adapter named by `settings.COMPTOIR_DELIVERY_BOOKING` (the composition root: settings.py)."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    return import_string(settings.COMPTOIR_DELIVERY_BOOKING)()


def delivery_tracking(order: Any) -> Tracking | None:
    """The delivery of an order as its resident may see it (code, tracking page), or None."""
    if not order.delivery_booking_ref:
        return None
    return delivery_booking().tracking(order.delivery_booking_ref)


def pickup_code(shop_order: Any) -> str:
    """The code a shop gives the courier with this shop order's parcel ("" when there is none)."""
    tracking = delivery_tracking(shop_order.order) if shop_order.fulfilment == "delivery" else None
    return tracking.pickup_codes.get(shop_order.pk, "") if tracking else ""
