"""Fees at cost: exact to the cent, every line with its source, lines adding up to the total."""

from __future__ import annotations

from decimal import Decimal

import pytest

from comptoir.core.money import Money
from comptoir.delivery.fees import Rate, Rates, fee_estimate, round_cost

VOTE = "vote #3"


def rates(margin: str = "0") -> Rates:
    def r(value: str) -> Rate:
        return Rate(Decimal(value), VOTE)

    return Rates(
        courier_cost_per_hour_cents=r("2200"), vehicle_cost_per_km_cents=r("15"), minutes_per_order=r("10"),
        km_per_order=r("2.5"), round_base_minutes=r("30"), slot_expected_orders=r("8"),
        margin_percent=Rate(Decimal(margin), "vote #4"),
    )  # fmt: skip


def test_first_order_shares_the_depot_trip_with_the_expected_orders() -> None:
    fee = fee_estimate(rates(), orders_in_slot=1)
    # 10 min × 22 €/h = 366.67 → 367; 2.5 km × 0.15 = 37.5 → 38; 30 min × 22 €/h / 8 = 137.5 → 138
    assert [(line.key, line.amount.cents) for line in fee.lines] == [
        ("courier", 367), ("vehicle", 38), ("depot_trip", 138), ("margin", 0),
    ]  # fmt: skip
    assert fee.total == Money(543)
    assert {line.source for line in fee.lines} == {VOTE, "vote #4"}


def test_a_fuller_slot_shares_the_trip_between_more_orders() -> None:
    fee = fee_estimate(rates(), orders_in_slot=12)
    assert fee.lines[2].amount == Money(92)  # 1100 / 12 = 91.67
    assert fee.lines[2].params["orders"] == "12"
    assert fee.total == Money(367 + 38 + 92)


def test_the_margin_applies_to_the_cost_lines_rounded_half_up() -> None:
    fee = fee_estimate(rates(margin="5"), orders_in_slot=4)
    assert fee.lines[3].amount == Money(27)  # 5 % of 543 = 27.15
    assert fee.total == Money(570)
    assert sum(line.amount.cents for line in fee.lines) == fee.total.cents


def test_no_order_no_estimate() -> None:
    with pytest.raises(ValueError):
        fee_estimate(rates(), orders_in_slot=0)


def test_round_cost_per_delivery() -> None:
    figures = round_cost(
        courier_seconds=2 * 3600 + 15 * 60, distance_m=18_400, courier_cost_per_hour_cents=Decimal(2200),
        vehicle_cost_per_hour_cents=Decimal(50), vehicle_cost_per_km_cents=Decimal(8),
        margin_percent=Decimal("2"), deliveries=9,
    )  # fmt: skip
    assert figures.courier == Money(4950)  # 2.25 h × 22 €
    assert figures.vehicle == Money(260)  # 2.25 × 0.50 + 18.4 × 0.08 = 1.125 + 1.472 = 2.597 → 260
    assert figures.margin == Money(104)  # 2 % of 5210 = 104.2
    assert figures.total == Money(5314)
    assert figures.per_delivery == Money(590)  # 5314 / 9 = 590.44
