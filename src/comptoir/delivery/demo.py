"""The demo town's delivery set-up: depot, zones, fleet, courier shifts and slots for the next days.

Called by `comptoir demo` after the town's people and shops exist (couriers are
the `coursierN@` members of the workers' college). Idempotent: it does nothing
when a depot already exists.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from comptoir.delivery.models import Depot, Shift, Slot, Vehicle, Zone
from comptoir.members.models import Person

CENTRE = (47.0560, 6.0040)
RADIUS_KM = 4.0  # shops lie within ~3 km of the centre
SLOT_HOURS = ((11, 13), (17, 19))
DAYS = 3


def _ring(lat: float, lon: float, radius_km: float, start_deg: float, end_deg: float) -> list[list[float]]:
    """A pie slice (or disc) around the centre, as a closed GeoJSON ring of [lon, lat]."""
    points = [[round(lon, 6), round(lat, 6)]] if end_deg - start_deg < 360 else []
    steps = 24
    for k in range(steps + 1):
        angle = math.radians(start_deg + (end_deg - start_deg) * k / steps)
        dlat = radius_km / 111.32 * math.cos(angle)
        dlon = radius_km / (111.32 * math.cos(math.radians(lat))) * math.sin(angle)
        points.append([round(lon + dlon, 6), round(lat + dlat, 6)])
    points.append(points[0])
    return points


@transaction.atomic
def generate_demo_delivery(
    seed: int = 42, centre: tuple[float, float] = CENTRE, depot_address: str = "2 rue de la Gare"
) -> dict[str, int]:
    """The same set-up around any town's centre (the Québec demo passes Montréal's)."""
    if Depot.objects.exists():
        return {}
    rng = random.Random(seed)
    lat, lon = centre
    depot = Depot.objects.create(
        name="Hangar de la coopérative", address=depot_address, lat=lat - 0.004, lon=lon - 0.003
    )
    zones = [
        Zone.objects.create(name="Nord", depot=depot, ring=_ring(lat, lon, RADIUS_KM, -90, 90)),
        Zone.objects.create(name="Sud", depot=depot, ring=_ring(lat, lon, RADIUS_KM, 90, 270)),
    ]
    vehicles = [
        Vehicle.objects.create(name=f"Biporteur {n}", kind=Vehicle.Kind.CARGO_BIKE, depot=depot, capacity_g=100_000,
                               capacity_ml=400_000, cost_per_hour_cents=60, cost_per_km_cents=6)
        for n in range(1, 5)
    ]  # fmt: skip
    vehicles.append(Vehicle.objects.create(name="Fourgon électrique", kind=Vehicle.Kind.VAN, depot=depot,
                                           capacity_g=600_000, capacity_ml=3_000_000, cost_per_hour_cents=250,
                                           cost_per_km_cents=22))  # fmt: skip
    couriers = list(
        Person.objects.filter(email__startswith="coursier", memberships__college__code="workers").order_by(
            "pk"
        )
    )
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    slots = shifts = 0
    for day_offset in range(DAYS):
        day = today + timedelta(days=day_offset)
        for first, last in SLOT_HOURS:
            starts = datetime.combine(day, time(first), tz)
            ends = datetime.combine(day, time(last), tz)
            for zone in zones:
                Slot.objects.create(zone=zone, starts=starts, ends=ends, closes_at=starts - timedelta(hours=2),
                                    capacity_orders=rng.choice((20, 25, 30)), capacity_ml=2_000_000)  # fmt: skip
                slots += 1
            for courier, vehicle in zip(couriers, vehicles, strict=False):
                Shift.objects.create(courier=courier, vehicle=vehicle, starts=starts - timedelta(minutes=30),
                                     ends=ends + timedelta(minutes=30))  # fmt: skip
                shifts += 1
    return {"depots": 1, "zones": len(zones), "vehicles": len(vehicles), "slots": slots, "shifts": shifts}
