"""Numbers, units, percentages and days as the reader's language writes them.

French: decimal comma, thin no-break space (U+202F) between thousands, no-break space
(U+00A0) before a unit and the double punctuation : ; ! ?, a thin one before a percent sign,
weekdays and months in lower case (« mer. 2 déc. », « 2,5 km », « 2,0 % »).
English: decimal point, comma between thousands, "2.5 km", "2.0%", "Wed 2 Dec".

Money has its own formatter (`comptoir.core.money`); this module is for everything else a
page, an email or a message prints. The number functions take the language explicitly (no
Django); the day functions use Django's translated month and weekday names.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

NBSP = "\u00a0"
NNBSP = "\u202f"


def is_english(lang: str | None) -> bool:
    return (lang or "fr").startswith("en")


def number(value: float | int | Decimal, places: int | None, lang: str | None) -> str:
    """2,5 in French, 2.5 in English; thousands grouped; rounded half up to `places` (None: the
    decimals the value has, trailing zeros dropped: 5.50 → 5,5 and 20.00 → 20)."""
    exact = Decimal(str(value))
    if places is None:
        exact = exact.normalize()
        places = max(0, -int(exact.as_tuple().exponent))
    exact = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if exact == 0:
        exact = abs(exact)  # never "-0,0"
    text = f"{exact:,.{places}f}"
    if is_english(lang):
        return text
    return text.replace(",", NNBSP).replace(".", ",")


def quantity(value: float | int | Decimal, places: int | None, unit: str, lang: str | None) -> str:
    """« 2,5 km », "2.5 km": the unit after a no-break space in both languages."""
    return f"{number(value, places, lang)}{NBSP}{unit}"


def percent(value: float | int | Decimal, places: int | None, lang: str | None) -> str:
    """« 2,0 % » in French (thin no-break space, as the governed values write it), "2.0%" in English."""
    sep = "" if is_english(lang) else NNBSP
    return f"{number(value, places, lang)}{sep}%"


def decimal_marks(text: str, lang: str | None) -> str:
    """A text of plain numbers ("9.930^1 × 0.899^1") with the language's decimal mark."""
    return text if is_english(lang) else re.sub(r"(?<=\d)\.(?=\d)", ",", text)


_BEFORE_DOUBLE = re.compile(r"(?<=\S) (?=[:;!?»])")
_AFTER_GUILLEMET = re.compile(r"« ")


def french_spacing(text: str) -> str:
    """A no-break space where French text has a plain one before : ; ! ? » and after «
    (« Créneau : », « Merci ! »); nothing is added where there was no space ("10:30", "https://")."""
    return _AFTER_GUILLEMET.sub(f"«{NBSP}", _BEFORE_DOUBLE.sub(NBSP, text))


def colon(label: str, lang: str | None) -> str:
    """« Total : » in French (no-break space before the colon), "Total:" in English."""
    return f"{label}:" if is_english(lang) else f"{label}{NBSP}:"


def day_short(value: datetime | date, lang: str | None) -> str:
    """« mer. 2 déc. » in French, "Wed 2 Dec" in English (`value` already in local time)."""
    from django.utils import formats, translation

    with translation.override("en" if is_english(lang) else "fr"):
        if is_english(lang):
            return formats.date_format(value, "D j M")
        month = formats.date_format(value, "N").lower()
    return f"{_weekday_abbr(value, lang)} {value.day}{NBSP}{month}"


def day_long(value: datetime | date, lang: str | None) -> str:
    """« mercredi 2 décembre » in French (lower case inside a sentence), "Wednesday 2 December"."""
    from django.utils import formats, translation

    with translation.override("en" if is_english(lang) else "fr"):
        text = formats.date_format(value, "l j F")
    return text if is_english(lang) else text.lower()


def weekday_short(weekday: int, lang: str | None) -> str:
    """« lun. » … « dim. » in French, "Mon" … "Sun" in English (0 is Monday, as `date.weekday()`)."""
    return _weekday_abbr(_A_MONDAY + timedelta(days=weekday), lang)


def size(amount: Decimal | int | float, unit: str, lang: str | None) -> str:
    """What one offer holds: « 6 pièces », « 1 pièce », « 0,4 kg », « 400 g »; "6 pieces", "0.4 kg".

    `unit` is the catalog's code ("piece", "g", "kg", "ml", "l", "m"); pieces are counted words
    (ngettext), the others symbols after a no-break space."""
    from django.utils import translation
    from django.utils.translation import ngettext

    exact = Decimal(str(amount))
    if unit != "piece":
        return quantity(exact, None, UNIT_SYMBOLS.get(unit, unit), lang)
    count = int(exact) if exact == exact.to_integral_value() else 2  # 1,5 pièces: a plural
    with translation.override("en" if is_english(lang) else "fr"):
        words = ngettext("%(n)s piece", "%(n)s pieces", count)
    return words.replace(" ", NBSP, 1) % {"n": number(exact, None, lang)}


UNIT_SYMBOLS = {"l": "L", "ml": "mL"}  # SI writes the litre L, so a 1 never passes for an l
_A_MONDAY = date(2024, 1, 1)


def _weekday_abbr(value: date, lang: str | None) -> str:
    from django.utils import formats, translation

    with translation.override("en" if is_english(lang) else "fr"):
        text = formats.date_format(value, "D")
    return text if is_english(lang) else text.lower().rstrip(".") + "."
