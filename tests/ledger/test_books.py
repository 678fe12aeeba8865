"""The books: every order event posts in its own transaction, they always balance, nothing is rewritten."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from comptoir.core.errors import InvalidInput, NotAllowed
from comptoir.ledger import postings, selectors
from comptoir.ledger.models import Entry, Line
from comptoir.ledger.services import (
    balance,
    do_post_payout,
    do_post_round,
    do_record_cost,
    do_record_payment,
    do_record_refund,
    do_reverse_entry,
)
from comptoir.members.services import do_add_membership
from comptoir.orders import services
from comptoir.orders.models import Order
from tests.orders.conftest import delivery_body, first_slot

FULFIL = {"boulangerie": "delivery", "quincaillerie": "delivery", "fleurs": "collect"}


def checkout(person, town, items=None, payment_method="on_handover"):
    request = services.CheckoutRequest(
        **{**delivery_body(first_slot()), "email": person.email, "payment_method": payment_method}, fulfilment=FULFIL,
        items=items or [(town["bread"].pk, 2), (town["hammer"].pk, 1), (town["roses"].pk, 1)],
    )  # fmt: skip
    return services.do_checkout(person, None, request)[0]


def by_account(order_id):
    rows = {}
    for line in Line.objects.filter(entry__order_id=order_id).select_related("account"):
        rows[line.account.code] = rows.get(line.account.code, 0) + line.credit - line.debit
    return {k: v for k, v in rows.items() if v}


def test_vat_inside_a_fee_and_positions_balance():
    assert postings.vat_included(612, Decimal("20")) == 102  # 510 + 102
    assert postings.vat_included(450, Decimal("0")) == 0
    position = postings.OrderPosition(
        1, "EUR", [postings.ShopPart("a", 480, True, True), postings.ShopPart("b", 1500, False, True),
                   postings.ShopPart("c", 999, True, False)], 40, 450, Decimal("20"),
    )  # fmt: skip
    wanted = postings.target(position)
    assert wanted == {"4671-a": 480, "4672-b": 1500, "706100": 33, "706200": 375, "44571": 82, "411": -2470}
    assert postings.balanced(postings.difference(wanted, {}))
    assert postings.difference(wanted, wanted) == []


def test_checkout_acceptance_changes_and_cancellation_post_entries(resident, town, owner):
    order = checkout(resident, town)
    assert by_account(order.pk) == {
        "411": -3541, "4672-boulangerie": 480, "4672-quincaillerie": 1050, "4672-fleurs": 1500,
        "706100": 51, "706200": 375, "44571": 85,  # fees 61 + 450 incl. 20 % VAT: 10 + 75
    }  # fmt: skip
    parts = {so.shop.ref: so for so in order.shop_orders.select_related("shop")}
    services.do_accept_shop_order(parts["boulangerie"].pk, actor=owner)
    line = parts["quincaillerie"].lines.get()
    services.do_propose_changes(parts["quincaillerie"].pk, actor=None, quantities={line.pk: 0})
    services.do_answer_changes(parts["quincaillerie"].pk, accept=True, actor=resident)  # every line removed
    services.do_cancel_shop_order(parts["fleurs"].pk, by="customer", actor=resident)
    order.refresh_from_db()
    assert order.goods_cents == 480 and order.total_cents == 480 + 10 + 450
    assert by_account(order.pk) == {
        "411": -940,
        "4671-boulangerie": 480,
        "706100": 8,
        "706200": 375,
        "44571": 77,
    }
    kinds = list(Entry.objects.filter(order_id=order.pk).values_list("kind", flat=True))
    assert kinds == ["checkout", "acceptance", "cancellation", "cancellation"]
    entry = Entry.objects.get(order_id=order.pk, kind="checkout")
    assert entry.sources["coop_fee_percent"] == "adopted at founding (v1)"

    out = io.StringIO()
    call_command("ledger", "check", "--json", stdout=out)
    data = json.loads(out.getvalue())["EUR"]
    assert data["balanced"] is True and data["debits"] == data["credits"] > 0


def test_a_refused_checkout_writes_no_entry(resident, town):
    with pytest.raises(InvalidInput):
        checkout(resident, town, items=[(town["roses"].pk, 99)])
    assert Entry.objects.count() == 0 and Order.objects.count() == 0


def test_payment_refund_payout_costs_and_rounds(resident, town, owner, make_person):
    order = checkout(resident, town)
    now = timezone.now()
    do_record_payment(order_id=order.pk, amount_cents=3541, currency="EUR", at=now, reference=order.number)
    for so in order.shop_orders.all():
        if so.shop.ref == "fleurs":
            services.do_cancel_shop_order(so.pk, by="customer", actor=resident)
        else:
            services.do_accept_shop_order(so.pk, actor=owner)
    with pytest.raises(InvalidInput):
        do_record_refund(order_id=order.pk, amount_cents=1531, currency="EUR", at=now)
    do_record_refund(order_id=order.pk, amount_cents=1530, currency="EUR", at=now)  # roses 15,00 + 0,30 fee
    assert "411" not in by_account(order.pk)  # paid, then refunded what was cancelled
    assert balance("4671-boulangerie", "EUR") == 480
    with pytest.raises(InvalidInput):
        do_post_payout(
            account_code="4671-boulangerie",
            amount_cents=481,
            currency="EUR",
            at=now,
            payout_id=1,
            reference="P1",
        )
    do_post_payout(
        account_code="4671-boulangerie", amount_cents=480, currency="EUR", at=now, payout_id=1, reference="P1"
    )
    assert balance("4671-boulangerie", "EUR") == 0
    courier = make_person("courier@example.org")
    do_post_round(postings.RoundPosting(7, courier.pk, "Courier", 1833, 412, "EUR"), at=now)
    assert do_post_round(postings.RoundPosting(7, courier.pk, "Courier", 1833, 412, "EUR"), at=now) is None
    assert (balance("641", "EUR"), balance(f"421-{courier.pk}", "EUR"), balance("4081", "EUR")) == (
        -1833,
        1833,
        412,
    )
    staff = make_person("staff@example.org")
    with pytest.raises(NotAllowed):
        do_record_cost(
            actor=staff, account_code="613", amount_cents=50000, currency="EUR", memo="Rent", at=now
        )
    do_add_membership(staff, "staff")
    do_record_cost(actor=staff, account_code="613", amount_cents=50000, currency="EUR", memo="Rent", at=now)
    with pytest.raises(InvalidInput):
        do_record_cost(actor=staff, account_code="411", amount_cents=1, currency="EUR", memo="x", at=now)
    assert all(v["balanced"] for v in selectors.check().values())


def test_the_books_are_never_rewritten_a_correction_is_a_new_entry(resident, town, make_person):
    order = checkout(resident, town)
    line = Line.objects.filter(entry__order_id=order.pk).first()
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
        Line.objects.filter(pk=line.pk).update(debit=1)
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
        Entry.objects.filter(pk=line.entry_id).update(memo="changed")
    staff = make_person("staff@example.org")
    do_add_membership(staff, "staff")
    payment = do_record_payment(order_id=order.pk, amount_cents=100, currency="EUR", at=timezone.now())
    reversal = do_reverse_entry(actor=staff, entry_id=payment.pk, reason="Wrong order")
    assert reversal.reverses == payment and by_account(order.pk)["411"] == -3541
    with pytest.raises(InvalidInput):
        do_reverse_entry(actor=staff, entry_id=payment.pk, reason="twice")
    assert Line.objects.filter(entry=payment).count() == 2  # the original is still there
