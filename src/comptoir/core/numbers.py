"""Numbers typed by people, read strictly and within bounds, without Django.

Every numeric input of the node (prices, stock, weights, quantities, tax rates,
coordinates, pages and offsets) goes through `parse_whole` or `parse_decimal`.
`Decimal("1e999999999")` builds a billion-digit number and `Decimal("sNaN")`
raises on comparison, so the text is checked *before* any Decimal exists: at
most `MAX_TEXT` characters, digits with an optional sign and one decimal
separator ("2,5" or "2.5"), groups of three digits separated by spaces allowed
("1 000"), no exponent, no Infinity or NaN. Then the value must lie in the
caller's range. Errors carry a kind, so each caller words them in its own
language and names its own field (`comptoir.core.inputs` does it for Django code).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

MAX_TEXT = 32
_SPACES = " \u00a0\u202f"
_NUMBER = re.compile(
    r"^(?P<sign>[+-]?)(?P<units>\d{1,15}|\d{1,3}(?:[ \u00a0\u202f]\d{3}){1,4})(?:[.,](?P<fraction>\d{1,9}))?$",
    re.ASCII,  # \d is 0-9 only: no other script's digits
)


@dataclass
class NumberError(ValueError):
    """Why a text is not an acceptable number: kind is too_long, syntax, places or range."""

    kind: str
    text: str
    low: Decimal | int | None = None
    high: Decimal | int | None = None
    places: int = 0

    def __str__(self) -> str:
        return f"{self.kind}: {self.text!r}"


def _match(value: object) -> tuple[re.Match[str], str]:
    if isinstance(value, bool):  # True is an int in Python, never a number a person typed
        raise NumberError("syntax", str(value))
    if isinstance(value, int):
        value = str(value)
    elif isinstance(value, float):
        value = repr(value)  # inf, nan and 1e+300 fail the syntax below like their text forms
    elif isinstance(value, Decimal):
        value = str(value)
    if not isinstance(value, str):
        raise NumberError("syntax", str(value)[:MAX_TEXT])
    if len(value) > MAX_TEXT:
        raise NumberError("too_long", value[:MAX_TEXT])
    text = value.strip()
    match = _NUMBER.match(text)
    if match is None:
        raise NumberError("syntax", text)
    return match, text


def parse_decimal(value: object, *, low: Decimal | int, high: Decimal | int, places: int) -> Decimal:
    """A decimal with at most `places` decimals, in [low, high]."""
    match, text = _match(value)
    fraction = (match["fraction"] or "").rstrip("0")
    if len(fraction) > places:
        raise NumberError("places", text, low, high, places)
    units = "".join(c for c in match["units"] if c not in _SPACES)
    number = Decimal(f"{match['sign']}{units}.{fraction}" if fraction else f"{match['sign']}{units}")
    if not Decimal(low) <= number <= Decimal(high):
        raise NumberError("range", text, low, high, places)
    return number


def parse_whole(value: object, *, low: int, high: int) -> int:
    """A whole number in [low, high] ("12", "1 000"; "12,0" is accepted as 12)."""
    return int(parse_decimal(value, low=low, high=high, places=0))
