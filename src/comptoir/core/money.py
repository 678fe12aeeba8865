"""Money as integer minor units (cents), never floats.

Every amount that reaches an order, a fee or the ledger is a `Money`: an integer
number of minor units and a currency code, so sums are exact and a ledger entry
can be checked to the cent. Parsing accepts both "2,40" and "2.40".

A node serves one region, so one currency: `Money(240)` is in the node's currency,
set once at start-up from the region profile (`use_currency`, called by the core
app; EUR until then, e.g. in pure unit tests). Two currencies never add up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

DEFAULT_CURRENCY = "EUR"  # the founding region's; the node's own is `node_currency()`
_AMOUNT = re.compile(
    r"^\s*(-?)(\d{1,9})(?:[.,](\d{1,2}))?\s*(?:€|EUR|\$|CAD)?\s*$", re.ASCII
)  # 0-9 only: int() would read other scripts' digits too
SYMBOLS = {"EUR": "€", "CAD": "$", "USD": "$", "GBP": "£", "CHF": "CHF"}
_node = {"currency": DEFAULT_CURRENCY}


def use_currency(code: str) -> None:
    """Set the node's currency (the region profile's), once at start-up; tests may switch it."""
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise MoneyError(f"not a currency code: {code!r}")
    _node["currency"] = code


def node_currency() -> str:
    return _node["currency"]


class MoneyError(ValueError):
    """An amount that cannot be read or combined."""


@dataclass(frozen=True, order=True)
class Money:
    cents: int
    currency: str = field(default_factory=node_currency)

    def __add__(self, other: Money) -> Money:
        self._check_same_currency(other)
        return Money(self.cents + other.cents, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._check_same_currency(other)
        return Money(self.cents - other.cents, self.currency)

    def __mul__(self, quantity: int) -> Money:
        if not isinstance(quantity, int):
            raise MoneyError("money is multiplied by whole quantities only")
        return Money(self.cents * quantity, self.currency)

    def _check_same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise MoneyError(f"cannot combine {self.currency} and {other.currency}")

    @classmethod
    def zero(cls, currency: str | None = None) -> Money:
        return cls(0, currency or node_currency())

    @classmethod
    def parse(cls, text: str, currency: str | None = None) -> Money:
        """Read "2,40", "2.4", "12 €", "2,40 $" into cents; refuse anything ambiguous."""
        match = _AMOUNT.match(str(text))
        if not match:
            raise MoneyError(f"not an amount: {text!r}")
        sign, units, fraction = match.groups()
        cents = int(units) * 100 + int((fraction or "0").ljust(2, "0"))
        return cls(-cents if sign else cents, currency or node_currency())

    def as_decimal(self) -> Decimal:
        return Decimal(self.cents) / 100

    def format(self, locale: str = "fr") -> str:
        """The amount as the locale writes it, for this amount's currency.

        `locale` is a language ("fr", "en") or a region's locale ("fr-CA", "en-CA"): French puts the
        symbol after, with a comma and narrow no-break spaces (« 2,40 € », « 1 234,56 $ »); English
        puts it before («€2.40», «$2.40»). Other currencies show their ISO code as the symbol.
        Stable name and signature: templates reach it through the `money` filter.
        """
        sign = "-" if self.cents < 0 else ""
        units, cents = divmod(abs(self.cents), 100)
        symbol = SYMBOLS.get(self.currency, self.currency)
        if locale.startswith("fr"):
            grouped = f"{units:,}".replace(",", "\u202f")
            return f"{sign}{grouped},{cents:02d}\u00a0{symbol}"
        return f"{sign}{symbol}{units:,}.{cents:02d}"

    def __str__(self) -> str:
        return self.format("fr")


def percent_of(amount: Money, rate_percent: Decimal) -> Money:
    """A share of an amount, rounded half up to the cent (taxes, fee rates)."""
    try:
        exact = Decimal(amount.cents) * Decimal(rate_percent) / Decimal(100)
    except InvalidOperation as error:
        raise MoneyError(f"not a rate: {rate_percent!r}") from error
    return Money(int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)), amount.currency)


def tax_included_in(gross: Money, rate_percent: Decimal) -> Money:
    """The tax contained in a tax-inclusive price (French shelf prices are TTC)."""
    rate = Decimal(rate_percent)
    exact = Decimal(gross.cents) * rate / (Decimal(100) + rate)
    return Money(int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)), gross.currency)
