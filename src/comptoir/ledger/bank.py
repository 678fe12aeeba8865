"""Money in and out with open standards, as files: nothing here talks to a bank.

- `epc_qr_svg`: the EPC QR code (European Payments Council, "SEPA credit transfer" QR) a resident
  scans with their banking app; made with segno.
- `parse_camt053` / `parse_csv`: credit lines of the coop's bank statement (ISO 20022 camt.053, read
  with the standard library's XML parser, or a CSV export), each with its amount and the reference
  the payer wrote; order numbers (C000123) found in the reference mark orders paid.
- `pain001`: shop payouts as an ISO 20022 pain.001 credit-transfer file, made with sepaxml, for the
  treasurer to upload to the bank; `pain001_canada` the same in Canadian dollars, for a node whose
  banks are Canadian (no IBAN: accounts and banks by their CPA numbers).
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

ORDER_REFERENCE = re.compile(r"\bC(\d{6,})\b")
# a resident's order from another node's shop that our cooperative collects: the order id we sent
REMOTE_REFERENCE = re.compile(r"\b\d{4}-\d{2}-\d{2}-R\d+-[0-9A-F]{6}\b")


class BankFileError(ValueError):
    """A file that is not a statement we can read: the message says where."""


@dataclass(frozen=True)
class Credit:
    amount_cents: int
    currency: str
    booked: date
    reference: str  # the remittance text and end-to-end id, as the payer wrote them
    bank_ref: str  # the bank's own id for the line: importing the same statement twice is harmless

    def order_numbers(self) -> list[int]:
        return [int(n) for n in ORDER_REFERENCE.findall(self.reference.upper())]

    def remote_references(self) -> list[str]:
        return REMOTE_REFERENCE.findall(self.reference.upper())  # as written: match them case-insensitively


def _cents(text: str) -> int:
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation as error:
        raise BankFileError(f"not an amount: {text!r}") from error
    cents = value * 100
    if cents != cents.to_integral_value():
        raise BankFileError(f"amount with more than two decimals: {text!r}")
    return int(cents)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _find(node: ET.Element, path: str) -> ET.Element | None:
    """Namespace-agnostic path (camt.053.001.02 to .08 differ only by namespace for what we read)."""
    current: ET.Element | None = node
    for part in path.split("/"):
        if current is None:
            return None
        current = next((child for child in current if _local(child.tag) == part), None)
    return current


def _text(node: ET.Element, path: str) -> str:
    found = _find(node, path)
    return (found.text or "").strip() if found is not None else ""


def parse_camt053(data: bytes) -> list[Credit]:
    """Booked credit entries of every statement in a camt.053 file."""
    if b"<!DOCTYPE" in data[:2000] or b"<!ENTITY" in data[:5000]:
        raise BankFileError("a statement has no DOCTYPE or entities")  # no entity expansion, ever
    try:
        root = ET.fromstring(data)
    except ET.ParseError as error:
        raise BankFileError(f"not XML: {error}") from error
    if _local(root.tag) != "Document" or _find(root, "BkToCstmrStmt") is None:
        raise BankFileError("not a camt.053 statement (no Document/BkToCstmrStmt)")
    credits = []
    statements = _find(root, "BkToCstmrStmt")
    for statement in (s for s in (statements if statements is not None else []) if _local(s.tag) == "Stmt"):
        for entry in (e for e in statement if _local(e.tag) == "Ntry"):
            status = _text(entry, "Sts") or _text(entry, "Sts/Cd")  # camt.053.001.02 / .08
            if _text(entry, "CdtDbtInd") != "CRDT" or status not in ("BOOK", ""):
                continue  # money out, or not booked yet
            amount = _find(entry, "Amt")
            if amount is None:
                raise BankFileError("an entry without an amount")
            booked = _text(entry, "BookgDt/Dt") or _text(entry, "BookgDt/DtTm")[:10]
            refs = []
            for details in entry.iter():
                if _local(details.tag) in ("Ustrd", "EndToEndId", "Ref") and details.text:
                    refs.append(details.text.strip())
            credits.append(Credit(
                _cents(amount.text or ""), amount.get("Ccy", ""), date.fromisoformat(booked),
                " ".join(refs), _text(entry, "AcctSvcrRef") or _text(entry, "NtryRef"),
            ))  # fmt: skip
    return credits


CSV_COLUMNS = ("date", "amount", "currency", "reference", "bank_ref")


def parse_csv(text: str) -> list[Credit]:
    """A CSV export: date (YYYY-MM-DD), amount (positive for money in), currency, reference, bank_ref."""
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or set(CSV_COLUMNS) - set(reader.fieldnames):
        raise BankFileError(f"the CSV needs the columns {', '.join(CSV_COLUMNS)}")
    credits = []
    for number, row in enumerate(reader, start=2):
        try:
            cents, booked = _cents(row["amount"]), date.fromisoformat(row["date"].strip())
        except (BankFileError, ValueError) as error:
            raise BankFileError(f"line {number}: {error}") from error
        if cents > 0:
            credits.append(
                Credit(cents, row["currency"].strip(), booked, row["reference"], row["bank_ref"].strip())
            )
    return credits


def epc_qr_svg(*, name: str, iban: str, bic: str, amount_cents: int, reference: str) -> str:
    """The EPC QR code of a transfer, as inline SVG (no script, no third-party request)."""
    import segno.helpers

    qr = segno.helpers.make_epc_qr(
        name=name[:70],
        iban=iban.replace(" ", ""),
        bic=bic,
        amount=Decimal(amount_cents) / 100,
        text=reference,
    )
    return qr.svg_inline(scale=3, title=f"EPC QR {reference}")


@dataclass(frozen=True)
class Transfer:
    name: str
    iban: str
    bic: str
    amount_cents: int
    reference: str


def pain001(*, debtor_name: str, debtor_iban: str, debtor_bic: str, transfers: list[Transfer],
            execution: date) -> bytes:  # fmt: skip
    """A pain.001.001.03 credit-transfer file paying `transfers` from the coop's account."""
    from sepaxml import SepaTransfer

    config = {"name": debtor_name, "IBAN": debtor_iban.replace(" ", ""), "BIC": debtor_bic, "batch": True,
              "currency": "EUR"}  # fmt: skip
    sepa = SepaTransfer(config, clean=True)
    for transfer in transfers:
        sepa.add_payment({
            "name": transfer.name, "IBAN": transfer.iban.replace(" ", ""), "BIC": transfer.bic,
            "amount": transfer.amount_cents, "execution_date": execution, "description": transfer.reference,
        })  # fmt: skip
    return sepa.export(validate=True)  # type: ignore[no-any-return]  # checked against the pain.001 schema


def message_id(xml: bytes) -> str:
    return _text(ET.fromstring(xml), "CstmrCdtTrfInitn/GrpHdr/MsgId")


# --- Canada: pain.001.001.03 as Canadian banks take it (Payments Canada's ISO 20022 usage) ---------------

PAIN_001_001_03 = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"
CANADIAN_CLEARING = "CACPA"  # the Canadian Payments Association's clearing system (ISO external code list)
_CA_ACCOUNT_RULES = (("institution", 3, 3), ("transit", 5, 5), ("account", 7, 12))


@dataclass(frozen=True)
class CanadianAccount:
    """A Canadian bank account: no IBAN; the institution number (3 digits), the branch's transit number
    (5 digits) and the account number (7 to 12 digits), as on a cheque's MICR line."""

    institution: str
    transit: str
    account: str

    @property
    def routing(self) -> str:
        """The 9-digit routing number a pain.001 names the bank by: 0, institution, transit (0IIITTTTT)."""
        return f"0{self.institution}{self.transit}"

    def problems(self) -> list[tuple[str, int, int]]:
        """Each part that is not its number of digits, with the bounds: empty when the account is usable."""
        return [
            (part, low, high)
            for part, low, high in _CA_ACCOUNT_RULES
            if not (re.fullmatch(r"\d+", getattr(self, part)) and low <= len(getattr(self, part)) <= high)
        ]


def canadian_account(institution: str, transit: str, account: str) -> CanadianAccount:
    """The parts as typed ("003", "12345", "1234-567"), spaces and dashes removed."""
    return CanadianAccount(*(re.sub(r"[\s-]", "", str(p)) for p in (institution, transit, account)))


@dataclass(frozen=True)
class CanadianTransfer:
    name: str
    account: CanadianAccount
    amount_cents: int
    reference: str


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    node = ET.SubElement(parent, f"{{{PAIN_001_001_03}}}{tag}", attrs)
    if text is not None:
        node.text = text
    return node


def _agent(parent: ET.Element, tag: str, account: CanadianAccount) -> None:
    member = _sub(_sub(_sub(parent, tag), "FinInstnId"), "ClrSysMmbId")
    _sub(_sub(member, "ClrSysId"), "Cd", CANADIAN_CLEARING)
    _sub(member, "MmbId", account.routing)


def _account(parent: ET.Element, tag: str, account: CanadianAccount, currency: str | None = None) -> None:
    node = _sub(parent, tag)
    _sub(_sub(_sub(node, "Id"), "Othr"), "Id", account.account)
    if currency:
        _sub(node, "Ccy", currency)


def _amount(cents: int) -> str:
    return f"{Decimal(cents) / 100:.2f}"


def pain001_canada(*, debtor_name: str, debtor: CanadianAccount, transfers: list[CanadianTransfer],
                   execution: date, message_id: str, created: datetime) -> bytes:  # fmt: skip
    """A pain.001.001.03 credit-transfer file in Canadian dollars: accounts by `Othr/Id` (no IBAN), banks
    by their CPA routing number (`ClrSysMmbId`, `CACPA`, 0IIITTTTT), checked against the ISO schema."""
    total = sum(t.amount_cents for t in transfers)
    ET.register_namespace("", PAIN_001_001_03)
    root = ET.Element(f"{{{PAIN_001_001_03}}}Document")
    initiation = _sub(root, "CstmrCdtTrfInitn")
    header = _sub(initiation, "GrpHdr")
    _sub(header, "MsgId", message_id[:35])
    _sub(header, "CreDtTm", created.strftime("%Y-%m-%dT%H:%M:%S"))
    _sub(header, "NbOfTxs", str(len(transfers)))
    _sub(header, "CtrlSum", _amount(total))
    _sub(_sub(header, "InitgPty"), "Nm", debtor_name[:140])
    payment = _sub(initiation, "PmtInf")
    _sub(payment, "PmtInfId", message_id[:35])
    _sub(payment, "PmtMtd", "TRF")
    _sub(payment, "BtchBookg", "true")
    _sub(payment, "NbOfTxs", str(len(transfers)))
    _sub(payment, "CtrlSum", _amount(total))
    _sub(payment, "ReqdExctnDt", execution.isoformat())
    debtor_party = _sub(payment, "Dbtr")
    _sub(debtor_party, "Nm", debtor_name[:140])
    _sub(_sub(debtor_party, "PstlAdr"), "Ctry", "CA")
    _account(payment, "DbtrAcct", debtor, "CAD")
    _agent(payment, "DbtrAgt", debtor)
    _sub(payment, "ChrgBr", "DEBT")  # the coop pays its bank's fees; the shop gets the whole amount
    for number, transfer in enumerate(transfers, start=1):
        line = _sub(payment, "CdtTrfTxInf")
        _sub(_sub(line, "PmtId"), "EndToEndId", f"{message_id[:30]}-{number}"[:35])
        _sub(_sub(line, "Amt"), "InstdAmt", _amount(transfer.amount_cents), Ccy="CAD")
        _agent(line, "CdtrAgt", transfer.account)
        creditor = _sub(line, "Cdtr")
        _sub(creditor, "Nm", transfer.name[:140])
        _account(line, "CdtrAcct", transfer.account)
        _sub(_sub(line, "RmtInf"), "Ustrd", transfer.reference[:140])
    xml = ET.tostring(root, encoding="UTF-8", xml_declaration=True)
    check_pain001(xml)
    return xml


def check_pain001(xml: bytes) -> None:
    """Raise BankFileError unless `xml` is valid pain.001.001.03 (the ISO schema sepaxml ships)."""
    import xmlschema
    from sepaxml import validation

    schema = xmlschema.XMLSchema(str(Path(validation.__file__).parent / "schemas" / "pain.001.001.03.xsd"))
    errors = [str(e.reason) for e in schema.iter_errors(xml.decode())]
    if errors:
        raise BankFileError(f"not a valid pain.001.001.03: {errors[0]}")
