from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from comptoir.catalog.permissions import organisations_of_staff, shops_of_staff
from comptoir.members.models import College
from comptoir.members.permissions import is_member_of
from comptoir.orders.selectors import orders_awaiting_shops


def node(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {
            "node_name": settings.COMPTOIR_NODE_NAME,
            "my_shops": [],
            "my_chains": [],
            "is_courier": False,
            "is_dispatcher": False,
        }
    shops = shops_of_staff(user)
    waiting = orders_awaiting_shops([shop.pk for shop in shops]) if shops else {}
    for shop in shops:  # each page a shop's staff open says first how many orders wait for them
        shop.orders_waiting = waiting.get(shop.pk, 0)  # type: ignore[attr-defined]
    return {
        "node_name": settings.COMPTOIR_NODE_NAME,
        "my_shops": shops,
        "my_chains": organisations_of_staff(user),
        "is_courier": is_member_of(user, College.Code.WORKERS),
        "is_dispatcher": user.is_staff or is_member_of(user, College.Code.STAFF),
    }
