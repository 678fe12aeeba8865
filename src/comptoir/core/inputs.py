"""Numbers from forms, API bodies, query strings and spreadsheet cells, with errors people can read.

The strict reading lives in the pure `comptoir.core.numbers`; this module words its
refusals in the person's language and names the field, for every app (catalog
offers and imports, order quantities, pagination). `read_*` raise `InvalidInput`
with `field` set; `number_error_message` gives the text alone (import rows list it).
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from comptoir.core.errors import InvalidInput
from comptoir.core.numbers import MAX_TEXT, NumberError, parse_decimal, parse_whole

# Bounds shared by the apps: a page number or offset beyond these is an attack or a typo.
MAX_PAGE = 100_000
MAX_OFFSET = 10_000_000


def _shown(value: Decimal | int | None) -> str:
    return "" if value is None else number_format(value, use_l10n=True, force_grouping=True)


def number_error_message(error: NumberError) -> str:
    """Why the text was refused, without the field's name (callers show it beside)."""
    if error.kind == "too_long":
        return _("too long for a number (%(n)d characters at most)") % {"n": MAX_TEXT}
    if error.kind == "places":
        if error.places == 0:
            return _("must be a whole number: %(v)s") % {"v": error.text}
        return _("at most %(n)d decimals: %(v)s") % {"n": error.places, "v": error.text}
    if error.kind == "range":
        return _("must be between %(low)s and %(high)s: %(v)s") % {
            "low": _shown(error.low), "high": _shown(error.high), "v": error.text,
        }  # fmt: skip
    return _("not a number (digits, e.g. 12 or 2,5): %(v)s") % {"v": error.text}


def read_whole(value: object, *, field: str, low: int, high: int) -> int:
    try:
        return parse_whole(value, low=low, high=high)
    except NumberError as error:
        raise InvalidInput(f"{field}: {number_error_message(error)}", field=field) from error


def read_decimal(
    value: object, *, field: str, low: Decimal | int, high: Decimal | int, places: int
) -> Decimal:
    try:
        return parse_decimal(value, low=low, high=high, places=places)
    except NumberError as error:
        raise InvalidInput(f"{field}: {number_error_message(error)}", field=field) from error


def read_page(value: object, *, field: str = "page") -> int:
    """A page number from a query string: empty means 1."""
    if value in (None, ""):
        return 1
    return read_whole(value, field=field, low=1, high=MAX_PAGE)
