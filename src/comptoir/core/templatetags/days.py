"""Days in the page's language, for every app's templates: `{% load days %}`.

« mer. 2 déc. », « mercredi 2 décembre », « lun. »; "Wed 2 Dec", "Wednesday 2 December", "Mon".
One library, so the web, orders and delivery pages cannot write a day two ways."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import timezone
from django.utils.translation import get_language

from comptoir.core import l10n

register = template.Library()


def _local(value: datetime | date) -> datetime | date:
    return timezone.localtime(value) if isinstance(value, datetime) else value


@register.filter
def day_short(value: datetime | date | None) -> str:
    """« mer. 2 déc. » in French, "Wed 2 Dec" in English, in the local time zone."""
    return "" if value is None else l10n.day_short(_local(value), get_language())


@register.filter
def day_long(value: datetime | date | None) -> str:
    """« mercredi 2 décembre » in French (no capital inside a sentence), "Wednesday 2 December"."""
    return "" if value is None else l10n.day_long(_local(value), get_language())


@register.filter
def weekday_short(weekday: int | None) -> str:
    """« lun. » in French, "Mon" in English, for an opening hours' weekday (0 is Monday)."""
    if weekday is None or weekday == "":
        return ""
    return l10n.weekday_short(int(weekday), get_language())
