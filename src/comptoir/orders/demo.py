"""Demo orders for the demo town: residents' orders across shops, at various stages.

The demo command chooses the residents and the town's streets; this module only places orders
through the same checkout and shop actions a person would use.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone

from comptoir.catalog.models import Offer
from comptoir.catalog.selectors import sellable_offers
from comptoir.core.errors import InvalidInput
from comptoir.members.models import Person
from comptoir.orders import services
from comptoir.orders.checkout import CheckoutRequest
from comptoir.orders.delivery_port import delivery_booking

STAGES = ["placed", "accept", "prepare", "hand-over"]


@dataclass(frozen=True)
class DemoTown:
    streets: Sequence[str]
    postal_code: str
    city: str
    centre: tuple[float, float]


def _stocked_offers(fulfilment: str) -> list[Offer]:
    shop_flag = {"collect": "shop__offers_collect", "delivery": "shop__offers_delivery"}[fulfilment]
    offers = sellable_offers().filter(stock__gte=5, **{shop_flag: True})
    return list(offers.select_related("shop").order_by("pk")[:2000])


def _place(person: Person, request: CheckoutRequest, actions: Sequence[str]) -> bool:
    """Check out like the resident would, then move each shop order through `actions`."""
    try:
        order, _created = services.do_checkout(person, None, request)
    except InvalidInput:
        return False
    for shop_order in order.shop_orders.all():
        for action in actions:
            services.do_shop_action(shop_order.pk, action, None)
    return True


def generate_demo_orders(seed: int, residents: Sequence[Person], count: int = 20) -> int:
    """Place `count` click-and-collect orders at random stages; returns how many were placed."""
    rng = random.Random(seed)
    offers = _stocked_offers("collect")
    placed = 0
    for _ in range(count if residents and offers else 0):
        person, picked = rng.choice(residents), rng.sample(offers, k=min(3, len(offers)))
        request = CheckoutRequest(
            email=person.email, language=person.language, payment_method="on_handover",
            fulfilment={o.shop.ref: "collect" for o in picked}, items=[(o.pk, 1) for o in picked],
        )  # fmt: skip
        placed += _place(person, request, STAGES[1 : rng.randrange(len(STAGES)) + 1])
    return placed


def generate_demo_deliveries(seed: int, residents: Sequence[Person], town: DemoTown, count: int = 12) -> int:
    """Delivery orders into the first slot that takes them, accepted and prepared.

    They give the dispatcher a slot to plan right after `comptoir demo`.
    """
    rng = random.Random(seed + 1)
    offers = _stocked_offers("delivery")
    placed = 0
    for number in range(count if residents and offers else 0):
        person = residents[number % len(residents)]
        picked = rng.sample(offers, k=min(rng.randint(1, 3), len(offers)))
        lat, lon = town.centre[0] + rng.uniform(-0.012, 0.012), town.centre[1] + rng.uniform(-0.016, 0.016)
        slots = delivery_booking().slots_for(lat, lon, 2000, 4000, timezone.now())
        if not slots:
            continue
        request = CheckoutRequest(
            email=person.email, language=person.language, payment_method="on_handover",
            fulfilment={o.shop.ref: "delivery" for o in picked}, items=[(o.pk, 1) for o in picked],
            slot_id=slots[0].id, recipient_name=person.full_name, phone=person.phone,
            address=f"{rng.randint(1, 60)} {rng.choice(town.streets)}", postal_code=town.postal_code,
            city=town.city, lat=lat, lon=lon,
        )  # fmt: skip
        placed += _place(person, request, ("accept", "prepare"))
    return placed
