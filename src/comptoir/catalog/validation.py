"""One set of rules for an offer, whoever sends it: form, API or spreadsheet row.

`check_offer_fields` turns raw text values into typed fields or a list of
errors naming the column and the reason, so an import can report every bad row
and a form every bad field with the same words.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from comptoir.core.gtin import is_valid_gtin
from comptoir.core.money import Money, MoneyError

COLUMNS = [
    "sku", "gtin", "name_fr", "name_en", "description_fr", "description_en", "category",
    "unit", "quantity", "price", "tax_rate", "stock", "on_demand", "weight_g", "volume_ml", "active",
]  # fmt: skip
REQUIRED = ("sku", "name_fr", "price")
UNITS = {"piece", "g", "kg", "ml", "l", "m"}
TRUE_WORDS = {"1", "true", "yes", "oui", "vrai", "x"}
FALSE_WORDS = {"0", "false", "no", "non", "faux", ""}
MAX_PRICE_CENTS = 10_000_000


@dataclass(frozen=True)
class FieldError:
    column: str
    message: str


def _text(raw: dict[str, Any], column: str, max_length: int) -> tuple[str, FieldError | None]:
    value = str(raw.get(column) or "").strip()
    if len(value) > max_length:
        return value, FieldError(column, _("longer than %(n)d characters") % {"n": max_length})
    return value, None


def _whole(raw: dict[str, Any], column: str, default: int) -> tuple[int, FieldError | None]:
    text = str(raw.get(column) if raw.get(column) is not None else "").strip()
    if text == "":
        return default, None
    try:
        number = Decimal(text.replace(",", "."))
    except InvalidOperation:
        return default, FieldError(column, _("not a number: %(v)s") % {"v": text})
    if number != number.to_integral_value() or number < 0:
        return default, FieldError(column, _("must be a whole number, zero or more: %(v)s") % {"v": text})
    return int(number), None


def _flag(raw: dict[str, Any], column: str, default: bool) -> tuple[bool, FieldError | None]:
    value = raw.get(column)
    if value is None or (isinstance(value, str) and not value.strip()):
        return default, None
    if isinstance(value, bool):
        return value, None
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True, None
    if word in FALSE_WORDS:
        return False, None
    return default, FieldError(column, _("expected yes or no: %(v)s") % {"v": value})


def check_offer_fields(
    raw: dict[str, Any], categories: dict[str, int]
) -> tuple[dict[str, Any], list[FieldError]]:
    """Typed offer fields from raw values, and every error found (empty when valid).

    `categories` maps a category path to its id.
    """
    errors: list[FieldError] = []
    fields: dict[str, Any] = {}

    def keep(column: str, result: tuple[Any, FieldError | None]) -> None:
        value, error = result
        fields[column] = value
        if error:
            errors.append(error)

    for column in REQUIRED:
        if not str(raw.get(column) or "").strip():
            errors.append(FieldError(column, _("required")))
    keep("sku", _text(raw, "sku", 64))
    keep("name_fr", _text(raw, "name_fr", 200))
    keep("name_en", _text(raw, "name_en", 200))
    keep("description_fr", _text(raw, "description_fr", 5000))
    keep("description_en", _text(raw, "description_en", 5000))

    gtin = str(raw.get("gtin") or "").strip()
    if gtin and not is_valid_gtin(gtin):
        errors.append(FieldError("gtin", _("not a valid GTIN (check digit or length): %(v)s") % {"v": gtin}))
    fields["gtin"] = gtin

    category = str(raw.get("category") or "").strip().strip("/")
    fields["category_id"] = None
    if category:
        if category not in categories:
            errors.append(FieldError("category", _("unknown category: %(v)s") % {"v": category}))
        else:
            fields["category_id"] = categories[category]

    unit = str(raw.get("unit") or "piece").strip().lower()
    if unit not in UNITS:
        errors.append(FieldError("unit", _("unknown unit: %(v)s") % {"v": unit}))
    fields["unit"] = unit

    quantity_text = str(raw.get("quantity") or "1").strip().replace(",", ".")
    try:
        quantity = Decimal(quantity_text)
        if quantity <= 0 or quantity >= Decimal("10000000"):
            raise InvalidOperation
        fields["quantity"] = quantity.quantize(Decimal("0.001"))
    except InvalidOperation:
        errors.append(FieldError("quantity", _("must be a positive number: %(v)s") % {"v": quantity_text}))

    price_text = str(raw.get("price") or "").strip()
    if price_text:
        try:
            price = Money.parse(price_text)
            if not 0 <= price.cents <= MAX_PRICE_CENTS:
                raise MoneyError(price_text)
            fields["price_cents"] = price.cents
        except MoneyError:
            errors.append(FieldError("price", _("not a price (e.g. 2,40): %(v)s") % {"v": price_text}))

    tax_text = str(raw.get("tax_rate") or "5.5").strip().replace(",", ".").rstrip("%").strip()
    try:
        tax = Decimal(tax_text)
        if not 0 <= tax <= 100:
            raise InvalidOperation
        fields["tax_rate"] = tax
    except InvalidOperation:
        errors.append(FieldError("tax_rate", _("not a tax rate between 0 and 100: %(v)s") % {"v": tax_text}))

    keep("stock", _whole(raw, "stock", 0))
    keep("weight_g", _whole(raw, "weight_g", 0))
    keep("volume_ml", _whole(raw, "volume_ml", 0))
    keep("on_demand", _flag(raw, "on_demand", False))
    keep("active", _flag(raw, "active", True))
    return fields, errors
