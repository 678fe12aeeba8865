"""Demo orders for the demo town: a few residents' orders across shops, at various stages."""

from __future__ import annotations

import random

from django.utils import timezone

from comptoir.catalog.models import Offer
from comptoir.core.errors import InvalidInput
from comptoir.members.models import Person
from comptoir.orders import services
from comptoir.orders.checkout import CheckoutRequest
from comptoir.orders.delivery_port import delivery_booking

STAGES = ["placed", "accept", "prepare", "hand-over"]


def generate_demo_orders(seed: int, count: int = 20) -> int:
    """Place `count` click-and-collect orders from the demo residents; returns how many were placed."""
    rng = random.Random(seed)
    residents = list(Person.objects.filter(email__startswith="habitant").order_by("pk"))
    offers = list(Offer.objects.filter(active=True, stock__gte=5, shop__status="active", shop__offers_collect=True)
                  .select_related("shop").order_by("pk")[:2000])  # fmt: skip
    placed = 0
    for _ in range(count if residents and offers else 0):
        person, picked = rng.choice(residents), rng.sample(offers, k=min(3, len(offers)))
        request = CheckoutRequest(
            email=person.email, language=person.language, payment_method="on_handover",
            fulfilment={o.shop.ref: "collect" for o in picked}, items=[(o.pk, 1) for o in picked],
        )  # fmt: skip
        try:
            order, _created = services.do_checkout(person, None, request)
        except InvalidInput:
            continue
        placed += 1
        for shop_order in order.shop_orders.all():
            for action in STAGES[1 : rng.randrange(len(STAGES)) + 1]:
                services.do_shop_action(shop_order.pk, action, None)
    return placed


def generate_demo_deliveries(
    seed: int,
    *,
    streets: list[str],
    postal_code: str,
    city: str,
    centre: tuple[float, float],
    count: int = 12,
) -> int:
    """Delivery orders from the demo residents into the first slot that takes them, accepted and prepared.

    They give the dispatcher a slot to plan right after `comptoir demo`.
    """
    rng = random.Random(seed + 1)
    residents = list(Person.objects.filter(email__startswith="habitant").order_by("pk"))
    offers = list(Offer.objects.filter(active=True, stock__gte=5, shop__status="active", shop__offers_delivery=True)
                  .select_related("shop").order_by("pk")[:2000])  # fmt: skip
    placed = 0
    for number in range(count if residents and offers else 0):
        person, picked = (
            residents[number % len(residents)],
            rng.sample(offers, k=min(rng.randint(1, 3), len(offers))),
        )
        lat, lon = centre[0] + rng.uniform(-0.012, 0.012), centre[1] + rng.uniform(-0.016, 0.016)
        slots = delivery_booking().slots_for(lat, lon, 2000, 4000, timezone.now())
        if not slots:
            continue
        request = CheckoutRequest(
            email=person.email, language=person.language, payment_method="on_handover",
            fulfilment={o.shop.ref: "delivery" for o in picked}, items=[(o.pk, 1) for o in picked],
            slot_id=slots[0].id, recipient_name=person.full_name, phone=person.phone,
            address=f"{rng.randint(1, 60)} {rng.choice(streets)}", postal_code=postal_code, city=city, lat=lat, lon=lon,
        )  # fmt: skip
        try:
            order, _created = services.do_checkout(person, None, request)
        except InvalidInput:
            continue
        placed += 1
        for shop_order in order.shop_orders.all():
            for action in ("accept", "prepare"):
                services.do_shop_action(shop_order.pk, action, None)
    return placed
