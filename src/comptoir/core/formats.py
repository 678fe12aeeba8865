"""Numbers, units, percentages and days as the reader's language writes them.

French: decimal comma, thin no-break space (U+202F) between thousands, no-break space
(U+00A0) before a unit and the double punctuation : ; ! ?, a thin one before a percent sign,
weekdays and months in lower case (« mer. 2 déc. », « 2,5 km », « 2,0 % »).
English: decimal point, comma between thousands, "2.5 km", "2.0%", "Wed 2 Dec".

Money has its own formatter (`comptoir.core.money`); this module is for every other number a
page, an email, a message or a pure core prints (the search's "why", the planner's split
message): it takes the language explicitly and imports no Django, so the pure cores use it too
(an import-linter contract says so). Days and counted pieces need Django's translations: they
are in `comptoir.core.l10n`, built on these functions.
"""

from __future__ import annotations

import re
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


UNIT_SYMBOLS = {"l": "L", "ml": "mL"}  # SI writes the litre L, so a 1 never passes for an l
