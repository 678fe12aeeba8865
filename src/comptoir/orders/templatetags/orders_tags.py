"""Template helpers that ask the transition table, so a page never offers what a service would refuse."""

from __future__ import annotations

from typing import Any

from django import template

from comptoir.orders.status import allowed

register = template.Library()


@register.filter
def can(shop_order: Any, who_action: str) -> bool:
    """`{% if so|can:"resident:cancel" %}`: may this actor do this action on the shop order now?"""
    actor, _sep, action = who_action.partition(":")
    return allowed(shop_order.status, action, actor)
