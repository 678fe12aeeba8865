"""The DeliveryBooking adapter: slots with fees at cost, capacity, refusals with reasons."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from comptoir.catalog.models import Shop
from comptoir.core.money import Money
from comptoir.delivery.booking import CoopDelivery
from comptoir.delivery.models import Booking, Slot, Vehicle
from comptoir.orders.delivery_port import DeliveryUnavailable, Parcel
from tests.delivery.conftest import book, drop, tomorrow_at


def test_slots_for_a_point_in_the_zone_with_the_fee_breakdown(slot: Slot, bike: Vehicle) -> None:
    options = CoopDelivery().slots_for(47.058, 6.006, 3000, 9000, timezone.now())
    assert [o.id for o in options] == [str(slot.pk)]
    option = options[0]
    assert (option.starts, option.ends, option.remaining, option.estimate) == (
        slot.starts,
        slot.ends,
        20,
        True,
    )
    assert option.fee == Money(543)  # founding defaults: 367 + 38 + 138 + 0
    assert [line.amount.cents for line in option.fee_lines] == [367, 38, 138, 0]
    assert all(line.source == "adopted at founding (v1)" for line in option.fee_lines)
    assert "Centre" in option.label


def test_no_slot_outside_the_zones_or_beyond_the_largest_vehicle(slot: Slot, bike: Vehicle) -> None:
    assert CoopDelivery().slots_for(48.85, 2.35, 1000, 1000, timezone.now()) == []
    assert CoopDelivery().slots_for(47.058, 6.006, 80_001, 1000, timezone.now()) == []


def test_booking_reserves_capacity_and_keeps_the_quoted_fee(
    slot: Slot, bike: Vehicle, shop: Shop, other_shop: Shop
) -> None:
    ref = book(slot, 501, [shop, other_shop])
    slot.refresh_from_db()
    assert (slot.booked_orders, slot.booked_ml) == (1, 16_000)
    booking = Booking.objects.get(ref=ref)
    assert (booking.order_id, booking.weight_g, booking.fee_cents) == (501, 4000, 543)
    assert sorted(booking.parcels.values_list("shop_order_id", flat=True)) == [5010, 5011]
    assert len(booking.drop_code) == 4
    # Booking the same order again returns the same booking, reserving nothing more.
    assert book(slot, 501, [shop, other_shop]) == ref
    slot.refresh_from_db()
    assert slot.booked_orders == 1


def test_full_slot_is_refused_with_its_reason(slot: Slot, bike: Vehicle, shop: Shop) -> None:
    Slot.objects.filter(pk=slot.pk).update(capacity_orders=1)
    book(slot, 1, [shop])
    with pytest.raises(DeliveryUnavailable, match="full"):
        book(slot, 2, [shop])
    assert CoopDelivery().slots_for(47.058, 6.006, 100, 100, timezone.now()) == []


def test_volume_outside_zone_heavy_and_closed_are_refused(slot: Slot, bike: Vehicle, shop: Shop) -> None:
    adapter = CoopDelivery()
    Slot.objects.filter(pk=slot.pk).update(capacity_ml=10_000)
    with pytest.raises(DeliveryUnavailable, match="no room left"):
        book(slot, 3, [shop], volume_ml=10_001)
    with pytest.raises(DeliveryUnavailable, match="outside"):
        adapter.book(str(slot.pk), 4, drop(0, lat=48.85, lon=2.35), [Parcel(40, shop.pk, 100, 100)])
    with pytest.raises(DeliveryUnavailable, match="too heavy"):
        book(slot, 5, [shop], weight_g=90_000)
    Slot.objects.filter(pk=slot.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(DeliveryUnavailable, match="closed"):
        book(slot, 6, [shop])
    slot.refresh_from_db()
    assert (slot.booked_orders, slot.booked_ml) == (0, 0)


def test_cancel_releases_capacity_once(slot: Slot, bike: Vehicle, shop: Shop) -> None:
    ref = book(slot, 7, [shop])
    CoopDelivery().cancel(ref)
    CoopDelivery().cancel(ref)
    slot.refresh_from_db()
    assert (slot.booked_orders, slot.booked_ml) == (0, 0)
    assert Booking.objects.get(ref=ref).status == "cancelled"


def test_fee_falls_as_the_slot_fills(slot: Slot, bike: Vehicle, shop: Shop) -> None:
    for order in range(10):
        book(slot, 100 + order, [shop], n=order % 5)
    option = CoopDelivery().slots_for(47.058, 6.006, 100, 100, timezone.now())[0]
    assert option.remaining == 10
    assert option.fee == Money(367 + 38 + 100)  # the 11th order: 1100 / 11 = 100
    assert tomorrow_at(17) == option.starts
