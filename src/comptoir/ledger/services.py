"""Ledger writes. Callers run them inside their own transaction, so an event and its entry commit together.

do_post_order(position, kind=..., at=...)   checkout, acceptance, changes, cancellation, rejection, expiry
do_post_round(posting, at=...)              a finished round's courier and vehicle costs
do_post_delivery_job(posting, at=...)       a delivery done for another platform's seller, billed to it
do_post_remote_sale(posting, at=...)        a remote order our coop collects: the resident owes us, we owe the seller's node
do_cancel_remote_sale(reference, ...)       that order cancelled by the seller: its sale entry swapped back
do_record_remote_payment(...)               the resident's transfer for a remote order
do_post_cash_on_delivery(...)               its price collected at the door, owed to that platform
do_post_platform_settlement(...)            what was collected for a platform, less our fees, paid to it
do_record_payment(...)                      money in for an order (bank statement, cash at handover)
do_record_refund(...)                       money back to a resident
do_record_cost(...)                         rent, servers, bikes... entered by staff
do_post_payout(...)                         goods paid out to a shop, pay to a courier
do_reverse_entry(...)                       a correction: the same lines, swapped, in a new entry
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.core.errors import InvalidInput, NotFound
from comptoir.core.parameters import governed
from comptoir.ledger import closing, postings
from comptoir.ledger.models import Account, Entry, Line
from comptoir.ledger.postings import (
    DeliveryJobPosting,
    LineOut,
    OrderPosition,
    RemoteSalePosting,
    RoundPosting,
)


def _new_account(code: str, name: str = "") -> Account:
    parent, _sep, suffix = code.partition("-")
    if parent not in postings.CHART:
        raise InvalidInput(
            _("No account %(code)s in the chart of accounts.") % {"code": code}, field="account"
        )
    french, _english, kind = postings.CHART[parent]
    label = f"{french} – {name or suffix}" if suffix else french
    return Account(
        code=code, parent=parent, name=label[:200], kind=kind,
        shop_ref=suffix if parent in (postings.GOODS_OWED, postings.GOODS_PENDING) else "",
        person_id=int(suffix) if parent == postings.COURIERS_OWED and suffix.isdigit() else None,
    )  # fmt: skip


def account(code: str, *, name: str = "") -> Account:
    """The account with this code, opened on first use (sub-accounts per shop and courier)."""
    found = Account.objects.filter(code=code).first()
    if found is not None:
        return found
    Account.objects.bulk_create([_new_account(code, name)], ignore_conflicts=True)
    return Account.objects.get(code=code)


def _write(
    kind: str, lines: list[LineOut], *, currency: str, at: datetime, memo: str = "", names: dict[str, str] | None = None,
    **fields: Any,
) -> Entry | None:  # fmt: skip
    if not lines:
        return None
    if not postings.balanced(lines):
        raise ValueError(f"unbalanced entry {kind}: {lines}")  # a bug, never a user error
    entry = Entry.objects.create(
        kind=kind, occurred_at=at, recorded_at=timezone.now(), memo=memo[:300], **fields
    )
    names = names or {}
    codes = {line.account for line in lines}
    known = {
        a.code: a for a in Account.objects.filter(code__in=codes)
    }  # one read; sub-accounts open on first use
    if codes - set(known):
        Account.objects.bulk_create([_new_account(code, names.get(code, "")) for code in codes - set(known)],
                                    ignore_conflicts=True)  # fmt: skip
        known = {a.code: a for a in Account.objects.filter(code__in=codes)}
    Line.objects.bulk_create(
        [
            Line(entry=entry, account=known[x.account], currency=currency, debit=x.debit, credit=x.credit)
            for x in lines
        ]
    )
    return entry


def posted_for_order(order_id: int) -> dict[str, int]:
    """Signed balance (credit − debit) of each account from this order's sale entries."""
    sales = Q(entry__kind__in=postings.SALE_KINDS) | Q(
        entry__kind="reversal", entry__reverses__kind__in=postings.SALE_KINDS
    )
    rows = (
        Line.objects.filter(sales, entry__order_id=order_id)
        .values_list("account__code").annotate(c=Sum("credit"), d=Sum("debit"))
    )  # fmt: skip
    return {code: c - d for code, c, d in rows if c != d}


def do_post_order(
    position: OrderPosition, *, kind: str, at: datetime | None = None, shop_names: dict[str, str] | None = None,
) -> Entry | None:  # fmt: skip
    """Bring the books to the order's position now; nothing is written when nothing changed."""
    if kind not in postings.SALE_KINDS:
        raise ValueError(f"not a sale entry kind: {kind}")
    lines = postings.difference(postings.target(position), posted_for_order(position.order_id))
    names = {postings.shop_account(p, ref): name for ref, name in (shop_names or {}).items()
             for p in (postings.GOODS_OWED, postings.GOODS_PENDING)}  # fmt: skip
    return _write(
        kind, lines, currency=position.currency, at=at or timezone.now(), order_id=position.order_id,
        memo=position.extra.get("memo", ""), names=names, sources=position.extra,
    )  # fmt: skip


def do_post_round(posting: RoundPosting, *, at: datetime) -> Entry | None:
    if Entry.objects.filter(round_id=posting.round_id).exists():
        return None  # a round's cost is posted once
    names = {postings.person_account(postings.COURIERS_OWED, posting.courier_id): posting.courier_name}
    return _write(
        "round", postings.round_lines(posting), currency=posting.currency, at=at, round_id=posting.round_id,
        memo=f"Round {posting.round_id}", names=names,
    )  # fmt: skip


def do_post_delivery_job(posting: DeliveryJobPosting, *, at: datetime) -> Entry | None:
    """Bill an outside delivery job once (its booking reference marks the entry)."""
    if Entry.objects.filter(kind="delivery_job", reference=posting.booking_ref).exists():
        return None
    account_code = postings.platform_account(posting.client_id)
    return _write(
        "delivery_job", postings.delivery_job_lines(posting), currency=posting.currency, at=at,
        reference=posting.booking_ref, memo=f"Delivery for {posting.client_id}, order {posting.client_ref}",
        names={account_code: posting.client_id},
    )  # fmt: skip


def do_post_remote_sale(posting: RemoteSalePosting, *, at: datetime) -> Entry | None:
    """Book a remote order our cooperative collects, once (its payment reference marks the entry)."""
    if Entry.objects.filter(kind="remote_sale", reference=posting.reference).exists():
        return None
    account_code = postings.node_account(posting.node_id)
    return _write(
        "remote_sale", postings.remote_sale_lines(posting), currency=posting.currency, at=at,
        reference=posting.reference, memo=f"Order {posting.order_ref} from {posting.node_id}"[:300],
        names={account_code: posting.node_id},
    )  # fmt: skip


def do_cancel_remote_sale(reference: str, *, at: datetime, memo: str) -> Entry | None:
    """The seller's node cancelled the order: its sale entry is swapped back, once; what was paid stays
    with the resident's balance (a refund is a separate entry)."""
    original = Entry.objects.filter(kind="remote_sale", reference=reference).first()
    if original is None or Entry.objects.filter(reverses=original).exists():
        return None
    lines = [
        LineOut(line.account.code, line.credit, line.debit)
        for line in original.lines.select_related("account")
    ]
    currency = original.lines.values_list("currency", flat=True).first() or ""
    return _write("remote_cancel", lines, currency=currency, at=at, memo=memo, reference=reference,
                  reverses=original)  # fmt: skip


def remote_sale_owed(reference: str, currency: str) -> int:
    """What the resident still owes for the remote order with this payment reference."""
    row = Line.objects.filter(
        entry__reference=reference, entry__kind__in=("remote_sale", "remote_cancel", "remote_payment"),
        account__code=postings.CUSTOMERS, currency=currency,
    ).aggregate(d=Sum("debit"), c=Sum("credit"))  # fmt: skip
    return (row["d"] or 0) - (row["c"] or 0)


def do_record_remote_payment(*, reference: str, amount_cents: int, currency: str, at: datetime) -> Entry:
    """The resident's transfer for a remote order reached our bank: at most what they owe for it."""
    due = remote_sale_owed(reference, currency)
    if amount_cents <= 0 or amount_cents > due:
        raise InvalidInput(
            _("A payment is positive and at most what the resident owes (%(cents)d).")
            % {"cents": max(due, 0)},
            field="amount",
        )
    lines = [LineOut(postings.BANK, amount_cents, 0), LineOut(postings.CUSTOMERS, 0, amount_cents)]
    entry = _write("remote_payment", lines, currency=currency, at=at, reference=reference,
                   memo=f"Payment {reference}")  # fmt: skip
    assert entry is not None
    return entry


def do_post_cash_on_delivery(
    *, booking_ref: str, client_id: str, client_ref: str, cents: int, currency: str, at: datetime
) -> Entry | None:
    """Cash taken at the door for another platform's seller, once (the booking's reference marks it)."""
    if Entry.objects.filter(kind="cod_collected", reference=booking_ref).exists():
        return None
    code = postings.platform_collected_account(client_id)
    return _write(
        "cod_collected", postings.cash_on_delivery_lines(client_id, cents), currency=currency, at=at,
        reference=booking_ref, memo=f"Collected on delivery for {client_id}, order {client_ref}",
        names={code: client_id},
    )  # fmt: skip


def do_post_platform_settlement(
    *, client_id: str, client_ref: str, collected_cents: int, fees_cents: int, currency: str, at: datetime,
    reference: str,
) -> Entry:  # fmt: skip
    """Pay a platform what was collected for it, less our fees (never more than the books hold for it)."""
    held = balance(postings.platform_collected_account(client_id), currency)
    if collected_cents <= 0 or collected_cents > held:
        raise InvalidInput(
            _("%(code)s holds %(held)d; a settlement of %(amount)d is not possible.")
            % {
                "code": postings.platform_collected_account(client_id),
                "held": held,
                "amount": collected_cents,
            }
        )
    entry = _write(
        "settlement", postings.platform_settlement_lines(client_id, collected_cents, fees_cents), currency=currency,
        at=at, reference=reference[:100], memo=f"Settlement to {client_id}, order {client_ref}",
        names={postings.platform_account(client_id): client_id},
    )  # fmt: skip
    assert entry is not None
    return entry


def customer_balance(order_id: int, currency: str) -> int:
    """What the resident still owes for this order (negative: the coop owes them)."""
    row = Line.objects.filter(
        entry__order_id=order_id, account__code=postings.CUSTOMERS, currency=currency
    ).aggregate(d=Sum("debit"), c=Sum("credit"))
    return (row["d"] or 0) - (row["c"] or 0)


def do_record_payment(
    *, order_id: int, amount_cents: int, currency: str, at: datetime, reference: str = "", method: str = "bank",
    actor_id: int | None = None,
) -> Entry:  # fmt: skip
    if amount_cents <= 0:
        raise InvalidInput(_("A payment is a positive amount."), field="amount")
    into = postings.BANK if method == "bank" else postings.CASH
    lines = [LineOut(into, amount_cents, 0), LineOut(postings.CUSTOMERS, 0, amount_cents)]
    entry = _write("payment", lines, currency=currency, at=at, order_id=order_id, reference=reference[:100],
                   memo=f"Payment {reference}".strip(), actor_id=actor_id)  # fmt: skip
    assert entry is not None
    return entry


def do_record_refund(
    *,
    order_id: int,
    amount_cents: int,
    currency: str,
    at: datetime,
    actor_id: int | None = None,
    reference: str = "",
) -> Entry:
    """Money back to a resident who paid more than their order now costs (a cancellation after paying)."""
    owed_to_them = -customer_balance(order_id, currency)
    if amount_cents <= 0 or amount_cents > owed_to_them:
        raise InvalidInput(
            _("A refund is positive and at most what the coop owes the resident (%(cents)d).")
            % {"cents": owed_to_them},
            field="amount",
        )
    lines = [LineOut(postings.CUSTOMERS, amount_cents, 0), LineOut(postings.BANK, 0, amount_cents)]
    entry = _write("refund", lines, currency=currency, at=at, order_id=order_id, actor_id=actor_id,
                   reference=reference[:100], memo="Refund")  # fmt: skip
    assert entry is not None
    return entry


@transaction.atomic
def do_record_cost(
    *, actor: Any, account_code: str, amount_cents: int, currency: str, memo: str, at: datetime,
    paid: bool = True, reference: str = "",
) -> Entry:  # fmt: skip
    """A cost staff enter (rent, servers, bikes, an accountant's invoice), paid from the bank or owed."""
    from comptoir.members.permissions import check_staff

    check_staff(actor)
    if account_code not in postings.STAFF_COST_ACCOUNTS:
        raise InvalidInput(_("Choose a cost account."), field="account")
    if amount_cents <= 0:
        raise InvalidInput(_("A cost is a positive amount."), field="amount")
    if not memo.strip():
        raise InvalidInput(_("Say what the cost is for."), field="memo")
    counter = postings.BANK if paid else postings.SUPPLIERS
    lines = [LineOut(account_code, amount_cents, 0), LineOut(counter, 0, amount_cents)]
    entry = _write(
        "cost", lines, currency=currency, at=at, memo=memo, actor_id=actor.pk, reference=reference[:100]
    )
    assert entry is not None
    return entry


def balance(code: str, currency: str, until: datetime | None = None) -> int:
    """Signed balance credit − debit (positive for what a liability holds)."""
    query = Line.objects.filter(account__code=code, currency=currency)
    if until is not None:
        query = query.filter(entry__occurred_at__lt=until)
    row = query.aggregate(d=Sum("debit"), c=Sum("credit"))
    return (row["c"] or 0) - (row["d"] or 0)


def do_post_payout(
    *, account_code: str, amount_cents: int, currency: str, at: datetime, payout_id: int, reference: str
) -> Entry:
    """Goods paid to a shop (4671-SHOP) or pay to a courier (421-PERSON), from the bank; never more than owed."""
    if account_code.split("-", 1)[0] not in (postings.GOODS_OWED, postings.COURIERS_OWED):
        raise InvalidInput(_("Payouts go to a shop or a courier."), field="account")
    owed = balance(account_code, currency)
    if amount_cents <= 0 or amount_cents > owed:
        raise InvalidInput(
            _("%(code)s is owed %(owed)d; a payout of %(amount)d is not possible.")
            % {"code": account_code, "owed": owed, "amount": amount_cents}
        )
    lines = [LineOut(account_code, amount_cents, 0), LineOut(postings.BANK, 0, amount_cents)]
    entry = _write("payout", lines, currency=currency, at=at, payout_id=payout_id, reference=reference[:100],
                   memo=f"Payout {reference}")  # fmt: skip
    assert entry is not None
    return entry


@transaction.atomic
def do_reverse_entry(*, actor: Any, entry_id: int, reason: str) -> Entry:
    """A correction: a new entry with the same lines swapped. The original stays as it was."""
    from comptoir.members.permissions import check_staff

    check_staff(actor)
    original = Entry.objects.select_for_update().filter(pk=entry_id).first()
    if original is None:
        raise NotFound(_("No such entry."))
    if hasattr(original, "reversed_by") or original.kind == "reversal":
        raise InvalidInput(_("This entry is already corrected."))
    if not reason.strip():
        raise InvalidInput(_("Say why the entry is corrected."), field="reason")
    by_currency: dict[str, list[LineOut]] = defaultdict(list)
    for line in original.lines.select_related("account"):
        by_currency[line.currency].append(LineOut(line.account.code, line.credit, line.debit))
    [(currency, lines)] = by_currency.items()
    entry = _write("reversal", lines, currency=currency, at=timezone.now(), memo=reason, reverses=original,
                   order_id=original.order_id, actor_id=actor.pk)  # fmt: skip
    assert entry is not None
    return entry


def period_nets(since: datetime, until: datetime, currency: str) -> dict[str, int]:
    """Each income and expense account's net (credit − debit) over [since, until), closings left out."""
    rows = (
        Line.objects.filter(account__kind__in=(postings.INCOME, postings.EXPENSE), currency=currency,
                            entry__occurred_at__gte=since, entry__occurred_at__lt=until)
        .exclude(entry__kind="closing")
        .values_list("account__code").annotate(c=Sum("credit"), d=Sum("debit"))
    )  # fmt: skip
    return {code: c - d for code, c, d in rows if c != d}


@transaction.atomic
def do_close_period(*, actor: Any, since: datetime, until: datetime, currency: str) -> Entry:
    """Close a finished period (a month, a year): its result out of the income and expense accounts,
    allocated per `surplus_reserve_percent` in force at the period's end. Once per period; periods
    never overlap. The entry is dated the period's last second, so it belongs to the period it closes."""
    from comptoir.members.permissions import check_staff

    check_staff(actor)
    if not since < until <= timezone.now():
        raise InvalidInput(_("Close a period once it is over."), code="period_not_over", field="until")
    # Closings one at a time: the reserves account's row is the lock (two staff closing the same month).
    Account.objects.select_for_update().filter(pk=account(closing.RESERVES).pk).get()
    for closed in Entry.objects.filter(kind="closing", lines__currency=currency).distinct():
        start, end = (datetime.fromisoformat(x) for x in closed.sources["period"].split("/"))
        if start < until and since < end:
            raise InvalidInput(
                _("This period overlaps one already closed (%(period)s).")
                % {"period": closed.sources["period"]},
                code="period_closed",
            )
    rule = governed("surplus_reserve_percent", until)
    lines, allocation = closing.closing_lines(period_nets(since, until, currency), rule.value)
    if not lines:
        raise InvalidInput(
            _("Nothing to close: no income or expense in this period."), code="nothing_to_close"
        )
    period = f"{since.isoformat()}/{until.isoformat()}"
    entry = _write(
        "closing", lines, currency=currency, at=until - timedelta(seconds=1), actor_id=actor.pk,
        memo=f"Closing {timezone.localdate(since)} – {timezone.localdate(until - timedelta(seconds=1))}",
        reference=f"closing {currency} {timezone.localdate(since)}",
        sources={"period": period, "surplus_reserve_percent": rule.source, "result": allocation.result,
                 "reserves": allocation.reserves, "carried_forward": allocation.carried_forward},
    )  # fmt: skip
    assert entry is not None
    return entry
