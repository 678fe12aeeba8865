"""JSON API of the books: the check and the chart (public), balances per chart account (public),
entries and sub-account balances (staff), a shop's statement (its staff), a courier's pay (themselves)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.responses import Status

from comptoir.core.errors import InvalidInput
from comptoir.core.money import node_currency
from comptoir.ledger import postings, reports, selectors, services
from comptoir.ledger.models import Entry
from comptoir.ledger.permissions import access_statement
from comptoir.members.api import AUTH
from comptoir.members.permissions import check_staff

router = Router(tags=["ledger"])
PAGE = 100


class ErrorOut(Schema):
    error: str
    message: str
    details: dict[str, Any]


class CheckOut(Schema):
    balanced: bool
    debits: int
    credits: int
    entries: int


@router.get("/check", response=dict[str, CheckOut], auth=None,
            summary="Whether the books balance: total debits and credits in minor units, per currency")  # fmt: skip
def check(request: HttpRequest) -> dict[str, Any]:
    return selectors.check()


class AccountOut(Schema):
    code: str
    name_fr: str
    name_en: str
    kind: str


@router.get("/accounts", response=list[AccountOut], auth=None, summary="The chart of accounts")
def chart(request: HttpRequest) -> list[dict[str, str]]:
    return [{"code": c, "name_fr": fr, "name_en": en, "kind": k} for c, (fr, en, k) in postings.CHART.items()]


class BalanceOut(Schema):
    code: str
    name: str
    kind: str
    debits: int
    credits: int
    balance: int


@router.get("/balances", response=list[BalanceOut], auth=None,
            summary="Balance of each chart account (sub-accounts summed), in minor units")  # fmt: skip
def balances(request: HttpRequest, currency: str = "") -> list[dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for row in selectors.balances(currency or node_currency()):
        parent = row["code"].split("-", 1)[0]
        fr, _en, kind = postings.CHART[parent]
        into = merged.setdefault(
            parent, {"code": parent, "name": fr, "kind": kind, "debits": 0, "credits": 0, "balance": 0}
        )
        for key in ("debits", "credits", "balance"):
            into[key] += row[key]
    return list(merged.values())


@router.get("/balances/detail", response={200: list[BalanceOut], 403: ErrorOut}, auth=AUTH,
            summary="Balance of every account and sub-account (staff)")  # fmt: skip
def detailed_balances(request: HttpRequest, currency: str = "") -> list[dict[str, Any]]:
    check_staff(request.user)
    return selectors.balances(currency or node_currency())


class LineOut(Schema):
    account: str
    currency: str
    debit: int
    credit: int


class EntryOut(Schema):
    id: int
    kind: str
    occurred_at: datetime
    memo: str
    order_id: int | None
    round_id: int | None
    reverses_id: int | None
    sources: dict[str, Any]
    lines: list[LineOut]


@router.get("/entries", response={200: list[EntryOut], 403: ErrorOut}, auth=AUTH,
            summary="Entries, newest first, 100 a page (staff)")  # fmt: skip
def entries(
    request: HttpRequest, account: str | None = None, order_id: int | None = None, page: int = 1
) -> list[dict[str, Any]]:
    check_staff(request.user)
    start = (max(page, 1) - 1) * PAGE
    return [_entry(e) for e in selectors.entries(account=account, order_id=order_id)[start : start + PAGE]]


def _entry(e: Entry) -> dict[str, Any]:
    return {"id": e.pk, "kind": e.kind, "occurred_at": e.occurred_at, "memo": e.memo, "order_id": e.order_id,
            "round_id": e.round_id, "reverses_id": e.reverses_id, "sources": e.sources,
            "lines": [{"account": x.account.code, "currency": x.currency, "debit": x.debit, "credit": x.credit}
                      for x in e.lines.all()]}  # fmt: skip


class CostIn(Schema):
    account: str  # 613 rent, 6156 servers, 6063 bikes, 6226 fees, 628 other, 6155 vehicles
    amount_cents: int
    memo: str
    paid: bool = True  # paid from the bank (512), else owed to the supplier (401)
    reference: str = ""
    currency: str = ""  # default: the node's
    at: datetime | None = None


@router.post("/costs", response={201: EntryOut, 400: ErrorOut, 403: ErrorOut}, auth=AUTH,
             summary="Enter a cost (staff): rent, servers, bikes, an accountant's invoice")  # fmt: skip
def record_cost(request: HttpRequest, body: CostIn) -> Any:
    entry = services.do_record_cost(
        actor=request.user, account_code=body.account, amount_cents=body.amount_cents, currency=body.currency or node_currency(),
        memo=body.memo, at=body.at or timezone.now(), paid=body.paid, reference=body.reference,
    )  # fmt: skip
    return Status(201, _entry(entry))


class StatementLineOut(Schema):
    at: datetime
    kind: str
    order_id: int | None
    memo: str
    credit: int
    debit: int
    balance: int


@router.get("/statements/shops/{shop_ref}", response={200: list[StatementLineOut], 403: ErrorOut, 404: ErrorOut},
            auth=AUTH, summary="A shop's statement: goods sold for it, payouts, and what it is owed (its staff)")  # fmt: skip
def shop_statement(request: HttpRequest, shop_ref: str, currency: str = "") -> list[dict[str, Any]]:
    access_statement(request.user, shop_ref)
    return selectors.shop_statement(shop_ref, currency or node_currency())


class TaxCollectedOut(Schema):
    account: str
    name_fr: str
    name_en: str
    amount: int


class MonthReportOut(Schema):
    month: str
    currency: str
    orders: int
    deliveries: int
    rounds: int
    coop_fees: int
    delivery_fees: int
    vat_collected: int
    delivery_costs: int
    other_costs: int
    surplus: int
    fees: int
    costs: int
    average_delivery_cost: int | None
    average_delivery_fee: int | None
    cargo_bike_deliveries: int
    cargo_bike_share_percent: int | None
    cargo_bike_km: int
    co2_avoided_kg: int
    taxes: list[TaxCollectedOut]  # one per tax account: 44571, or 445711 (GST) and 445712 (QST)


@router.get("/reports/{month}", response={200: MonthReportOut, 400: ErrorOut}, auth=None,
            summary="The month's at-cost report (YYYY-MM): fees, costs, surplus, deliveries, in minor units")  # fmt: skip
def month_report(request: HttpRequest, month: str, currency: str = "") -> dict[str, Any]:
    from datetime import date

    from comptoir.core.errors import InvalidInput
    from comptoir.ledger.reports import month_report as report

    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError as error:
        raise InvalidInput("A month is written YYYY-MM.", field="month") from error
    return report(first, currency or node_currency()).as_dict()


class ClosingIn(Schema):
    period: str  # YYYY-MM or YYYY, over
    currency: str = ""  # default: the node's


@router.post("/closings", response={201: EntryOut, 400: ErrorOut, 403: ErrorOut}, auth=AUTH,
             summary="Close a finished month or year (staff): the result allocated per surplus_reserve_percent")  # fmt: skip
def close_period(request: HttpRequest, body: ClosingIn) -> Any:
    try:
        since, until = reports.period_bounds(body.period)
    except ValueError as error:
        raise InvalidInput(str(error), field="period") from error
    entry = services.do_close_period(
        actor=request.user, since=since, until=until, currency=body.currency or node_currency()
    )
    return Status(201, _entry(entry))
