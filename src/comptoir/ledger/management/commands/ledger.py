"""`comptoir ledger check|balances|entries|statement|accounts`: the books from the shell.

`comptoir ledger check --json` prints, per currency, {"balanced": true, "debits": N, "credits": N, ...}
in minor units, and exits with status 1 when the books do not balance.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from comptoir.core.money import DEFAULT_CURRENCY
from comptoir.ledger import postings, selectors


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str)


class Command(BaseCommand):
    help = "The cooperative's books: check that they balance, balances, entries, a shop's statement."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for name, text in [("check", "Debits = credits, per currency."), ("balances", "Every account's balance."),
                           ("accounts", "The chart of accounts."), ("entries", "Latest entries."),
                           ("statement", "A shop's statement (goods owed).")]:  # fmt: skip
            one = sub.add_parser(name, help=text)
            one.add_argument("--json", action="store_true")
            one.add_argument("--currency", default=DEFAULT_CURRENCY)
            if name == "statement":
                one.add_argument("shop_ref")
            if name == "entries":
                one.add_argument("--limit", type=int, default=50)

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        getattr(self, "_" + action)(**options)

    def _out(self, data: Any, as_json: bool, text: list[str]) -> None:
        self.stdout.write(_json(data) if as_json else "\n".join(text))

    def _check(self, *, json: bool, **_: Any) -> None:
        data = selectors.check()
        lines = [f"{c}: debits {v['debits']} credits {v['credits']} → {'balanced' if v['balanced'] else 'NOT BALANCED'}"
                 for c, v in data.items()] or ["no entries yet"]  # fmt: skip
        self._out(data, json, lines)
        if not all(v["balanced"] for v in data.values()):
            sys.exit(1)

    def _balances(self, *, json: bool, currency: str, **_: Any) -> None:
        rows = selectors.balances(currency)
        self._out(rows, json, [f"{r['code']:<24} {r['balance']:>12}  {r['name']}" for r in rows])

    def _accounts(self, *, json: bool, **_: Any) -> None:
        rows = [
            {"code": c, "name_fr": fr, "name_en": en, "kind": k} for c, (fr, en, k) in postings.CHART.items()
        ]
        self._out(rows, json, [f"{r['code']:<8} {r['kind']:<10} {r['name_fr']}" for r in rows])

    def _entries(self, *, json: bool, limit: int, **_: Any) -> None:
        rows = [
            {"id": e.pk, "kind": e.kind, "occurred_at": e.occurred_at, "memo": e.memo, "order_id": e.order_id,
             "lines": [{"account": x.account.code, "currency": x.currency, "debit": x.debit, "credit": x.credit}
                       for x in e.lines.all()]}
            for e in selectors.entries()[:limit]
        ]  # fmt: skip
        self._out(
            rows,
            json,
            [f"#{r['id']} {r['occurred_at']:%Y-%m-%d %H:%M} {r['kind']:<12} {r['memo']}" for r in rows],
        )

    def _statement(self, *, json: bool, currency: str, shop_ref: str, **_: Any) -> None:
        rows = selectors.shop_statement(shop_ref, currency)
        self._out(rows, json, [f"{r['at']:%Y-%m-%d} {r['kind']:<12} +{r['credit']:>8} -{r['debit']:>8} = {r['balance']:>10}"
                               for r in rows])  # fmt: skip
