"""Governed parameters: values that only a member vote may change.

Fee rates, ranking weights and similar values are read through `governed()`
and nowhere else. Until the governance app lands, the adopted values are the
defaults below, overridable by the operator through settings
(`COMPTOIR_GOVERNED`); the governance app will store adopted values with the
vote that set them and this function will read those first. Code that needs a
rate must never hard-code it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings


@dataclass(frozen=True)
class GovernedValue:
    name: str
    value: Any
    source: str  # where the value comes from, shown next to every fee and weight


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
    # Local suppliers factor, reserved for the local-suppliers issue (neutral).
    "ranking_weight_local": 0.0,
}


def governed(name: str) -> GovernedValue:
    overrides: dict[str, Any] = getattr(settings, "COMPTOIR_GOVERNED", {})
    if name in overrides:
        return GovernedValue(name, overrides[name], "operator setting (awaiting a vote)")
    if name not in DEFAULTS:
        raise KeyError(f"unknown governed parameter: {name}")
    return GovernedValue(name, DEFAULTS[name], "founding default (awaiting a vote)")
