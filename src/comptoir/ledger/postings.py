"""What to write in the books, as pure arithmetic (no Django): the chart of accounts and the postings.

Chart of accounts (French "plan comptable général" numbering, as a cooperative's accountant reads it):

    411         Clients (residents)                           asset      what residents owe for their orders
    4112-APP    Plateforme APP – livraisons à facturer        asset      delivery fees another platform's seller owes
    4671-SHOP   Commerçant SHOP – marchandises à reverser     liability  goods sold for a shop, owed to it
    4673-NODE   Nœud NODE – ventes encaissées à reverser      liability  a remote order our coop collects, owed to the seller's node;
                                                                         also a seller app's cash on delivery, owed to that app
    4672-SHOP   Commerçant SHOP – commandes en attente        liability  goods of orders the shop has not accepted yet
    44571       TVA collectée                                 liability  VAT included in the coop's own fees
    445711      TPS collectée (GST)                           liability  Québec: GST added to goods, and inside fees
    445712      TVQ collectée (QST)                           liability  Québec: QST added to goods, and inside fees
    706100      Contributions coopératives                    income     the coop fee (excl. VAT)
    706200      Livraisons                                    income     delivery fees (excl. VAT)
    706300      Commissions d'apporteur (réseau)              income     the finder fee a seller node leaves us (excl. VAT)
    641         Rémunérations des coursiers                   expense    courier time of finished rounds
    421-PERSON  Coursier PERSON – rémunérations dues          liability  courier pay not paid out yet
    6155        Véhicules – coût d'usage                      expense    vehicle cost of finished rounds (per hour, per km)
    4081        Fournisseurs – factures non parvenues          liability  vehicle costs accrued, invoiced later
    613 / 6156 / 6063 / 6226 / 628                        expense    costs staff enter: rent, servers, bikes, fees, other
    401         Fournisseurs                                  liability  staff-entered costs not paid yet
    512         Banque                                        asset      the coop's bank account
    530         Caisse                                        asset      cash and card taken at pickup or delivery

The coop sells in the name of its shops (a commission agent, "commissionnaire transparent"): the
goods, VAT included, are owed to the shop, which declares its own VAT; the coop's income is its
fees, whose VAT (`fees_vat_percent`) goes to 44571.

Where the region adds taxes on top of shelf prices (Québec: GST and QST as separate lines), the
cooperative collects them as the seller of record: each tax of each live sale is credited to its
own account (the region's profile names it), the shop is owed the goods before taxes, and the
taxes inside the coop's own fees are split the same way (`fee_taxes`). See docs/decisions/
(region profiles and tax lines).

An order's postings are computed as a *position*: what each account should hold for this order
now (pending goods per shop until it accepts, goods owed once accepted, fees, VAT, and the
resident's debt equal to the sum). Every event posts the difference between that position and
what is already on the books for the order, so checkout, acceptance, partial acceptance,
cancellation, rejection and expiry are one rule, and every entry balances because both
positions do.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

ASSET, LIABILITY, INCOME, EXPENSE = "asset", "liability", "income", "expense"
EQUITY = "equity"  # reserves and results carried forward (ledger/closing.py)

CUSTOMERS = "411"
PLATFORM_CLIENTS = "4112"
GOODS_OWED = "4671"
GOODS_PENDING = "4672"
NODES_OWED = "4673"
VAT_COLLECTED = "44571"
GST_COLLECTED = "445711"
QST_COLLECTED = "445712"
COOP_FEES = "706100"
DELIVERY_FEES = "706200"
FINDER_FEES = "706300"
COURIER_PAY = "641"
COURIERS_OWED = "421"
VEHICLE_COSTS = "6155"
ACCRUED_SUPPLIERS = "4081"
SUPPLIERS = "401"
BANK = "512"
CASH = "530"

# code: (French name, English name, kind)
CHART: dict[str, tuple[str, str, str]] = {
    CUSTOMERS: ("Clients (résidents)", "Customers (residents)", ASSET),
    PLATFORM_CLIENTS: ("Plateformes – livraisons facturées", "Platforms – deliveries billed", ASSET),
    GOODS_OWED: ("Commerçants – marchandises à reverser", "Shops – goods owed", LIABILITY),
    GOODS_PENDING: ("Commerçants – commandes en attente", "Shops – orders awaiting acceptance", LIABILITY),
    NODES_OWED: (
        "Nœuds vendeurs – ventes encaissées à reverser",
        "Seller nodes – sales collected, to settle",
        LIABILITY,
    ),
    VAT_COLLECTED: ("TVA collectée", "VAT collected", LIABILITY),
    GST_COLLECTED: ("TPS collectée", "GST collected", LIABILITY),
    QST_COLLECTED: ("TVQ collectée", "QST collected", LIABILITY),
    COOP_FEES: ("Contributions coopératives", "Cooperative fees", INCOME),
    DELIVERY_FEES: ("Livraisons", "Delivery fees", INCOME),
    FINDER_FEES: ("Commissions d'apporteur (réseau)", "Finder fees (network)", INCOME),
    COURIER_PAY: ("Rémunérations des coursiers", "Courier pay", EXPENSE),
    COURIERS_OWED: ("Coursiers – rémunérations dues", "Couriers – pay owed", LIABILITY),
    VEHICLE_COSTS: ("Véhicules – coût d'usage", "Vehicles – cost of use", EXPENSE),
    ACCRUED_SUPPLIERS: (
        "Fournisseurs – factures non parvenues",
        "Suppliers – invoices to receive",
        LIABILITY,
    ),
    SUPPLIERS: ("Fournisseurs", "Suppliers", LIABILITY),
    BANK: ("Banque", "Bank", ASSET),
    CASH: ("Caisse", "Cash and card at handover", ASSET),
    "613": ("Locations (loyer)", "Rent", EXPENSE),
    "6156": ("Maintenance (serveurs, logiciels)", "Maintenance (servers, software)", EXPENSE),
    "6063": ("Petit équipement (vélos, caisses)", "Small equipment (bikes, crates)", EXPENSE),
    "6226": ("Honoraires", "Fees (accountant, lawyer)", EXPENSE),
    "628": ("Charges diverses", "Other costs", EXPENSE),
    "1068": ("Autres réserves (réserves impartageables)", "Reserves (indivisible)", EQUITY),
    "110": ("Report à nouveau (solde créditeur)", "Surplus carried forward", EQUITY),
    "119": ("Report à nouveau (solde débiteur)", "Deficit carried forward", EQUITY),
}
STAFF_COST_ACCOUNTS = ("613", "6156", "6063", "6226", "628", VEHICLE_COSTS)
SALE_KINDS = ("checkout", "acceptance", "changes", "cancellation", "rejection", "expiry", "delivery")


def shop_account(parent: str, shop_ref: str) -> str:
    return f"{parent}-{shop_ref}"


def person_account(parent: str, person_id: int) -> str:
    return f"{parent}-{person_id}"


@dataclass(frozen=True)
class LineOut:
    account: str
    debit: int
    credit: int


@dataclass(frozen=True)
class ShopPart:
    shop_ref: str
    goods_cents: int
    accepted: bool  # False while the shop has not accepted (placed, changes proposed)
    live: bool  # False once rejected, cancelled or expired


@dataclass(frozen=True)
class OrderPosition:
    """An order's figures now, handed by orders (ledger never reads orders' tables)."""

    order_id: int
    currency: str
    shops: list[ShopPart]
    coop_fee_cents: int
    delivery_fee_cents: int
    vat_percent: Decimal
    extra: dict[str, str] = field(default_factory=dict)
    goods_taxes: dict[str, int] = field(default_factory=dict)  # account -> taxes added on top, live sales
    fee_taxes: tuple[tuple[str, Decimal], ...] = ()  # (account, percent) inside fees; empty: vat_percent


def vat_included(amount: int, percent: Decimal) -> int:
    """The VAT inside a tax-included amount, rounded half up to the cent."""
    if not amount or not percent:
        return 0
    excl = (Decimal(amount) * 100 / (100 + percent)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return amount - int(excl)


def taxes_included(amount: int, rates: tuple[tuple[str, Decimal], ...]) -> dict[str, int]:
    """Several taxes inside a tax-included amount, per account: the amount before taxes is rounded
    half up once, each tax but the last is its rate of it (half up), the last takes the rest, so the
    parts add up to the amount to the cent."""
    total_rate = sum((rate for _account, rate in rates), Decimal(0))
    if not amount or not total_rate:
        return {}
    before = int((Decimal(amount) * 100 / (100 + total_rate)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    parts: dict[str, int] = {}
    for account, rate in rates[:-1]:
        parts[account] = int((Decimal(before) * rate / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    parts[rates[-1][0]] = amount - before - sum(parts.values())
    return parts


def target(position: OrderPosition) -> dict[str, int]:
    """Signed balance (credit − debit) each account should hold for this order."""
    held: dict[str, int] = defaultdict(int)
    for part in position.shops:
        if part.live and part.goods_cents:
            parent = GOODS_OWED if part.accepted else GOODS_PENDING
            held[shop_account(parent, part.shop_ref)] += part.goods_cents
    for account, cents in position.goods_taxes.items():
        held[account] += cents
    rates = position.fee_taxes or ((VAT_COLLECTED, position.vat_percent),)
    for fee_account, amount in (
        (COOP_FEES, position.coop_fee_cents),
        (DELIVERY_FEES, position.delivery_fee_cents),
    ):
        inside = taxes_included(amount, rates)
        held[fee_account] += amount - sum(inside.values())
        for account, cents in inside.items():
            held[account] += cents
    held[CUSTOMERS] -= sum(held.values())  # the resident owes everything credited
    return {account: value for account, value in held.items() if value}


def difference(wanted: dict[str, int], posted: dict[str, int]) -> list[LineOut]:
    """Lines that bring `posted` (signed credit − debit per account) to `wanted`; balanced by construction."""
    lines = []
    for account in sorted(set(wanted) | set(posted)):
        delta = wanted.get(account, 0) - posted.get(account, 0)
        if delta > 0:
            lines.append(LineOut(account, 0, delta))
        elif delta < 0:
            lines.append(LineOut(account, -delta, 0))
    return lines


def balanced(lines: list[LineOut]) -> bool:
    return sum(line.debit for line in lines) == sum(line.credit for line in lines)


@dataclass(frozen=True)
class RoundPosting:
    """A finished round's cost (from delivery's RoundCost), handed by delivery."""

    round_id: int
    courier_id: int
    courier_name: str
    courier_cents: int
    vehicle_cents: int
    currency: str


def round_lines(posting: RoundPosting) -> list[LineOut]:
    lines = []
    if posting.courier_cents:
        lines += [LineOut(COURIER_PAY, posting.courier_cents, 0),
                  LineOut(person_account(COURIERS_OWED, posting.courier_id), 0, posting.courier_cents)]  # fmt: skip
    if posting.vehicle_cents:
        lines += [LineOut(VEHICLE_COSTS, posting.vehicle_cents, 0),
                  LineOut(ACCRUED_SUPPLIERS, 0, posting.vehicle_cents)]  # fmt: skip
    return lines


@dataclass(frozen=True)
class DeliveryJobPosting:
    """A delivery done for another platform's seller, billed at the fee quoted to it (handed by delivery)."""

    booking_ref: str
    client_id: str  # the seller app's network id: its own receivable account
    client_ref: str
    fee_cents: int  # taxes included, as quoted
    currency: str
    fee_taxes: tuple[tuple[str, Decimal], ...]  # (account, percent) inside the fee


def platform_account(client_id: str) -> str:
    return f"{PLATFORM_CLIENTS}-{client_id}"[:64]


def delivery_job_lines(posting: DeliveryJobPosting) -> list[LineOut]:
    """The seller app owes the fee; the cooperative earns it as delivery income, less the taxes inside."""
    if posting.fee_cents <= 0:
        return []
    inside = taxes_included(posting.fee_cents, posting.fee_taxes)
    lines = [LineOut(platform_account(posting.client_id), posting.fee_cents, 0)]
    income = posting.fee_cents - sum(inside.values())
    if income:
        lines.append(LineOut(DELIVERY_FEES, 0, income))
    lines += [LineOut(account, 0, cents) for account, cents in inside.items() if cents]
    return lines


@dataclass(frozen=True)
class RemoteSalePosting:
    """A resident's order from another node's shop that our cooperative collects (ONDC ``collected_by: BAP``).

    Handed by the protocol app at confirm: the resident owes us the seller's whole quote; we owe the
    seller's node that quote less the finder fee it leaves us, settled after delivery.
    """

    reference: str  # the payment reference the resident's transfer carries
    node_id: str  # the seller app's network id: its own payable account
    order_ref: str
    total_cents: int  # the seller's quote, taxes included
    finder_fee_cents: int  # taxes included
    currency: str
    fee_taxes: tuple[tuple[str, Decimal], ...]  # (account, percent) inside our finder fee


def node_account(node_id: str) -> str:
    return f"{NODES_OWED}-{node_id}"[:64]


def remote_sale_lines(posting: RemoteSalePosting) -> list[LineOut]:
    """The resident owes the quote; the seller's node is owed it less our finder fee (income, less its taxes)."""
    if posting.total_cents <= 0:
        return []
    fee = min(max(posting.finder_fee_cents, 0), posting.total_cents)
    inside = taxes_included(fee, posting.fee_taxes)
    lines = [LineOut(CUSTOMERS, posting.total_cents, 0)]
    if posting.total_cents - fee:
        lines.append(LineOut(node_account(posting.node_id), 0, posting.total_cents - fee))
    if fee - sum(inside.values()):
        lines.append(LineOut(FINDER_FEES, 0, fee - sum(inside.values())))
    lines += [LineOut(account, 0, cents) for account, cents in inside.items() if cents]
    return lines


def platform_collected_account(client_id: str) -> str:
    return node_account(client_id)  # the same account as a seller node's sales we collect


def cash_on_delivery_lines(client_id: str, cents: int) -> list[LineOut]:
    """The courier took the seller's price at the door: cash (or card) in, owed to the seller app."""
    if cents <= 0:
        return []
    return [LineOut(CASH, cents, 0), LineOut(platform_collected_account(client_id), 0, cents)]


def platform_settlement_lines(client_id: str, collected_cents: int, fees_cents: int) -> list[LineOut]:
    """Settle what was collected for a seller app: our fees are kept out of it (its receivable falls by
    as much), the rest leaves the bank for it. Fees above what was collected stay owed in 4112."""
    if collected_cents <= 0:
        return []
    kept = min(fees_cents, collected_cents)
    lines = [LineOut(platform_collected_account(client_id), collected_cents, 0)]
    if kept:
        lines.append(LineOut(platform_account(client_id), 0, kept))
    if collected_cents - kept:
        lines.append(LineOut(BANK, 0, collected_cents - kept))
    return lines
