"""Order writes: checkout, the shop order lifecycle, and the calls the delivery app makes.

The shop order lifecycle is the table in `status.py`; every status change goes through
`transitions.apply`, which records who did it (an `OrderEvent`). Every way out (rejection,
cancellation, expiry, a removed line, a missed round) gives the reserved stock back through
`catalog/stock.py`, the one owner of stock movements.

The delivery app calls, each in its own transaction and with its email:
    do_hand_over(shop_order_id, to="courier", by="courier", actor=...)   the courier collected it
    do_notify_out_for_delivery(order_id)                    the round with this drop has started
    do_mark_partly_delivered(order_id, delivered=[...])     one round rang with some parcels, another has the rest
    do_mark_delivered(order_id, proof="...")                delivered: handed-over shop orders complete
    do_mark_delivery_failed(order_id, reason="...")         nobody home, refused...: the order says why
"""

from __future__ import annotations

import hmac
from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from comptoir.catalog import stock
from comptoir.catalog.models import Offer
from comptoir.catalog.selectors import sellable_offers
from comptoir.core.errors import InvalidInput, NotFound
from comptoir.orders import books, pricing, transitions
from comptoir.orders.cart import do_add_to_cart, do_claim_guest_cart, do_set_cart_quantity  # noqa: F401
from comptoir.orders.checkout import CheckoutRequest, do_checkout, line_in  # noqa: F401
from comptoir.orders.delivery_port import delivery_booking
from comptoir.orders.error_codes import OrderErrorCode
from comptoir.orders.lock_objects import (
    order_for_update,
    shop_order_for_update,
    unannounced_shop_orders_for_update,
)
from comptoir.orders.models import Fulfilment, Order, OrderLine, ShopOrder
from comptoir.orders.notify import schedule_expiry, send_after_commit
from comptoir.orders.payments import payment_method
from comptoir.orders.selectors import totals_for
from comptoir.orders.status import DEAD, FINAL, Action, Actor
from comptoir.orders.transitions import SYSTEM, Who

S = ShopOrder.Status


def _locked(shop_order_id: int, action: Action, who: Who) -> ShopOrder:
    """The shop order, row-locked, if the transition table lets `who` do `action` on it now."""
    shop_order = shop_order_for_update(shop_order_id)
    if shop_order is None:
        raise NotFound(_("No such shop order."), code=OrderErrorCode.SHOP_ORDER_NOT_FOUND)
    transitions.check(shop_order, action, who)
    return shop_order


def _reserved(lines: Iterable[OrderLine], quantities: dict[int, int] | None = None) -> dict[int, int]:
    """Units to give back per offer: whole reserved lines, or `quantities[line.id]` units of them."""
    back: dict[int, int] = {}
    for line in lines:
        if line.reserved and line.offer_id:
            back[line.offer_id] = back.get(line.offer_id, 0) + (quantities or {}).get(line.pk, line.quantity)
    return {offer_id: q for offer_id, q in back.items() if q}


def _reprice(order: Order) -> None:
    """Totals follow the live shop orders: dead ones cost nothing, delivery only if something is delivered."""
    live = [so for so in order.shop_orders.all() if so.status not in DEAD]
    totals = totals_for(order, live)
    for fee in order.fee_lines.all():
        fee.amount_cents = totals.fee_cents[fee.pk]
        fee.save(update_fields=["amount_cents"])
    order.goods_cents, order.tax_cents, order.taxes = totals.goods_cents, totals.tax_cents, totals.taxes
    order.fees_cents, order.total_cents = sum(totals.fee_cents.values()), totals.total_cents
    if order.payment_status == "pending":  # "you pay X" follows the new total (start() has no side effect
        with translation.override(order.language):  # until paid: the port's contract, payments.py)
            order.payment_instructions = payment_method(order.payment_method).start(order).instructions
    order.save(
        update_fields=[
            "goods_cents",
            "tax_cents",
            "taxes",
            "fees_cents",
            "total_cents",
            "payment_instructions",
        ]
    )


LEDGER_KINDS = {Action.REJECT: "rejection", Action.EXPIRE: "expiry"}


def _end(shop_order: ShopOrder, action: Action, who: Who, note: str, email: str) -> ShopOrder:
    """A way out (rejection, cancellation, expiry, a missed round): stock back, totals follow, mail."""
    stock.give_back(_reserved(shop_order.lines.all()))
    transitions.apply(shop_order, action, who, note=note)
    order = order_for_update(shop_order.order_id)
    assert order is not None
    _reprice(order)
    books.post(order.pk, LEDGER_KINDS.get(action, "cancellation"))  # in this transaction
    if (
        order.delivery_booking_ref
        and order.delivery_status == Order.DeliveryStatus.BOOKED
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
    who = Who.of(Actor.SHOP, actor)
    shop_order = _locked(shop_order_id, Action.ACCEPT, who)
    transitions.apply(shop_order, Action.ACCEPT, who)
    books.post(shop_order.order_id, "acceptance")
    return shop_order


@transaction.atomic
def do_reject_shop_order(shop_order_id: int, *, actor: Any, reason: str = "") -> ShopOrder:
    who = Who.of(Actor.SHOP, actor)
    shop_order = _locked(shop_order_id, Action.REJECT, who)
    return _end(shop_order, Action.REJECT, who, reason, "shop_rejected")


@transaction.atomic
def do_cancel_shop_order(shop_order_id: int, *, by: str, actor: Any, reason: str = "") -> ShopOrder:
    """The resident cancels before the shop prepares; the shop cancels until it hands over (status.py)."""
    who = Who.of(Actor.RESIDENT if by == "customer" else Actor.SHOP, actor)
    shop_order = _locked(shop_order_id, Action.CANCEL, who)
    email = "customer_cancelled" if who.kind == Actor.RESIDENT else "shop_cancelled"
    return _end(shop_order, Action.CANCEL, who, reason, email)


def do_expire_shop_orders(now: datetime) -> int:
    """Release the stock of shop orders their shop did not answer in time."""
    ids = list(ShopOrder.objects.filter(status=S.PLACED, expires_at__lte=now).values_list("pk", flat=True))
    for shop_order_id in ids:
        with transaction.atomic():
            shop_order = shop_order_for_update(shop_order_id)
            if shop_order is not None and shop_order.status == S.PLACED:
                _end(
                    shop_order, Action.EXPIRE, SYSTEM, _("The shop did not answer in time."), "shop_rejected"
                )
    return len(ids)


def _check_changes(shop_order: ShopOrder, lines: dict[int, OrderLine], quantities: dict[int, int],
                   substitutes: dict[int, int]) -> None:  # fmt: skip
    if not (quantities or substitutes) or not set(quantities) | set(substitutes) <= set(lines):
        raise InvalidInput(_("Propose a change on a line of this order."), code=OrderErrorCode.INVALID_CHANGE)
    for line_id, quantity in quantities.items():
        if not 0 <= quantity <= lines[line_id].quantity:
            raise InvalidInput(
                _("A new quantity must be between 0 and the quantity ordered."),
                code=OrderErrorCode.INVALID_CHANGE, line=line_id,
            )  # fmt: skip
    for line_id, offer_id in substitutes.items():
        if not sellable_offers().filter(pk=offer_id, shop=shop_order.shop).exists():
            raise InvalidInput(
                _("A substitute must be an active product of your shop."),
                code=OrderErrorCode.SUBSTITUTE_UNAVAILABLE, line=line_id,
            )  # fmt: skip


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
    who = Who.of(Actor.SHOP, actor)
    shop_order = _locked(shop_order_id, Action.PROPOSE_CHANGES, who)
    lines = {line.pk: line for line in shop_order.lines.all()}
    substitutes = substitutes or {}
    _check_changes(shop_order, lines, quantities, substitutes)
    for line_id, quantity in quantities.items():
        lines[line_id].proposed_quantity = quantity
    for line_id, offer_id in substitutes.items():
        lines[line_id].substitute_id = offer_id
    OrderLine.objects.bulk_update(lines.values(), ["proposed_quantity", "substitute"])
    transitions.apply(shop_order, Action.PROPOSE_CHANGES, who, note=note)
    send_after_commit("changes_proposed", shop_order.order_id, shop_order.pk)
    return shop_order


def _move_stock_for_changes(lines: list[OrderLine]) -> dict[int, Offer]:
    """One stock move for every accepted change: substitutes taken, originals (or their cut) given back."""
    take: dict[int, int] = {}
    give: dict[int, int] = {}
    for line in lines:
        quantity = line.quantity if line.proposed_quantity is None else line.proposed_quantity
        if line.substitute_id and quantity:
            take[line.substitute_id] = take.get(line.substitute_id, 0) + quantity
            cut = _reserved([line])
        else:
            cut = _reserved([line], {line.pk: line.quantity - quantity})
        for offer_id, q in cut.items():
            give[offer_id] = give.get(offer_id, 0) + q
    try:
        return stock.move(take=take, give=give)
    except stock.OutOfStock as error:
        names = ", ".join(f"“{s.name}”" for s in error.shortfalls)
        raise InvalidInput(
            _("The substitute %(names)s is out of stock now.") % {"names": names},
            code=OrderErrorCode.SUBSTITUTE_UNAVAILABLE, shortfalls=error.details["shortfalls"],
        ) from error  # fmt: skip


@transaction.atomic
def do_answer_changes(shop_order_id: int, *, accept: bool, actor: Any) -> ShopOrder:
    """The resident accepts the shop's changes (the shop order is then accepted) or declines (cancelled)."""
    who = Who.of(Actor.RESIDENT, actor)
    action = Action.ACCEPT_CHANGES if accept else Action.DECLINE_CHANGES
    shop_order = _locked(shop_order_id, action, who)
    if not accept:
        return _end(shop_order, action, who, _("Changes declined by the resident."), "customer_cancelled")
    lines = list(shop_order.lines.all())
    offers = _move_stock_for_changes(lines)
    for line in lines:
        quantity = line.quantity if line.proposed_quantity is None else line.proposed_quantity
        if line.substitute_id and quantity:
            offer = offers[line.substitute_id]
            line.offer, line.sku, line.name, line.reserved = (
                offer,
                offer.sku,
                offer.name_fr,
                not offer.on_demand,
            )
            line.unit_price_cents, line.tax_rate = offer.price_cents, offer.tax_rate
        if quantity == 0:
            line.delete()
            continue
        if line.substitute_id and quantity:
            line.tax_code = offers[line.substitute_id].tax_code
        line.quantity, line.proposed_quantity, line.substitute = quantity, None, None
    remaining = [line for line in lines if line.pk is not None]
    sale = pricing.price_group(
        [line_in(li.unit_price_cents, li.quantity, li.tax_rate, li.tax_code) for li in remaining],
        prices_include_tax=shop_order.order.prices_include_tax,
    )  # the sale's taxes again, on what is left: each tax rounded once on the sale
    for line, priced in zip(remaining, sale.lines, strict=True):
        line.total_cents, line.tax_cents = priced.total.cents, priced.tax.cents
        line.save()
    shop_order.goods_cents, shop_order.tax_cents = sale.goods.cents, sale.tax.cents
    shop_order.taxes = [t.as_dict() for t in sale.taxes]
    shop_order.save(update_fields=["goods_cents", "tax_cents", "taxes"])
    if not remaining:  # stock already given back above: nothing is left to release
        return _end(shop_order, Action.CANCEL, who, _("Every product was removed."), "")
    transitions.apply(shop_order, Action.ACCEPT_CHANGES, who)
    _reprice(shop_order.order)
    books.post(shop_order.order_id, "changes")
    return shop_order


@transaction.atomic
def do_prepare_shop_order(shop_order_id: int, *, actor: Any) -> ShopOrder:
    who = Who.of(Actor.SHOP, actor)
    shop_order = _locked(shop_order_id, Action.PREPARE, who)
    transitions.apply(shop_order, Action.PREPARE, who)
    if shop_order.fulfilment == Fulfilment.COLLECT:
        send_after_commit("ready", shop_order.order_id, shop_order.pk)
    return shop_order


@transaction.atomic
def do_hand_over(shop_order_id: int, *, to: str, actor: Any, by: str = "shop") -> ShopOrder:
    """The shop (or the courier, with the pickup code) hands a parcel to the courier (delivery), or the
    shop hands it to the resident (collect: completed)."""
    who = Who.of(Actor.COURIER if by == "courier" else Actor.SHOP, actor)
    action = Action.HAND_OVER_TO_COURIER if to == "courier" else Action.HAND_OVER_TO_RESIDENT
    shop_order = _locked(shop_order_id, action, who)
    expected = "courier" if shop_order.fulfilment == Fulfilment.DELIVERY else "resident"
    if to != expected:
        whom = _("the courier") if expected == "courier" else _("the resident")
        raise InvalidInput(
            _("This order is handed over to %(who)s.") % {"who": whom}, code=OrderErrorCode.WRONG_RECIPIENT
        )
    shop_order.handed_to = to
    transitions.apply(shop_order, action, who)
    return shop_order


def _delivery_order(order_id: int) -> Order:
    order = order_for_update(order_id)
    if order is None or not order.delivery_booking_ref:
        raise NotFound(_("No such order with a delivery."), code=OrderErrorCode.ORDER_NOT_FOUND)
    return order


@transaction.atomic
def do_notify_out_for_delivery(order_id: int) -> Order:
    order = _delivery_order(order_id)
    order.delivery_status = Order.DeliveryStatus.OUT
    order.save(update_fields=["delivery_status"])
    transitions.record(order, "out-for-delivery", SYSTEM)
    send_after_commit("out_for_delivery", order.pk)
    return order


def _delivery_parts(order_id: int) -> list[ShopOrder | None]:
    # Shop orders before their order, as every other flow locks them (lock_objects.py).
    ids = ShopOrder.objects.filter(order_id=order_id, fulfilment=Fulfilment.DELIVERY).order_by("pk")
    return [shop_order_for_update(pk) for pk in ids.values_list("pk", flat=True)]


@transaction.atomic
def do_mark_partly_delivered(order_id: int, *, delivered: Collection[int], actor: Any = None) -> Order:
    """One round rang with some of the order's parcels (shop orders `delivered`) while another round
    still carries the others: those are completed, and the resident reads "partly delivered"."""
    parts = _delivery_parts(order_id)
    order = _delivery_order(order_id)
    courier = Who.of(Actor.COURIER, actor) if actor is not None else SYSTEM
    for part in parts:
        if part is not None and part.pk in delivered and part.status == S.HANDED_OVER:
            transitions.apply(part, Action.DELIVER, courier)
    if order.delivery_status != Order.DeliveryStatus.FAILED:  # the rest is on its way
        order.delivery_status = Order.DeliveryStatus.OUT
        order.save(update_fields=["delivery_status"])
    transitions.record(order, "partly-delivered", courier)
    return order


@transaction.atomic
def do_mark_delivered(
    order_id: int, *, proof: str, actor: Any = None, delivered: Collection[int] | None = None
) -> Order:
    """The last drop is done: the parcels the couriers delivered (shop orders `delivered`; all those
    handed over when None) are completed; a delivery part that never left its shop missed the round
    and is cancelled (stock back, not paid), so no screen waits for it. A part handed over but not
    delivered (its round failed at the door) keeps the order's failed delivery, as in one round."""
    parts = _delivery_parts(order_id)
    order = _delivery_order(order_id)
    if not any(so is not None and so.status in (S.HANDED_OVER, S.COMPLETED) for so in parts):
        raise InvalidInput(
            _("No parcel of this order was handed to a courier."), code=OrderErrorCode.NOTHING_HANDED_OVER
        )
    courier = Who.of(Actor.COURIER, actor) if actor is not None else SYSTEM
    missed = _("Not handed to the courier before the delivery: cancelled, you do not pay for it.")
    undelivered = False
    for part in parts:
        if part is None or part.status in FINAL:
            continue
        if part.status == S.HANDED_OVER and (delivered is None or part.pk in delivered):
            transitions.apply(part, Action.DELIVER, courier)
        elif part.status == S.HANDED_OVER:
            undelivered = True
        else:
            _end(part, Action.MISS_ROUND, SYSTEM, missed, "")
    order.refresh_from_db()
    if not undelivered:
        order.delivery_status = Order.DeliveryStatus.DELIVERED
    order.delivery_proof = proof
    order.save(update_fields=["delivery_status", "delivery_proof"])
    transitions.record(order, "delivered", courier, note=proof)
    # The drop confirmed with the resident's code or signature is the courier's word that they
    # collected what the screen told them to (pay on delivery): posted now, 530 Caisse / 411.
    books.do_collect_on_handover(order, reference=f"{order.number} on delivery")
    send_after_commit("delivered", order.pk)
    return order


@transaction.atomic
def do_mark_delivery_failed(order_id: int, *, reason: str, actor: Any = None) -> Order:
    order = _delivery_order(order_id)
    order.delivery_status, order.delivery_failure = Order.DeliveryStatus.FAILED, reason
    order.save(update_fields=["delivery_status", "delivery_failure"])
    courier = Who.of(Actor.COURIER, actor) if actor is not None else SYSTEM
    transitions.record(order, "delivery-failed", courier, note=reason)
    send_after_commit("delivery_failed", order.pk)
    return order


@transaction.atomic
def do_mark_announced(shop_id: int) -> list[ShopOrder]:
    """The shop's screen announced (rang, printed) these new orders: posted by the queue page's script,
    never done by loading a page (a GET changes nothing)."""
    fresh = unannounced_shop_orders_for_update(shop_id)
    ShopOrder.objects.filter(pk__in=[so.pk for so in fresh]).update(announced_at=timezone.now())
    return fresh


def do_confirm_guest_email(order_id: int, *, code: str) -> Order:
    """The guest typed the code mailed to them: their address is real, their stock is held normally.

    Wrong codes count (five at most, then the order keeps its short hold), so the code cannot be
    guessed. Shop orders are locked before their order, as in every other flow.
    """
    from comptoir.orders import guards

    with transaction.atomic():
        placed = ShopOrder.objects.filter(order_id=order_id, status=S.PLACED).order_by("pk")
        parts = [shop_order_for_update(pk) for pk in placed.values_list("pk", flat=True)]
        order = order_for_update(order_id)
        if order is None:
            raise NotFound(_("No such order."), code=OrderErrorCode.ORDER_NOT_FOUND)
        if order.email_confirmed_at is not None:
            return order
        right = bool(order.email_code_hash) and hmac.compare_digest(
            order.email_code_hash, guards.code_digest(code)
        )
        if not right or order.email_code_attempts >= guards.MAX_CODE_ATTEMPTS:
            order.email_code_attempts += 1
            order.save(update_fields=["email_code_attempts"])
            failed = True
        else:
            now = timezone.now()
            order.email_confirmed_at = now
            order.save(update_fields=["email_confirmed_at"])
            expires = guards.hold_until(order.created, confirmed=True)
            for part in parts:
                if part is not None and part.status == S.PLACED:
                    part.expires_at = max(expires, now)
                    part.save(update_fields=["expires_at"])
            transitions.record(order, "email-confirmed", Who.of(Actor.RESIDENT))
            schedule_expiry(expires)  # queued with this transaction (core/queue.py)
            failed = False
    if failed:  # outside the transaction: the wrong attempt stays counted
        if order.email_code_attempts > guards.MAX_CODE_ATTEMPTS:
            message = _("Too many wrong codes: this order keeps its short reservation.")
        else:
            message = _("This code is not the one we mailed you.")
        raise InvalidInput(message, code=OrderErrorCode.CONFIRMATION_INVALID, field="code")
    return order


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
        raise InvalidInput(_("Unknown action."), code=OrderErrorCode.UNKNOWN_ACTION)
