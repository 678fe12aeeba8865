"""A small world for property tests through the services: one shop, one resident, one placed order."""

from __future__ import annotations

import itertools
from typing import Any

from comptoir.catalog.models import Shop
from comptoir.catalog.services import do_create_offer, do_create_shop
from comptoir.members.models import Person
from comptoir.orders import services
from comptoir.orders.models import Order

_n = itertools.count()


def build_world() -> dict[str, Any]:
    n = next(_n)
    owner = Person.objects.create_user(email=f"owner{n}@example.org", password="x-Long-enough-9")
    shop = do_create_shop(
        owner=owner, ref=f"shop{n}", name=f"Shop {n}", kind="bakery", lat=47.0, lon=6.0,
        status=Shop.Status.ACTIVE, offers_delivery=False, address="1 rue",
    )  # fmt: skip
    bread = do_create_offer(shop, {"sku": "B", "name_fr": "Pain", "price": "2", "stock": "10"})
    other = do_create_offer(shop, {"sku": "O", "name_fr": "Brioche", "price": "3", "stock": "10"})
    resident = Person.objects.create_user(email=f"r{n}@example.org", password="x-Long-enough-9")
    request = services.CheckoutRequest(
        email=resident.email,
        fulfilment={shop.ref: "collect"},
        payment_method="on_handover",
        items=[(bread.pk, 3)],
    )
    order, _created = services.do_checkout(resident, None, request)
    shop_order = order.shop_orders.get()
    line = shop_order.lines.get()

    def act(who: str, action: str) -> None:
        if who == "shop" and action == "propose-changes":
            services.do_propose_changes(
                shop_order.pk, actor=owner, quantities={line.pk: 2}, substitutes={line.pk: other.pk}
            )
        elif who == "shop":
            services.do_shop_action(shop_order.pk, action, owner)
        elif who == "resident" and action == "cancel":
            services.do_cancel_shop_order(shop_order.pk, by="customer", actor=resident)
        elif who == "resident":
            services.do_answer_changes(shop_order.pk, accept=action == "accept-changes", actor=resident)
        elif who == "courier":
            services.do_hand_over(shop_order.pk, to="courier", by="courier", actor=owner)
        else:
            Order.objects.filter(pk=order.pk).update(delivery_booking_ref="x")
            services.do_mark_delivered(order.pk, proof="code")

    return {"shop_order": shop_order, "bread": bread, "other": other, "act": act, "order": order}
