"""Days, weekdays and counted pieces as the reader's language writes them: « mer. 2 déc. »,
« lun. », « 6 pièces »; "Wed 2 Dec", "Mon", "6 pieces".

They need Django's translated month and weekday names and gettext's plurals, so they live here
rather than in `comptoir.core.formats` (which the pure cores import); numbers and units are
written by `formats`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import formats as django_formats
from django.utils import translation
from django.utils.translation import ngettext

from comptoir.core.formats import NBSP, UNIT_SYMBOLS, is_english, number, quantity


def day_short(value: datetime | date, lang: str | None) -> str:
    """« mer. 2 déc. » in French, "Wed 2 Dec" in English (`value` already in local time)."""
    with translation.override("en" if is_english(lang) else "fr"):
        if is_english(lang):
            return django_formats.date_format(value, "D j M")
        month = django_formats.date_format(value, "N").lower()
    return f"{_weekday_abbr(value, lang)} {value.day}{NBSP}{month}"


def day_long(value: datetime | date, lang: str | None) -> str:
    """« mercredi 2 décembre » in French (lower case inside a sentence), "Wednesday 2 December"."""
    with translation.override("en" if is_english(lang) else "fr"):
        text = django_formats.date_format(value, "l j F")
    return text if is_english(lang) else text.lower()


def month_short(value: date, lang: str | None) -> str:
    """« déc. », « mai » in French, "Dec", "May" in English: a month on a chart's axis."""
    with translation.override("en" if is_english(lang) else "fr"):
        text = django_formats.date_format(value, "N" if not is_english(lang) else "M")
    return text if is_english(lang) else text.lower()


def weekday_short(weekday: int, lang: str | None) -> str:
    """« lun. » … « dim. » in French, "Mon" … "Sun" in English (0 is Monday, as `date.weekday()`)."""
    return _weekday_abbr(_A_MONDAY + timedelta(days=weekday), lang)


def size(amount: Decimal | int | float, unit: str, lang: str | None) -> str:
    """What one offer holds: « 6 pièces », « 1 pièce », « 0,4 kg », « 400 g »; "6 pieces", "0.4 kg".

    `unit` is the catalog's code ("piece", "g", "kg", "ml", "l", "m"); pieces are counted words
    (ngettext), the others symbols after a no-break space."""
    exact = Decimal(str(amount))
    if unit != "piece":
        return quantity(exact, None, UNIT_SYMBOLS.get(unit, unit), lang)
    count = int(exact) if exact == exact.to_integral_value() else 2  # 1,5 pièces: a plural
    with translation.override("en" if is_english(lang) else "fr"):
        words = ngettext("%(n)s piece", "%(n)s pieces", count)
    return words.replace(" ", NBSP, 1) % {"n": number(exact, None, lang)}


_A_MONDAY = date(2024, 1, 1)


def _weekday_abbr(value: date, lang: str | None) -> str:
    with translation.override("en" if is_english(lang) else "fr"):
        text = django_formats.date_format(value, "D")
    return text if is_english(lang) else text.lower().rstrip(".") + "."
