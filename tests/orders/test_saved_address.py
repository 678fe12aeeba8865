"""A resident's saved delivery address: kept only when valid, offered at the next checkout."""

from __future__ import annotations

from typing import Any

import pytest

from comptoir.core.errors import InvalidInput
from comptoir.members.services import do_save_address
from comptoir.orders.fixed_slots import FixedSlots


def test_a_saved_address_is_checked_before_it_is_kept(make_person: Any) -> None:
    person = make_person("alice@example.org")
    bad = [
        ({"address": " ", "lat": None, "lon": None}, "address"),
        ({"address": "12 rue des Granges", "lat": 47.05, "lon": None}, "lat"),
        ({"address": "12 rue des Granges", "lat": 91.0, "lon": 6.0}, "lat"),
        ({"address": "12 rue des Granges", "lat": 47.05, "lon": 181.0}, "lat"),
    ]
    for fields, field in bad:
        with pytest.raises(InvalidInput) as refused:
            do_save_address(person, postal_code="25000", city="Val", **fields)
        assert refused.value.details["field"] == field
        person.refresh_from_db()
        assert (person.saved_address, person.saved_lat) == ("", None)  # nothing changed
    do_save_address(
        person, address=" 12 rue des Granges ", postal_code="25000", city="Val", lat=47.05, lon=6.0
    )
    person.refresh_from_db()
    assert (person.saved_address, person.saved_postal_code, person.saved_city, person.saved_lat, person.saved_lon) == (
        "12 rue des Granges", "25000", "Val", 47.05, 6.0,
    )  # fmt: skip


def test_the_flat_fee_adapter_has_no_area_to_draw() -> None:
    assert FixedSlots().area() == []
