"""Template filters: money and localised names."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import template
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext

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


# How `governance.selectors` writes a voted value's source (core/parameters.GovernedValue.source).
VOTED_SOURCE = re.compile(r"^proposal #(\d+), in force from (\d{4}-\d{2}-\d{2}) \(v(\d+)\)$")


@register.filter
def governed_source(text: Any) -> str | SafeString:
    """Where a governed value comes from, in the reader's language; a vote links to its proposal's page."""
    match = VOTED_SOURCE.match(str(text or ""))
    if match is None:
        return gettext(str(text or ""))  # "adopted at founding (v1)" and other texts with a msgid
    proposal_id, day, version = match.groups()
    words = gettext("proposal #%(id)s, in force from %(date)s (v%(version)s)") % {
        "id": proposal_id, "date": date_format(date.fromisoformat(day), "SHORT_DATE_FORMAT"), "version": version,
    }  # fmt: skip
    return format_html('<a href="{}">{}</a>', reverse("governance:proposal", args=[int(proposal_id)]), words)
