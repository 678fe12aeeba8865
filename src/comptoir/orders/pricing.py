"""The order total, line by line, without Django: goods per shop, the VAT they include, fees.

Shelf prices include VAT (French TTC prices), so taxes are shown as "of which VAT" and the
total is goods + fees. Every fee is a line with its label and the source of its rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from comptoir.core.money import Money, percent_of, tax_included_in


@dataclass(frozen=True)
class LineIn:
    unit_price_cents: int
    quantity: int
    tax_rate: Decimal


@dataclass(frozen=True)
class PricedLine:
    total: Money
    tax: Money


@dataclass(frozen=True)
class Fee:
    kind: str
    label: str
    amount: Money
    source: str


@dataclass(frozen=True)
class Quote:
    groups: list[list[PricedLine]]
    goods: Money
    tax: Money
    fees: list[Fee]

    @property
    def fees_total(self) -> Money:
        return sum((fee.amount for fee in self.fees), Money.zero())

    @property
    def total(self) -> Money:
        return self.goods + self.fees_total


def price_line(line: LineIn) -> PricedLine:
    total = Money(line.unit_price_cents) * line.quantity
    return PricedLine(total, tax_included_in(total, line.tax_rate))


def group_goods(lines: list[PricedLine]) -> Money:
    return sum((line.total for line in lines), Money.zero())


def quote(groups: list[list[LineIn]], coop_fee: tuple[Decimal, str, str], extra_fees: list[Fee]) -> Quote:
    """Price every line, then the cooperative fee (a governed percent of goods) and the other fees.

    `coop_fee` is (percent, label, source); `extra_fees` come priced already (delivery).
    """
    priced = [[price_line(line) for line in group] for group in groups]
    goods = sum((group_goods(group) for group in priced), Money.zero())
    tax = sum((line.tax for group in priced for line in group), Money.zero())
    rate, label, source = coop_fee
    fees = [Fee("coop", label, percent_of(goods, rate), source), *extra_fees]
    return Quote(priced, goods, tax, fees)
