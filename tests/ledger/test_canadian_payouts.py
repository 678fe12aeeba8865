"""A Canadian-dollar node pays its shops with a pain.001.001.03 file Canadian banks take: no IBAN, accounts as
`Othr/Id`, banks by their CPA routing number (`ClrSysMmbId`, `CACPA`, 0 + institution + transit).

The Montréal world of tests/orders/test_quebec_taxes.py: the hardware store is owed 41,43 $ (goods before
taxes, once it accepted its order), the corner store 0,50 $.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from django.core.management import call_command

from comptoir.core.errors import InvalidInput, NotAllowed
from comptoir.ledger import bank
from comptoir.ledger.models import PayeeAccount, Payout
from comptoir.ledger.payouts import LeftOut, do_make_canadian_payout_file, do_set_canadian_payee_account
from comptoir.ledger.services import balance
from comptoir.members.services import do_add_membership
from comptoir.orders.models import Order
from comptoir.orders.services import do_accept_shop_order
from tests.orders.test_quebec_taxes import checkout, montreal, quebec  # noqa: F401

NS = {"p": bank.PAIN_001_001_03}
COOP = bank.canadian_account("815", "30001", "4567890")  # a caisse: institution 815


@pytest.fixture
def owed(montreal: dict[str, Any], resident_api: Any, make_person: Any) -> dict[str, Any]:  # noqa: F811
    order = Order.objects.get(pk=checkout(resident_api, montreal).json()["id"])
    for shop_order in order.shop_orders.select_related("shop"):
        do_accept_shop_order(shop_order.pk, actor=shop_order.shop.staff.get().person)
    staff = make_person("tresoriere@example.org")
    do_add_membership(staff, "staff")
    hardware = order.shop_orders.get(shop__ref="quincaillerie-st-denis").shop.staff.get().person
    return {"staff": staff, "hardware_owner": hardware}


def test_a_shop_records_its_canadian_bank_details_checked(owed: dict[str, Any]) -> None:
    owner = owed["hardware_owner"]
    refused = [("03", "12345", "1234567", "institution", "Le numéro d’institution doit compter 3 chiffres."),
               ("003", "1234", "1234567", "transit", "Le numéro de transit doit compter 5 chiffres."),
               ("003", "12345", "123456", "account", "Le numéro de compte doit compter 7 à 12 chiffres."),
               ("003", "12345", "1234567890123", "account", "Le numéro de compte doit compter 7 à 12 chiffres."),
               ("0O3", "12345", "1234567", "institution", "Le numéro d’institution doit compter 3 chiffres.")]  # fmt: skip
    for institution, transit, account, field, message in refused:
        with pytest.raises(InvalidInput) as error:
            do_set_canadian_payee_account(actor=owner, shop_ref="quincaillerie-st-denis", holder="Quincaillerie",
                                          institution=institution, transit=transit, account=account)  # fmt: skip
        assert (error.value.details["field"], error.value.message) == (field, message)
    with pytest.raises(NotAllowed):  # another shop's owner
        do_set_canadian_payee_account(actor=owner, shop_ref="depanneur-mont-royal", holder="X", institution="003",
                                      transit="12345", account="1234567")  # fmt: skip
    assert PayeeAccount.objects.count() == 0
    payee = do_set_canadian_payee_account(
        actor=owner, shop_ref="quincaillerie-st-denis", holder="Quincaillerie Saint-Denis inc.",
        institution="003", transit="12345", account="123-4567",
    )  # fmt: skip
    assert (payee.institution, payee.transit, payee.account_number, payee.iban) == (
        "003",
        "12345",
        "1234567",
        "",
    )


def test_the_cad_payout_file_pays_shops_with_details_and_lists_the_others(owed: dict[str, Any]) -> None:
    do_set_canadian_payee_account(
        actor=owed["hardware_owner"], shop_ref="quincaillerie-st-denis", holder="Quincaillerie Saint-Denis inc.",
        institution="003", transit="12345", account="1234567",
    )  # fmt: skip
    assert (balance("4671-quincaillerie-st-denis", "CAD"), balance("4671-depanneur-mont-royal", "CAD")) == (
        4143,
        50,
    )
    result = do_make_canadian_payout_file(
        actor=owed["staff"], debtor_name="Coopérative du Plateau", debtor=COOP, execution=date(2026, 12, 10)
    )
    assert result.left_out == [
        LeftOut("depanneur-mont-royal", 50, "Aucune coordonnée bancaire canadienne enregistrée.")
    ]
    payout = result.payout
    assert payout is not None and (payout.currency, payout.total_cents, payout.transfers) == ("CAD", 4143, 1)
    root = ET.fromstring(payout.xml)
    assert root.find("p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId", NS).text == payout.message_id
    assert root.find(".//p:GrpHdr/p:CtrlSum", NS).text == "41.43"
    assert root.find(".//p:PmtInf/p:ReqdExctnDt", NS).text == "2026-12-10"
    assert root.find(".//p:DbtrAcct/p:Id/p:Othr/p:Id", NS).text == "4567890"
    assert root.find(".//p:DbtrAcct/p:Ccy", NS).text == "CAD"
    assert root.find(".//p:DbtrAgt/p:FinInstnId/p:ClrSysMmbId/p:MmbId", NS).text == "081530001"
    line = root.find(".//p:CdtTrfTxInf", NS)
    amount = line.find("p:Amt/p:InstdAmt", NS)
    assert (amount.text, amount.get("Ccy")) == ("41.43", "CAD")
    assert line.find("p:CdtrAgt/p:FinInstnId/p:ClrSysMmbId/p:ClrSysId/p:Cd", NS).text == "CACPA"
    assert line.find("p:CdtrAgt/p:FinInstnId/p:ClrSysMmbId/p:MmbId", NS).text == "000312345"
    assert line.find("p:CdtrAcct/p:Id/p:Othr/p:Id", NS).text == "1234567"
    assert line.find("p:Cdtr/p:Nm", NS).text == "Quincaillerie Saint-Denis inc."
    assert line.find("p:RmtInf/p:Ustrd", NS).text == "Comptoir quincaillerie-st-denis 2026-12-10"
    assert "IBAN" not in payout.xml and "BIC" not in payout.xml
    bank.check_pain001(payout.xml.encode())  # valid against the ISO pain.001.001.03 schema
    # Paid in the books; the corner store is still owed its 0,50 $.
    assert (balance("4671-quincaillerie-st-denis", "CAD"), balance("4671-depanneur-mont-royal", "CAD")) == (
        0,
        50,
    )
    again = do_make_canadian_payout_file(
        actor=owed["staff"], debtor_name="Coopérative du Plateau", debtor=COOP, execution=date(2026, 12, 11)
    )
    assert (again.payout, [left.shop_ref for left in again.left_out]) == (None, ["depanneur-mont-royal"])
    assert Payout.objects.count() == 1


def test_a_broken_file_fails_the_schema_and_a_bad_coop_account_writes_nothing(owed: dict[str, Any]) -> None:
    transfer = bank.CanadianTransfer(
        "Quincaillerie", bank.canadian_account("003", "12345", "1234567"), 4143, "x"
    )
    xml = bank.pain001_canada(debtor_name="Coop", debtor=COOP, transfers=[transfer], execution=date(2026, 12, 10),
                              message_id="M1", created=datetime(2026, 12, 3, 9, 0))  # fmt: skip
    bank.check_pain001(xml)
    with pytest.raises(bank.BankFileError, match=r"not a valid pain\.001\.001\.03"):
        bank.check_pain001(xml.replace(b"<Cd>CACPA</Cd>", b"<Cd>CANADA</Cd>"))  # longer than a clearing code
    with pytest.raises(bank.BankFileError, match=r"not a valid pain\.001\.001\.03"):
        bank.check_pain001(xml.replace(b"<CtrlSum>41.43</CtrlSum>", b"<CtrlSum>quarante</CtrlSum>", 1))
    with pytest.raises(InvalidInput, match="pas valide"):
        do_make_canadian_payout_file(actor=owed["staff"], debtor_name="Coop",
                                     debtor=bank.canadian_account("815", "3000", "4567890"), execution=date(2026, 12, 10))  # fmt: skip
    assert (Payout.objects.count(), balance("4671-quincaillerie-st-denis", "CAD")) == (0, 4143)


def test_the_ledger_command_writes_the_cad_file_and_says_who_is_left_out(
    owed: dict[str, Any], settings: Any, tmp_path: Any
) -> None:
    settings.COMPTOIR_BANK_CA_INSTITUTION, settings.COMPTOIR_BANK_CA_TRANSIT = "815", "30001"
    settings.COMPTOIR_BANK_CA_ACCOUNT = "4567890"
    out = io.StringIO()
    call_command("ledger", "payee", "quincaillerie-st-denis", "--holder", "Quincaillerie", "--institution", "003",
                 "--transit", "12345", "--account", "1234567", "--as", "tresoriere@example.org", stdout=out)  # fmt: skip
    path = tmp_path / "payouts.xml"
    call_command("ledger", "payouts", "--execution", "2026-12-10", "--out", str(path),
                 "--as", "tresoriere@example.org", stdout=out)  # fmt: skip
    lines = out.getvalue().splitlines()
    assert lines[0] == "payouts of quincaillerie-st-denis go to 003-12345"
    assert (
        lines[1]
        == "left out: depanneur-mont-royal (50 cents owed): Aucune coordonnée bancaire canadienne enregistrée."
    )
    assert lines[2] == f"{path}: 1 transfers, 4143 cents, {Payout.objects.get().message_id}"
    bank.check_pain001(path.read_bytes())
