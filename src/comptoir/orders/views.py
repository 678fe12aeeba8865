"""Pages: the cart, checkout, order tracking and history, and a shop's order queue."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from comptoir.catalog.permissions import access_shop_for_staff
from comptoir.core.errors import ComptoirError, InvalidInput
from comptoir.core.inputs import read_whole
from comptoir.members.services import do_save_address
from comptoir.orders import selectors, services
from comptoir.orders.cart import CART_SESSION_KEY, cart_of
from comptoir.orders.checkout import checkout_preview, line_in
from comptoir.orders.delivery_port import delivery_booking, delivery_tracking, pickup_code
from comptoir.orders.forms import checkout_request
from comptoir.orders.guards import Client
from comptoir.orders.models import Cart, Order
from comptoir.orders.payments import payment_methods
from comptoir.orders.permissions import access_order_for_customer, access_shop_order_for_staff

MAX_ID = 2**62  # ids beyond any database's: a bigger number is an attack or a typo
MAX_CART_QUANTITY = 10_000

CART_KEY, GUEST_ORDERS_KEY = CART_SESSION_KEY, "guest_orders"


def _cart_to_fill(request: HttpRequest) -> Cart:
    cart = _cart(request, create=True)
    if cart is None:  # create=True always gives one; this narrows the type
        raise RuntimeError("cart_of(create=True) returned no cart")
    return cart


def _cart(request: HttpRequest, create: bool = False) -> Cart | None:
    token = request.session.get(CART_KEY, "")  # a guest's; signing in claims it (receivers.py)
    cart = cart_of(request.user, token, create=create)
    if cart is not None and not request.user.is_authenticated:
        request.session[CART_KEY] = cart.token
    return cart


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


def client_of(request: HttpRequest, cart: Cart | None) -> Client:
    """The session (a guest's cart token, or the person) and the address a checkout comes from."""
    user = request.user
    session = f"person:{user.pk}" if user.is_authenticated else (cart.token if cart is not None else "")
    return Client(session=session, ip=request.META.get("REMOTE_ADDR") or None)


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _line_input(request: HttpRequest, *, default_quantity: int | None, lowest: int) -> tuple[int, int]:
    """The offer and quantity of a cart form, read strictly (a huge or malformed number is refused)."""
    offer_id = read_whole(request.POST.get("offer_id"), field="offer_id", low=1, high=MAX_ID)
    raw = request.POST.get("quantity")
    if raw in (None, "") and default_quantity is not None:
        return offer_id, default_quantity
    return offer_id, read_whole(raw, field="quantity", low=lowest, high=MAX_CART_QUANTITY)


def _refused(request: HttpRequest, error: InvalidInput) -> HttpResponse:
    messages.error(request, error.message)
    groups = selectors.cart_groups(_cart(request))
    context = {"groups": groups, "goods_cents": sum(g.goods_cents for g in groups)}
    return render(request, "orders/cart.html", context, status=400)


def cart_page(request: HttpRequest) -> HttpResponse:
    groups = selectors.cart_groups(_cart(request))
    return render(
        request, "orders/cart.html", {"groups": groups, "goods_cents": sum(g.goods_cents for g in groups)}
    )


@require_POST
def cart_add(request: HttpRequest) -> HttpResponse:
    try:
        offer_id, quantity = _line_input(request, default_quantity=1, lowest=1)
    except InvalidInput as error:
        return _refused(request, error)
    try:
        item = services.do_add_to_cart(_cart_to_fill(request), offer_id, quantity)
    except ComptoirError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Added to your cart: %(name)s.") % {"name": item.offer.name_fr})
    return _back(request, "orders:cart")


@require_POST
def cart_update(request: HttpRequest) -> HttpResponse:
    try:
        offer_id, quantity = _line_input(request, default_quantity=None, lowest=0)
    except InvalidInput as error:
        return _refused(request, error)
    cart = _cart_to_fill(request)
    try:
        services.do_set_cart_quantity(cart, offer_id, quantity)
    except ComptoirError as error:
        messages.error(request, error.message)
    return redirect("orders:cart")


def _checkout_context(request: HttpRequest, groups: list[Any]) -> dict[str, Any]:
    centre = groups[0].shop if groups else None
    slots = delivery_booking().slots_for(centre.lat, centre.lon, 0, 0, timezone.now()) if centre else []
    goods = sum(g.goods_cents for g in groups)
    sales = [[line_in(li.item.offer.price_cents, li.item.quantity, li.item.offer.tax_rate, li.item.offer.tax_code)
              for li in g.lines] for g in groups]  # fmt: skip
    preview = checkout_preview(goods, sales)
    return {
        **preview, "groups": groups, "goods_cents": goods,
        "slots": [(slot, preview["before_delivery_cents"] + slot.fee.cents) for slot in slots[:9]],
        "methods": payment_methods().values(),
        "idempotency_key": request.POST.get("idempotency_key") or uuid.uuid4().hex,
        "default_name": getattr(request.user, "full_name", ""), "default_phone": getattr(request.user, "phone", ""),
        **_pin_context(request),
    }  # fmt: skip


def _pin_context(request: HttpRequest) -> dict[str, Any]:
    """The checkout's pin map: the served areas (the node's own geometry) and the saved pin, if any."""
    areas = delivery_booking().area()
    saved_lat, saved_lon = getattr(request.user, "saved_lat", None), getattr(request.user, "saved_lon", None)
    return {
        "saved": {key: getattr(request.user, f"saved_{key}", "") for key in ("address", "postal_code", "city")},
        "pin_map": {"tiles": settings.COMPTOIR_TILE_URL, "attribution": "", "stops": [],
                    "zones": [{"name": a.name, "ring": [list(p) for p in a.ring]} for a in areas]},
        "pin_lat": f"{saved_lat:.6f}" if saved_lat is not None else "",
        "pin_lon": f"{saved_lon:.6f}" if saved_lon is not None else "",
    }  # fmt: skip


def _remember_address(request: HttpRequest, checkout: Any) -> None:
    """Keep the address on the resident's account when they ask to (signed-in residents only)."""
    if not request.user.is_authenticated or not request.POST.get("remember_address") or not checkout.address:
        return
    try:
        do_save_address(request.user, address=checkout.address, postal_code=checkout.postal_code,  # type: ignore[arg-type]
                        city=checkout.city, lat=checkout.lat, lon=checkout.lon)  # fmt: skip
    except ComptoirError as error:
        messages.info(request, error.message)


def checkout_page(request: HttpRequest) -> HttpResponse:
    cart = _cart(request)
    groups = selectors.cart_groups(cart)
    if not groups:
        messages.info(request, _("Your cart is empty."))
        return redirect("orders:cart")
    context = _checkout_context(request, groups)
    if request.method == "POST":
        checkout = checkout_request(request, groups)
        try:
            order, _created = services.do_checkout(
                request.user, cart, checkout, client=client_of(request, cart)
            )
        except ComptoirError as error:
            context["error"], context["error_status"] = error.message, 429 if error.status == 429 else 400
        else:
            _remember_address(request, checkout)
            if not request.user.is_authenticated:
                request.session[GUEST_ORDERS_KEY] = [*request.session.get(GUEST_ORDERS_KEY, []), order.token][
                    -20:
                ]
            messages.success(
                request, _("Thank you! Your order %(number)s is placed.") % {"number": order.number}
            )
            return redirect("orders:order", token=order.token)
    return render(request, "orders/checkout.html", context, status=context.get("error_status", 200))


MY_ORDERS_PAGE = 20  # a resident's orders, newest first, a page at a time
FINAL_STATUSES = {"completed", "cancelled"}  # nothing more will happen: the page stops polling


def _order_context(order: Order) -> dict[str, Any]:
    detail = selectors.order_detail(order.pk)
    status = selectors.order_status(detail)
    return {
        "order": detail,
        "status": status,
        "status_label": selectors.status_label(detail),
        "polling": status not in FINAL_STATUSES,
        "delivery": delivery_tracking(detail),
        "confirm_email": detail.customer_id is None and detail.email_confirmed_at is None
        and status not in FINAL_STATUSES,
        "hold": settings.COMPTOIR_UNCONFIRMED_HOLD_MINUTES,
    }  # fmt: skip


def _epc_qr(order: Order) -> str:
    """The EPC QR code to pay by transfer, only while it is due and the coop's account is configured."""
    from comptoir.ledger.bank import epc_qr_svg
    from comptoir.orders.payments import bank_account

    account = (
        bank_account()
        if order.payment_method == "bank_transfer" and order.payment_status == "pending"
        else None
    )
    if account is None or order.total_cents <= 0:
        return ""
    return epc_qr_svg(name=settings.COMPTOIR_NODE_NAME, iban=account[0], bic=account[1],
                      amount_cents=order.total_cents, reference=order.number)  # fmt: skip


def order_page(request: HttpRequest, token: str) -> HttpResponse:
    order = access_order_for_customer(request.user, token)
    return render(request, "orders/order.html", {**_order_context(order), "epc_qr": _epc_qr(order)})


def order_live(request: HttpRequest, token: str) -> HttpResponse:
    """The order page's live part (status, shop orders and their actions, totals), polled by htmx."""
    order = access_order_for_customer(request.user, token)
    if not request.headers.get("HX-Request"):
        return redirect("orders:order", token=order.token)  # a plain visit gets the whole page
    return render(request, "orders/_order_live.html", _order_context(order))


DESTRUCTIVE = {"cancel", "decline-changes", "reject"}  # asked twice: a page to confirm, then the POST


def _confirm_page(
    request: HttpRequest, *, question: str, shop_order: Any, back: str, reason: bool
) -> HttpResponse:
    context = {"question": question, "so": shop_order, "back": back, "reason": reason}
    return render(request, "web/confirm.html", context)


@require_http_methods(["GET", "POST"])
def order_action(request: HttpRequest, token: str, shop_order_id: int, action: str) -> HttpResponse:
    """The resident's actions; a cancellation is confirmed on its own page first (works without JS)."""
    order = access_order_for_customer(request.user, token)
    shop_order = order.shop_orders.select_related("shop").filter(pk=shop_order_id).first()
    if shop_order is None or action not in {"cancel", "accept-changes", "decline-changes"}:
        messages.error(request, _("Unknown action."))
        return redirect("orders:order", token=order.token)
    if request.method == "GET":
        if action not in DESTRUCTIVE:
            return redirect("orders:order", token=order.token)
        question = _("Cancel your order at %(shop)s? The products go back on the shelf.") % {
            "shop": shop_order.shop.name
        }
        back = reverse("orders:order", args=[order.token])
        return _confirm_page(request, question=question, shop_order=shop_order, back=back, reason=False)
    try:
        if action == "cancel":
            services.do_cancel_shop_order(shop_order.pk, by="customer", actor=request.user)
        else:
            services.do_answer_changes(shop_order.pk, accept=action == "accept-changes", actor=request.user)
    except ComptoirError as error:
        messages.error(request, error.message)
    return redirect("orders:order", token=order.token)


@require_POST
def order_confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    order = access_order_for_customer(request.user, token)
    try:
        services.do_confirm_guest_email(order.pk, code=request.POST.get("code", ""))
    except ComptoirError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Thank you: your email is confirmed and your order is kept."))
    return redirect("orders:order", token=order.token)


@require_POST
def order_again(request: HttpRequest, token: str) -> HttpResponse:
    order = access_order_for_customer(request.user, token)
    added = services.do_order_again(request.user, _cart(request, create=True), order)
    messages.success(request, _("%(n)d products put back in your cart.") % {"n": added})
    return redirect("orders:cart")


def my_orders(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        orders = selectors.orders_of(request.user)
    else:
        orders = selectors.orders_of(None).filter(
            token__in=request.session.get(GUEST_ORDERS_KEY, []), customer=None
        )
    page_obj = Paginator(orders, MY_ORDERS_PAGE).get_page(request.GET.get("page"))
    rows = [(order, selectors.status_label(order)) for order in page_obj]
    return render(request, "orders/my_orders.html", {"rows": rows, "page_obj": page_obj})


@login_required
def shop_queue(request: HttpRequest, ref: str) -> HttpResponse:
    """The live queue. Loading it changes nothing: its script posts to `shop_queue_new` to announce."""
    shop = access_shop_for_staff(request.user, ref)
    queue = list(selectors.shop_queue(shop))
    shown = max((so.pk for so in queue), default=0)
    return render(request, "orders/shop_queue.html", {"shop": shop, "queue": queue, "shown": shown})


@login_required
@require_POST
def shop_queue_new(request: HttpRequest, ref: str) -> HttpResponse:
    """Posted by the queue page (htmx, every 10 s): marks new orders announced, once for every screen,
    and returns those the page does not list yet (ids above `shown`)."""
    shop = access_shop_for_staff(request.user, ref)
    shown = _int(request.POST.get("shown"))
    fresh = [so for so in services.do_mark_announced(shop.pk) if so.pk > shown]
    return render(request, "orders/_tickets.html", {"shop": shop, "tickets": fresh})


@login_required
def shop_order_page(request: HttpRequest, ref: str, shop_order_id: int) -> HttpResponse:
    shop_order = access_shop_order_for_staff(request.user, shop_order_id, ref)
    lines = shop_order.lines.select_related("offer", "substitute")
    substitutes = selectors.substitute_offers(shop_order.shop) if shop_order.status == "placed" else []
    context = {"shop": shop_order.shop, "so": shop_order, "lines": lines, "substitutes": substitutes,
               "pickup_code": pickup_code(shop_order)}  # fmt: skip
    return render(request, "orders/shop_order.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def shop_order_action(request: HttpRequest, ref: str, shop_order_id: int, action: str) -> HttpResponse:
    """A shop's actions; refusing or cancelling is confirmed on its own page first (works without JS)."""
    shop_order = access_shop_order_for_staff(request.user, shop_order_id, ref)
    if request.method == "GET":
        if action not in DESTRUCTIVE:
            return redirect("orders:shop-order", ref=ref, shop_order_id=shop_order.pk)
        question = (
            _("Refuse order %(number)s? The resident is told at once.")
            if action == "reject"
            else _("Cancel order %(number)s? The resident is told at once.")
        )
        back = reverse("orders:shop-queue", args=[ref])
        return _confirm_page(
            request, question=question % {"number": shop_order.order.number}, shop_order=shop_order, back=back,
            reason=True,
        )  # fmt: skip
    fields = {key: request.POST.get(key, "").strip() for key in request.POST}
    quantities = {_int(k[4:]): _int(v, -1) for k, v in fields.items() if k.startswith("qty-") and v}
    substitutes = {_int(k[4:]): _int(v) for k, v in fields.items() if k.startswith("sub-") and v}
    try:
        services.do_shop_action(
            shop_order.pk, action, request.user, request.POST.get("reason", ""), None, quantities, substitutes
        )
    except ComptoirError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Order %(number)s updated.") % {"number": shop_order.order.number})
    return redirect("orders:shop-queue", ref=ref)
