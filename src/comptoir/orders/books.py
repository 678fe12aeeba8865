"""Orders' side of the books: an order's figures now, handed to the ledger in the caller's transaction.

Every service that changes what an order is worth (checkout, acceptance, accepted changes,
rejection, cancellation, expiry) calls `post(order_id, kind)` once its amounts are settled; the
ledger writes the difference with what it already holds for the order (ledger/postings.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from comptoir.core.errors import InvalidInput, NotFound
from comptoir.core.money import Money
from comptoir.core.parameters import governed
from comptoir.core.region import node_region
from comptoir.ledger.models import Entry
from comptoir.ledger.postings import OrderPosition, ShopPart
from comptoir.ledger.services import customer_balance, do_post_order, do_record_payment, do_record_refund
from comptoir.orders.error_codes import OrderErrorCode
from comptoir.orders.models import Order, ShopOrder

S = ShopOrder.Status
NOT_ACCEPTED = {S.PLACED, S.CHANGES}
DEAD = {S.REJECTED, S.CANCELLED, S.EXPIRED}


def currency() -> str:
    return node_region().currency


def position(order: Order) -> tuple[OrderPosition, dict[str, str]]:
    shop_orders = list(order.shop_orders.select_related("shop"))
    fees = list(order.fee_lines.all())
    vat = governed("fees_vat_percent", order.created)
    parts = [
        ShopPart(
            so.shop.ref, so.goods_cents, accepted=so.status not in NOT_ACCEPTED, live=so.status not in DEAD
        )
        for so in shop_orders
    ]
    coop = [f for f in fees if f.kind == "coop"]
    extra = {"memo": f"Order {order.number}", "fees_vat_percent": vat.source}
    if coop:
        extra["coop_fee_percent"] = coop[0].source
    goods_taxes: dict[str, int] = {}
    for so in shop_orders:
        if so.status not in DEAD:
            for tax in so.taxes:
                if not tax["included"]:  # added on top (Québec): collected into the tax's own account
                    goods_taxes[tax["account"]] = goods_taxes.get(tax["account"], 0) + int(
                        tax["amount_cents"]
                    )
    fee_taxes = tuple((tax.account, tax.rate) for tax in node_region().fee_taxes)
    made = OrderPosition(
        order.pk, currency(), parts, sum(f.amount_cents for f in coop),
        sum(f.amount_cents for f in fees if f.kind == "delivery"), vat.value, extra,
        goods_taxes=goods_taxes, fee_taxes=fee_taxes,
    )  # fmt: skip
    return made, {so.shop.ref: so.shop.name for so in shop_orders}


def post(order_id: int, kind: str) -> None:
    order = Order.objects.get(pk=order_id)
    made, names = position(order)
    do_post_order(made, kind=kind, shop_names=names)


def owed(order_id: int) -> int:
    """What the resident still owes for this order, per the books (negative: the coop owes them)."""
    return customer_balance(order_id, currency())


def do_record_order_payment(
    order: Order, *, amount_cents: int, method: str, at: datetime | None = None, reference: str = "",
    actor_id: int | None = None,
) -> Entry:  # fmt: skip
    """Money in for an order, at most what the resident owes; once they owe nothing the order is paid.

    The caller holds the order's row lock (`lock_objects.order_for_update`) in its transaction.
    """
    due = owed(order.pk)
    if amount_cents <= 0 or amount_cents > due:
        raise InvalidInput(
            _("A payment is positive and at most what the resident owes (%(due)s).")
            % {"due": Money(max(due, 0), currency()).format(get_language() or "fr")},
            code=OrderErrorCode.BAD_AMOUNT, field="amount_cents",
        )  # fmt: skip
    entry = do_record_payment(order_id=order.pk, amount_cents=amount_cents, currency=currency(),
                              at=at or timezone.now(), reference=reference, method=method, actor_id=actor_id)  # fmt: skip
    if due == amount_cents and order.payment_status != "paid":
        order.payment_status = "paid"
        order.save(update_fields=["payment_status"])
    return entry


def do_collect_on_handover(order: Order, *, reference: str) -> Entry | None:
    """A resident who pays on delivery paid the courier: cash (or card) in, the order paid, in the
    transaction that records the drop. Nothing when they owe nothing (paid already, or all cancelled)."""
    if order.payment_method != "on_handover" or order.payment_status == "paid":
        return None
    due = owed(order.pk)
    if due <= 0:
        return None
    return do_record_order_payment(order, amount_cents=due, method="cash", reference=reference)


@transaction.atomic
def do_enter_payment(
    *,
    actor: Any,
    order_id: int,
    amount_cents: int,
    method: str,
    reference: str = "",
    at: datetime | None = None,
) -> Entry:
    """Staff record money received for an order (a transfer seen outside a statement file, cash at the counter)."""
    from comptoir.members.permissions import check_staff

    check_staff(actor)
    if method not in ("bank", "cash"):
        raise InvalidInput(_("A payment is received by bank or in cash."), field="method")
    order = _order_locked(order_id)
    return do_record_order_payment(order, amount_cents=amount_cents, method=method, at=at, reference=reference,
                                   actor_id=actor.pk)  # fmt: skip


@transaction.atomic
def do_enter_refund(
    *, actor: Any, order_id: int, amount_cents: int, reference: str = "", at: datetime | None = None
) -> Entry:
    """Staff send money back to a resident who paid more than the order now costs (at most that)."""
    from comptoir.members.permissions import check_staff

    check_staff(actor)
    order = _order_locked(order_id)
    return do_record_refund(order_id=order.pk, amount_cents=amount_cents, currency=currency(),
                            at=at or timezone.now(), actor_id=actor.pk, reference=reference)  # fmt: skip


def _order_locked(order_id: int) -> Order:
    from comptoir.orders.lock_objects import order_for_update

    order = order_for_update(order_id)
    if order is None:
        raise NotFound(_("No such order."), code=OrderErrorCode.ORDER_NOT_FOUND)
    return order
