"""Closing a period and allocating its result, as pure arithmetic (no Django).

At the end of a month or a year the result (income − expenses) is carried out of the income and
expense accounts, so they start the next period at zero, and allocated per the members' rules in
force: `surplus_reserve_percent` of a surplus goes to the indivisible reserves (1068: a cooperative's
reserves belong to nobody; a SCIC keeps at least 57.5 %), the rest is carried forward (110) until the
members vote on its use; a deficit is carried forward as a debit (119). One balanced entry:

    debit  each income account by its period's net credit      (706100, 706200 …)
    credit each expense account by its period's net debit      (641, 6155, 613 …)
    credit 1068 reserves, credit 110 carried forward           (a surplus)
    debit  119 deficit carried forward                         (a deficit)
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from comptoir.ledger.postings import LineOut

RESERVES = "1068"
CARRIED_FORWARD = "110"
DEFICIT_CARRIED = "119"


@dataclass(frozen=True)
class Allocation:
    result: int  # minor units; negative: a deficit
    reserves: int
    carried_forward: int


def allocate(result: int, reserve_percent: Decimal) -> Allocation:
    """The reserves' share of a surplus, rounded half up to the cent; the rest carried forward."""
    if result <= 0:
        return Allocation(result, 0, result)
    reserves = int(
        (Decimal(result) * Decimal(reserve_percent) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    )
    return Allocation(result, reserves, result - reserves)


def closing_lines(nets: dict[str, int], reserve_percent: Decimal) -> tuple[list[LineOut], Allocation]:
    """`nets`: each income and expense account's net (credit − debit) over the period."""
    lines = []
    for account in sorted(nets):
        net = nets[account]
        if net > 0:
            lines.append(LineOut(account, net, 0))
        elif net < 0:
            lines.append(LineOut(account, 0, -net))
    allocation = allocate(sum(nets.values()), reserve_percent)
    if allocation.reserves:
        lines.append(LineOut(RESERVES, 0, allocation.reserves))
    if allocation.carried_forward > 0:
        lines.append(LineOut(CARRIED_FORWARD, 0, allocation.carried_forward))
    elif allocation.carried_forward < 0:
        lines.append(LineOut(DEFICIT_CARRIED, -allocation.carried_forward, 0))
    return lines, allocation
