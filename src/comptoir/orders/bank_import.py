"""The coop's bank statement (camt.053 or CSV) marks orders paid by the order number in the transfer's reference.

Each credit becomes one `BankLine` (its bank reference is unique, so importing a statement twice adds
nothing); a credit naming an order posts a payment (512 / 411) and, once the resident owes nothing,
the order is paid. A credit naming an order from another node's shop that we collect (the order id we
sent, booked as a `remote_sale`) posts its payment the same way, if it is at most what is still owed.
A credit naming no known order stays unmatched for staff to look at.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from django.db import transaction
from django.utils import timezone

from comptoir.ledger import bank
from comptoir.ledger.models import BankLine, Entry
from comptoir.ledger.services import (
    customer_balance,
    do_record_payment,
    do_record_remote_payment,
    remote_sale_owed,
)
from comptoir.members.permissions import check_staff
from comptoir.orders.models import Order


@dataclass
class ImportResult:
    credits: int = 0
    already_imported: int = 0
    matched: int = 0
    paid_orders: int = 0
    unmatched: int = 0


@transaction.atomic
def do_import_statement(*, actor: Any, data: bytes, kind: str) -> ImportResult:
    check_staff(actor)
    credits = bank.parse_camt053(data) if kind == "camt053" else bank.parse_csv(data.decode("utf-8-sig"))
    result = ImportResult(credits=len(credits))
    known = set(
        BankLine.objects.filter(bank_ref__in=[c.bank_ref for c in credits]).values_list("bank_ref", flat=True)
    )
    for credit in credits:
        if not credit.bank_ref or credit.bank_ref in known:
            result.already_imported += 1
            continue
        known.add(credit.bank_ref)
        numbers = credit.order_numbers()
        order = (
            Order.objects.select_for_update().filter(pk__in=numbers).order_by("pk").first()
            if numbers
            else None
        )
        line = BankLine(bank_ref=credit.bank_ref[:100], booked=credit.booked, amount_cents=credit.amount_cents,
                        currency=credit.currency, reference=credit.reference[:300], source=kind,
                        imported_at=timezone.now())  # fmt: skip
        if order is None:
            line.entry = _remote_payment(credit, actor_id=actor.pk)
            result.matched += line.entry is not None
            result.unmatched += line.entry is None
            line.save()
            continue
        at = timezone.make_aware(datetime.combine(credit.booked, time(12)))
        line.order_id = order.pk
        line.entry = do_record_payment(order_id=order.pk, amount_cents=credit.amount_cents, currency=credit.currency,
                                       at=at, reference=credit.bank_ref, actor_id=actor.pk)  # fmt: skip
        line.save()
        result.matched += 1
        if customer_balance(order.pk, credit.currency) <= 0 and order.payment_status != "paid":
            Order.objects.filter(pk=order.pk).update(payment_status="paid")
            result.paid_orders += 1
    return result


def _remote_payment(credit: bank.Credit, *, actor_id: int) -> Entry | None:
    """The resident's transfer for a remote order we collect, when the amount is at most what they owe."""
    for reference in credit.remote_references():
        sale = Entry.objects.filter(kind="remote_sale", reference__iexact=reference).first()
        if sale is None:
            continue
        reference = sale.reference
        due = remote_sale_owed(reference, credit.currency)
        if not 0 < credit.amount_cents <= due:
            return None  # more than owed, or nothing owed: staff decide (a refund, another order)
        at = timezone.make_aware(datetime.combine(credit.booked, time(12)))
        return do_record_remote_payment(
            reference=reference, amount_cents=credit.amount_cents, currency=credit.currency, at=at
        )
    return None
