"""A new slot's length, bookings' close and capacities are governed values, read when it is created."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from comptoir.core.errors import InvalidInput
from comptoir.delivery.models import Slot
from comptoir.delivery.services import do_create_slot
from tests.conftest import PASSWORD
from tests.delivery.conftest import tomorrow_at
from tests.governance.adopt import adopt


def test_a_slot_takes_the_governed_defaults_in_force_when_created(dispatcher, zone):
    first = do_create_slot(dispatcher, zone=zone, starts=tomorrow_at(17), ends=None, closes_at=None,
                           capacity_orders=None, capacity_ml=None)  # fmt: skip
    assert (first.ends, first.closes_at) == (tomorrow_at(19), tomorrow_at(15))
    assert (first.capacity_orders, first.capacity_ml) == (25, 2_000_000)
    adopt({"slot_capacity_orders": "30", "slot_minutes": "90", "slot_booking_closes_minutes": "60"})
    second = do_create_slot(dispatcher, zone=zone, starts=tomorrow_at(10))
    assert (second.ends, second.closes_at, second.capacity_orders) == (
        tomorrow_at(11, 30), tomorrow_at(9), 30,
    )  # fmt: skip
    first.refresh_from_db()
    assert first.capacity_orders == 25  # a slot keeps what was in force when it was created
    smaller = do_create_slot(dispatcher, zone=zone, starts=tomorrow_at(12), capacity_orders=12)
    assert smaller.capacity_orders == 12  # fewer couriers that day: a smaller slot is the dispatcher's call
    with pytest.raises(InvalidInput, match=r"At most 30 \(proposal #\d+, in force from .* \(v2\)\)"):
        do_create_slot(dispatcher, zone=zone, starts=tomorrow_at(14), capacity_orders=31)
    with pytest.raises(InvalidInput, match="At most 2000000"):
        do_create_slot(dispatcher, zone=zone, starts=tomorrow_at(14), capacity_ml=2_000_001)
    with pytest.raises(InvalidInput, match="ends after it starts"):
        do_create_slot(dispatcher, zone=zone, starts=tomorrow_at(14), ends=tomorrow_at(13))
    assert Slot.objects.count() == 3


def test_the_dispatcher_form_leaves_the_governed_values_empty(dispatcher, zone):
    client = Client()
    assert client.login(username=dispatcher.email, password=PASSWORD)
    starts = tomorrow_at(17)
    answer = client.post("/livraison/", {"form": "slot", "slot-zone": zone.pk,
                                         "slot-starts": starts.strftime("%Y-%m-%dT%H:%M")})  # fmt: skip
    assert answer.status_code in (200, 302)
    slot = Slot.objects.get()
    assert (slot.ends - slot.starts, slot.starts - slot.closes_at) == (timedelta(hours=2), timedelta(hours=2))
    assert (slot.capacity_orders, slot.capacity_ml) == (25, 2_000_000)
