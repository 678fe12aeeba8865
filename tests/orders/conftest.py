"""Three shops with offers, a resident with a token, tasks run at once, mail kept in memory."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest

from comptoir.catalog.models import Shop
from comptoir.catalog.services import do_create_offer, do_create_shop, do_set_opening_hours
from comptoir.members.services import do_issue_api_token
from tests.conftest import PASSWORD, ApiClient


@pytest.fixture(autouse=True)
def immediate_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.COMPTOIR_POSTCODE_CENTROIDS = {"25000": (47.06, 6.0)}
    # Orders' own tests use the flat-fee stand-in; delivery's tests and the journeys use the real rounds.
    settings.COMPTOIR_DELIVERY_BOOKING = "comptoir.orders.fixed_slots.FixedSlots"


@pytest.fixture
def town(shop: Shop, other_shop: Shop, make_person: Any) -> dict[str, Any]:
    florist_owner = make_person("owner@fleurs.example", language="en")
    florist = do_create_shop(
        owner=florist_owner, ref="fleurs", name="Fleurs de Loue", kind="florist", lat=47.05, lon=6.02,
        status=Shop.Status.ACTIVE, offers_delivery=False, address="8 quai Vauban",
    )  # fmt: skip
    for s in (shop, other_shop, florist):
        do_set_opening_hours(s, [(d, time(8), time(19)) for d in range(6)])
    return {
        "shops": (shop, other_shop, florist),
        "bread": do_create_offer(shop, {"sku": "B1", "name_fr": "Pain complet", "price": "2,40", "stock": "10", "tax_rate": "5,5"}),
        "hammer": do_create_offer(other_shop, {"sku": "H1", "name_fr": "Marteau", "price": "10,50", "stock": "5", "tax_rate": "20"}),
        "roses": do_create_offer(florist, {"sku": "R1", "name_fr": "Bouquet de roses", "price": "15,00", "stock": "3", "tax_rate": "10"}),
        "cake": do_create_offer(shop, {"sku": "C1", "name_fr": "Gâteau sur commande", "price": "20", "stock": "0", "on_demand": True}),
    }  # fmt: skip


@pytest.fixture
def resident(make_person: Any) -> Any:
    return make_person("alice@example.org", full_name="Alice Martin", phone="0601020304")


@pytest.fixture
def resident_api(resident: Any) -> ApiClient:
    return ApiClient(do_issue_api_token(email=resident.email, password=PASSWORD))


def delivery_body(slot_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "email": "alice@example.org", "payment_method": "on_handover", "slot_id": slot_id,
        "recipient_name": "Alice Martin", "phone": "0601020304", "address": "12 rue des Granges",
        "postal_code": "25000", "city": "Val-sur-Loue", **extra,
    }  # fmt: skip


def first_slot() -> str:
    from django.utils import timezone

    from comptoir.orders.delivery_port import delivery_booking

    return delivery_booking().slots_for(47.0, 6.0, 0, 0, timezone.now())[0].id
