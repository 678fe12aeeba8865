"""Delivery fees at cost, as pure arithmetic on published rates (no Django, no database).

A resident pays what delivering their order costs the cooperative, line by line:
the courier's time for this order, the vehicle's kilometres, a share of the trip
between depot and zone spread over the slot's orders, and the governed margin.
Each line is rounded half up to the cent and the total is the sum of the lines,
so the breakdown a resident sees always adds up. Before planning, the slot's
fee is an estimate; after the round, `round_cost` gives the real cost per delivery
that the ledger publishes.

Every rate comes in as a `Rate` carrying its source (the vote that set it), which
the checkout shows next to the line it produced.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from comptoir.core.money import Money, percent_of


@dataclass(frozen=True)
class Rate:
    value: Decimal
    source: str


@dataclass(frozen=True)
class Rates:
    """The published rates a delivery fee is computed from."""

    courier_cost_per_hour_cents: Rate
    vehicle_cost_per_km_cents: Rate
    minutes_per_order: Rate
    km_per_order: Rate
    round_base_minutes: Rate
    slot_expected_orders: Rate
    margin_percent: Rate


@dataclass(frozen=True)
class Line:
    key: str  # stable name of the line, for tests and the ledger
    label: str  # English msgid with {placeholders}; translated where shown
    params: dict[str, str]  # plain numbers ("2.5", cents "22"), formatted per language where shown
    amount: Money
    source: str


@dataclass(frozen=True)
class Fee:
    lines: tuple[Line, ...]

    @property
    def total(self) -> Money:
        return sum((line.amount for line in self.lines), Money.zero())


def cents(exact: Decimal) -> Money:
    """Round an exact amount of cents half up to a whole cent."""
    return Money(int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)))


def _hours_cost(minutes: Decimal, per_hour_cents: Decimal) -> Decimal:
    return minutes * per_hour_cents / Decimal(60)


def _both(a: Rate, b: Rate) -> str:
    return a.source if a.source == b.source else f"{a.source}; {b.source}"


def fee_estimate(rates: Rates, orders_in_slot: int) -> Fee:
    """The fee of one more order in a slot that will then hold `orders_in_slot` orders.

    The depot trip is shared by at least `slot_expected_orders` orders, so the
    first resident of a slot does not pay for a whole trip; the published cost per
    delivery after the round says what it really cost.
    """
    if orders_in_slot < 1:
        raise ValueError("a slot holding this order holds at least one order")
    hourly = rates.courier_cost_per_hour_cents
    sharing = max(orders_in_slot, int(rates.slot_expected_orders.value))
    courier = cents(_hours_cost(rates.minutes_per_order.value, hourly.value))
    vehicle = cents(rates.km_per_order.value * rates.vehicle_cost_per_km_cents.value)
    base = cents(_hours_cost(rates.round_base_minutes.value, hourly.value) / Decimal(sharing))
    lines = [
        Line(
            "courier",
            "Courier time: {minutes} min at {rate} per hour",
            {"minutes": str(rates.minutes_per_order.value), "rate_cents": str(int(hourly.value))},
            courier,
            _both(hourly, rates.minutes_per_order),
        ),
        Line(
            "vehicle",
            "Vehicle: {km} km at {rate} per km",
            {
                "km": str(rates.km_per_order.value),
                "rate_cents": str(cents(rates.vehicle_cost_per_km_cents.value).cents),
            },
            vehicle,
            _both(rates.vehicle_cost_per_km_cents, rates.km_per_order),
        ),
        Line(
            "depot_trip",
            "Trip between depot and zone ({minutes} min), shared by {orders} orders",
            {"minutes": str(rates.round_base_minutes.value), "orders": str(sharing)},
            base,
            _both(rates.round_base_minutes, rates.slot_expected_orders),
        ),
    ]
    subtotal = courier + vehicle + base
    lines.append(_margin_line(rates.margin_percent, subtotal))
    return Fee(tuple(lines))


def _margin_line(margin: Rate, subtotal: Money) -> Line:
    return Line(
        "margin",
        "Cooperative margin: {percent}",
        {"percent": str(margin.value)},
        percent_of(subtotal, margin.value),
        margin.source,
    )


@dataclass(frozen=True)
class RoundCostFigures:
    courier: Money
    vehicle: Money
    margin: Money
    total: Money
    per_delivery: Money


def round_cost(
    *,
    courier_seconds: int,
    distance_m: int,
    courier_cost_per_hour_cents: Decimal,
    vehicle_cost_per_hour_cents: Decimal,
    vehicle_cost_per_km_cents: Decimal,
    margin_percent: Decimal,
    deliveries: int,
) -> RoundCostFigures:
    """What a finished round cost, and its cost per delivery (half up), in whole cents."""
    hours = Decimal(courier_seconds) / Decimal(3600)
    courier = cents(hours * courier_cost_per_hour_cents)
    vehicle = cents(
        hours * vehicle_cost_per_hour_cents + Decimal(distance_m) / 1000 * vehicle_cost_per_km_cents
    )
    margin = percent_of(courier + vehicle, margin_percent)
    total = courier + vehicle + margin
    per_delivery = cents(Decimal(total.cents) / Decimal(max(deliveries, 1)))
    return RoundCostFigures(courier, vehicle, margin, total, per_delivery)
