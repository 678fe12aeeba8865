"""Template helpers of delivery pages: the one order number, distances and sizes in the page's locale."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import formats, timezone
from django.utils.translation import get_language

from comptoir.delivery import selectors

register = template.Library()


@register.filter
def order_number(order_id: int) -> str:
    """C000033: the number residents, shops and couriers all see for one order."""
    return selectors.order_number(int(order_id))


@register.simple_tag
def km(metres: int) -> str:
    """« 2,5 km » in French, "2.5 km" in English (non-breaking space)."""
    return f"{formats.number_format(round(metres / 1000, 1), 1, use_l10n=True)}\u00a0km"


@register.filter
def parcel_size(parcel: object) -> str:
    """« 0,4 kg · 0,1 L »."""
    return selectors.parcel_size(parcel.weight_g, parcel.volume_ml)  # type: ignore[attr-defined]


@register.filter
def day_short(value: datetime | date | None) -> str:
    """« mer. 2 déc. » in French, "Wed 2 Dec" in English, in the local time zone."""
    if value is None:
        return ""
    value = timezone.localtime(value) if isinstance(value, datetime) else value
    if (get_language() or "fr").startswith("fr"):
        weekday = formats.date_format(value, "D").lower().rstrip(".")
        return f"{weekday}. {value.day}\u00a0{formats.date_format(value, 'N').lower()}"
    return formats.date_format(value, "D j M")


@register.filter
def day_long(value: datetime | date | None) -> str:
    """« mercredi 2 décembre » in French (no capital inside a sentence), "Wednesday 2 December"."""
    if value is None:
        return ""
    value = timezone.localtime(value) if isinstance(value, datetime) else value
    text = formats.date_format(value, "l j F")
    return text.lower() if (get_language() or "fr").startswith("fr") else text
