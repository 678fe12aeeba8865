"""Logistics over real HTTP: a seller app's node asks our cooperative's node (own database and processes,
zones, a vehicle and a slot) to quote a delivery; inside the zone it gets our slot at our fee, outside it
ONDC's 60002 (the refusing callback passes the asking node's door and is read)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from comptoir.protocol.nodes import Node, introduce

SETUP = """
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo
from django.utils import timezone
from comptoir.delivery.models import Depot, Slot, Vehicle, Zone
day = timezone.localdate() + timedelta(days=1)
at = lambda h: datetime(day.year, day.month, day.day, h, tzinfo=ZoneInfo("Europe/Paris"))
depot = Depot.objects.create(name="Hangar", address="1 rue du Port", lat=47.054, lon=6.0)
ring = [[5.974, 47.036], [6.034, 47.036], [6.034, 47.076], [5.974, 47.076], [5.974, 47.036]]
zone = Zone.objects.create(name="Centre", depot=depot, ring=ring)
Vehicle.objects.create(name="Biporteur", kind="cargo_bike", depot=depot, capacity_g=80000, capacity_ml=300000,
                       cost_per_hour_cents=50, cost_per_km_cents=8)
slot = Slot.objects.create(zone=zone, starts=at(17), ends=at(19), closes_at=at(12), capacity_orders=20,
                           capacity_ml=600000)
print(slot.pk)
"""
FEE = """
from django.utils import timezone
from comptoir.delivery.booking import CoopDelivery
print(CoopDelivery().slots_for(47.06, 5.99, 2000, 0, timezone.now())[0].fee.cents)
"""


@pytest.mark.slow
def test_a_seller_app_gets_our_delivery_quote_over_http(tmp_path: Path):
    lsp, app = Node("coop", tmp_path / "lsp"), Node("sellerapp", tmp_path / "app")
    lsp.extra_env = {"COMPTOIR_DELIVERY_BOOKING": "comptoir.delivery.booking.CoopDelivery"}
    try:
        app_keys = app.init()
        introduce([(app, app_keys, "BAP"), (lsp, lsp.init(database_from=app), "BPP")])
        slot_id = int(lsp.command("shell", "-c", SETUP).strip().splitlines()[-1])
        fee = int(lsp.command("shell", "-c", FEE).strip().splitlines()[-1])
        lsp.start()
        app.start()
        ask = ["peers", "delivery-quote", lsp.subscriber_id, "--pickup", "47.056000,6.004000", "--pickup-area",
               "25000", "--weight", "2", "--wait", "30"]  # fmt: skip
        inside = json.loads(app.command(*ask, "--drop", "47.060000,5.990000", "--drop-area", "25000"))
        assert inside == {
            "offers": [{"item_id": f"slot-{slot_id}", "category": "Next Day Delivery", "name": inside["offers"][0]["name"],
                        "price": f"{fee / 100:.2f}", "currency": "EUR"}],
            "error": None,
        }  # fmt: skip
        outside = json.loads(app.command(*ask, "--drop", "47.200000,6.300000", "--drop-area", "25999"))
        assert outside == {
            "offers": [],
            "error": {"type": "DOMAIN-ERROR", "code": "60002",
                      "message": "Dropoff location not serviceable by Logistics Provider"},
        }  # fmt: skip
    finally:
        lsp.stop()
        app.stop()
