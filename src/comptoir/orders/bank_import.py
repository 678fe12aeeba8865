"""The coop's bank statement (camt.053 or CSV) marks orders paid by the order number in the transfer's reference.

Each credit becomes one `BankLine` (its bank reference is unique, so importing a statement twice adds
nothing); a credit naming an order posts a payment (512 / 411) and, once the resident owes nothing,
the order is paid. A credit naming no known order stays unmatched for staff to look at.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from django.db import transaction
from django.utils import timezone

from comptoir.ledger import bank
from comptoir.ledger.models import BankLine
from comptoir.ledger.services import customer_balance, do_record_payment
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
            result.unmatched += 1
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
