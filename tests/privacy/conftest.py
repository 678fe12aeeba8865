"""A resident with a delivered order (booking, round, drop stop and signature), a collected one, and an
older one: the world the archive, the erasure and the purge are checked against."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest
from django.utils import timezone, translation

from comptoir.catalog.models import Shop
from comptoir.catalog.services import do_create_offer, do_set_opening_hours
from comptoir.delivery.models import Booking, Depot, Round, Shift, Slot, Stop, Vehicle, Zone
from comptoir.members.models import Person
from comptoir.members.services import do_add_membership, do_issue_api_token, do_save_address
from comptoir.orders import services
from comptoir.orders.models import Order, ShopOrder
from tests.conftest import PASSWORD, ApiClient
from tests.delivery.conftest import RING, signature_png

SIGNATURE = signature_png()


@pytest.fixture(autouse=True)
def immediate_tasks(settings: Any) -> Any:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.COMPTOIR_DELIVERY_BOOKING = "comptoir.orders.fixed_slots.FixedSlots"
    with translation.override("en"):
        yield


@pytest.fixture
def resident(make_person: Any) -> Person:
    alice = make_person("alice@example.org", full_name="Alice Martin", phone="0601020304", language="en")
    do_save_address(alice, address="12 rue des Granges", postal_code="25000", city="Val-sur-Loue",
                    lat=47.0581, lon=6.0062)  # fmt: skip
    do_add_membership(alice, "residents")
    return alice


@pytest.fixture
def resident_api(resident: Person) -> ApiClient:
    return ApiClient(do_issue_api_token(email=resident.email, password=PASSWORD, label="phone app"))


@pytest.fixture
def courier(make_person: Any) -> Person:
    person = make_person("coursier1@example.org", full_name="Alex Coursier")
    do_add_membership(person, "workers")
    return person


@pytest.fixture
def round_(courier: Person, db: Any) -> Round:
    depot = Depot.objects.create(name="Hangar", lat=47.054, lon=6.0)
    zone = Zone.objects.create(name="Centre", depot=depot, ring=RING)
    bike = Vehicle.objects.create(name="Bi 1", depot=depot, capacity_g=80_000, capacity_ml=300_000)
    start = timezone.now() - timedelta(days=200)
    slot = Slot.objects.create(zone=zone, starts=start, ends=start + timedelta(hours=2), closes_at=start,
                               capacity_orders=10, capacity_ml=100_000, status="done")  # fmt: skip
    shift = Shift.objects.create(courier=courier, vehicle=bike, starts=start, ends=start + timedelta(hours=3))
    return Round.objects.create(slot=slot, shift=shift, courier=courier, vehicle=bike, departs=start,
                                returns=start + timedelta(hours=2), status="done")  # fmt: skip


def checkout(person: Person | None, shop: Shop, offer_id: int, *, delivery: bool, email: str = "") -> Order:
    from comptoir.orders.checkout import CheckoutRequest

    slot = ""
    if delivery:
        from comptoir.orders.delivery_port import delivery_booking

        slot = delivery_booking().slots_for(47.0, 6.0, 0, 0, timezone.now())[0].id
    request = CheckoutRequest(
        email=email or (person.email if person else ""), fulfilment={shop.ref: "delivery" if delivery else "collect"},
        payment_method="on_handover", items=[(offer_id, 2)], slot_id=slot,
        recipient_name="Alice Martin" if delivery else "", phone="0601020304" if delivery else "",
        address="12 rue des Granges" if delivery else "", postal_code="25000" if delivery else "",
        city="Val-sur-Loue" if delivery else "", instructions="Code 1234, 2e étage" if delivery else "",
        lat=47.0581 if delivery else None, lon=6.0062 if delivery else None,
    )  # fmt: skip
    order, _created = services.do_checkout(person, None, request)
    return order


def finish(order: Order, owner: Person, *, delivered: bool) -> Order:
    shop_order = order.shop_orders.get()
    services.do_accept_shop_order(shop_order.pk, actor=owner)
    services.do_prepare_shop_order(shop_order.pk, actor=owner)
    if delivered:
        services.do_hand_over(shop_order.pk, to="courier", actor=owner)
        services.do_mark_delivered(order.pk, proof="signature")
    else:
        services.do_hand_over(shop_order.pk, to="resident", actor=owner)
    order.refresh_from_db()
    return order


def add_drop(order: Order, round_: Round, shop: Shop, seq: int) -> Booking:
    """The delivery app's copy of the drop, as CoopDelivery books it, and its signed stop."""
    booking = Booking.objects.create(
        ref=f"B{order.pk}", slot=round_.slot, order_id=order.pk, lat=47.0581234, lon=6.0062345,
        address="12 rue des Granges, 25000 Val-sur-Loue", name="Alice Martin", phone="0601020304",
        instructions="Code 1234", weight_g=1000, volume_ml=2000, fee_cents=450, drop_code="4321",
        status="delivered",
    )  # fmt: skip
    Stop.objects.create(round=round_, sequence=seq, kind="drop", booking=booking, lat=47.0581234, lon=6.0062345,
                        eta=round_.departs, status="done", done_at=round_.departs, proof="signature",
                        signature=SIGNATURE)  # fmt: skip
    return booking


def age(order: Order, days: int) -> None:
    """Date an order and its shop orders `days` ago (auto_now fields are set by update())."""
    when = timezone.now() - timedelta(days=days)
    Order.objects.filter(pk=order.pk).update(created=when)
    ShopOrder.objects.filter(order=order).update(updated=when, created=when)


@pytest.fixture
def world(shop: Shop, owner: Person, resident: Person, round_: Round) -> dict[str, Any]:
    do_set_opening_hours(shop, [(d, time(8), time(19)) for d in range(7)])
    bread = do_create_offer(shop, {"sku": "B1", "name_fr": "Pain complet", "price": "2,40", "stock": "50",
                                   "tax_rate": "5,5"})  # fmt: skip
    old = finish(checkout(resident, shop, bread.pk, delivery=True), owner, delivered=True)
    recent = finish(checkout(resident, shop, bread.pk, delivery=True), owner, delivered=True)
    collected = finish(checkout(resident, shop, bread.pk, delivery=False), owner, delivered=False)
    old_booking, recent_booking = add_drop(old, round_, shop, 1), add_drop(recent, round_, shop, 2)
    age(old, 100)
    age(recent, 10)
    return {"bread": bread, "old": old, "recent": recent, "collected": collected, "old_booking": old_booking,
            "recent_booking": recent_booking}  # fmt: skip
