"""Ledger reads: the books' check, balances, entries, a shop's statement."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, QuerySet, Sum

from comptoir.ledger import postings
from comptoir.ledger.models import Account, Entry, Line


def check() -> dict[str, dict[str, Any]]:
    """Per currency: total debits, total credits, whether they are equal, and the entries that are not."""
    totals = Line.objects.values_list("currency").annotate(
        d=Sum("debit"), c=Sum("credit"), n=Count("entry", distinct=True)
    )
    result: dict[str, dict[str, Any]] = {}
    for currency, debits, credits, entries in totals:
        result[currency] = {
            "balanced": debits == credits,
            "debits": debits,
            "credits": credits,
            "entries": entries,
        }
    unbalanced = (
        Line.objects.values("entry_id", "currency").annotate(d=Sum("debit"), c=Sum("credit"))
        .exclude(d=0, c=0)
    )  # fmt: skip
    for row in unbalanced:
        if row["d"] != row["c"]:
            result[row["currency"]]["balanced"] = False
            result[row["currency"]].setdefault("unbalanced_entries", []).append(row["entry_id"])
    return result


def balances(
    currency: str, *, until: datetime | None = None, since: datetime | None = None
) -> list[dict[str, Any]]:
    """Every account's debits, credits and signed balance (credit − debit) over a period."""
    query = Line.objects.filter(currency=currency)
    if until is not None:
        query = query.filter(entry__occurred_at__lt=until)
    if since is not None:
        query = query.filter(entry__occurred_at__gte=since)
    rows = query.values("account__code", "account__name", "account__kind").annotate(
        d=Sum("debit"), c=Sum("credit")
    )
    return [
        {"code": r["account__code"], "name": r["account__name"], "kind": r["account__kind"],
         "debits": r["d"], "credits": r["c"], "balance": r["c"] - r["d"]}
        for r in rows.order_by("account__code")
    ]  # fmt: skip


def sums_by_parent(currency: str, since: datetime, until: datetime) -> dict[str, dict[str, int]]:
    """Debits and credits per chart account (sub-accounts summed) over [since, until)."""
    rows = (
        Line.objects.filter(currency=currency, entry__occurred_at__gte=since, entry__occurred_at__lt=until)
        .values_list("account__parent").annotate(d=Sum("debit"), c=Sum("credit"))
    )  # fmt: skip
    return {parent: {"debits": d, "credits": c} for parent, d, c in rows}


def entries(*, account: str | None = None, order_id: int | None = None) -> QuerySet[Entry]:
    query = Entry.objects.prefetch_related("lines__account")
    if account:
        query = query.filter(lines__account__code=account).distinct()
    if order_id is not None:
        query = query.filter(order_id=order_id)
    return query.order_by("-occurred_at", "-id")


def shop_statement(shop_ref: str, currency: str) -> list[dict[str, Any]]:
    """Each movement on the shop's goods accounts, oldest first, with the running balance owed."""
    codes = [postings.shop_account(postings.GOODS_OWED, shop_ref)]
    lines = (
        Line.objects.filter(account__code__in=codes, currency=currency)
        .select_related("entry").order_by("entry__occurred_at", "entry_id", "id")
    )  # fmt: skip
    running, rows = 0, []
    for line in lines:
        running += line.credit - line.debit
        rows.append({"at": line.entry.occurred_at, "kind": line.entry.kind, "order_id": line.entry.order_id,
                     "memo": line.entry.memo, "credit": line.credit, "debit": line.debit, "balance": running})  # fmt: skip
    return rows


def accounts() -> QuerySet[Account]:
    return Account.objects.all()
