"""A small seller for flow logs and federation tests, and the shop's and courier's steps on it.

The steps call orders' own services, as the shop's screen and the courier's
phone do, so the status pushes a flow log records are the real ones.
"""

from __future__ import annotations

from datetime import time

from comptoir.catalog.models import Offer, Shop
from comptoir.catalog.services import do_create_offer, do_create_shop, do_set_opening_hours, do_update_offer
from comptoir.core.errors import InvalidInput
from comptoir.orders import services as orders
from comptoir.protocol.models import Transaction

OFFERS = [
    {
        "sku": "PAIN-1",
        "gtin": "",
        "name_fr": "Pain de campagne",
        "price": "3,20",
        "stock": "20",
        "tax_rate": "5,5",
    },
    {"sku": "CONF-1", "name_fr": "Confiture d'abricot", "price": "4,15", "stock": "1", "tax_rate": "5,5"},
    {"sku": "MIEL-1", "name_fr": "Miel de sapin", "price": "9,80", "stock": "6", "tax_rate": "5,5"},
]


def do_seed_seller(ref: str = "boulangerie-du-pont") -> Shop:
    shop = do_create_shop(
        owner=None, ref=ref, name="Boulangerie du Pont", kind="bakery", lat=47.056, lon=6.004,
        status=Shop.Status.ACTIVE, neighbourhood="Centre", address="3 Grande Rue", postal_code="25000",
        city="Val-sur-Loue", phone="0381000000", email="pont@example.org",
    )  # fmt: skip
    do_set_opening_hours(shop, [(day, time(7), time(19)) for day in range(7)])
    for raw in OFFERS:
        do_create_offer(shop, {k: v for k, v in raw.items() if v})
    return shop


def do_seller_step(order_ref: str, step: str) -> str:
    """One step of the shop or the courier on a protocol order (``reprice`` changes the catalog)."""
    if step == "reprice":
        offer = Offer.objects.order_by("pk").first()
        if offer is None:
            raise InvalidInput("no offer to reprice")
        do_update_offer(offer, {"price": f"{(offer.price_cents + 10) / 100:.2f}".replace(".", ",")})
        return f"offer {offer.pk} repriced"
    tx = (
        Transaction.objects.filter(role=Transaction.Role.SELLER, order_ref=order_ref)
        .select_related("order")
        .first()
    )
    if tx is None or tx.order is None:
        raise InvalidInput(f"no protocol order {order_ref}")
    shop_order = tx.order.shop_orders.get()
    if step == "accept":
        orders.do_accept_shop_order(shop_order.pk, actor=None)
    elif step == "prepare":
        orders.do_prepare_shop_order(shop_order.pk, actor=None)
    elif step == "hand-over":
        orders.do_hand_over(shop_order.pk, to="courier", actor=None)
    elif step == "out":
        orders.do_notify_out_for_delivery(tx.order.pk)
    elif step == "delivered":
        orders.do_mark_delivered(tx.order.pk, proof="signature")
    else:
        raise InvalidInput(f"unknown step {step}")
    return f"{order_ref}: {step}"
