"""Governed parameters: values that only a member vote may change.

Fee rates, ranking weights and similar values are read through `governed()` and
nowhere else; code that needs a rate must never hard-code it.

This module is the typed registry (what parameters exist, their type, bounds and
founding value) and the read port. The values in force and their history are
stored by the governance app (`comptoir.governance`), which plugs its store in at
start-up (`use_store`): each value has versions, version 1 "adopted at founding",
the next ones written only when an adopted proposal applies. Without that store
(pure unit tests, tools), the founding values below are returned as version 1.

`DEFAULTS` stays a plain dict so that any app can add its parameter with one line;
its type is the type of the founding value, its bounds come from `BOUNDS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from comptoir.core.territories import TerritoryError, normalise_territory

FOUNDING_SOURCE = "adopted at founding (v1)"


@dataclass(frozen=True)
class GovernedValue:
    name: str
    value: Any
    source: str  # where the value comes from, shown next to every fee and weight
    version: int = 1
    proposal_id: int | None = None
    applies_from: datetime | None = None


DEFAULTS: dict[str, Any] = {
    # Cooperative fee on goods, percent: covers the node's running costs.
    "coop_fee_percent": Decimal("2.0"),
    # Margin on top of the delivery cost, percent.
    "delivery_margin_percent": Decimal("0.0"),
    # Fixed delivery fee until the delivery planner prices slots at cost.
    "delivery_fee_cents": 450,
    # Delivery at cost (comptoir.delivery.fees): the published rates a fee is computed from.
    "courier_cost_per_hour_cents": 2200,  # a courier's hour, wages and charges included
    "vehicle_cost_per_km_cents": 15,  # reference vehicle cost per km for estimates before planning
    "delivery_minutes_per_order": 10,  # courier time per order: pickups, drop, riding between them
    "delivery_km_per_order": 2.5,
    "delivery_round_base_minutes": 30,  # depot to zone and back, shared by the slot's orders
    "delivery_slot_expected_orders": 8,  # the estimate shares the base over at least this many
    # Delivery slots (delivery.services.do_create_slot): a new slot's length, when its bookings
    # close, and its capacity, in force when the dispatcher creates it. A dispatcher may open a
    # smaller slot (fewer couriers that day), never a larger one.
    "slot_minutes": 120,
    "slot_booking_closes_minutes": 120,
    "slot_capacity_orders": 25,
    "slot_capacity_ml": 2_000_000,  # 2 m³: what a slot's rounds carry at most
    # One resident, one doorbell: an order's parcels go in one round unless that makes the
    # rounds involved longer by more than this, percent (the dispatcher sees why).
    "delivery_same_round_max_extra_percent": Decimal("10.0"),
    # Search ranking: score = text^w_text × proximity^w_prox × availability^w_avail.
    "ranking_weight_text": 1.0,
    "ranking_weight_proximity": 1.0,
    "ranking_weight_availability": 1.0,
    "ranking_proximity_half_km": 3.0,
    # The availability factor per stock state (1 keeps the score, lower pushes the offer down).
    "ranking_in_stock_factor": 1.0,
    "ranking_on_demand_factor": 0.6,  # made or ordered for the resident: a wait, not a dead end
    "ranking_out_of_stock_factor": 0.2,  # still shown (it may come back), well below the others
    # Field boosts: how much a matched word counts in each field (BM25 scores add up).
    "search_boost_own_name": 3.0,  # the name in the resident's language
    "search_boost_other_name": 2.0,  # the name in the other language (bilingual catalog)
    "search_boost_description": 0.5,  # a description mentions many things: a weak sign
    "search_boost_gtin": 5.0,  # a typed barcode names exactly one product
    "search_boost_typo": 1.0,  # a name word one edit from a word no name has: below an exact word
    "search_boost_written_form": 1.0,  # the word as typed, unstemmed: "tomate" before "tomates"
    # Local origin (decision 0015): the fourth ranking factor, 1 + half / (half + origin km), so
    # an offer whose origin is at the node's centre counts up to 2^w, a far one about 1, an
    # unknown one exactly 1 (0 switches the factor off: today's order).
    "ranking_weight_local": 0.5,
    "ranking_local_half_km": 50.0,
    # "Local" = an origin (a supplier's place, or a declared place of production) within this
    # many km of the node's centre. Never typed by hand; an origin that cannot be placed is not local.
    "local_radius_km": 100.0,
    # Or "local" = an origin inside a named territory (decision 0020): a province ("CA-QC"), a
    # French département ("FR-25") or région ("FR-BFC"), read from the supplier's postal code.
    # Empty: the radius above decides. Closeness still ranks either way.
    "local_territory": "",
    # Orders: minutes a shop has to accept an order before its stock is released.
    "order_accept_minutes": 120,
    # A period's surplus, closed (ledger/closing.py): this share goes to the indivisible reserves,
    # the rest is carried forward until the members vote on its use (a SCIC keeps at least 57.5 %).
    "surplus_reserve_percent": Decimal("57.5"),
    # VAT included in the cooperative's own fees (coop fee, delivery), percent; 0 if exempt.
    "fees_vat_percent": Decimal("20.0"),
    # Privacy: days a completed delivery's name, address, phone and signature are kept.
    "retention_delivery_days": 90,
    # Governance: each college's weight in a vote (staff administer, they do not vote).
    "college_weight_shops": 40,
    "college_weight_workers": 30,
    "college_weight_residents": 30,
    # A vote counts when this share of the members who could vote took part (abstentions count).
    "vote_quorum_percent": Decimal("10"),
    # Adopted when the weighted share of "for" among for + against is above this.
    "vote_majority_percent": Decimal("50"),
    "vote_discussion_days": 7,
    "vote_voting_days": 7,
    "vote_reminder_hours": 48,
}

# Inclusive bounds a proposed value must respect (default: not negative).
BOUNDS: dict[str, tuple[Any, Any]] = {
    "coop_fee_percent": (Decimal(0), Decimal(100)),
    "delivery_margin_percent": (Decimal(0), Decimal(100)),
    "fees_vat_percent": (Decimal(0), Decimal(100)),
    "surplus_reserve_percent": (Decimal(0), Decimal(100)),
    "vote_quorum_percent": (Decimal(0), Decimal(100)),
    "vote_majority_percent": (Decimal(0), Decimal(99)),
    "delivery_slot_expected_orders": (1, 10_000),
    "order_accept_minutes": (1, 7 * 24 * 60),
    "slot_minutes": (15, 24 * 60),
    "slot_booking_closes_minutes": (0, 7 * 24 * 60),
    "slot_capacity_orders": (1, 10_000),
    "slot_capacity_ml": (1, 1_000_000_000),
    "vote_voting_days": (1, 90),
    "vote_discussion_days": (0, 90),
    "local_radius_km": (0.0, 20_000.0),  # half the Earth's circumference: everything placed is local
    "ranking_local_half_km": (0.001, 20_000.0),
}


# Parameters whose value is a word, not a number: their own check instead of bounds.
WORDS: dict[str, Any] = {"local_territory": normalise_territory}


class ParameterError(KeyError, ValueError):
    """A name that is not a governed parameter, or a value it cannot take."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def kind_of(name: str) -> type:
    if name not in DEFAULTS:
        raise ParameterError(f"unknown governed parameter: {name}")
    return type(DEFAULTS[name])


def bounds(name: str) -> tuple[Any, Any]:
    """The inclusive bounds of a parameter's values (upper None: no upper bound)."""
    kind = kind_of(name)
    if name in WORDS:
        return ("", None)
    return BOUNDS.get(name, (kind(0), None))


def parse_value(name: str, raw: Any) -> Any:
    """A proposed value, typed like the founding value and within its bounds."""
    kind = kind_of(name)
    if name in WORDS:
        try:
            return WORDS[name](raw)
        except TerritoryError as error:
            raise ParameterError(f"{name}: {error}") from error
    try:
        if kind is Decimal:
            value: Any = Decimal(str(raw).replace(",", "."))
            if not value.is_finite():
                raise InvalidOperation
        elif kind is int:
            if isinstance(raw, float) or (isinstance(raw, str) and not raw.strip().lstrip("-").isdigit()):
                raise ValueError
            value = int(raw)
        elif kind is float:
            value = float(str(raw).replace(",", "."))
            if value != value or value in (float("inf"), float("-inf")):
                raise ValueError
        else:
            value = kind(raw)
    except (InvalidOperation, ValueError, TypeError) as error:
        raise ParameterError(f"{name}: {raw!r} is not a {kind.__name__}") from error
    low, high = bounds(name)
    if value < low or (high is not None and value > high):
        raise ParameterError(f"{name}: {value} is outside [{low}, {high if high is not None else '∞'}]")
    return value


def dump_value(value: Any) -> str:
    """How a value is stored: its exact text (a Decimal keeps its digits)."""
    return str(value)


class ParameterStore(Protocol):
    def values_at(self, names: list[str], at: datetime | None) -> dict[str, GovernedValue]: ...


_store: ParameterStore | None = None


def use_store(store: ParameterStore | None) -> None:
    """Plug in where versions are stored (the governance app does, at start-up)."""
    global _store
    _store = store


def founding(name: str) -> GovernedValue:
    return GovernedValue(name, DEFAULTS[name], FOUNDING_SOURCE)


def governed(name: str, at: datetime | None = None) -> GovernedValue:
    """The value in force at `at` (now by default), with its version and where it comes from."""
    return governed_many([name], at)[name]


def governed_many(names: list[str], at: datetime | None = None) -> dict[str, GovernedValue]:
    """Several values in force at `at`, read at once (one query with the governance store)."""
    for name in names:
        kind_of(name)
    found = _store.values_at(names, at) if _store is not None else {}
    return {name: found.get(name) or founding(name) for name in names}
