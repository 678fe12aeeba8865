"""Template tags that let orders' cart and history pages show a resident's orders from other nodes.

Orders stays unaware of the protocol in Python (no import of it); its templates load this library.
"""

from __future__ import annotations

from typing import Any

from django import template

from comptoir.protocol import remote

register = template.Library()


@register.simple_tag
def remote_cart_groups(person: Any) -> list[Any]:
    return remote.remote_cart_of(person)


@register.simple_tag
def remote_orders(person: Any) -> list[Any]:
    return remote.remote_orders_of(person)


@register.filter
def remote_state(order: Any) -> str:
    return remote.state_label(order)


@register.filter
def line_total(line: dict[str, Any]) -> int:
    return int(line["price_cents"]) * int(line["quantity"])
