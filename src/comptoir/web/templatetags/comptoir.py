"""Template filters: money and localised names."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from comptoir.core.money import Money

register = template.Library()


@register.filter
def money(cents: int | None) -> str:
    if cents is None:
        return ""
    return Money(int(cents)).format(get_language() or "fr")


@register.filter
def localized(obj: Any, field: str) -> str:
    """obj.<field>_en in English when filled, else obj.<field>_fr."""
    if (get_language() or "fr").startswith("en"):
        english = getattr(obj, f"{field}_en", "")
        if english:
            return str(english)
    return str(getattr(obj, f"{field}_fr", ""))


@register.filter
def money_plain(cents: int | None) -> str:
    """An amount as typed in a form: "2,40" in French, "2.40" in English."""
    if cents is None:
        return ""
    units, rest = divmod(int(cents), 100)
    separator = "." if (get_language() or "fr").startswith("en") else ","
    return f"{units}{separator}{rest:02d}"
