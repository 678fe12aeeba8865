"""The order total, line by line, without Django: goods per shop, their tax lines, fees.

Each shop order is one sale (one invoice), priced as a group. The region decides how taxes show:

- tax included (France, TTC shelf prices): each line's VAT is the tax inside its total, rounded half
  up; the shop order's VAT per rate is the sum of its lines (as on a French till receipt); the
  total is goods + fees, taxes shown as "of which VAT".
- tax added (Québec): each tax (GST, QST) is computed once per sale on the sum of the lines that bear
  it, rounded half up to the cent, each on the price before taxes (never tax on tax); the total is
  goods + taxes + fees. A line's `tax` is its share of those amounts (largest remainder), so lines
  add up to the sale's taxes to the cent.

Every fee is a line with its label and the source of its rate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from comptoir.core.money import Money, percent_of, tax_included_in
from comptoir.core.regions import Tax, TaxCode


@dataclass(frozen=True)
class LineIn:
    unit_price_cents: int
    quantity: int
    tax_rate: Decimal
    tax_code: TaxCode | None = None  # None: one VAT at `tax_rate` (France's rate as typed)


@dataclass(frozen=True)
class PricedLine:
    total: Money
    tax: Money


@dataclass(frozen=True)
class TaxAmount:
    """One tax line of a sale: "TPS 5 % on 12,34 $: 0,62 $"."""

    code: str
    label_fr: str
    label_en: str
    rate: Decimal
    base_cents: int  # what it was computed on (before taxes)
    amount_cents: int
    account: str
    included: bool

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> TaxAmount:
        return cls(
            str(data["code"]), str(data["label_fr"]), str(data["label_en"]), Decimal(str(data["rate"])),
            int(str(data["base_cents"])), int(str(data["amount_cents"])), str(data["account"]), bool(data["included"]),
        )  # fmt: skip

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code, "label_fr": self.label_fr, "label_en": self.label_en, "rate": str(self.rate),
            "base_cents": self.base_cents, "amount_cents": self.amount_cents, "account": self.account,
            "included": self.included,
        }  # fmt: skip


@dataclass(frozen=True)
class PricedGroup:
    lines: list[PricedLine]
    goods: Money
    taxes: list[TaxAmount]

    @property
    def tax(self) -> Money:
        return Money(sum(t.amount_cents for t in self.taxes), self.goods.currency)


@dataclass(frozen=True)
class Fee:
    kind: str
    label: str
    amount: Money
    source: str
    labels: dict[str, str] = field(default_factory=dict)  # the label in each language, when known


@dataclass(frozen=True)
class Quote:
    groups: list[list[PricedLine]]
    goods: Money
    tax: Money
    fees: list[Fee]
    taxes: list[TaxAmount] = field(default_factory=list)  # every tax line, summed over the shops
    group_taxes: list[list[TaxAmount]] = field(default_factory=list)
    prices_include_tax: bool = True

    @property
    def fees_total(self) -> Money:
        return sum((fee.amount for fee in self.fees), Money.zero(self.goods.currency))

    @property
    def tax_added(self) -> Money:
        return Money.zero(self.goods.currency) if self.prices_include_tax else self.tax

    @property
    def total(self) -> Money:
        return self.goods + self.tax_added + self.fees_total


def _taxes_of(line: LineIn) -> tuple[Tax, ...]:
    if line.tax_code is not None:
        return line.tax_code.taxes
    rate = Decimal(line.tax_rate)
    return (Tax("VAT", "TVA", "VAT", rate, "44571"),) if rate else ()


def price_line(line: LineIn) -> PricedLine:
    """One line with its tax included (a tax-included region's till)."""
    total = Money(line.unit_price_cents) * line.quantity
    tax = sum((tax_included_in(total, t.rate) for t in _taxes_of(line)), Money.zero(total.currency))
    return PricedLine(total, tax)


def _share(amount: int, weights: list[int]) -> list[int]:
    """Split `amount` in proportion to `weights`, whole cents, largest remainders first: sums exactly."""
    whole = sum(weights)
    if not whole:
        return [0] * len(weights)
    exact = [Decimal(amount) * w / whole for w in weights]
    floors = [int(e) for e in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[: amount - sum(floors)]:
        floors[i] += 1
    return floors


def _key(tax: Tax) -> tuple[str, Decimal]:
    return tax.code, tax.rate


def price_group(lines: list[LineIn], *, prices_include_tax: bool = True) -> PricedGroup:
    """One sale: its lines, its goods and its tax lines (see the module docstring for the rule)."""
    totals = [Money(line.unit_price_cents) * line.quantity for line in lines]
    currency = totals[0].currency if totals else Money.zero().currency
    goods = sum(totals, Money.zero(currency))
    kinds: dict[tuple[str, Decimal], Tax] = {}
    for line in lines:
        for tax in _taxes_of(line):
            kinds.setdefault(_key(tax), tax)
    if prices_include_tax:
        priced = [price_line(line) for line in lines]
        taxes = []
        for key, tax in kinds.items():
            bearing = [(total, line) for total, line in zip(totals, lines, strict=True)
                       if key in {_key(t) for t in _taxes_of(line)}]  # fmt: skip
            amount = sum(tax_included_in(total, tax.rate).cents for total, _line in bearing)
            base = sum(total.cents for total, _line in bearing) - amount
            taxes.append(
                TaxAmount(tax.code, tax.label_fr, tax.label_en, tax.rate, base, amount, tax.account, True)
            )
        return PricedGroup(priced, goods, taxes)
    shares = [0] * len(lines)
    taxes = []
    for key, tax in kinds.items():
        weights = [t.cents if key in {_key(x) for x in _taxes_of(line)} else 0
                   for t, line in zip(totals, lines, strict=True)]  # fmt: skip
        base = sum(weights)
        amount = int((Decimal(base) * tax.rate / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        taxes.append(
            TaxAmount(tax.code, tax.label_fr, tax.label_en, tax.rate, base, amount, tax.account, False)
        )
        shares = [s + part for s, part in zip(shares, _share(amount, weights), strict=True)]
    priced = [PricedLine(total, Money(share, currency)) for total, share in zip(totals, shares, strict=True)]
    return PricedGroup(priced, goods, taxes)


def group_goods(lines: list[PricedLine]) -> Money:
    return sum((line.total for line in lines), Money.zero())


def sum_taxes(groups: list[list[TaxAmount]]) -> list[TaxAmount]:
    """Tax lines of several sales, one per tax and rate, in the order they first appear."""
    summed: dict[tuple[str, Decimal], TaxAmount] = {}
    for group in groups:
        for t in group:
            was = summed.get((t.code, t.rate))
            summed[(t.code, t.rate)] = t if was is None else TaxAmount(
                t.code, t.label_fr, t.label_en, t.rate, was.base_cents + t.base_cents,
                was.amount_cents + t.amount_cents, t.account, t.included,
            )  # fmt: skip
    return list(summed.values())


def quote(
    groups: list[list[LineIn]], coop_fee: tuple[Decimal, str, str], extra_fees: list[Fee],
    *, prices_include_tax: bool = True,
) -> Quote:  # fmt: skip
    """Price every sale, then the cooperative fee (a governed percent of goods before any added tax)
    and the other fees.

    `coop_fee` is (percent, label, source); `extra_fees` come priced already (delivery).
    """
    priced = [price_group(group, prices_include_tax=prices_include_tax) for group in groups]
    currency = priced[0].goods.currency if priced else Money.zero().currency
    goods = sum((group.goods for group in priced), Money.zero(currency))
    tax = sum((group.tax for group in priced), Money.zero(currency))
    rate, label, source = coop_fee
    fees = [Fee("coop", label, percent_of(goods, rate), source), *extra_fees]
    group_taxes = [group.taxes for group in priced]
    return Quote(
        [group.lines for group in priced],
        goods,
        tax,
        fees,
        sum_taxes(group_taxes),
        group_taxes,
        prices_include_tax,
    )
