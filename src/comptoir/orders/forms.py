"""Reading the checkout form into a CheckoutRequest (the checks themselves live in checkout.py)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from comptoir.orders.checkout import CheckoutRequest


def _float(value: str) -> float | None:
    try:
        return float(value.replace(",", ".")) if value.strip() else None
    except ValueError:
        return None


def checkout_request(request: HttpRequest, groups: list[Any]) -> CheckoutRequest:
    post = request.POST
    person = request.user
    signed_in = person.is_authenticated
    expected = post.get("expected_goods_cents", "")
    return CheckoutRequest(
        email=person.email if signed_in else post.get("email", "").strip(),  # type: ignore[union-attr]
        language=person.language if signed_in else post.get("language", "fr"),  # type: ignore[union-attr]
        fulfilment={g.shop.ref: post.get(f"fulfilment-{g.shop.ref}", "") for g in groups},
        payment_method=post.get("payment_method", ""),
        slot_id=post.get("slot_id", ""),
        recipient_name=post.get("recipient_name", "").strip(),
        phone=post.get("phone", "").strip(),
        address=post.get("address", "").strip(),
        postal_code=post.get("postal_code", "").strip(),
        city=post.get("city", "").strip(),
        instructions=post.get("instructions", "").strip(),
        lat=_float(post.get("lat", "")),
        lon=_float(post.get("lon", "")),
        idempotency_key=post.get("idempotency_key", "")[:100],
        expected_goods_cents=int(expected) if expected.isdigit() else None,
    )
