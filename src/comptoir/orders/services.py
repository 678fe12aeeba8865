"""Order writes: checkout, the shop order lifecycle, and the calls the delivery app makes.

Shop order lifecycle: placed → accepted (or rejected, or changes_proposed that the resident
accepts or declines) → prepared → handed_over (to the courier, or to the resident: then
completed at once) → completed (the courier's delivery). The resident cancels while the
shop has not prepared; the shop cancels until it hands over. Every way out (rejection,
cancellation, expiry, a removed line) gives the reserved stock back.

The delivery app calls, each in its own transaction and with its email:
    do_hand_over(shop_order_id, to="courier", actor=...)   the courier collected the parcel
    do_notify_out_for_delivery(order_id)                    the round with this drop has started
    do_mark_delivered(order_id, proof="...")                delivered: handed-over shop orders complete
    do_mark_delivery_failed(order_id, reason="...")         nobody home, refused...: the order says why
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Case, F, When
from django.utils.translation import gettext as _

from comptoir.catalog.models import Offer
from comptoir.catalog.selectors import sellable_offers
from comptoir.catalog.services import mark_offers_changed
from comptoir.core.errors import InvalidInput, NotFound
from comptoir.core.money import Money, percent_of
from comptoir.orders.cart import do_add_to_cart, do_claim_guest_cart, do_set_cart_quantity  # noqa: F401
from comptoir.orders.checkout import CheckoutRequest, do_checkout  # noqa: F401
from comptoir.orders.delivery_port import delivery_booking
from comptoir.orders.lock_objects import offers_for_update, order_for_update, shop_order_for_update
from comptoir.orders.models import Fulfilment, Order, OrderLine, ShopOrder
from comptoir.orders.notify import send_after_commit

S = ShopOrder.Status
DEAD = {S.REJECTED, S.CANCELLED, S.EXPIRED}


def _locked(shop_order_id: int, allowed: Iterable[str]) -> ShopOrder:
    shop_order = shop_order_for_update(shop_order_id)
    if shop_order is None:
        raise NotFound(_("No such shop order."))
    if shop_order.status not in allowed:
        message = _("Order %(number)s is “%(status)s”: this action is not possible any more.")
        raise InvalidInput(
            message % {"number": shop_order.order.number, "status": shop_order.get_status_display()}
        )
    return shop_order


def _set(shop_order: ShopOrder, status: str, note: str = "") -> None:
    shop_order.status = status
    if note:
        shop_order.note = note
    shop_order.save(update_fields=["status", "note", "handed_to", "updated"])


def _release(lines: Iterable[OrderLine], quantities: dict[int, int] | None = None) -> None:
    """Give reserved stock back: the whole line, or `quantities[line.id]` units of it."""
    back: dict[int, int] = {}
    for line in lines:
        if line.reserved and line.offer_id:
            back[line.offer_id] = back.get(line.offer_id, 0) + (quantities or {}).get(line.pk, line.quantity)
    back = {i: q for i, q in back.items() if q}
    if back:
        offers_for_update(back)
        Offer.objects.filter(pk__in=back).update(
            stock=Case(*[When(pk=i, then=F("stock") + q) for i, q in back.items()])
        )
        mark_offers_changed(back)


def _reprice(order: Order) -> None:
    """Totals follow the live shop orders: dead ones cost nothing, delivery only if something is delivered."""
    live = [so for so in order.shop_orders.all() if so.status not in DEAD]
    goods = sum(so.goods_cents for so in live)
    for fee in order.fee_lines.all():
        if fee.kind == "coop" and fee.rate_percent is not None:
            fee.amount_cents = percent_of(Money(goods), fee.rate_percent).cents
        elif fee.kind == "delivery" and not any(so.fulfilment == Fulfilment.DELIVERY for so in live):
            fee.amount_cents = 0
        fee.save(update_fields=["amount_cents"])
    order.goods_cents, order.tax_cents = goods, sum(so.tax_cents for so in live)
    order.fees_cents = sum(fee.amount_cents for fee in order.fee_lines.all())
    order.total_cents = order.goods_cents + order.fees_cents
    order.save(update_fields=["goods_cents", "tax_cents", "fees_cents", "total_cents"])


def _end(shop_order: ShopOrder, status: str, note: str, email: str) -> ShopOrder:
    _release(shop_order.lines.all())
    _set(shop_order, status, note)
    order = order_for_update(shop_order.order_id)
    assert order is not None
    _reprice(order)
    if (
        order.delivery_booking_ref
        and order.fee_lines.filter(kind="delivery", amount_cents__gt=0).count() == 0
    ):
        delivery_booking().cancel(order.delivery_booking_ref)
        order.delivery_status = Order.DeliveryStatus.CANCELLED
        order.save(update_fields=["delivery_status"])
    if email:
        send_after_commit(email, order.pk, shop_order.pk)
    return shop_order


@transaction.atomic
def do_accept_shop_order(shop_order_id: int, *, actor: Any) -> ShopOrder:
    shop_order = _locked(shop_order_id, {S.PLACED})
    _set(shop_order, S.ACCEPTED)
    return shop_order


@transaction.atomic
def do_reject_shop_order(shop_order_id: int, *, actor: Any, reason: str = "") -> ShopOrder:
    shop_order = _locked(shop_order_id, {S.PLACED, S.CHANGES})
    return _end(shop_order, S.REJECTED, reason, "shop_rejected")


@transaction.atomic
def do_cancel_shop_order(shop_order_id: int, *, by: str, actor: Any, reason: str = "") -> ShopOrder:
    """The resident cancels before the shop prepares; the shop cancels until it hands over."""
    allowed = {S.PLACED, S.CHANGES, S.ACCEPTED} if by == "customer" else {S.ACCEPTED, S.PREPARED}
    shop_order = _locked(shop_order_id, allowed)
    return _end(
        shop_order, S.CANCELLED, reason, "customer_cancelled" if by == "customer" else "shop_cancelled"
    )


def do_expire_shop_orders(now: datetime) -> int:
    """Release the stock of shop orders their shop did not answer in time."""
    ids = list(ShopOrder.objects.filter(status=S.PLACED, expires_at__lte=now).values_list("pk", flat=True))
    for shop_order_id in ids:
        with transaction.atomic():
            shop_order = shop_order_for_update(shop_order_id)
            if shop_order is not None and shop_order.status == S.PLACED:
                _end(shop_order, S.EXPIRED, _("The shop did not answer in time."), "shop_rejected")
    return len(ids)


@transaction.atomic
def do_propose_changes(
    shop_order_id: int,
    *,
    actor: Any,
    quantities: dict[int, int],
    substitutes: dict[int, int] | None = None,
    note: str = "",
) -> ShopOrder:
    """Partial acceptance: new quantities (0 removes a line) or substitute offers, for the resident to confirm."""
    shop_order = _locked(shop_order_id, {S.PLACED})
    lines = {line.pk: line for line in shop_order.lines.all()}
    substitutes = substitutes or {}
    if not (quantities or substitutes) or not set(quantities) | set(substitutes) <= set(lines):
        raise InvalidInput(_("Propose a change on a line of this order."))
    for line_id, quantity in quantities.items():
        if not 0 <= quantity <= lines[line_id].quantity:
            raise InvalidInput(_("A new quantity must be between 0 and the quantity ordered."), line=line_id)
        lines[line_id].proposed_quantity = quantity
    for line_id, offer_id in substitutes.items():
        if not sellable_offers().filter(pk=offer_id, shop=shop_order.shop).exists():
            raise InvalidInput(_("A substitute must be an active product of your shop."), line=line_id)
        lines[line_id].substitute_id = offer_id
    OrderLine.objects.bulk_update(lines.values(), ["proposed_quantity", "substitute"])
    _set(shop_order, S.CHANGES, note)
    send_after_commit("changes_proposed", shop_order.order_id, shop_order.pk)
    return shop_order


def _apply_substitute(line: OrderLine, quantity: int) -> None:
    offer = offers_for_update([line.substitute_id])[line.substitute_id]  # type: ignore[list-item,index]
    if not offer.on_demand and offer.stock < quantity:
        raise InvalidInput(_("The substitute “%(name)s” is out of stock now.") % {"name": offer.name_fr})
    _release([line])
    if not offer.on_demand:
        Offer.objects.filter(pk=offer.pk).update(stock=F("stock") - quantity)
        mark_offers_changed([offer.pk])
    line.offer, line.sku, line.name, line.reserved = offer, offer.sku, offer.name_fr, not offer.on_demand
    line.unit_price_cents, line.tax_rate = offer.price_cents, offer.tax_rate


@transaction.atomic
def do_answer_changes(shop_order_id: int, *, accept: bool, actor: Any) -> ShopOrder:
    """The resident accepts the shop's changes (the shop order is then accepted) or declines (cancelled)."""
    from comptoir.orders import pricing

    shop_order = _locked(shop_order_id, {S.CHANGES})
    if not accept:
        return _end(shop_order, S.CANCELLED, _("Changes declined by the resident."), "customer_cancelled")
    for line in shop_order.lines.all():
        quantity = line.quantity if line.proposed_quantity is None else line.proposed_quantity
        if line.substitute_id and quantity:
            _apply_substitute(line, quantity)
        elif quantity < line.quantity:
            _release([line], {line.pk: line.quantity - quantity})
        if quantity == 0:
            line.delete()
            continue
        priced = pricing.price_line(pricing.LineIn(line.unit_price_cents, quantity, line.tax_rate))
        line.quantity, line.total_cents, line.tax_cents = quantity, priced.total.cents, priced.tax.cents
        line.proposed_quantity, line.substitute = None, None
        line.save()
    remaining = list(shop_order.lines.all())
    shop_order.goods_cents = sum(line.total_cents for line in remaining)
    shop_order.tax_cents = sum(line.tax_cents for line in remaining)
    shop_order.save(update_fields=["goods_cents", "tax_cents"])
    if not remaining:
        return _end(shop_order, S.CANCELLED, _("Every product was removed."), "")
    _set(shop_order, S.ACCEPTED)
    _reprice(shop_order.order)
    return shop_order


@transaction.atomic
def do_prepare_shop_order(shop_order_id: int, *, actor: Any) -> ShopOrder:
    shop_order = _locked(shop_order_id, {S.ACCEPTED})
    _set(shop_order, S.PREPARED)
    if shop_order.fulfilment == Fulfilment.COLLECT:
        send_after_commit("ready", shop_order.order_id, shop_order.pk)
    return shop_order


@transaction.atomic
def do_hand_over(shop_order_id: int, *, to: str, actor: Any) -> ShopOrder:
    """The shop hands a prepared parcel to the courier (delivery) or to the resident (collect: completed)."""
    shop_order = _locked(shop_order_id, {S.PREPARED})
    expected = "courier" if shop_order.fulfilment == Fulfilment.DELIVERY else "resident"
    if to != expected:
        who = _("the courier") if expected == "courier" else _("the resident")
        raise InvalidInput(_("This order is handed over to %(who)s.") % {"who": who})
    shop_order.handed_to = to
    _set(shop_order, S.COMPLETED if to == "resident" else S.HANDED_OVER)
    return shop_order


def _delivery_order(order_id: int) -> Order:
    order = order_for_update(order_id)
    if order is None or not order.delivery_booking_ref:
        raise NotFound(_("No such order with a delivery."))
    return order


@transaction.atomic
def do_notify_out_for_delivery(order_id: int) -> Order:
    order = _delivery_order(order_id)
    order.delivery_status = Order.DeliveryStatus.OUT
    order.save(update_fields=["delivery_status"])
    send_after_commit("out_for_delivery", order.pk)
    return order


@transaction.atomic
def do_mark_delivered(order_id: int, *, proof: str) -> Order:
    order = _delivery_order(order_id)
    carried = order.shop_orders.filter(status=S.HANDED_OVER, fulfilment=Fulfilment.DELIVERY)
    if not carried.exists():
        raise InvalidInput(_("No parcel of this order was handed to a courier."))
    carried.update(status=S.COMPLETED)
    order.delivery_status, order.delivery_proof = Order.DeliveryStatus.DELIVERED, proof
    order.save(update_fields=["delivery_status", "delivery_proof"])
    send_after_commit("delivered", order.pk)
    return order


@transaction.atomic
def do_mark_delivery_failed(order_id: int, *, reason: str) -> Order:
    order = _delivery_order(order_id)
    order.delivery_status, order.delivery_failure = Order.DeliveryStatus.FAILED, reason
    order.save(update_fields=["delivery_status", "delivery_failure"])
    send_after_commit("delivery_failed", order.pk)
    return order


def do_mark_announced(shop_id: int) -> list[ShopOrder]:
    """The shop's live queue shows each new order once ("prints each ticket once"), on any screen."""
    from django.utils import timezone

    with transaction.atomic():
        fresh = list(
            ShopOrder.objects.select_for_update(of=("self",)).filter(shop_id=shop_id, announced_at=None, status=S.PLACED)
            .select_related("order").order_by("pk")
        )  # fmt: skip
        ShopOrder.objects.filter(pk__in=[so.pk for so in fresh]).update(announced_at=timezone.now())
    return fresh


def do_order_again(person: Any, cart: Any, order: Order) -> int:
    """Put what is still sold of a past order back in the cart; returns the number of products added."""
    added = 0
    for line in OrderLine.objects.filter(shop_order__order=order, offer__isnull=False):
        try:
            do_add_to_cart(cart, line.offer_id, line.quantity)  # type: ignore[arg-type]
        except (InvalidInput, NotFound):
            continue
        added += 1
    return added


def do_shop_action(
    shop_order_id: int, action: str, actor: Any, reason: str = "", to: str | None = None,
    quantities: dict[int, int] | None = None, substitutes: dict[int, int] | None = None,
) -> None:  # fmt: skip
    """One shop action by its name in URLs (accept, reject, propose-changes, prepare, hand-over, cancel)."""
    if action == "accept":
        do_accept_shop_order(shop_order_id, actor=actor)
    elif action == "reject":
        do_reject_shop_order(shop_order_id, actor=actor, reason=reason)
    elif action == "propose-changes":
        do_propose_changes(
            shop_order_id, actor=actor, quantities=quantities or {}, substitutes=substitutes, note=reason
        )
    elif action == "prepare":
        do_prepare_shop_order(shop_order_id, actor=actor)
    elif action == "hand-over":
        if to is None:
            delivery = ShopOrder.objects.filter(pk=shop_order_id, fulfilment=Fulfilment.DELIVERY).exists()
            to = "courier" if delivery else "resident"
        do_hand_over(shop_order_id, to=to, actor=actor)
    elif action == "cancel":
        do_cancel_shop_order(shop_order_id, by="shop", actor=actor, reason=reason)
    else:
        raise InvalidInput(_("Unknown action."))
