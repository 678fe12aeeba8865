"""Money in and out beyond bank files: cash collected on delivery is posted by itself; staff enter
payments, refunds and costs through the API. Exact cents, the books balanced after each."""

from __future__ import annotations

import pytest

from comptoir.ledger import selectors
from comptoir.ledger.models import Entry, Line
from comptoir.members.services import do_add_membership, do_issue_api_token
from comptoir.orders import books, services
from comptoir.orders.models import Order
from tests.conftest import PASSWORD, ApiClient
from tests.ledger.test_books import by_account, checkout


@pytest.fixture
def staff_api(make_person):
    staff = make_person("staff@example.org")
    do_add_membership(staff, "staff")
    return ApiClient(do_issue_api_token(email=staff.email, password=PASSWORD))


def _lines(entry):
    return sorted((x.account.code, x.debit, x.credit) for x in entry.lines.select_related("account"))


def _balanced():
    return all(v["balanced"] for v in selectors.check().values())


def test_cash_collected_on_delivery_is_posted_with_the_drop_and_the_order_is_paid(
    resident, town, owner, make_person
):
    order = checkout(resident, town, items=[(town["bread"].pk, 2), (town["hammer"].pk, 1)])
    assert (order.total_cents, order.payment_method) == (480 + 1050 + 31 + 450, "on_handover")
    parts = {so.shop.ref: so for so in order.shop_orders.select_related("shop")}
    services.do_accept_shop_order(parts["boulangerie"].pk, actor=owner)
    services.do_hand_over(parts["boulangerie"].pk, to="courier", by="courier", actor=None)
    assert Entry.objects.filter(kind="payment").count() == 0  # nothing collected before the door
    services.do_mark_delivered(order.pk, proof="code")  # the hammer never left its shop: cancelled
    order.refresh_from_db()
    payment = Entry.objects.get(kind="payment", order_id=order.pk)
    assert _lines(payment) == [("411", 0, 940), ("530", 940, 0)]  # 4,80 + 0,10 fee + 4,50 delivery
    assert (order.total_cents, order.payment_status, books.owed(order.pk)) == (940, "paid", 0)
    assert "411" not in by_account(order.pk) and _balanced()


def test_an_order_paid_beforehand_collects_nothing_at_the_door(resident, town, owner, staff_api):
    order = checkout(resident, town, items=[(town["bread"].pk, 2)])
    assert order.total_cents == 480 + 10 + 450
    answer = staff_api.call("post", f"/orders/{order.pk}/payments", {"amount_cents": 940, "method": "bank",
                                                                     "reference": "VIR 2611"})  # fmt: skip
    assert answer.status_code == 201 and answer.json()["payment_status"] == "paid"
    part = order.shop_orders.get()
    services.do_accept_shop_order(part.pk, actor=owner)
    services.do_hand_over(part.pk, to="courier", by="courier", actor=None)
    services.do_mark_delivered(order.pk, proof="signature")
    assert list(Entry.objects.filter(kind="payment").values_list("reference", flat=True)) == ["VIR 2611"]
    assert _lines(Entry.objects.get(kind="payment")) == [("411", 0, 940), ("512", 940, 0)]
    assert _balanced()


def test_staff_enter_payments_and_refunds_within_what_is_owed(resident, town, resident_api, staff_api):
    order = checkout(resident, town, items=[(town["bread"].pk, 2), (town["hammer"].pk, 1)])
    path = f"/orders/{order.pk}/payments"
    assert resident_api.call("post", path, {"amount_cents": 100}).status_code == 403
    too_much = staff_api.call("post", path, {"amount_cents": 2012})
    assert too_much.status_code == 400 and too_much.json()["code"] == "bad_amount"
    assert staff_api.call("post", path, {"amount_cents": 500, "method": "cheque"}).status_code == 422
    assert staff_api.call("post", "/orders/999999/payments", {"amount_cents": 1}).status_code == 404
    assert Entry.objects.filter(kind="payment").count() == 0
    first = staff_api.call(
        "post", path, {"amount_cents": 1000, "method": "cash", "reference": "caisse"}
    ).json()
    assert (first["owed_cents"], first["payment_status"], first["amount_cents"]) == (1011, "pending", 1000)
    second = staff_api.call("post", path, {"amount_cents": 1011}).json()
    assert (second["owed_cents"], second["payment_status"]) == (0, "paid")
    hammer = order.shop_orders.get(shop__ref="quincaillerie")
    services.do_cancel_shop_order(hammer.pk, by="customer", actor=resident)  # 2011 paid, 940 now due
    assert books.owed(order.pk) == -1071
    refunds = f"/orders/{order.pk}/refunds"
    assert staff_api.call("post", refunds, {"amount_cents": 1072}).status_code == 400
    refund = staff_api.call("post", refunds, {"amount_cents": 1071, "reference": "REMB 1"}).json()
    assert (refund["kind"], refund["amount_cents"], refund["owed_cents"]) == ("refund", 1071, 0)
    assert _lines(Entry.objects.get(kind="refund")) == [("411", 1071, 0), ("512", 0, 1071)]
    assert Order.objects.get(pk=order.pk).payment_status == "paid"
    assert "411" not in by_account(order.pk) and _balanced()


def test_staff_enter_costs_through_the_api(owner_api, staff_api, db):
    body = {"account": "6156", "amount_cents": 4990, "memo": "Serveur, novembre", "reference": "F-2611"}
    assert owner_api.call("post", "/ledger/costs", body).status_code == 403
    refused = staff_api.call("post", "/ledger/costs", {**body, "account": "411"})
    assert refused.status_code == 400
    assert staff_api.call("post", "/ledger/costs", {**body, "amount_cents": 0}).status_code == 400
    assert Line.objects.count() == 0
    made = staff_api.call("post", "/ledger/costs", body).json()
    assert (made["kind"], made["memo"]) == ("cost", "Serveur, novembre")
    assert sorted((x["account"], x["debit"], x["credit"]) for x in made["lines"]) == [
        ("512", 0, 4990), ("6156", 4990, 0),
    ]  # fmt: skip
    owed = staff_api.call("post", "/ledger/costs", {**body, "account": "6063", "amount_cents": 129900,
                                                     "memo": "Vélo cargo", "paid": False}).json()  # fmt: skip
    assert sorted((x["account"], x["debit"], x["credit"]) for x in owed["lines"]) == [
        ("401", 0, 129900), ("6063", 129900, 0),
    ]  # fmt: skip
    assert selectors.check()["EUR"] == {"balanced": True, "debits": 134890, "credits": 134890, "entries": 2}
