"""The monthly page's figures are the ledger's sums; pages are public, light, and export CSV."""

from __future__ import annotations

import csv
import io
import re

from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from comptoir.ledger.models import Line
from comptoir.ledger.reports import bar_chart_svg, month_report
from comptoir.ledger.services import do_record_cost
from comptoir.members.services import do_add_membership
from comptoir.orders.services import do_accept_shop_order
from comptoir.web.templatetags.comptoir import money
from tests.ledger.test_books import checkout


def ledger_net(parent: str, *, credit: bool) -> int:
    row = Line.objects.filter(account__parent=parent).aggregate(d=Sum("debit"), c=Sum("credit"))
    net = (row["c"] or 0) - (row["d"] or 0)
    return net if credit else -net


def cell(page: str, id_: str) -> str:
    return re.search(rf'<td id="{id_}">(.*?)</td>', page).group(1)


def test_the_monthly_page_shows_the_ledgers_sums(resident, town, owner, make_person):
    first = checkout(resident, town)
    checkout(resident, town, items=[(town["bread"].pk, 1)])
    do_accept_shop_order(first.shop_orders.get(shop__ref="boulangerie").pk, actor=owner)
    staff = make_person("staff@example.org")
    do_add_membership(staff, "staff")
    do_record_cost(
        actor=staff, account_code="6156", amount_cents=1200, currency="EUR", memo="Server", at=timezone.now()
    )
    month = f"{timezone.localdate():%Y-%m}"
    page = Client().get(reverse("ledger:month", args=[month])).content.decode()
    coop, delivery = ledger_net("706100", credit=True), ledger_net("706200", credit=True)
    assert (coop, delivery) == (51 + 4, 375 + 375)  # 2 % of 30,30 € and of 2,40 €, each excl. 20 % VAT
    assert cell(page, "orders") == "2"
    assert cell(page, "coop-fees") == money(coop) and cell(page, "delivery-fees") == money(delivery)
    assert cell(page, "fees") == money(coop + delivery)
    assert cell(page, "other-costs") == money(ledger_net("6156", credit=False)) == money(1200)
    assert cell(page, "surplus") == money(coop + delivery - 1200)
    assert cell(page, "vat") == money(ledger_net("44571", credit=True))
    assert "<script" not in page.split("<main", 1)[1] and "<svg" in page
    assert "4671-boulangerie" not in page  # a shop's own account stays on its statement
    rows = list(
        csv.reader(
            io.StringIO(
                Client().get(reverse("ledger:month", args=[month]), {"format": "csv"}).content.decode()
            )
        )
    )
    data = dict(zip(rows[0], rows[1], strict=True))
    assert (data["fees"], data["costs"], data["surplus"]) == (
        str(coop + delivery),
        "1200",
        str(coop + delivery - 1200),
    )
    api = Client().get(f"/api/v1/ledger/reports/{month}").json()
    assert (api["fees"], api["costs"], api["orders"]) == (coop + delivery, 1200, 2)
    assert Client().get("/api/v1/ledger/reports/2026-13").status_code == 400
    listing = Client().get(reverse("ledger:months")).content.decode()
    assert f'href="{reverse("ledger:month", args=[month])}"' in listing
    assert Client().get(reverse("ledger:month", args=["2026-13"])).status_code == 404


def test_statement_is_its_shops_and_the_chart_is_plain_svg(resident, town, owner, other_shop):
    order = checkout(resident, town)
    do_accept_shop_order(order.shop_orders.get(shop__ref="boulangerie").pk, actor=owner)
    client = Client()
    client.force_login(owner)
    page = client.get(reverse("ledger:statement", args=["boulangerie"])).content.decode()
    assert re.search(r'id="owed">(.*?)<', page).group(1) == money(480)
    assert client.get(reverse("ledger:statement", args=["quincaillerie"])).status_code == 403
    svg = bar_chart_svg([("2026-11", 300, 200)], labels=("Fees", "Costs"), title="t", lang="en")
    assert svg.startswith("<svg") and 'height="130"' in svg and 'height="87"' in svg
    assert month_report(timezone.localdate()).orders == 1


def test_the_chart_names_each_month_and_amount_in_the_readers_language():
    """One month still gets a chart wide enough for both legend entries (it was 96 units wide and cut
    "Costs" off), months read « nov. 2026 » / "Nov 2026" (not "26-11"), amounts as money."""
    with translation.override("fr"):
        svg = bar_chart_svg([("2026-11", 4581, 0)], labels=("Frais", "Coûts"), title="Frais et coûts")
    assert 'viewBox="0 0 240 190"' in svg
    assert (
        '<text x="24" y="170" font-size="9">nov.</text><text x="24" y="182" font-size="9">2026</text>' in svg
    )
    assert "<title>Frais, nov. 2026\u00a0: 45,81\u00a0€</title>" in svg
    assert (
        '<rect class="costs" x="124" y="6" width="9" height="9"/><text x="137" y="14" font-size="10">Coûts</text>'
        in svg
    )
    with translation.override("en"):
        svg = bar_chart_svg(
            [("2026-12", 100, 250), ("2026-11", 4581, 0)], labels=("Fees", "Costs"), title="t"
        )
    assert ">Nov</text>" in svg and ">Dec</text>" in svg and "<title>Costs, Dec 2026: €2.50</title>" in svg
