"""One set of rules for an offer, whoever sends it: form, API or spreadsheet row.

`check_offer_fields` turns raw text values into typed fields or a list of
errors naming the column and the reason, so an import can report every bad row
and a form every bad field with the same words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from comptoir.catalog.models import Offer
from comptoir.core import formats
from comptoir.core.gtin import is_valid_gtin
from comptoir.core.inputs import number_error_message
from comptoir.core.money import Money, MoneyError
from comptoir.core.numbers import MAX_TEXT, NumberError, parse_decimal, parse_whole
from comptoir.core.region import node_region
from comptoir.core.regions import Region, RegionError
from comptoir.core.territories import POSTAL_EXAMPLES, postal_code_in

COLUMNS = [
    "sku", "gtin", "name_fr", "name_en", "description_fr", "description_en", "category",
    "unit", "quantity", "price", "tax_rate", "tax_code", "stock", "on_demand", "weight_g", "volume_ml", "active",
    "supplier", "origin", "origin_lat", "origin_lon", "origin_postal_code", "origin_country", "origin_stated_by",
    "origin_label",
]  # fmt: skip
# Columns a file may leave out (files written before suppliers existed still import).
OPTIONAL_COLUMNS = (
    "supplier", "origin", "origin_lat", "origin_lon", "origin_postal_code", "origin_country", "origin_stated_by",
    "origin_label",
)  # fmt: skip
REQUIRED = ("sku", "name_fr", "price")
UNITS = {"piece", "g", "kg", "ml", "l", "m"}
TRUE_WORDS = {"1", "true", "yes", "oui", "vrai", "x"}
FALSE_WORDS = {"0", "false", "no", "non", "faux", ""}
MAX_DESCRIPTION = 5000
MAX_PRICE_CENTS = 10_000_000  # 100 000 €: no shop of the node sells dearer; a typo is refused
# Upper bounds a real offer never reaches; they stop a typo (or an attack) from reaching the database.
MAX_STOCK = 1_000_000
MAX_WEIGHT_G = 1_000_000  # one tonne
MAX_VOLUME_ML = 1_000_000  # one cubic metre
MAX_QUANTITY = Decimal("9999999.999")  # the column holds 10 digits, 3 of them decimals
# What a person may write in the unit column: codes, and the words the form shows in French and English.
UNIT_WORDS = {
    **{code: code for code in UNITS},
    "pièce": "piece", "pièces": "piece", "pieces": "piece", "pc": "piece", "pcs": "piece", "unité": "piece",
    "gramme": "g", "grammes": "g", "gram": "g", "grams": "g", "kilo": "kg", "kilogramme": "kg",
    "kilogrammes": "kg", "kilogram": "kg", "kilograms": "kg", "millilitre": "ml", "millilitres": "ml",
    "litre": "l", "litres": "l", "liter": "l", "liters": "l", "mètre": "m", "mètres": "m", "metre": "m",
    "metres": "m", "meter": "m", "meters": "m",
}  # fmt: skip


@dataclass(frozen=True)
class FieldError:
    column: str
    message: str


def _text(raw: dict[str, Any], column: str, max_length: int) -> tuple[str, FieldError | None]:
    value = str(raw.get(column) or "").strip()
    if len(value) > max_length:
        return value, FieldError(column, _("longer than %(n)d characters") % {"n": max_length})
    return value, None


def _number_text(raw: dict[str, Any], column: str) -> str:
    value = raw.get(column)
    return "" if value is None else str(value).strip()[: MAX_TEXT + 1]


def _whole(raw: dict[str, Any], column: str, default: int, high: int) -> tuple[int, FieldError | None]:
    text = _number_text(raw, column)
    if text == "":
        return default, None
    try:
        return parse_whole(text, low=0, high=high), None
    except NumberError as error:
        return default, FieldError(column, number_error_message(error))


def _decimal(
    raw: dict[str, Any], column: str, default: str, low: Decimal, high: Decimal, places: int
) -> tuple[Decimal | None, FieldError | None]:
    text = _number_text(raw, column) or default
    try:
        return parse_decimal(text, low=low, high=high, places=places), None
    except NumberError as error:
        return None, FieldError(column, number_error_message(error))


def read_unit(value: Any) -> str | None:
    """The unit code for what a person wrote: the code ("piece") or a word the form shows ("pièce")."""
    word = str(value or "").strip().lower()
    return UNIT_WORDS.get(word)


def accepted_units() -> str:
    return ", ".join(sorted({*UNITS, *(str(label).lower() for _code, label in Offer.Unit.choices)}))


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
    return default, FieldError(column, _("expected yes or no: %(v)s") % {"v": str(value)[:40]})


def _taxes(raw: dict[str, Any], region: Region) -> tuple[dict[str, Any], list[FieldError]]:
    """tax_rate and tax_code, which must agree: the code names the taxes, the rate is their sum.

    Where the region lets a shop type any single rate (France's historic `tax_rate` column), a rate
    alone is kept as typed with no code. Elsewhere (Québec) a rate alone must be one of the codes'
    combined rates ("14.975" is TPS+TVQ), and nothing at all means the region's default code.
    """
    code_text = str(raw.get("tax_code") or "").strip()[:MAX_TEXT]
    rate_text = _number_text(raw, "tax_rate").rstrip("%").strip()
    places = 2 if region.rates_typed else 3
    default = str(region.tax_code(region.default_tax_code).rate)
    rate, error = _decimal({"tax_rate": rate_text}, "tax_rate", default, Decimal(0), Decimal(100), places)
    if error or rate is None:
        return {}, [error or FieldError("tax_rate", _("required"))]
    if code_text:  # France: a code only names a rate, and only the rate is kept (exports stay as they were)
        try:
            code = region.tax_code(code_text)
        except RegionError:
            accepted = ", ".join(c.code for c in region.tax_codes)
            message = _("unknown tax code: %(v)s (accepted here: %(all)s)") % {
                "v": code_text,
                "all": accepted,
            }
            return {}, [FieldError("tax_code", message)]
        if rate_text and rate != code.rate:
            message = _("%(rate)s does not add up with tax code %(code)s (%(expected)s)") % {
                "rate": _rate_text(rate), "code": code.code, "expected": _rate_text(code.rate),
            }  # fmt: skip
            return {}, [FieldError("tax_rate", message)]
        return {"tax_code": "" if region.rates_typed else code.code, "tax_rate": code.rate}, []
    if region.rates_typed:
        return {"tax_code": "", "tax_rate": rate}, []
    matching = [c for c in region.tax_codes if c.rate == rate]
    if rate_text and len(matching) != 1:
        accepted = ", ".join(f"{c.code} ({_rate_text(c.rate)})" for c in region.tax_codes)
        message = _("give a tax code for %(rate)s (accepted here: %(all)s)") % {
            "rate": _rate_text(rate),
            "all": accepted,
        }
        return {}, [FieldError("tax_code", message)]
    code = matching[0] if rate_text else region.tax_code(region.default_tax_code)
    return {"tax_code": code.code, "tax_rate": code.rate}, []


def _rate_text(rate: Decimal) -> str:
    """« 9,975 % » in French, "9.975%" in English: the rate as the message's language writes it."""
    return formats.percent(rate, None, get_language())


def check_offer_fields(
    raw: dict[str, Any], categories: dict[str, int], suppliers: Mapping[str, int] | None = None
) -> tuple[dict[str, Any], list[FieldError]]:
    """Typed offer fields from raw values, and every error found (empty when valid).

    `categories` maps a category path to its id, `suppliers` a supplier reference to its id
    (at least the references the row names; a reference missing from it is unknown).
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
    keep("description_fr", _text(raw, "description_fr", MAX_DESCRIPTION))
    keep("description_en", _text(raw, "description_en", MAX_DESCRIPTION))

    gtin = str(raw.get("gtin") or "").strip()
    if gtin and not is_valid_gtin(gtin):
        errors.append(
            FieldError("gtin", _("not a valid GTIN (check digit or length): %(v)s") % {"v": gtin[:40]})
        )
    fields["gtin"] = gtin

    category = str(raw.get("category") or "").strip().strip("/")
    fields["category_id"] = None
    if category:
        if category not in categories:
            errors.append(FieldError("category", _("unknown category: %(v)s") % {"v": category[:200]}))
        else:
            fields["category_id"] = categories[category]

    unit = read_unit(raw.get("unit") or "piece")
    if unit is None:
        errors.append(FieldError("unit", _("unknown unit: %(v)s (accepted: %(all)s)")
                                 % {"v": str(raw.get("unit"))[:40], "all": accepted_units()}))  # fmt: skip
    fields["unit"] = unit or "piece"

    quantity, error = _decimal(raw, "quantity", "1", Decimal("0.001"), MAX_QUANTITY, 3)
    if error or quantity is None:
        errors.append(error or FieldError("quantity", _("required")))
    else:
        fields["quantity"] = quantity.quantize(Decimal("0.001"))

    price_text = _number_text(raw, "price")
    if price_text:
        try:
            if len(price_text) > MAX_TEXT:
                raise MoneyError(price_text)
            price = Money.parse(price_text)
            if not 0 <= price.cents <= MAX_PRICE_CENTS:
                raise MoneyError(price_text)
            fields["price_cents"] = price.cents
        except MoneyError:
            errors.append(
                FieldError("price", _("not a price (e.g. 2,40): %(v)s") % {"v": price_text[:MAX_TEXT]})
            )

    tax_fields, tax_errors = _taxes(raw, node_region())
    fields.update(tax_fields)
    errors.extend(tax_errors)

    keep("stock", _whole(raw, "stock", 0, MAX_STOCK))
    keep("weight_g", _whole(raw, "weight_g", 0, MAX_WEIGHT_G))
    keep("volume_ml", _whole(raw, "volume_ml", 0, MAX_VOLUME_ML))
    keep("on_demand", _flag(raw, "on_demand", False))
    keep("active", _flag(raw, "active", True))
    errors.extend(check_provenance(raw, fields, suppliers or {}))
    return fields, errors


STATED_BY_WORDS = {
    "shop": "shop", "boutique": "shop", "commerce": "shop", "magasin": "shop",
    "supplier": "supplier", "fournisseur": "supplier", "producteur": "supplier", "producer": "supplier",
    "label": "label",
}  # fmt: skip


def _coordinate(raw: dict[str, Any], column: str, bound: int) -> tuple[float | None, FieldError | None]:
    text = _number_text(raw, column).replace(",", ".")
    if not text:
        return None, None
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not -bound <= value <= bound:  # also false for nan
        return None, FieldError(column, _("not a coordinate between -%(b)d and %(b)d: %(v)s")
                                % {"b": bound, "v": text[:40]})  # fmt: skip
    return value, None


def _check_production_postal_code(
    raw: dict[str, Any], fields: dict[str, Any], *, placed: bool
) -> list[FieldError]:
    """The declared place's postal code, written its country's way, and its country (blank: the node's).

    A code that is not one of its country's is refused, never stored as typed: it decides whether the
    place lies in the territory the members voted "local" (decision 0020).
    """
    country = re.sub(r"\s+", "", str(raw.get("origin_country") or "")).upper()
    fields["origin_postal_code"], fields["origin_country"] = "", ""
    if country and not re.fullmatch(r"[A-Z]{2}", country):
        return [FieldError("origin_country", _("expected a two-letter country code such as CA or FR: %(v)s")
                           % {"v": country[:20]})]  # fmt: skip
    fields["origin_country"] = country
    code, error = _text(raw, "origin_postal_code", 10)
    if error or not code:
        return [error] if error else []
    written = postal_code_in(code, country or node_region().country)
    if written is None:
        where = country or node_region().country
        return [FieldError("origin_postal_code", _("%(code)s is not a postal code of %(country)s (for example "
                                                   "%(example)s)") % {"code": code, "country": where,
                                                                      "example": POSTAL_EXAMPLES.get(where, "")})]  # fmt: skip
    if not placed:
        return [FieldError("origin_postal_code", _("give the latitude and the longitude of the place of production "
                                                   "with its postal code"))]  # fmt: skip
    fields["origin_postal_code"] = written
    return []


def check_provenance(
    raw: dict[str, Any], fields: dict[str, Any], suppliers: Mapping[str, int]
) -> list[FieldError]:
    """The supplier (by reference), the declared place of production and who stated it.

    Fills `fields` with supplier_id, origin_place, origin_lat, origin_lon, origin_postal_code,
    origin_country, origin_stated_by and origin_label. A reference that names no supplier is an error, never a new supplier: shops
    create or match suppliers on their own page (decision 0015).
    """
    errors: list[FieldError] = []
    ref = str(raw.get("supplier") or "").strip()
    fields["supplier_id"] = None
    if ref:
        if ref in suppliers:
            fields["supplier_id"] = suppliers[ref]
        else:
            errors.append(FieldError("supplier", _("unknown supplier reference: %(v)s") % {"v": ref[:64]}))
    place, error = _text(raw, "origin", 150)
    fields["origin_place"] = place
    errors.extend([error] if error else [])
    lat, lat_error = _coordinate(raw, "origin_lat", 90)
    lon, lon_error = _coordinate(raw, "origin_lon", 180)
    errors.extend(e for e in (lat_error, lon_error) if e)
    if not lat_error and not lon_error and (lat is None) != (lon is None):
        errors.append(FieldError("origin_lat", _("give both the latitude and the longitude of the origin")))
        lat = lon = None
    fields["origin_lat"], fields["origin_lon"] = lat, lon
    errors.extend(_check_production_postal_code(raw, fields, placed=lat is not None))
    label, error = _text(raw, "origin_label", 100)
    fields["origin_label"] = label
    errors.extend([error] if error else [])
    said = str(raw.get("origin_stated_by") or "").strip().lower()
    stated_by = STATED_BY_WORDS.get(said, "")
    if said and not stated_by:
        errors.append(
            FieldError("origin_stated_by", _("expected shop, supplier or label: %(v)s") % {"v": said[:40]})
        )
    stated = bool(ref or place or lat is not None or label)
    if not stated:
        stated_by = ""  # nothing stated: nobody to cite
    elif not stated_by:
        stated_by = "label" if label else "shop"  # whoever fills the row vouches for it
    if stated_by == "label" and not label:
        errors.append(FieldError("origin_label", _("name the label that states the origin")))
    fields["origin_stated_by"] = stated_by
    return errors
