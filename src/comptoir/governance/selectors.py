"""Governance reads: who may vote, parameter values and their history, proposals, tallies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from comptoir.core.parameters import DEFAULTS, FOUNDING_SOURCE, GovernedValue, kind_of
from comptoir.governance.models import Ballot, ParameterVersion, Participation, Proposal
from comptoir.governance.tally import BallotIn, Rules, count
from comptoir.members.models import College, Membership, Person

# Staff administer the node; their college does not vote.
VOTING_COLLEGES = ("shops", "workers", "residents")


def _active(on: date) -> QuerySet[Membership]:
    return Membership.objects.filter(Q(ended__isnull=True) | Q(ended__gt=on), since__lte=on)


def is_active_member(person: Any) -> bool:
    if not getattr(person, "is_authenticated", False):
        return False
    return _active(timezone.localdate()).filter(person=person).exists()


def voting_college(person: Any, on: date) -> str | None:
    """The college a person votes in: their oldest membership of a voting college on that day.

    A shopkeeper who is also a resident votes once, in the college they joined first.
    """
    if not getattr(person, "is_authenticated", False):
        return None
    membership = (
        _active(on).filter(person=person, college__code__in=VOTING_COLLEGES)
        .select_related("college").order_by("since", "pk").first()
    )  # fmt: skip
    return membership.college.code if membership else None


def _assignments(on: date) -> dict[int, str]:
    chosen: dict[int, str] = {}
    rows = _active(on).filter(college__code__in=VOTING_COLLEGES).order_by("since", "pk")
    for person_id, code in rows.values_list("person_id", "college__code"):
        chosen.setdefault(person_id, code)
    return chosen


def electorate(on: date) -> dict[str, int]:
    counts = dict.fromkeys(VOTING_COLLEGES, 0)
    for code in _assignments(on).values():
        counts[code] += 1
    return counts


def voters(on: date) -> QuerySet[Person]:
    return Person.objects.filter(pk__in=list(_assignments(on)), is_active=True).order_by("pk")


def _typed(name: str, text: str) -> Any:
    kind = kind_of(name)
    return Decimal(text) if kind is Decimal else kind(text)


def _source(row: ParameterVersion) -> str:
    if row.proposal_id is None:
        return FOUNDING_SOURCE
    return (
        f"proposal #{row.proposal_id}, in force from {timezone.localdate(row.applies_from)} (v{row.version})"
    )


def as_value(row: ParameterVersion) -> GovernedValue:
    return GovernedValue(
        row.name, _typed(row.name, row.value), _source(row), row.version, row.proposal_id, row.applies_from
    )


class DatabaseStore:
    """The `ParameterStore` the governance app plugs into `core.parameters` at start-up."""

    def values_at(self, names: list[str], at: datetime | None) -> dict[str, GovernedValue]:
        rows = ParameterVersion.objects.filter(
            name__in=names, applies_from__lte=at or timezone.now()
        ).order_by("name", "version")
        return {row.name: as_value(row) for row in rows}  # the last version of each name wins


def parameter_history(name: str) -> list[ParameterVersion]:
    kind_of(name)
    return list(ParameterVersion.objects.filter(name=name).select_related("proposal", "proposed_by"))


def parameter_names() -> list[str]:
    return sorted(DEFAULTS)


def proposals(status: str | None = None) -> QuerySet[Proposal]:
    query = Proposal.objects.select_related("author").prefetch_related("changes")
    return query.filter(status=status) if status else query


def ballots(proposal: Proposal) -> list[BallotIn]:
    rows = Ballot.objects.filter(proposal=proposal).values_list("receipt", "college", "choice")
    return [BallotIn(*row) for row in rows]


def rules_of(proposal: Proposal) -> Rules:
    rules = proposal.rules
    return Rules(
        Decimal(rules["quorum_percent"]), Decimal(rules["majority_percent"]),
        {k: int(v) for k, v in rules["weights"].items()}, {k: int(v) for k, v in rules["electorate"].items()},
    )  # fmt: skip


def recount(proposal: Proposal) -> dict[str, Any]:
    """The tally from the stored ballots and the rules frozen at opening: anyone can rerun it."""
    return count(ballots(proposal), rules_of(proposal))


def is_published(proposal: Proposal) -> bool:
    return proposal.status in (Proposal.Status.ADOPTED, Proposal.Status.REJECTED, Proposal.Status.APPLIED)


@dataclass(frozen=True)
class PublishedTally:
    proposal_id: int
    status: str
    rules: dict[str, Any]
    ballots: list[BallotIn]
    result: dict[str, Any]
    recomputed: dict[str, Any]

    @property
    def matches(self) -> bool:
        return self.result == self.recomputed


def published_tally(proposal: Proposal) -> PublishedTally:
    """Ballots (receipts and choices, never names), the stored result and a fresh recount."""
    return PublishedTally(
        proposal.pk, proposal.status, proposal.rules, sorted(ballots(proposal), key=lambda b: b.receipt),
        proposal.result, recount(proposal),
    )  # fmt: skip


# The three lists a member sees; drafts are their author's business until submitted.
GROUPS: dict[str, tuple[str, ...]] = {
    "open": (Proposal.Status.DISCUSSION, Proposal.Status.VOTING),
    "adopted": (Proposal.Status.ADOPTED, Proposal.Status.APPLIED),
    "rejected": (Proposal.Status.REJECTED, Proposal.Status.WITHDRAWN),
}


def proposals_in(group: str) -> QuerySet[Proposal]:
    return proposals().filter(status__in=GROUPS[group]).order_by("-created", "-id")


def drafts_of(person: Any) -> QuerySet[Proposal]:
    if not getattr(person, "is_authenticated", False):
        return Proposal.objects.none()
    return proposals().filter(author=person, status=Proposal.Status.DRAFT)


def has_voted(person: Any, proposal: Proposal) -> bool:
    if not getattr(person, "is_authenticated", False):
        return False
    return Participation.objects.filter(proposal=proposal, person=person).exists()


def published_ballot(receipt: str) -> Ballot | None:
    """The ballot of a receipt once its vote is closed (before that, a receipt tells nothing)."""
    found = Ballot.objects.select_related("proposal").filter(receipt=receipt.strip().lower()[:32]).first()
    return found if found is not None and is_published(found.proposal) else None


@dataclass(frozen=True)
class ChangeView:
    """A proposed change as the proposal page shows it: words, value in force, proposed value, effect."""

    name: str
    label: str
    current: str
    current_source: str
    proposed: str
    effect: str


def changes_of(proposal: Proposal) -> list[ChangeView]:
    from comptoir.core.parameters import governed_many
    from comptoir.governance import labels

    changes = list(proposal.changes.all())
    now = governed_many([c.name for c in changes if c.name in DEFAULTS])
    voters = sum(electorate(timezone.localdate()).values()) if any(
        c.name == "vote_quorum_percent" for c in changes
    ) else 0  # fmt: skip
    rows = []
    for change in changes:
        if change.name not in now:  # a parameter that left the registry: shown as stored
            rows.append(ChangeView(change.name, change.name, "", "", change.value, ""))
            continue
        current, proposed = now[change.name], _typed(change.name, change.value)
        rows.append(ChangeView(
            change.name, labels.label(change.name), labels.show(change.name, current.value), current.source,
            labels.show(change.name, proposed),
            labels.effect(change.name, current.value, proposed, electorate=voters),
        ))  # fmt: skip
    return rows


@dataclass(frozen=True)
class Standing:
    """Where a person stands on a proposal open for vote: may they vote, in which college, with what weight."""

    college: str | None
    weight: int | None
    voted: bool

    @property
    def college_label(self) -> str:
        return str(College.Code(self.college).label) if self.college else ""


def standing(proposal: Proposal, person: Any) -> Standing | None:
    if proposal.status != Proposal.Status.VOTING or proposal.voting_opens is None:
        return None
    college = voting_college(person, proposal.voting_opens.date())
    weight = proposal.rules.get("weights", {}).get(college) if college else None
    return Standing(college, weight, has_voted(person, proposal))
