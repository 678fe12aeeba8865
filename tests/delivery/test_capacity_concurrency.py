"""Slot capacity under concurrent checkouts, on PostgreSQL: the last place goes to one resident."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from comptoir.catalog.models import Shop
from comptoir.delivery.models import Booking, Slot, Vehicle
from comptoir.orders.delivery_port import DeliveryUnavailable
from tests.delivery.conftest import book

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_bookings_never_exceed_the_slots_capacity(slot: Slot, bike: Vehicle, shop: Shop) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are tested on PostgreSQL")
    Slot.objects.filter(pk=slot.pk).update(capacity_orders=3)
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def checkout(order_id: int) -> None:
        try:
            barrier.wait()
            book(slot, order_id, [shop], n=order_id % 5)
            outcomes.append("booked")
        except DeliveryUnavailable:
            outcomes.append("full")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=checkout, args=(900 + n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    slot.refresh_from_db()
    assert sorted(outcomes) == ["booked"] * 3 + ["full"] * 5
    assert (slot.booked_orders, slot.booked_ml) == (3, 24_000)
    assert Booking.objects.count() == 3
