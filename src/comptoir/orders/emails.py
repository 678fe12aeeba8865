"""The emails of an order, rendered in the recipient's language from templates/orders/emails/."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from comptoir.catalog.models import ShopStaff
from comptoir.orders.delivery_port import delivery_tracking
from comptoir.orders.models import Order, ShopOrder

RESIDENT_KINDS = {
    "order_confirmed", "ready", "out_for_delivery", "delivered", "delivery_failed", "changes_proposed",
    "shop_rejected", "shop_cancelled",
}  # fmt: skip
SHOP_KINDS = {"shop_new_order", "customer_cancelled"}


@dataclass(frozen=True)
class Email:
    to: list[str]
    subject: str
    body: str
    language: str


def _shop_recipients(shop_order: ShopOrder) -> tuple[list[str], str]:
    staff = list(
        ShopStaff.objects.filter(shop=shop_order.shop).select_related("person").order_by("role", "id")
    )
    emails = [shop_order.shop.email] if shop_order.shop.email else [s.person.email for s in staff]
    language = staff[0].person.language if staff else settings.LANGUAGE_CODE
    return emails, language


def render_email(kind: str, order: Order, shop_order: ShopOrder | None) -> Email:
    if kind in SHOP_KINDS and shop_order is not None:
        to, language = _shop_recipients(shop_order)
    else:
        to, language = [order.email], order.language
    delivery = delivery_tracking(order) if kind in RESIDENT_KINDS else None
    with translation.override(language):
        context = {"order": order, "shop_order": shop_order, "node_name": settings.COMPTOIR_NODE_NAME,
                   "shop_orders": order.shop_orders.select_related("shop").prefetch_related("lines"),
                   "delivery": delivery,
                   "tracking_url": settings.COMPTOIR_PUBLIC_URL + delivery.path if delivery and delivery.path else ""}  # fmt: skip
        subject = render_to_string(f"orders/emails/{kind}_subject.txt", context).strip()
        body = render_to_string(f"orders/emails/{kind}.txt", context)
    return Email(to, subject, body, language)


def render_email_code(order: Order, code: str) -> Email:
    """The guest's confirmation code: typed on the order page, it keeps the reservation."""
    with translation.override(order.language):
        context = {"order": order, "code": code, "node_name": settings.COMPTOIR_NODE_NAME,
                   "hold": settings.COMPTOIR_UNCONFIRMED_HOLD_MINUTES}  # fmt: skip
        subject = render_to_string("orders/emails/email_code_subject.txt", context).strip()
        body = render_to_string("orders/emails/email_code.txt", context)
    return Email([order.email], subject, body, order.language)
