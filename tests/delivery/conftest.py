"""Delivery fixtures: a depot and a zone around the demo town's centre, a fleet, shifts and a slot."""

from __future__ import annotations

import base64
import io
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation
from PIL import Image, ImageDraw

from comptoir.catalog.models import Shop
from comptoir.delivery.booking import CoopDelivery
from comptoir.delivery.models import Depot, Shift, Slot, Vehicle, Zone
from comptoir.members.models import Person
from comptoir.members.services import do_add_membership
from comptoir.orders.delivery_port import Drop, Parcel
from comptoir.orders.models import Order, ShopOrder


@pytest.fixture(autouse=True)
def english() -> Any:
    """Refusal messages are asserted in English, the msgid language."""
    with translation.override("en"):
        yield


PARIS = ZoneInfo("Europe/Paris")
CENTRE = (47.0560, 6.0040)
# A square of about 4.5 km around the centre, GeoJSON (lon, lat) order, closed.
RING = [[5.974, 47.036], [6.034, 47.036], [6.034, 47.076], [5.974, 47.076], [5.974, 47.036]]


def tomorrow_at(hour: int, minute: int = 0) -> datetime:
    day = timezone.localdate() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


@pytest.fixture
def depot(db: Any) -> Depot:
    return Depot.objects.create(name="Hangar", address="1 rue du Port", lat=47.0540, lon=6.0000)


@pytest.fixture
def zone(depot: Depot) -> Zone:
    return Zone.objects.create(name="Centre", depot=depot, ring=RING)


@pytest.fixture
def bike(depot: Depot) -> Vehicle:
    return Vehicle.objects.create(
        name="Biporteur 1", kind="cargo_bike", depot=depot, capacity_g=80_000, capacity_ml=300_000,
        cost_per_hour_cents=50, cost_per_km_cents=8,
    )  # fmt: skip


@pytest.fixture
def courier(make_person: Any) -> Person:
    person = make_person("coursier1@example.org", full_name="Alex Coursier")
    do_add_membership(person, "workers")
    return person


@pytest.fixture
def other_courier(make_person: Any) -> Person:
    person = make_person("coursier2@example.org", full_name="Sam Coursier")
    do_add_membership(person, "workers")
    return person


@pytest.fixture
def dispatcher(make_person: Any) -> Person:
    return make_person("dispatch@example.org", is_staff=True)


@pytest.fixture
def slot(zone: Zone) -> Slot:
    return Slot.objects.create(
        zone=zone, starts=tomorrow_at(17), ends=tomorrow_at(19), closes_at=tomorrow_at(12),
        capacity_orders=20, capacity_ml=600_000,
    )  # fmt: skip


@pytest.fixture
def shift(courier: Person, bike: Vehicle) -> Shift:
    return Shift.objects.create(
        courier=courier, vehicle=bike, starts=tomorrow_at(16, 30), ends=tomorrow_at(19, 30)
    )


def drop(n: int, lat: float = 47.0580, lon: float = 6.0060) -> Drop:
    return Drop(
        lat=lat + n * 0.001,
        lon=lon,
        address=f"{n} rue des Lilas",
        name=f"Habitant {n}",
        phone=f"06000000{n:02d}",
    )


def book(
    slot: Slot, order_id: int, shops: list[Shop], *, weight_g: int = 2000, volume_ml: int = 8000, n: int = 0,
    shop_status: str = "accepted",
) -> str:  # fmt: skip
    """Book order `order_id` (one shop order `order_id`*10+k per shop, in `shop_status`) on `slot`."""
    order, _new = Order.objects.get_or_create(pk=order_id, defaults={
        "token": f"order-{order_id}", "email": f"resident{order_id}@example.org", "payment_method": "on_handover",
    })  # fmt: skip
    for k, s in enumerate(shops):
        ShopOrder.objects.get_or_create(pk=order_id * 10 + k, defaults={
            "order": order, "shop": s, "fulfilment": "delivery", "status": shop_status,
            "expires_at": timezone.now() + timedelta(hours=2),
        })  # fmt: skip
    parcels = [
        Parcel(shop_order_id=order_id * 10 + k, shop_id=s.pk, weight_g=weight_g, volume_ml=volume_ml)
        for k, s in enumerate(shops)
    ]
    ref = CoopDelivery().book(str(slot.pk), order_id, drop(n), parcels).ref
    Order.objects.filter(pk=order_id).update(delivery_booking_ref=ref)
    return ref


def signature_png(strokes: int = 3, size: tuple[int, int] = (300, 120)) -> str:
    """A signature pad as the phone sends it: transparent paper, black strokes, as a PNG data URL."""
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    for k in range(strokes):
        pen.line([(20 + 30 * k, 90), (60 + 30 * k, 25), (90 + 30 * k, 95)], fill=(0, 0, 0, 255), width=2)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
