"""Template helpers of delivery pages: the one order number, distances and sizes in the page's locale."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from comptoir.core import formats
from comptoir.delivery import selectors

register = template.Library()


@register.filter
def order_number(order_id: int) -> str:
    """C000033: the number residents, shops and couriers all see for one order."""
    return selectors.order_number(int(order_id))


@register.filter
def booking_number(booking: object) -> str:
    """The order number of a booking, or an outside job's own number (L000012)."""
    return selectors.booking_number(booking)  # type: ignore[arg-type]


@register.simple_tag
def km(metres: int) -> str:
    """« 2,5 km » in French, "2.5 km" in English (non-breaking space)."""
    return formats.quantity(metres / 1000, 1, "km", get_language())


@register.filter
def parcel_size(parcel: object) -> str:
    """« 0,4 kg · 0,1 L »."""
    return selectors.parcel_size(parcel.weight_g, parcel.volume_ml)  # type: ignore[attr-defined]
