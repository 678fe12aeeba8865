"""Template filters: money (in the node's currency, written as its region does), numbers, percentages,
days and labels in the page's language, localised names."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from django import template
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext as _

from comptoir.core import formats, l10n
from comptoir.core.money import Money
from comptoir.core.region import node_region
from comptoir.core.regions import RegionError

register = template.Library()


@register.filter
def money(cents: int | None) -> str:
    """Minor units in the node's currency, as the page's language writes them in the node's region:
    « 2,40 € » (France), « 2,40 $ » (Québec, French), "$2.40" (Québec, English).

    Stable name and signature (templates and emails use it everywhere); the region decides the
    currency and the locale, the page's language only which of the region's locales."""
    if cents is None:
        return ""
    return Money(int(cents)).format(node_region().money_locale(get_language() or "fr"))


@register.filter
def tax_note(offer: Any) -> str:
    """What the shelf price means for taxes: "VAT 5.5 % included", or "plus GST 5 % and QST 9.975 %"."""
    region = node_region()
    language = get_language() or "fr"
    if region.rates_typed and not offer.tax_code:
        return _("VAT %(rate)s included") % {"rate": formats.percent(offer.tax_rate, None, language)}
    try:
        taxes = region.tax_code(offer.tax_code or region.default_tax_code).taxes
    except RegionError:
        return ""
    if not taxes:
        return _("no tax")
    named = _(" and ").join(f"{t.label(language)} {formats.percent(t.rate, None, language)}" for t in taxes)
    if region.prices_include_tax:
        return _("%(taxes)s included") % {"taxes": named}
    return _("plus %(taxes)s") % {"taxes": named}


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


@register.filter
def tax_label(tax: dict[str, Any]) -> str:
    """A tax line's name as the page's language says it, with its rate: "TPS (5 %)", "QST (9.975%)"."""
    language = get_language() or "fr"
    label = tax["label_en"] if language.startswith("en") else tax["label_fr"]
    return f"{label} ({formats.percent(Decimal(str(tax['rate'])), None, language)})"


@register.filter
def number(value: float | int | Decimal | None, places: int | None = None) -> str:
    """« 2,5 » in French, "2.5" in English: `{{ x|number:1 }}` (no argument: the value's decimals)."""
    if value is None or value == "":
        return ""
    return formats.number(value, None if places is None else int(places), get_language())


@register.filter
def percent(value: float | int | Decimal | None, places: int | None = None) -> str:
    """« 2,0 % » in French, "2.0%" in English: `{{ rate|percent:1 }}` (no argument: its decimals)."""
    if value is None or value == "":
        return ""
    return formats.percent(value, None if places is None else int(places), get_language())


@register.filter
def decimal_marks(text: str) -> str:
    """A formula of plain numbers with the page's decimal mark (« 9,930^1 × 0,899^1 »)."""
    return formats.decimal_marks(str(text), get_language())


@register.filter
def colon(label: str) -> str:
    """« Total : » in French (no-break space), "Total:" in English: `{% translate "Total" as t %}{{ t|colon }}`."""
    return formats.colon(str(label), get_language())


@register.filter
def size(offer: Any) -> str:
    """What one offer holds, as the page's language writes it: « 6 pièces », « 0,4 kg », "6 pieces"."""
    return l10n.size(offer.quantity, offer.unit, get_language())
