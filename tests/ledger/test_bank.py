"""Money in and out as files: camt.053 and CSV statements mark orders paid, pain.001 pays shops, EPC QR on the order page."""

from __future__ import annotations

import io
from datetime import date
from xml.etree import ElementTree as ET

import pytest
import segno.helpers
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from comptoir.ledger import bank
from comptoir.ledger.models import BankLine, Entry, Payout
from comptoir.ledger.payouts import do_make_payout_file, do_set_payee_account
from comptoir.ledger.services import balance
from comptoir.members.services import do_add_membership
from comptoir.orders.bank_import import do_import_statement
from comptoir.orders.models import Order
from comptoir.orders.services import do_accept_shop_order
from tests.ledger.test_books import checkout

COOP_IBAN, COOP_BIC = "FR7630006000011234567890189", "AGRIFRPP"
SHOP_IBAN, SHOP_BIC = "FR7630001007941234567890185", "BDFEFRPP"


def camt(*entries: tuple[str, str, str, str]) -> bytes:
    """A minimal camt.053.001.02 statement: (amount, CRDT|DBIT, reference, bank ref) per entry."""
    rows = "".join(
        f"<Ntry><NtryRef>{ref}</NtryRef><Amt Ccy='EUR'>{amount}</Amt><CdtDbtInd>{way}</CdtDbtInd><Sts>BOOK</Sts>"
        f"<BookgDt><Dt>2026-12-02</Dt></BookgDt><AcctSvcrRef>{ref}</AcctSvcrRef><NtryDtls><TxDtls>"
        f"<RmtInf><Ustrd>{text}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"
        for amount, way, text, ref in entries
    )
    return (
        "<?xml version='1.0' encoding='UTF-8'?><Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.053.001.02'>"
        f"<BkToCstmrStmt><GrpHdr><MsgId>S1</MsgId></GrpHdr><Stmt><Id>1</Id>{rows}</Stmt></BkToCstmrStmt></Document>"
    ).encode()


@pytest.fixture
def staff(make_person):
    person = make_person("treasurer@example.org")
    do_add_membership(person, "staff")
    return person


def test_camt053_marks_the_order_paid_once(resident, town, staff):
    order = checkout(resident, town)
    data = camt(("35.41", "CRDT", f"Commande {order.number} merci", "B1"), ("12.00", "CRDT", "Don", "B2"),
                ("99.00", "DBIT", order.number, "B3"))  # fmt: skip
    result = do_import_statement(actor=staff, data=data, kind="camt053")
    assert (result.credits, result.matched, result.paid_orders, result.unmatched) == (2, 1, 1, 1)
    assert Order.objects.get(pk=order.pk).payment_status == "paid"
    assert balance("512", "EUR") == -3541  # a debit on the bank account: money in
    again = do_import_statement(actor=staff, data=data, kind="camt053")
    assert (again.already_imported, again.matched) == (2, 0)
    assert BankLine.objects.count() == 2 and Entry.objects.filter(kind="payment").count() == 1


def test_partial_csv_payment_and_bad_files_change_nothing(resident, town, staff, tmp_path):
    order = checkout(resident, town)
    csv_text = f"date,amount,currency,reference,bank_ref\n2026-12-02,20.00,EUR,{order.number},X1\n"
    (tmp_path / "statement.csv").write_text(csv_text)
    out = io.StringIO()
    call_command(
        "ledger",
        "import-statement",
        str(tmp_path / "statement.csv"),
        "--csv",
        "--as",
        staff.email,
        stdout=out,
    )
    assert '"matched": 1' in out.getvalue() and '"paid_orders": 0' in out.getvalue()
    assert Order.objects.get(pk=order.pk).payment_status == "pending"
    with pytest.raises(bank.BankFileError, match="line 3"):
        do_import_statement(actor=staff, data=(csv_text + "2026-12-03,deux,EUR,x,X2\n").encode(), kind="csv")
    with pytest.raises(bank.BankFileError, match="DOCTYPE"):
        do_import_statement(actor=staff, data=b"<!DOCTYPE x [<!ENTITY a 'b'>]><Document/>", kind="camt053")
    with pytest.raises(bank.BankFileError, match=r"not a camt\.053"):
        do_import_statement(actor=staff, data=b"<Document><Other/></Document>", kind="camt053")
    assert BankLine.objects.count() == 1


def test_pain001_pays_what_each_shop_is_owed_and_books_it(resident, town, owner, staff):
    order = checkout(resident, town)
    do_accept_shop_order(order.shop_orders.get(shop__ref="boulangerie").pk, actor=owner)
    do_set_payee_account(
        actor=staff, shop_ref="boulangerie", holder="Boulangerie du Pont", iban=SHOP_IBAN, bic=SHOP_BIC
    )
    with pytest.raises(Exception, match="IBAN"):
        do_set_payee_account(actor=staff, shop_ref="fleurs", holder="Fleurs", iban="FR76 1234", bic=SHOP_BIC)
    payout = do_make_payout_file(
        actor=staff, debtor=("Coop", COOP_IBAN, COOP_BIC), execution=date(2026, 12, 10)
    )
    assert (payout.total_cents, payout.transfers) == (480, 1)
    root = ET.fromstring(payout.xml)
    ns = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
    assert root.find(".//p:CdtTrfTxInf/p:CdtrAcct/p:Id/p:IBAN", ns).text == SHOP_IBAN
    assert root.find(".//p:CdtTrfTxInf/p:Amt/p:InstdAmt", ns).text == "4.80"
    assert root.find(".//p:GrpHdr/p:MsgId", ns).text == payout.message_id
    assert balance("4671-boulangerie", "EUR") == 0 and balance("512", "EUR") == 480
    assert (
        do_make_payout_file(actor=staff, debtor=("Coop", COOP_IBAN, COOP_BIC), execution=date(2026, 12, 11))
        is None
    )
    out = io.StringIO()
    call_command("ledger", "check", "--json", stdout=out)
    assert '"balanced": true' in out.getvalue() and Payout.objects.count() == 1


def test_order_page_shows_the_epc_qr_code_only_when_the_account_is_configured(resident, town, settings):
    settings.COMPTOIR_BANK_IBAN, settings.COMPTOIR_BANK_BIC = COOP_IBAN, COOP_BIC
    order = checkout(resident, town, payment_method="bank_transfer")
    client = Client()
    client.force_login(resident)
    page = client.get(reverse("orders:order", args=[order.token])).content.decode()
    expected = segno.helpers.make_epc_qr(name=settings.COMPTOIR_NODE_NAME, iban=COOP_IBAN, bic=COOP_BIC,
                                         amount=35.41, text=order.number).svg_inline(scale=3, title=f"EPC QR {order.number}")  # fmt: skip
    assert expected in page
    settings.COMPTOIR_BANK_IBAN = ""
    assert "<svg" not in client.get(reverse("orders:order", args=[order.token])).content.decode()
