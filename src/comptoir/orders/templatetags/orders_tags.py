"""Template helpers: the transition table (a page never offers what a service would refuse), and the
words an order stored at checkout in the language of whoever reads its page."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from comptoir.orders import selectors
from comptoir.orders.status import allowed

register = template.Library()


@register.filter
def can(shop_order: Any, who_action: str) -> bool:
    """`{% if so|can:"resident:cancel" %}`: may this actor do this action on the shop order now?"""
    actor, _sep, action = who_action.partition(":")
    return allowed(shop_order.status, action, actor)


@register.filter
def fee_label(fee: Any) -> str:
    """A fee line's label in the page's language (it was written at checkout in the order's)."""
    return selectors.fee_label(fee, get_language() or "fr")


@register.filter
def payment_text(order: Any) -> str:
    """What to pay and how, in the page's language (stored at checkout in the order's)."""
    return selectors.payment_text(order, get_language() or "fr")
