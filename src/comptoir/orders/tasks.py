"""Background work of orders: sending order emails, expiring unanswered reservations."""

from __future__ import annotations

from django.core.mail import send_mail
from django.utils import timezone
from django_tasks import task

from comptoir.orders.emails import render_email, render_email_code
from comptoir.orders.models import Order, ShopOrder


@task()
def send_order_email(kind: str, order_id: int, shop_order_id: int | None = None) -> int:
    order = Order.objects.get(pk=order_id)
    shop_order = ShopOrder.objects.select_related("shop").get(pk=shop_order_id) if shop_order_id else None
    email = render_email(kind, order, shop_order)
    if not email.to:
        return 0
    return send_mail(email.subject, email.body, None, email.to)


@task()
def expire_shop_orders() -> int:
    from comptoir.orders.services import do_expire_shop_orders

    return do_expire_shop_orders(timezone.now())


@task()
def send_email_code(order_id: int, code: str) -> int:
    order = Order.objects.get(pk=order_id)
    email = render_email_code(order, code)
    return send_mail(email.subject, email.body, None, email.to)
