"""Transparency pages: the public monthly report with its charts, CSV exports, a shop's statement,
a courier's hours and pay. Views parse, call one selector, render; figures come from `reports`."""

from __future__ import annotations

import csv
from datetime import date
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from comptoir.core.money import node_currency
from comptoir.ledger import reports, selectors
from comptoir.ledger.permissions import access_statement
from comptoir.ledger.services import balance

CHART_MONTHS = 12
PAGE = 50


def _month(text: str) -> date:
    try:
        return date.fromisoformat(f"{text}-01")
    except ValueError as error:
        raise Http404(_("No such month.")) from error


def _csv(name: str, header: list[str], rows: list[list[Any]]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


def months(request: HttpRequest) -> HttpResponse:
    """Every month's headline figures, newest first, with the fees-versus-costs chart."""
    rows = [reports.month_report(m, node_currency()) for m in reports.months_with_entries()]
    if request.GET.get("format") == "csv":
        flat = [r.as_csv_row() for r in rows]
        keys = list(flat[0]) if flat else ["month"]
        return _csv("comptoir-months", keys, [[row[k] for k in keys] for row in flat])
    chart = reports.bar_chart_svg([(r.month, r.fees, r.costs) for r in rows[:CHART_MONTHS]],
                                  labels=(_("Fees"), _("Costs")), title=_("Fees and costs per month"))  # fmt: skip
    page = Paginator(rows, 24).get_page(request.GET.get("page"))
    return render(request, "ledger/months.html", {"page": page, "chart": chart})


def month(request: HttpRequest, month: str) -> HttpResponse:
    report = reports.month_report(_month(month), node_currency())
    since, until = reports.month_bounds(_month(month))
    balances = selectors.balances(node_currency(), since=since, until=until)
    public = [b for b in balances if "-" not in b["code"]]  # sub-accounts (a shop, a courier) stay private
    if request.GET.get("format") == "csv":
        table = request.GET.get("table", "summary")
        if table == "accounts":
            return _csv(f"comptoir-{month}-accounts", ["code", "name", "debits", "credits", "balance"],
                        [[b["code"], b["name"], b["debits"], b["credits"], b["balance"]] for b in public])  # fmt: skip
        data = report.as_dict()
        return _csv(f"comptoir-{month}", list(data), [list(data.values())])
    chart = reports.bar_chart_svg([(report.month, report.fees, report.costs)], labels=(_("Fees"), _("Costs")),
                                  title=_("Fees and costs"))  # fmt: skip
    closed = reports.closing_of(since, until, node_currency())
    return render(request, "ledger/month.html", {
        "report": report, "accounts": public, "chart": chart, "closing": closed.sources if closed else None,
        "van_g": reports.VAN_G_PER_KM, "bike_g": reports.CARGO_BIKE_G_PER_KM,
    })  # fmt: skip


def shop_statement(request: HttpRequest, shop_ref: str) -> HttpResponse:
    shop = access_statement(request.user, shop_ref)
    rows = selectors.shop_statement(shop.ref, node_currency())
    if request.GET.get("format") == "csv":
        keys = ["at", "kind", "order_id", "memo", "credit", "debit", "balance"]
        return _csv(f"statement-{shop.ref}", keys, [[r[k] for k in keys] for r in rows])
    page = Paginator(rows[::-1], PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "ledger/statement.html",
        {"shop": shop, "page": page, "owed": rows[-1]["balance"] if rows else 0},
    )


def courier_pay(request: HttpRequest) -> HttpResponse:
    from comptoir.delivery.models import RoundCost
    from comptoir.delivery.permissions import check_courier

    courier = check_courier(request.user)
    costs = (
        RoundCost.objects.filter(round__courier=courier).select_related("round").order_by("-round__departs")
    )
    rows: list[dict[str, Any]] = [
        {"departs": c.round.departs, "hours": round(c.courier_seconds / 3600, 2), "pay": c.courier_cents,
         "deliveries": c.deliveries} for c in costs
    ]  # fmt: skip
    if request.GET.get("format") == "csv":
        keys = ["departs", "hours", "pay", "deliveries"]
        return _csv("my-rounds", keys, [[r[k] for k in keys] for r in rows])
    page = Paginator(rows, PAGE).get_page(request.GET.get("page"))
    mine = balance(f"421-{courier.pk}", node_currency())
    return render(request, "ledger/courier_pay.html", {"page": page, "owed": mine,
                                                        "hours": round(sum(r["hours"] for r in rows), 2)})  # fmt: skip
