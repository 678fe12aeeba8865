"""Counting a vote, as pure arithmetic on published ballots (no Django, no database).

Anyone can run this on the published list of receipts and get the same result: the
node's tally, `comptoir governance tally ID --json` and the API all call `count()`.

Rules (frozen when the vote opened): each college counts its members' ballots, one
each; a college's "for" share is for / (for + against) — abstentions count for the
quorum but not for the majority; the proposal's approval is the weighted mean of the
shares of the colleges where someone expressed a choice, weights being the governed
college weights. Adopted when turnout ≥ quorum and approval > majority. Fractions
are exact; the published percentages are rounded to two decimals for display only.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

CHOICES = ("for", "against", "abstain")


@dataclass(frozen=True)
class BallotIn:
    receipt: str
    college: str
    choice: str


@dataclass(frozen=True)
class Rules:
    quorum_percent: Decimal
    majority_percent: Decimal
    weights: dict[str, int]  # college -> weight
    electorate: dict[str, int]  # college -> members who could vote when it opened


class TallyError(ValueError):
    """Ballots that cannot be counted: unknown choice or college, a receipt twice."""


def _percent(value: Fraction) -> str:
    return str((Decimal(value.numerator) * 100 / Decimal(value.denominator)).quantize(Decimal("0.01")))


def digest(ballots: list[BallotIn]) -> str:
    """SHA-256 of the sorted list, so two people can compare lists in one line."""
    text = "\n".join(f"{b.receipt} {b.college} {b.choice}" for b in sorted(ballots, key=lambda b: b.receipt))
    return hashlib.sha256(text.encode()).hexdigest()


def count(ballots: list[BallotIn], rules: Rules) -> dict[str, object]:
    seen: set[str] = set()
    per: dict[str, dict[str, int]] = {c: dict.fromkeys(CHOICES, 0) for c in rules.weights}
    for ballot in ballots:
        if ballot.choice not in CHOICES:
            raise TallyError(f"unknown choice {ballot.choice!r} on receipt {ballot.receipt}")
        if ballot.college not in per:
            raise TallyError(f"college {ballot.college!r} does not vote (receipt {ballot.receipt})")
        if ballot.receipt in seen:
            raise TallyError(f"receipt {ballot.receipt} counted twice")
        seen.add(ballot.receipt)
        per[ballot.college][ballot.choice] += 1
    voters, electorate = len(ballots), sum(rules.electorate.values())
    turnout = Fraction(voters, electorate) if electorate else Fraction(0)
    quorum_met = electorate > 0 and turnout * 100 >= Fraction(rules.quorum_percent)
    expressed = {c: n for c, n in per.items() if n["for"] + n["against"] > 0}
    weight_sum = sum(rules.weights[c] for c in expressed)
    approval = (
        sum((Fraction(rules.weights[c]) * Fraction(n["for"], n["for"] + n["against"]) for c, n in expressed.items()),
            Fraction(0)) / weight_sum
        if weight_sum else Fraction(0)
    )  # fmt: skip
    adopted = bool(quorum_met and approval * 100 > Fraction(rules.majority_percent))
    return {
        "colleges": {
            c: {**n, "electorate": rules.electorate.get(c, 0), "weight": rules.weights[c]}
            for c, n in per.items()
        },
        "voters": voters,
        "electorate": electorate,
        "turnout_percent": _percent(turnout),
        "quorum_percent": str(rules.quorum_percent),
        "quorum_met": quorum_met,
        "approval_percent": _percent(approval),
        "majority_percent": str(rules.majority_percent),
        "adopted": adopted,
        "ballots_digest": digest(ballots),
    }
