"""How a resident pays another node's shop (decision 0025): the payment object confirm carries, the
refusals that send nothing, and our books when our cooperative collects (the resident owes us the quote,
the seller's node is owed it less its finder fee; a cancellation by the seller swaps the sale back)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from comptoir.core.errors import InvalidInput
from comptoir.ledger.models import Entry
from comptoir.ledger.postings import LineOut, RemoteSalePosting, remote_sale_lines
from comptoir.ledger.services import balance, do_record_remote_payment, remote_sale_owed
from comptoir.protocol import remote
from comptoir.protocol.models import RemoteOrder

SELLER = "bakery.example"
IBAN, BIC = "FR7630006000011234567890189", "AGRIFRPP"
OFFERED = {
    "type": "ON-ORDER", "collected_by": "BAP", "@ondc/org/buyer_app_finder_fee_type": "percent",
    "@ondc/org/buyer_app_finder_fee_amount": "3", "@ondc/org/settlement_basis": "delivery",
    "@ondc/org/settlement_window": "P1D",
}  # fmt: skip
QUOTE = {"price": {"currency": "EUR", "value": "10.15"}, "breakup": [
    {"@ondc/org/item_id": "11", "@ondc/org/title_type": "item", "price": {"currency": "EUR", "value": "6.40"},
     "@ondc/org/item_quantity": {"count": 2}, "item": {"price": {"currency": "EUR", "value": "3.20"}}},
    {"@ondc/org/item_id": "F", "@ondc/org/title_type": "delivery", "price": {"currency": "EUR", "value": "3.75"}}]}  # fmt: skip


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield


@pytest.fixture
def staff(make_person):
    from comptoir.members.services import do_add_membership

    person = make_person("treasurer@example.org")
    do_add_membership(person, "staff")
    return person


@pytest.fixture
def account(settings):
    settings.COMPTOIR_BANK_IBAN, settings.COMPTOIR_BANK_BIC = IBAN, BIC


def test_the_sale_owes_the_seller_node_the_quote_less_our_finder_fee_and_its_vat():
    posting = RemoteSalePosting(
        reference="2026-12-03-R7-abc123", node_id=SELLER, order_ref="2026-12-03-R7-abc123", total_cents=1015,
        finder_fee_cents=30, currency="EUR", fee_taxes=(("44571", Decimal("20")),),
    )  # fmt: skip
    assert remote_sale_lines(posting) == [
        LineOut("411", 1015, 0),
        LineOut("4673-bakery.example", 0, 985),
        LineOut("706300", 0, 25),
        LineOut("44571", 0, 5),
    ]
    free = RemoteSalePosting(**{**posting.__dict__, "finder_fee_cents": 0})
    assert remote_sale_lines(free) == [LineOut("411", 1015, 0), LineOut("4673-bakery.example", 0, 1015)]


def test_the_finder_fee_is_a_percent_of_the_quote_or_an_amount():
    assert remote.finder_fee_cents(OFFERED, 1015) == 30  # 3 % of 10.15 = 0.3045
    assert remote.finder_fee_cents({**OFFERED, "@ondc/org/buyer_app_finder_fee_amount": "0"}, 1015) == 0
    amount = {
        "@ondc/org/buyer_app_finder_fee_type": "Amount",
        "@ondc/org/buyer_app_finder_fee_amount": "1.50",
    }
    assert remote.finder_fee_cents(amount, 1015) == 150
    assert remote.finder_fee_cents({**amount, "@ondc/org/buyer_app_finder_fee_amount": "x"}, 1015) == 0


def test_confirm_pays_our_account_by_payto_when_we_collect(account):
    assert remote.confirm_payment(OFFERED, QUOTE, "2026-12-03-R7-abc123") == {
        **OFFERED,
        "status": "NOT-PAID",
        "tl_method": "payto",
        "uri": "payto://iban/AGRIFRPP/FR7630006000011234567890189?amount=EUR:10.15&message=2026-12-03-R7-abc123",
        "params": {"amount": "10.15", "currency": "EUR", "transaction_id": "2026-12-03-R7-abc123"},
    }
    at_the_door = {**OFFERED, "type": "ON-FULFILLMENT", "collected_by": "BPP"}
    assert remote.confirm_payment(at_the_door, QUOTE, "R-1") == {
        **at_the_door,
        "status": "NOT-PAID",
        "params": {"amount": "10.15", "currency": "EUR"},
    }


def _group(person: Any, currency: str = "EUR") -> RemoteOrder:
    return RemoteOrder.objects.create(
        person=person, seller_id=SELLER, seller_url="http://127.0.0.1:9/beckn", domain="ONDC:RET10",
        provider_id="boulangerie", provider_name="Boulangerie du Pont", currency=currency,
        lines=[{"item_id": "11", "name": "Pain", "price_cents": 320, "quantity": 2}],
    )  # fmt: skip


def test_the_payment_choices_follow_our_own_methods(make_person, settings, account):
    assert [code for code, _text in remote.payment_choices()] == ["bank_transfer", "on_handover"]
    settings.COMPTOIR_BANK_IBAN = ""
    assert remote.payment_choices() == [("on_handover", "Pay the courier on delivery (card or cash)")]
    group = _group(make_person("ada@example.org"))
    with pytest.raises(InvalidInput, match=r"Choose a payment method\."):
        remote.do_place_remote(
            group.person, group.pk, _drop(), expected_total_cents=1015, payment="bank_transfer"
        )
    with pytest.raises(InvalidInput, match=r"Choose a payment method\."):
        remote.do_place_remote(group.person, group.pk, _drop(), expected_total_cents=1015, payment="cash")
    group.refresh_from_db()
    assert (group.state, group.transaction_id, group.payment_method) == ("cart", "", "")


def test_we_collect_only_in_our_own_currency(make_person, account):
    group = _group(make_person("ada@example.org"), currency="CAD")
    with pytest.raises(InvalidInput) as refused:
        remote.do_place_remote(
            group.person, group.pk, _drop(), expected_total_cents=1015, payment="bank_transfer"
        )
    assert refused.value.message == (
        "Boulangerie du Pont sells in CAD: our cooperative collects only in EUR. Pay on delivery."
    )
    group.refresh_from_db()
    assert (group.state, group.transaction_id) == ("cart", "")


def _drop() -> remote.Drop:
    return remote.Drop(name="Ada Martin", phone="0600000000", email="ada@example.org", address="12 rue des Granges",
                       postal_code="25000", city="Val-sur-Loue", lat=47.056, lon=6.004)  # fmt: skip


def _confirmed(group: RemoteOrder, method: str, payment: dict[str, Any]) -> RemoteOrder:
    RemoteOrder.objects.filter(pk=group.pk).update(
        state="placing", transaction_id="t-7", payment_method=method, payment_reference="2026-12-03-R7-abc123"
    )
    order = {"id": "2026-12-03-R7-abc123", "state": "Created", "quote": QUOTE, "payment": payment,
             "fulfillments": [{"state": {"descriptor": {"code": "Pending"}}}]}  # fmt: skip
    group.refresh_from_db()
    return remote._record_confirmed(group.pk, order, remote._read_quote(group, order), _drop())


def _lines(kind: str) -> list[tuple[str, int, int]]:
    entry = Entry.objects.get(kind=kind)
    return sorted((line.account.code, line.debit, line.credit) for line in entry.lines.all())


def test_a_transfer_order_is_on_our_books_until_the_seller_cancels_it(make_person, account):
    placed = _confirmed(_group(make_person("ada@example.org")), "bank_transfer", OFFERED)
    assert (placed.state, placed.total_cents, placed.payment_reference) == (
        "placed",
        1015,
        "2026-12-03-R7-abc123",
    )
    assert _lines("remote_sale") == [
        ("411", 1015, 0), ("44571", 0, 5), ("4673-bakery.example", 0, 985), ("706300", 0, 25),
    ]  # fmt: skip
    assert Entry.objects.get(kind="remote_sale").reference == "2026-12-03-R7-abc123"
    assert remote.payment_text(placed, "en") == (
        "Transfer €10.15 to our cooperative, FR76 3000 6000 0112 3456 7890 189 (BIC AGRIFRPP), with the "
        "reference 2026-12-03-R7-abc123. It pays bakery.example after delivery."
    )
    remote._book_sale(placed, OFFERED)  # a second confirm record books nothing more
    assert Entry.objects.filter(kind="remote_sale").count() == 1

    with pytest.raises(InvalidInput, match=r"at most what the resident owes \(1015\)"):
        do_record_remote_payment(reference=placed.payment_reference, amount_cents=1016, currency="EUR",
                                 at=placed.created)  # fmt: skip
    do_record_remote_payment(
        reference=placed.payment_reference, amount_cents=1015, currency="EUR", at=placed.created
    )
    assert remote_sale_owed(placed.payment_reference, "EUR") == 0
    assert balance("512", "EUR") == -1015  # the bank's debit balance (credit − debit)

    cancelled = {"id": "2026-12-03-R7-abc123", "state": "Cancelled", "cancellation": {"reason": {"id": "006"}},
                 "fulfillments": [{"state": {"descriptor": {"code": "Cancelled"}}}]}  # fmt: skip
    assert (
        remote.apply_seller_report(SELLER, "t-7", cancelled)
        == f"remote order {placed.pk}: Cancelled/Cancelled"
    )
    assert _lines("remote_cancel") == [
        ("411", 0, 1015), ("44571", 5, 0), ("4673-bakery.example", 985, 0), ("706300", 25, 0),
    ]  # fmt: skip
    assert balance("4673-bakery.example", "EUR") == 0
    assert remote_sale_owed(placed.payment_reference, "EUR") == -1015  # paid: we owe the resident a refund


def test_paying_at_the_door_leaves_our_books_alone(make_person, account):
    at_the_door = {**OFFERED, "type": "ON-FULFILLMENT", "collected_by": "BPP"}
    placed = _confirmed(_group(make_person("ada@example.org")), "on_handover", at_the_door)
    assert (placed.state, placed.payment_method) == ("placed", "on_handover")
    assert not Entry.objects.exists()
    assert remote.payment_text(placed, "en") == "You pay €10.15 to the courier of bakery.example on delivery."


def test_the_bank_statement_pays_a_remote_order_by_its_reference(make_person, account, staff):
    from comptoir.ledger.models import BankLine
    from comptoir.orders.bank_import import do_import_statement

    placed = _confirmed(_group(make_person("ada@example.org")), "bank_transfer", OFFERED)
    statement = (
        b"date,amount,currency,reference,bank_ref\n"
        b"2026-12-04,20.00,EUR,VIR ADA MARTIN 2026-12-03-R7-ABC123,B-1\n"  # more than owed: staff decide
        b"2026-12-04,10.15,EUR,VIR ADA MARTIN 2026-12-03-R7-ABC123,B-2\n"
        b"2026-12-04,1.00,EUR,VIR ADA MARTIN 2026-12-03-R7-ABC123,B-3\n"  # owes nothing any more
        b"2026-12-04,10.15,EUR,2026-12-03-R8-abc124,B-4\n"  # no such remote sale
    )
    result = do_import_statement(actor=staff, data=statement, kind="csv")
    assert (result.credits, result.matched, result.unmatched, result.paid_orders) == (4, 1, 3, 0)
    assert remote_sale_owed(placed.payment_reference, "EUR") == 0
    paid = BankLine.objects.get(bank_ref="B-2")
    assert [(line.account.code, line.debit, line.credit) for line in paid.entry.lines.order_by("account__code")] == [
        ("411", 0, 1015), ("512", 1015, 0),
    ]  # fmt: skip
    assert BankLine.objects.filter(entry__isnull=True).count() == 3
    again = do_import_statement(actor=staff, data=statement, kind="csv")
    assert (again.already_imported, again.matched) == (4, 0)
