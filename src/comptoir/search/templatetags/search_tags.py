"""Filters and tags of the search page: links that change one filter, distances, stock labels."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from comptoir.catalog.provenance import origin_label
from comptoir.core import formats
from comptoir.core.money import Money
from comptoir.search import selectors
from comptoir.search.documents import Hit, PriceBand

register = template.Library()


@register.simple_tag
def search_link(request: HttpRequest, **changes: Any) -> str:
    """This search's query string with some parameters set (or removed when None/""); back to page 1."""
    query = request.GET.copy()
    query.pop("page", None)
    for name, value in changes.items():
        query.pop(name, None)
        if value not in (None, ""):
            query[name] = str(value)
    return "?" + query.urlencode()


@register.filter
def km(distance: float | None) -> str:
    """« 1,2 km » in French, "1.2 km" in English (no-break space)."""
    if distance is None:
        return ""
    return formats.quantity(distance, 1, "km", get_language())


@register.filter
def stock_label(state: str) -> str:
    return {
        "in_stock": _("in stock"),
        "on_demand": _("made to order"),
        "out_of_stock": _("out of stock"),
    }.get(state, state)


@register.filter
def why_text(hit: Hit) -> str:
    return hit.why_text("en" if (get_language() or "fr").startswith("en") else "fr")


@register.filter
def origin_badge(hit: Hit) -> str:
    """ "Produit à 23 km — Ferme des Trois-Rivières", or "Origine inconnue"."""
    return origin_label(
        hit.origin_km, hit.supplier_name, "en" if (get_language() or "fr").startswith("en") else "fr"
    )


@register.filter
def band_label(band: PriceBand) -> str:
    lang = get_language() or "fr"
    low = Money(band.min_cents).format(lang) if band.min_cents is not None else ""
    high = Money(band.max_cents).format(lang) if band.max_cents is not None else ""
    if not low:
        return _("under %(high)s") % {"high": high}
    if not high:
        return _("%(low)s and more") % {"low": low}
    return _("%(low)s to %(high)s") % {"low": low, "high": high}


@register.filter
def price_param(cents: int | None) -> str:
    """Cents as the price parameter of a link ("2.40"); the parser also reads "2,40"."""
    if cents is None:
        return ""
    return f"{cents // 100}.{cents % 100:02d}"


@register.filter
def band_max_param(band: PriceBand) -> str:
    """Bands are counted up to, not including, their upper edge; the filter's maximum is inclusive."""
    return "" if band.max_cents is None else price_param(band.max_cents - 1)


@register.filter
def get_item(mapping: dict[str, str], key: str) -> str:
    return mapping.get(key, "")


@register.filter
def unit_label(stored: str) -> str:
    """An offer's size from the index in the page's language: « 6 pièces », "0.4 kg"."""
    return selectors.unit_label(str(stored or ""), get_language() or "fr")
