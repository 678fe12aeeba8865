"""One order whose parcels come in two rounds: the order follows what each drop did (issue 20 item 6).

The bread (shop order 810) is in one courier's round, the hammer (811) in the other's. A first
drop leaves the order "partly delivered (1 of 2 parcels)" on the resident's pages, not "out for
delivery" until the last door; an incident in one round no longer stops the other round's drop
from completing what it delivered.
"""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.utils import timezone

from comptoir.catalog.models import Shop
from comptoir.delivery.models import Booking, Round, Slot, Stop, Vehicle
from comptoir.orders import selectors
from comptoir.orders.models import Order, ShopOrder
from tests.delivery.test_amount_to_collect import _bread_round, _two_shop_order
from tests.delivery.test_courier import action, api_for, send


def _collect_and_ring(round_: Round) -> None:
    api, now = api_for(round_.courier), timezone.now()
    pickup, drop = round_.stops.get(kind="pickup"), round_.stops.get(kind="drop")
    assert (
        send(api, round_, action("pickup", pickup, now, code=pickup.parcel.pickup_code))[0]["result"]
        == "applied"
    )
    assert (
        send(api, round_, action("deliver", drop, now, code=drop.booking.drop_code))[0]["result"] == "applied"
    )


def _fr(url: str) -> str:
    return Client(HTTP_ACCEPT_LANGUAGE="fr").get(url).content.decode()


def test_a_first_drop_shows_the_order_partly_delivered_with_its_count(
    slot: Slot,
    bike: Vehicle,
    shop: Shop,
    other_shop: Shop,
    courier: Any,
    other_courier: Any,
    monkeypatch: Any,
) -> None:
    _two_shop_order(slot, shop, other_shop)
    bread_round = _bread_round(slot, bike, courier, other_courier, monkeypatch)
    hammer_round = Round.objects.get(stops__parcel__shop_order_id=811)
    _collect_and_ring(hammer_round)
    order = Order.objects.get(pk=81)
    assert dict(ShopOrder.objects.filter(order=order).values_list("pk", "status")) == {
        810: "accepted", 811: "completed"
    }  # fmt: skip
    assert (selectors.order_status(order), order.delivery_status) == ("partly_delivered", "out_for_delivery")
    assert Booking.objects.get(order_id=81).status == "planned"
    page = _fr(f"/commandes/{order.token}/")
    assert '<p class="price" role="status">Livrée en partie (1 colis sur 2)</p>' in page
    tracking = _fr(f"/livraison/suivi/{order.delivery_booking_ref}/")
    assert '<p class="tracking-partly">Livrée en partie\u00a0: 1 colis sur 2.</p>' in tracking
    # The bread's round rings: the whole order is delivered.
    _collect_and_ring(bread_round)
    order.refresh_from_db()
    assert (selectors.order_status(order), order.delivery_status) == ("completed", "delivered")
    assert set(ShopOrder.objects.filter(order=order).values_list("status", flat=True)) == {"completed"}
    assert Booking.objects.get(order_id=81).status == "delivered"
    assert "tracking-partly" not in _fr(f"/livraison/suivi/{order.delivery_booking_ref}/")


def test_an_incident_in_one_round_does_not_stop_the_other_round_completing_the_order(
    slot: Slot,
    bike: Vehicle,
    shop: Shop,
    other_shop: Shop,
    courier: Any,
    other_courier: Any,
    monkeypatch: Any,
) -> None:
    _two_shop_order(slot, shop, other_shop)
    bread_round = _bread_round(slot, bike, courier, other_courier, monkeypatch)
    hammer_round = Round.objects.get(stops__parcel__shop_order_id=811)
    # The bread is damaged at the shop: an incident at the bread round's pickup.
    pickup = bread_round.stops.get(kind="pickup")
    incident = action("incident", pickup, timezone.now(), reason="damaged")
    assert send(api_for(bread_round.courier), bread_round, incident)[0]["result"] == "applied"
    assert dict(Stop.objects.filter(round=bread_round).values_list("kind", "status")) == {
        "pickup": "failed", "drop": "failed"
    }  # fmt: skip
    assert Order.objects.get(pk=81).delivery_status == "failed"
    # The hammer still comes: its drop completes what it delivered; the bread, never collected,
    # missed the round as a one-round order's uncollected part does (cancelled, not paid).
    _collect_and_ring(hammer_round)
    order = Order.objects.get(pk=81)
    assert dict(ShopOrder.objects.filter(order=order).values_list("pk", "status")) == {
        810: "cancelled", 811: "completed"
    }  # fmt: skip
    assert (selectors.order_status(order), order.delivery_status) == ("completed", "delivered")
    assert Booking.objects.get(order_id=81).status == "failed"  # the booking keeps its failed round


def test_a_door_failure_in_one_round_keeps_that_parcel_failed_when_the_other_is_delivered(
    slot: Slot,
    bike: Vehicle,
    shop: Shop,
    other_shop: Shop,
    courier: Any,
    other_courier: Any,
    monkeypatch: Any,
) -> None:
    _two_shop_order(slot, shop, other_shop)
    bread_round = _bread_round(slot, bike, courier, other_courier, monkeypatch)
    hammer_round = Round.objects.get(stops__parcel__shop_order_id=811)
    api, now = api_for(bread_round.courier), timezone.now()
    pickup, drop = bread_round.stops.get(kind="pickup"), bread_round.stops.get(kind="drop")
    assert (
        send(api, bread_round, action("pickup", pickup, now, code=pickup.parcel.pickup_code))[0]["result"]
        == "applied"
    )
    assert send(api, bread_round, action("incident", drop, now, reason="absent"))[0]["result"] == "applied"
    _collect_and_ring(hammer_round)
    order = Order.objects.get(pk=81)
    # The hammer is delivered; the bread came back with its courier: the order says the delivery failed.
    assert dict(ShopOrder.objects.filter(order=order).values_list("pk", "status")) == {
        810: "handed_over", 811: "completed"
    }  # fmt: skip
    assert (selectors.order_status(order), order.delivery_status) == ("delivery_failed", "failed")
