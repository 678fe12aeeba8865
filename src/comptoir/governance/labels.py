"""What a member reads about a governed parameter: its name in words, its unit, and what a change does.

The registry (`core/parameters.py`) knows names, types and bounds; this module says them in the
member's language, so the proposal pages and the "new proposal" form show "Cooperative contribution
on goods, percent" rather than `coop_fee_percent`, and explain a change with an example in euros
where the parameter is about money. A parameter another app adds without a label here is shown by its
name (nothing breaks); give it a label when it reaches the members.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from comptoir.core import formats
from comptoir.core.money import Money, percent_of, tax_included_in
from comptoir.core.parameters import bounds, kind_of
from comptoir.core.territories import territory_name

PERCENT, CENTS, MINUTES, HOURS, DAYS, KM, WEIGHT, FACTOR, COUNT, TERRITORY = (
    "percent", "cents", "minutes", "hours", "days", "km", "weight", "factor", "count", "territory",
)  # fmt: skip

LABELS: dict[str, tuple[Promise, str]] = {
    "coop_fee_percent": (gettext_lazy("Cooperative contribution on goods"), PERCENT),
    "delivery_margin_percent": (gettext_lazy("Margin on top of the delivery cost"), PERCENT),
    "delivery_fee_cents": (gettext_lazy("Flat delivery fee (before slots are priced at cost)"), CENTS),
    "courier_cost_per_hour_cents": (gettext_lazy("A courier's hour, wages and charges included"), CENTS),
    "vehicle_cost_per_km_cents": (gettext_lazy("Vehicle cost per km (estimates)"), CENTS),
    "delivery_minutes_per_order": (gettext_lazy("Courier time per order"), MINUTES),
    "delivery_km_per_order": (gettext_lazy("Distance per order (estimates)"), KM),
    "delivery_round_base_minutes": (gettext_lazy("Depot to zone and back, per round"), MINUTES),
    "delivery_slot_expected_orders": (
        gettext_lazy("Orders a round's base time is shared over, at least"),
        COUNT,
    ),
    "delivery_same_round_max_extra_percent": (
        gettext_lazy("Longer rounds accepted to keep an order together"),
        PERCENT,
    ),
    "ranking_weight_text": (gettext_lazy("Search ranking: weight of the words matched"), WEIGHT),
    "ranking_weight_proximity": (gettext_lazy("Search ranking: weight of the distance"), WEIGHT),
    "ranking_weight_availability": (gettext_lazy("Search ranking: weight of the availability"), WEIGHT),
    "ranking_proximity_half_km": (
        gettext_lazy("Search ranking: distance that halves the proximity score"),
        KM,
    ),
    "ranking_in_stock_factor": (gettext_lazy("Search ranking: factor of an offer in stock"), FACTOR),
    "ranking_on_demand_factor": (gettext_lazy("Search ranking: factor of an offer made on demand"), FACTOR),
    "ranking_out_of_stock_factor": (gettext_lazy("Search ranking: factor of an offer out of stock"), FACTOR),
    "ranking_weight_local": (gettext_lazy("Search ranking: weight of local origin"), WEIGHT),
    "ranking_local_half_km": (
        gettext_lazy("Search ranking: distance of origin that halves the local bonus"),
        KM,
    ),
    "local_radius_km": (gettext_lazy("“Local”: an origin within this distance of the node"), KM),
    "local_territory": (
        gettext_lazy("“Local”: an origin inside this territory instead (a province, département or région)"),
        TERRITORY,
    ),
    "search_boost_own_name": (gettext_lazy("Search: a word in the name (reader's language)"), WEIGHT),
    "search_boost_other_name": (gettext_lazy("Search: a word in the name (other language)"), WEIGHT),
    "search_boost_description": (gettext_lazy("Search: a word in the description"), WEIGHT),
    "search_boost_gtin": (gettext_lazy("Search: a barcode typed"), WEIGHT),
    "search_boost_typo": (gettext_lazy("Search: a word one typo away"), WEIGHT),
    "search_boost_written_form": (gettext_lazy("Search: the word exactly as typed"), WEIGHT),
    "slot_minutes": (gettext_lazy("Length of a new delivery slot"), MINUTES),
    "slot_booking_closes_minutes": (gettext_lazy("Bookings close this long before a slot starts"), MINUTES),
    "slot_capacity_orders": (gettext_lazy("Orders a new slot takes, at most"), COUNT),
    "slot_capacity_ml": (gettext_lazy("Volume a new slot takes, at most (ml)"), COUNT),
    "order_accept_minutes": (gettext_lazy("Time a shop has to accept an order"), MINUTES),
    "fees_vat_percent": (gettext_lazy("VAT included in the cooperative's fees"), PERCENT),
    "surplus_reserve_percent": (gettext_lazy("Share of a surplus put in the indivisible reserves"), PERCENT),
    "retention_delivery_days": (gettext_lazy("Days a delivery's name, address and signature are kept"), DAYS),
    "college_weight_shops": (gettext_lazy("Weight of the shops' college in a vote"), WEIGHT),
    "college_weight_workers": (gettext_lazy("Weight of the workers' college in a vote"), WEIGHT),
    "college_weight_residents": (gettext_lazy("Weight of the residents' college in a vote"), WEIGHT),
    "vote_quorum_percent": (gettext_lazy("Quorum: share of the members who must take part"), PERCENT),
    "vote_majority_percent": (gettext_lazy("Majority: weighted share of “for” needed, above"), PERCENT),
    "vote_discussion_days": (gettext_lazy("Days of discussion before a vote"), DAYS),
    "vote_voting_days": (gettext_lazy("Days a vote stays open"), DAYS),
    "vote_reminder_hours": (gettext_lazy("Reminder sent this many hours before a vote closes"), HOURS),
}
UNIT_TEXT: dict[str, Promise] = {
    PERCENT: gettext_lazy("percent"), CENTS: gettext_lazy("in cents (450 = €4.50)"), MINUTES: gettext_lazy("minutes"),
    HOURS: gettext_lazy("hours"), DAYS: gettext_lazy("days"), KM: gettext_lazy("km"), WEIGHT: gettext_lazy("weight"),
    FACTOR: gettext_lazy("factor, 1 keeps the score"), COUNT: gettext_lazy("number"),
    TERRITORY: gettext_lazy("code: CA-QC, FR-25, FR-BFC… or “aucun” for the radius"),
}  # fmt: skip
EXAMPLE_BASKET = Money(5000)  # the basket the coop fee's effect is shown on
EXAMPLE_DELIVERY = Money(600)
EXAMPLE_FEES = Money(100)
EXAMPLE_SURPLUS = Money(100_000)


def label(name: str) -> str:
    return str(LABELS[name][0]) if name in LABELS else name


def unit(name: str) -> str:
    return LABELS[name][1] if name in LABELS else (CENTS if name.endswith("_cents") else "")


def unit_text(name: str) -> str:
    found = UNIT_TEXT.get(unit(name))
    return str(found) if found is not None else ""


SYMBOLS = {MINUTES: "min", HOURS: "h", KM: "km"}


def show(name: str, value: Any) -> str:
    """A value as a member reads it: 4,50 € for cents, 2,0 % for a percent, 7 jours for days."""
    kind = unit(name)
    if kind == CENTS:
        return Money(int(value)).format(get_language() or "fr")
    if kind == TERRITORY:
        if not value:
            return _("none (the radius decides)")
        return f"{territory_name(str(value), get_language() or 'fr')} ({value})"
    lang = get_language()
    shown = value if isinstance(value, Decimal | float | int) and not isinstance(value, bool) else None
    if shown is None:
        return str(value)
    # A governed Decimal keeps the decimals it was voted with (« 2,0 % »).
    places = max(0, -int(shown.as_tuple().exponent)) if isinstance(shown, Decimal) else None
    if kind == PERCENT:
        return formats.percent(shown, places, lang)
    if kind in SYMBOLS:
        return formats.quantity(shown, places, SYMBOLS[kind], lang)
    text = formats.number(shown, places, lang)
    if kind == DAYS:
        return ngettext("%(n)s day", "%(n)s days", int(value)) % {"n": text}
    return text


def bounds_text(name: str) -> str:
    if unit(name) == TERRITORY:
        return _(
            "a country (CA, FR), a province (CA-QC), a département (FR-25, FR-2A, FR-974) or a région (FR-BFC)"
        )
    low, high = bounds(name)
    if high is None:
        return _("at least %(low)s") % {"low": show(name, low)}
    return _("from %(low)s to %(high)s") % {"low": show(name, low), "high": show(name, high)}


@dataclass(frozen=True)
class Choice:
    """One parameter in the "new proposal" form: name, words, unit, bounds, value in force."""

    name: str
    label: str
    unit: str
    bounds: str
    current: str


def _money(amount: Money) -> str:
    return amount.format(get_language() or "fr")


def _direction(name: str, current: Any, proposed: Any) -> str:
    if proposed == current:
        return _("No change: the proposed value is the one in force.")
    return (_("Up from %(a)s to %(b)s.") if proposed > current else _("Down from %(a)s to %(b)s.")) % {
        "a": show(name, current), "b": show(name, proposed),
    }  # fmt: skip


def effect(name: str, current: Any, proposed: Any, *, electorate: int = 0) -> str:
    """One sentence a member can check with a pencil: what the change does, with an example."""
    kind_of(name)
    if proposed == current:
        return _direction(name, current, proposed)
    if unit(name) == TERRITORY:
        return _("“Local” goes from %(a)s to %(b)s; past sales keep how they were counted.") % {
            "a": show(name, current), "b": show(name, proposed),
        }  # fmt: skip
    if name == "coop_fee_percent":
        return _("On a basket of %(basket)s, the cooperative contribution goes from %(a)s to %(b)s.") % {
            "basket": _money(EXAMPLE_BASKET), "a": _money(percent_of(EXAMPLE_BASKET, current)),
            "b": _money(percent_of(EXAMPLE_BASKET, proposed)),
        }  # fmt: skip
    if name == "delivery_margin_percent":
        return _("On a delivery costing %(cost)s, the margin goes from %(a)s to %(b)s.") % {
            "cost": _money(EXAMPLE_DELIVERY), "a": _money(percent_of(EXAMPLE_DELIVERY, current)),
            "b": _money(percent_of(EXAMPLE_DELIVERY, proposed)),
        }  # fmt: skip
    if name == "fees_vat_percent":
        return _("In %(fees)s of fees, the VAT goes from %(a)s to %(b)s.") % {
            "fees": _money(EXAMPLE_FEES), "a": _money(tax_included_in(EXAMPLE_FEES, current)),
            "b": _money(tax_included_in(EXAMPLE_FEES, proposed)),
        }  # fmt: skip
    if name == "surplus_reserve_percent":
        return _("Of a surplus of %(surplus)s, the reserves get %(a)s instead of %(b)s; the rest is carried forward.") % {
            "surplus": _money(EXAMPLE_SURPLUS), "a": _money(percent_of(EXAMPLE_SURPLUS, proposed)),
            "b": _money(percent_of(EXAMPLE_SURPLUS, current)),
        }  # fmt: skip
    if name == "vote_quorum_percent" and electorate:
        return _("With today's %(n)d members who may vote, a vote counts with %(a)d voters instead of %(b)d.") % {
            "n": electorate, "a": _at_least(electorate, proposed), "b": _at_least(electorate, current),
        }  # fmt: skip
    return _direction(name, current, proposed)


def _at_least(electorate: int, percent: Decimal) -> int:
    """The fewest voters whose share of the electorate reaches `percent` (the tally's rule)."""
    needed = Decimal(electorate) * Decimal(percent) / 100
    return int(needed) + (0 if needed == int(needed) else 1)
