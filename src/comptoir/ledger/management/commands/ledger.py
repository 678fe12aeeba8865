"""`comptoir ledger check|balances|entries|statement|accounts`: the books from the shell.

`comptoir ledger check --json` prints, per currency, {"balanced": true, "debits": N, "credits": N, ...}
in minor units, and exits with status 1 when the books do not balance.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from comptoir.core.errors import ComptoirError
from comptoir.core.money import node_currency
from comptoir.ledger import postings, selectors
from comptoir.ledger.bank import BankFileError


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
            one.add_argument("--currency", default="", help="default: the node's")
            if name == "statement":
                one.add_argument("shop_ref")
            if name == "entries":
                one.add_argument("--limit", type=int, default=50)
        imp = sub.add_parser("import-statement", help="Import the coop's bank statement (camt.053, or CSV).")
        imp.add_argument("file")
        imp.add_argument("--csv", action="store_true", help="date,amount,currency,reference,bank_ref columns")
        imp.add_argument("--as", dest="staff", required=True, help="email of the staff member importing it")
        pay = sub.add_parser("payouts", help="Write the pain.001 file paying every shop what it is owed.")
        pay.add_argument("--execution", required=True, help="YYYY-MM-DD")
        pay.add_argument("--out", required=True)
        pay.add_argument("--as", dest="staff", required=True)
        payee = sub.add_parser("payee", help="Set where a shop's payouts go.")
        payee.add_argument("shop_ref")
        payee.add_argument("--holder", required=True)
        payee.add_argument("--iban", default="")
        payee.add_argument("--bic", default="")
        payee.add_argument(
            "--institution", default="", help="Canadian node: 3 digits (instead of IBAN and BIC)"
        )
        payee.add_argument("--transit", default="", help="Canadian node: the branch's 5 digits")
        payee.add_argument("--account", default="", help="Canadian node: the account's 7 to 12 digits")
        payee.add_argument("--as", dest="staff", required=True)

        close = sub.add_parser(
            "close", help="Close a finished month or year: its result allocated per the rules."
        )
        close.add_argument("period", help="YYYY-MM or YYYY")
        close.add_argument("--as", dest="staff", required=True)
        close.add_argument("--currency", default="", help="default: the node's")
        close.add_argument("--json", action="store_true")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        try:
            getattr(self, "_" + action.replace("-", "_"))(**options)
        except (ComptoirError, BankFileError) as error:
            raise CommandError(getattr(error, "message", str(error))) from error

    @staticmethod
    def _staff(email: str) -> Any:
        from comptoir.members.models import Person

        person = Person.objects.filter(email=email.strip().lower()).first()
        if person is None:
            raise CommandError(f"no person with the email {email}")
        return person

    def _import_statement(self, *, file: str, csv: bool, staff: str, **_: Any) -> None:
        from comptoir.orders.bank_import import do_import_statement

        data = Path(file).read_bytes()
        result = do_import_statement(actor=self._staff(staff), data=data, kind="csv" if csv else "camt053")
        self.stdout.write(_json(result.__dict__))

    def _payouts(self, *, execution: str, out: str, staff: str, **_: Any) -> None:
        from comptoir.core.money import node_currency
        from comptoir.ledger.payouts import do_make_payout_file
        from comptoir.orders.payments import bank_account

        if node_currency() == "CAD":
            self._canadian_payouts(execution=execution, out=out, staff=staff)
            return
        account = bank_account()
        if account is None:
            raise CommandError("configure COMPTOIR_BANK_IBAN and COMPTOIR_BANK_BIC first")
        payout = do_make_payout_file(actor=self._staff(staff), debtor=(settings.COMPTOIR_NODE_NAME, *account),
                                     execution=date.fromisoformat(execution))  # fmt: skip
        if payout is None:
            self.stdout.write("no shop is owed anything")
            return
        Path(out).write_text(payout.xml)
        self.stdout.write(
            f"{out}: {payout.transfers} transfers, {payout.total_cents} cents, {payout.message_id}"
        )

    def _canadian_payouts(self, *, execution: str, out: str, staff: str) -> None:
        from comptoir.ledger.bank import canadian_account
        from comptoir.ledger.payouts import do_make_canadian_payout_file

        parts = (settings.COMPTOIR_BANK_CA_INSTITUTION, settings.COMPTOIR_BANK_CA_TRANSIT,
                 settings.COMPTOIR_BANK_CA_ACCOUNT)  # fmt: skip
        if not all(parts):
            raise CommandError(
                "configure COMPTOIR_BANK_CA_INSTITUTION, COMPTOIR_BANK_CA_TRANSIT and COMPTOIR_BANK_CA_ACCOUNT first"
            )
        result = do_make_canadian_payout_file(
            actor=self._staff(staff), debtor_name=settings.COMPTOIR_NODE_NAME, debtor=canadian_account(*parts),
            execution=date.fromisoformat(execution),
        )  # fmt: skip
        for left in result.left_out:
            self.stdout.write(f"left out: {left.shop_ref} ({left.owed_cents} cents owed): {left.reason}")
        if result.payout is None:
            self.stdout.write("no shop can be paid")
            return
        Path(out).write_text(result.payout.xml)
        payout = result.payout
        self.stdout.write(
            f"{out}: {payout.transfers} transfers, {payout.total_cents} cents, {payout.message_id}"
        )

    def _payee(self, *, shop_ref: str, holder: str, iban: str, bic: str, staff: str, **rest: Any) -> None:
        from comptoir.ledger.payouts import do_set_canadian_payee_account, do_set_payee_account

        if rest.get("institution") or rest.get("transit") or rest.get("account"):
            do_set_canadian_payee_account(
                actor=self._staff(staff), shop_ref=shop_ref, holder=holder, institution=rest["institution"],
                transit=rest["transit"], account=rest["account"],
            )  # fmt: skip
            self.stdout.write(f"payouts of {shop_ref} go to {rest['institution']}-{rest['transit']}")
            return
        do_set_payee_account(actor=self._staff(staff), shop_ref=shop_ref, holder=holder, iban=iban, bic=bic)
        self.stdout.write(f"payouts of {shop_ref} go to {iban}")

    def _close(self, *, period: str, staff: str, currency: str, json: bool, **_: Any) -> None:
        from comptoir.ledger.reports import period_bounds
        from comptoir.ledger.services import do_close_period

        try:
            since, until = period_bounds(period)
        except ValueError as error:
            raise CommandError(str(error)) from error
        entry = do_close_period(
            actor=self._staff(staff), since=since, until=until, currency=currency or node_currency()
        )
        lines = [(x.account.code, x.debit, x.credit) for x in entry.lines.select_related("account")]
        data = {"entry": entry.pk, **entry.sources, "lines": [dict(zip(("account", "debit", "credit"), x, strict=True))
                                                              for x in lines]}  # fmt: skip
        self._out(data, json, [f"{period}: result {entry.sources['result']}, reserves {entry.sources['reserves']}, "
                               f"carried forward {entry.sources['carried_forward']} ({currency}, minor units)"])  # fmt: skip

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
        rows = selectors.balances(currency or node_currency())
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
        rows = selectors.shop_statement(shop_ref, currency or node_currency())
        self._out(rows, json, [f"{r['at']:%Y-%m-%d} {r['kind']:<12} +{r['credit']:>8} -{r['debit']:>8} = {r['balance']:>10}"
                               for r in rows])  # fmt: skip
