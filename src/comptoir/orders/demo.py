"""Demo orders for the demo town: a few residents' orders across shops, at various stages."""

from __future__ import annotations

import random

from comptoir.catalog.models import Offer
from comptoir.core.errors import InvalidInput
from comptoir.members.models import Person
from comptoir.orders import services
from comptoir.orders.checkout import CheckoutRequest

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
