"""Signal receivers: plumbing only, each calls one service (the rules live in the service)."""

from __future__ import annotations

from typing import Any

from comptoir.orders import services
from comptoir.orders.cart import CART_SESSION_KEY


def claim_guest_cart_at_sign_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """`user_logged_in`: whatever signs the person in (login page, signup), the guest's cart joins theirs."""
    session = getattr(request, "session", None)
    token = session.pop(CART_SESSION_KEY, "") if session is not None else ""
    if token:
        services.do_claim_guest_cart(user, token)
