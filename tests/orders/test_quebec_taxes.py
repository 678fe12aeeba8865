"""A Québec node: GST and QST as two lines per sale, added to before-tax prices, booked to their own accounts.

Amounts are worked by hand below (each tax rounded half up once per sale, on the price before taxes).
"""

from __future__ import annotations

import re
from datetime import time
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.template import Context, Template
from django.utils import translation

from comptoir.catalog.models import Offer, Shop
from comptoir.catalog.services import do_create_offer, do_create_shop, do_set_opening_hours
from comptoir.core.errors import InvalidInput
from comptoir.core.money import Money, node_currency
from comptoir.ledger.models import Line
from comptoir.orders import pricing
from comptoir.orders.models import Order
from comptoir.orders.services import do_answer_changes, do_propose_changes

COLLECT = {"quincaillerie-st-denis": "collect", "depanneur-mont-royal": "collect"}


@pytest.fixture
def quebec(settings: Any) -> None:
    settings.COMPTOIR_REGION = "quebec"


@pytest.fixture
def montreal(quebec: None, make_person: Any) -> dict[str, Any]:
    hardware = do_create_shop(
        owner=make_person("proprio@quincaillerie.example"), ref="quincaillerie-st-denis",
        name="Quincaillerie Saint-Denis", kind="hardware", lat=45.5262, lon=-73.5790, status=Shop.Status.ACTIVE,
    )  # fmt: skip
    corner = do_create_shop(
        owner=make_person("proprio@depanneur.example"), ref="depanneur-mont-royal",
        name="Dépanneur Mont-Royal", kind="grocer", lat=45.5240, lon=-73.5830, status=Shop.Status.ACTIVE,
    )  # fmt: skip
    for s in (hardware, corner):
        do_set_opening_hours(s, [(d, time(8), time(21)) for d in range(7)])
    return {
        "hammer": do_create_offer(
            hardware, {"sku": "M1", "name_fr": "Marteau", "price": "12,99", "stock": "5"}
        ),
        "book": do_create_offer(
            hardware,
            {"sku": "L1", "name_fr": "Guide du bricoleur", "price": "24,95", "stock": "5", "tax_code": "TPS"},
        ),
        "bread": do_create_offer(
            hardware,
            {"sku": "P1", "name_fr": "Pain de ménage", "price": "3,49", "stock": "5", "tax_code": "detaxe"},
        ),
        "gum": do_create_offer(corner, {"sku": "G1", "name_fr": "Gomme", "price": "0,25", "stock": "9"}),
        "mints": do_create_offer(
            corner, {"sku": "G2", "name_fr": "Pastilles", "price": "0,25", "stock": "9"}
        ),
    }


def checkout(resident_api: Any, world: dict[str, Any], **extra: Any) -> Any:
    items = [
        {"offer_id": world[name].pk, "quantity": 1} for name in ("hammer", "book", "bread", "gum", "mints")
    ]
    body = {"email": "alice@example.org", "payment_method": "on_handover", "fulfilment": COLLECT,
            "items": items, **extra}  # fmt: skip
    return resident_api.call("post", "/checkout", body)


def test_offers_take_the_regions_tax_codes(montreal: dict[str, Any]) -> None:
    hammer, book, bread = (Offer.objects.get(pk=montreal[n].pk) for n in ("hammer", "book", "bread"))
    assert (hammer.tax_code, hammer.tax_rate) == ("TPS+TVQ", Decimal("14.975"))  # the default code
    assert (book.tax_code, book.tax_rate) == ("TPS", Decimal("5"))
    assert (bread.tax_code, bread.tax_rate) == ("DETAXE", Decimal("0"))


def test_a_sale_rounds_each_tax_once_on_the_price_before_taxes(quebec: None) -> None:
    from comptoir.core.regions import QUEBEC

    taxable = QUEBEC.tax_code("TPS+TVQ")
    lines = [pricing.LineIn(25, 1, taxable.rate, taxable), pricing.LineIn(25, 1, taxable.rate, taxable)]
    sale = pricing.price_group(lines, prices_include_tax=False)
    # Per line, 0,25 $ would give 0,01 GST + 0,02 QST each (0,06); on the sale, 0,50 $ gives
    # GST 2,5 ¢ → 3 ¢ and QST 4,9875 ¢ → 5 ¢: the invoice's rule, 8 ¢.
    assert [(t.code, t.base_cents, t.amount_cents) for t in sale.taxes] == [("GST", 50, 3), ("QST", 50, 5)]
    assert [line.tax.cents for line in sale.lines] == [5, 3]  # shares add up to the sale's 8 ¢
    assert sale.goods.currency == "CAD"


def test_quebec_checkout_shows_gst_and_qst_that_add_up_to_the_cent(
    montreal: dict[str, Any], resident_api: Any
) -> None:
    response = checkout(resident_api, montreal)
    assert response.status_code == 201, response.json()
    order = response.json()
    # Hardware store: GST on 12,99 + 24,95 = 37,94 $ → 1,897 → 1,90 $; QST on 12,99 $ only → 1,2957… → 1,30 $.
    # Corner store: 0,50 $ → GST 0,03 $, QST 0,05 $ (rounded on the sale, not per item).
    hardware, corner = sorted(order["shop_orders"], key=lambda so: so["shop_ref"], reverse=True)
    assert [(t["code"], t["base_cents"], t["amount_cents"]) for t in hardware["taxes"]] == [
        ("GST", 3794, 190), ("QST", 1299, 130)
    ]  # fmt: skip
    assert [(t["code"], t["amount_cents"]) for t in corner["taxes"]] == [("GST", 3), ("QST", 5)]
    assert [line["tax_cents"] for line in hardware["lines"]] == [195, 125, 0]  # hammer, book, bread
    assert [(t["code"], t["rate"], t["amount_cents"]) for t in order["taxes"]] == [
        ("GST", "5", 193), ("QST", "9.975", 135)
    ]  # fmt: skip
    assert order["prices_include_tax"] is False
    # Goods 41,43 + 0,50 = 41,93 $; taxes 3,28 $; coop fee 2 % of goods before taxes: 0,8386 → 0,84 $.
    assert (order["goods_cents"], order["tax_cents"], order["fees_cents"], order["total_cents"]) == (
        4193, 328, 84, 4605
    )  # fmt: skip
    assert Order.objects.get().total_cents == 4193 + 328 + 84


def test_the_ledger_books_gst_and_qst_to_their_own_accounts_and_balances(
    montreal: dict[str, Any], resident_api: Any
) -> None:
    assert checkout(resident_api, montreal).status_code == 201
    lines = Line.objects.filter(entry__kind="checkout")
    credit = {line.account.code: line.credit for line in lines if line.credit}
    debit = {line.account.code: line.debit for line in lines if line.debit}
    # The coop fee 0,84 $ includes its taxes: 0,84 / 1,14975 → 0,73 $ before taxes, GST 5 % of it
    # 0,0365 → 0,04 $, QST the rest 0,07 $. Goods' taxes go to the same accounts; the shops are owed
    # the goods before taxes.
    assert credit == {
        "4672-quincaillerie-st-denis": 4143, "4672-depanneur-mont-royal": 50,
        "445711": 193 + 4, "445712": 135 + 7, "706100": 73,
    }  # fmt: skip
    assert debit == {"411": 4605}
    assert sum(credit.values()) == sum(debit.values())
    assert {line.currency for line in lines} == {"CAD"}


def test_accepted_changes_recompute_the_sales_taxes(
    montreal: dict[str, Any], resident_api: Any, make_person: Any
) -> None:
    order = Order.objects.get(pk=checkout(resident_api, montreal).json()["id"])
    hardware = order.shop_orders.get(shop__ref="quincaillerie-st-denis")
    owner = hardware.shop.staff.get().person
    book_line = hardware.lines.get(sku="L1")
    do_propose_changes(hardware.pk, actor=owner, quantities={book_line.pk: 0}, note="Plus en stock")
    do_answer_changes(hardware.pk, accept=True, actor=order.customer)
    hardware.refresh_from_db()
    order.refresh_from_db()
    # Left: hammer 12,99 (GST 0,6495 → 0,65; QST 1,2957… → 1,30) and bread (zero-rated).
    assert [(t["code"], t["base_cents"], t["amount_cents"]) for t in hardware.taxes] == [
        ("GST", 1299, 65), ("QST", 1299, 130)
    ]  # fmt: skip
    assert (order.goods_cents, order.tax_cents) == (1648 + 50, 65 + 130 + 3 + 5)
    # Coop fee 2 % of 16,98 $ = 0,3396 → 0,34 $.
    assert order.total_cents == 1698 + 203 + 34
    credit = {}
    for line in Line.objects.all():
        credit[line.account.code] = credit.get(line.account.code, 0) + line.credit - line.debit
    assert credit["445711"] == 65 + 3 + 2  # fee 0,34 $: 0,30 before taxes, GST 0,015 → 0,02, QST 0,02
    assert credit["445712"] == 130 + 5 + 2
    assert sum(credit.values()) == 0


def test_money_is_written_the_quebec_way(
    montreal: dict[str, Any], resident_api: Any, django_capture_on_commit_callbacks: Any
) -> None:
    assert node_currency() == "CAD"
    page = Template("{% load comptoir %}{{ 123456|money }}")
    with translation.override("fr"):
        assert page.render(Context()) == "1\u202f234,56\u00a0$"
    with translation.override("en"):
        assert page.render(Context()) == "$1,234.56"
    assert Money(240).format("fr-CA") == "2,40\u00a0$"
    with django_capture_on_commit_callbacks(execute=True):
        checkout(resident_api, montreal)
    confirmation = next(m.body for m in mail.outbox if m.to == ["alice@example.org"])
    # "Label : amount" (the colon's no-break space belongs to the French typography of every email).
    assert re.search("\nMarchandises, avant taxes\u00a0: 41,93\u00a0\\$\n", confirmation)
    assert re.search("\nTPS \\(5\u202f%\\)\u00a0: 1,93\u00a0\\$\n", confirmation)
    assert re.search("\nTVQ \\(9,975\u202f%\\)\u00a0: 1,35\u00a0\\$\n", confirmation)
    assert re.search("\nTotal\u00a0?: 46,05\u00a0\\$\n", confirmation)


def test_an_unknown_tax_code_is_refused_with_the_accepted_ones(montreal: dict[str, Any]) -> None:
    shop = Shop.objects.get(ref="depanneur-mont-royal")
    with pytest.raises(InvalidInput) as refused:
        do_create_offer(shop, {"sku": "X1", "name_fr": "Bière", "price": "3,00", "tax_code": "TVH"})
    assert "TVH" in str(refused.value.message) and "TPS+TVQ, TPS, DETAXE" in str(refused.value.message)
    with pytest.raises(InvalidInput) as mismatched:
        do_create_offer(
            shop, {"sku": "X2", "name_fr": "Bière", "price": "3,00", "tax_code": "TPS", "tax_rate": "20"}
        )
    assert "TPS" in str(mismatched.value.message)
    assert not Offer.objects.filter(sku__in=["X1", "X2"]).exists()


def test_money_never_mixes_currencies() -> None:
    from comptoir.core.money import MoneyError

    with pytest.raises(MoneyError):
        Money(100, "CAD") + Money(100, "EUR")


def test_postal_codes_are_written_the_regions_way(quebec: None, make_person: Any, resident_api: Any) -> None:
    shop = do_create_shop(owner=None, ref="fleuriste", name="Fleuriste Gagnon", kind="florist", lat=45.52, lon=-73.58,
                          postal_code=" h2t1s6 ")  # fmt: skip
    assert shop.postal_code == "H2T 1S6"
    with pytest.raises(InvalidInput) as refused:
        do_create_shop(
            owner=None, ref="autre", name="Autre", kind="florist", lat=45.52, lon=-73.58, postal_code="25290"
        )
    assert refused.value.details["field"] == "postal_code" and "H2T 1S6" in str(refused.value.message)
    assert not Shop.objects.filter(ref="autre").exists()


def test_a_french_node_refuses_a_canadian_postal_code(make_person: Any) -> None:
    with pytest.raises(InvalidInput) as refused:
        do_create_shop(
            owner=None, ref="x", name="X", kind="florist", lat=47.0, lon=6.0, postal_code="H2T 1S6"
        )
    assert "25290" in str(refused.value.message)


def test_a_supplier_s_postal_code_matches_however_it_is_typed(quebec: None, db: Any) -> None:
    from comptoir.catalog.suppliers import do_create_supplier, match_supplier

    farm = do_create_supplier(shop=None, name="Ferme Tremblay", postal_code="j0l2l0", city="Saint-Rémi")
    assert farm.postal_code == "J0L 2L0"
    assert match_supplier("ferme tremblay", "J0L 2L0").exact == farm
    far = do_create_supplier(
        shop=None, name="Outils du Sud", postal_code="75001", region="Paris", country="FR"
    )
    assert far.postal_code == "75001"  # a foreign code is kept as written


def test_an_unknown_tax_code_in_a_real_csv_upload_is_a_row_error_and_writes_nothing(
    montreal: dict[str, Any],
) -> None:
    """Through the shop's import endpoint and the worker, as a shop sends it: the row, the column and
    the accepted codes; all-or-nothing writes nothing, valid-rows-only writes the good row alone."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from comptoir.members.services import do_issue_api_token
    from tests.conftest import PASSWORD, ApiClient

    api = ApiClient(do_issue_api_token(email="proprio@depanneur.example", password=PASSWORD))
    text = (
        "sku;name_fr;price;stock;tax_code;tax_rate\n"
        "B1;Bière blonde;3,49;12;TPS+TVQ;\n"
        "B2;Bière rousse;3,79;6;TVH;\n"
        "B3;Bière noire;3,99;4;TPS;20\n"
    ).encode()
    url = "/shops/depanneur-mont-royal/imports"
    queued = api.call(
        "post", url, data={"file": SimpleUploadedFile("b.csv", text, "text/csv"), "mode": "all"}
    )
    assert queued.status_code == 202, queued.content
    job = api.call("get", f"{url}/{queued.json()['id']}").json()
    assert (job["status"], job["rows_total"], job["rows_created"], job["rows_rejected"]) == (
        "rejected",
        3,
        0,
        2,
    )
    assert [(e["row"], e["column"]) for e in job["errors"]] == [(3, "tax_code"), (4, "tax_rate")]
    assert "TVH" in job["errors"][0]["message"] and "TPS+TVQ, TPS, DETAXE" in job["errors"][0]["message"]
    assert not Offer.objects.filter(sku__in=["B1", "B2", "B3"]).exists()
    queued = api.call(
        "post", url, data={"file": SimpleUploadedFile("b.csv", text, "text/csv"), "mode": "valid"}
    )
    job = api.call("get", f"{url}/{queued.json()['id']}").json()
    assert (job["status"], job["rows_created"], job["rows_rejected"]) == ("partial", 1, 2)
    beer = Offer.objects.get(sku="B1", shop__ref="depanneur-mont-royal")
    assert (beer.tax_code, beer.tax_rate, beer.price_cents, beer.stock) == (
        "TPS+TVQ",
        Decimal("14.975"),
        349,
        12,
    )
    assert not Offer.objects.filter(sku__in=["B2", "B3"]).exists()


def test_the_monthly_report_shows_gst_and_qst_collected_each_and_their_sum(
    montreal: dict[str, Any], resident_api: Any
) -> None:
    """Goods' taxes 1,93 $ + 1,35 $ and the fee's 0,04 $ + 0,07 $ (see the ledger test above): the
    month's page, its API and its CSV read both tax accounts, not only French VAT's 44571."""
    from django.test import Client

    from comptoir.ledger.reports import month_report

    assert checkout(resident_api, montreal).status_code == 201
    today = Order.objects.get().created.date()
    report = month_report(today)
    assert [(t["account"], t["name_fr"], t["amount"]) for t in report.taxes] == [
        ("445711", "TPS collectée", 197), ("445712", "TVQ collectée", 142),
    ]  # fmt: skip
    assert report.vat_collected == 339
    month = f"{today:%Y-%m}"
    page = Client().get(f"/transparence/{month}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<th scope="row">TPS collectée (445711)</th><td id="tax-445711">1,97\u00a0$</td>' in page
    assert '<th scope="row">TVQ collectée (445712)</th><td id="tax-445712">1,42\u00a0$</td>' in page
    assert '<td id="vat">3,39\u00a0$</td>' in page
    body = Client().get(f"/api/v1/ledger/reports/{month}").json()
    assert (body["vat_collected"], [t["amount"] for t in body["taxes"]]) == (339, [197, 142])
    csv_text = Client().get("/transparence/", {"format": "csv"}).content.decode()
    header, first = csv_text.splitlines()[:2]
    assert header.endswith(",tax_445711,tax_445712") and first.endswith(",197,142")
