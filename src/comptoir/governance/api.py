"""JSON API of governance: parameters with history, proposals, comments, votes, receipts, tallies.

Reads are public (a cooperative's decisions are its members' and its public's business);
writes need a member's token or session. Changing a parameter directly is refused and logged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from comptoir.core.errors import InvalidInput, NotFound
from comptoir.core.parameters import ParameterError, governed
from comptoir.governance import selectors, services
from comptoir.governance.models import Ballot, Proposal
from comptoir.members.api import AUTH

router = Router(tags=["governance"])


class ParameterOut(Schema):
    name: str
    value: str
    version: int
    source: str
    proposal_id: int | None
    applies_from: datetime | None


class VersionOut(Schema):
    version: int
    value: str
    applies_from: datetime
    recorded_at: datetime
    proposal_id: int | None
    proposal_title: str | None
    proposed_by: str | None


class ParameterHistoryOut(Schema):
    name: str
    current: ParameterOut
    versions: list[VersionOut]


class ChangeIn(Schema):
    value: str


class ErrorOut(Schema):
    error: str
    message: str
    details: dict[str, Any]


def _parameter(name: str) -> dict[str, Any]:
    value = governed(name)
    return {"name": name, "value": str(value.value), "version": value.version, "source": value.source,
            "proposal_id": value.proposal_id, "applies_from": value.applies_from}  # fmt: skip


@router.get(
    "/parameters", response=list[ParameterOut], auth=None, summary="Every governed parameter, in force now"
)
def parameters(request: HttpRequest) -> list[dict[str, Any]]:
    return [_parameter(name) for name in selectors.parameter_names()]


@router.get(
    "/parameters/{name}", response={200: ParameterHistoryOut, 404: ErrorOut}, auth=None,
    summary="A governed parameter with every version, who proposed it and the proposal that adopted it",
)  # fmt: skip
def parameter_history(request: HttpRequest, name: str) -> Any:
    try:
        rows = selectors.parameter_history(name)
    except ParameterError as error:
        raise NotFound(str(error)) from error
    versions = [
        {"version": r.version, "value": r.value, "applies_from": r.applies_from, "recorded_at": r.recorded_at,
         "proposal_id": r.proposal_id, "proposal_title": r.proposal.title if r.proposal else None,
         "proposed_by": str(r.proposed_by) if r.proposed_by else None}
        for r in rows
    ]  # fmt: skip
    return {"name": name, "current": _parameter(name), "versions": versions}


@router.put(
    "/parameters/{name}", response={403: ErrorOut}, auth=AUTH,
    summary="Refused: a governed value changes only through an adopted proposal (the attempt is logged)",
)  # fmt: skip
def change_parameter(request: HttpRequest, name: str, body: ChangeIn) -> Any:
    services.do_refuse_change(actor=request.user, name=name, value=body.value, via="api")


class ChangeOut(Schema):
    name: str
    value: str


class CommentOut(Schema):
    id: int
    author: str
    body: str
    created: datetime


class ProposalOut(Schema):
    id: int
    title: str
    body: str
    status: str
    author: str
    created: datetime
    discussion_ends: datetime | None
    voting_opens: datetime | None
    voting_closes: datetime | None
    applies_from: datetime | None
    changes: list[ChangeOut]
    rules: dict[str, Any]
    result: dict[str, Any]
    voters: int


class ProposalDetailOut(ProposalOut):
    comments: list[CommentOut]


def _out(p: Proposal, comments: bool = False) -> dict[str, Any]:
    data = {
        "id": p.pk, "title": p.title, "body": p.body, "status": p.status, "author": str(p.author),
        "created": p.created, "discussion_ends": p.discussion_ends, "voting_opens": p.voting_opens,
        "voting_closes": p.voting_closes, "applies_from": p.applies_from,
        "changes": [{"name": c.name, "value": c.value} for c in p.changes.all()],
        "rules": p.rules, "result": p.result, "voters": p.participations.count(),
    }  # fmt: skip
    if comments:
        data["comments"] = [
            {"id": c.pk, "author": str(c.author), "body": c.body, "created": c.created}
            for c in p.comments.select_related("author")
        ]
    return data


@router.get("/proposals", response=list[ProposalOut], auth=None, summary="Proposals, newest first")
def proposals(request: HttpRequest, status: str | None = None) -> list[dict[str, Any]]:
    return [_out(p) for p in selectors.proposals(status)[:200]]


def _proposal(proposal_id: int) -> Proposal:
    found = selectors.proposals().filter(pk=proposal_id).first()
    if found is None:
        raise NotFound("No such proposal.")
    return found


@router.get(
    "/proposals/{proposal_id}", response={200: ProposalDetailOut, 404: ErrorOut}, auth=None,
    summary="A proposal with its changes, comments and, once closed, its result",
)  # fmt: skip
def proposal(request: HttpRequest, proposal_id: int) -> Any:
    return _out(_proposal(proposal_id), comments=True)


class ProposalIn(Schema):
    title: str
    body: str
    changes: dict[str, str] = {}
    applies_from: datetime | None = None


@router.post(
    "/proposals", response={201: ProposalOut, 400: ErrorOut, 403: ErrorOut}, auth=AUTH,
    summary="Draft a proposal (text, optionally new parameter values and their start date)",
)  # fmt: skip
def draft(request: HttpRequest, body: ProposalIn) -> Any:
    made = services.do_draft_proposal(
        author=request.user,
        title=body.title,
        body=body.body,
        changes=body.changes,
        applies_from=body.applies_from,
    )
    return 201, _out(made)


@router.post(
    "/proposals/{proposal_id}/submit", response={200: ProposalOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    auth=AUTH, summary="The author opens their draft for discussion",
)  # fmt: skip
def submit(request: HttpRequest, proposal_id: int) -> Any:
    return _out(services.do_open_discussion(actor=request.user, proposal_id=proposal_id))


class CommentIn(Schema):
    body: str


@router.post(
    "/proposals/{proposal_id}/comments", response={201: CommentOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    auth=AUTH, summary="Comment on a proposal in discussion or vote",
)  # fmt: skip
def comment(request: HttpRequest, proposal_id: int, body: CommentIn) -> Any:
    made = services.do_comment(author=request.user, proposal_id=proposal_id, body=body.body)
    return 201, {"id": made.pk, "author": str(made.author), "body": made.body, "created": made.created}


class VoteIn(Schema):
    choice: str  # for, against, abstain


class ReceiptOut(Schema):
    proposal_id: int
    receipt: str
    choice: str
    how_to_verify: str


@router.post(
    "/proposals/{proposal_id}/votes", response={201: ReceiptOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    auth=AUTH, summary="Vote; the receipt is shown once and is the only link between you and your ballot",
)  # fmt: skip
def vote(request: HttpRequest, proposal_id: int, body: VoteIn) -> Any:
    receipt = services.do_vote(voter=request.user, proposal_id=proposal_id, choice=body.choice)
    how = (
        f"When the vote closes, find {receipt} with your choice in GET /api/v1/governance/proposals/"
        f"{proposal_id}/tally, or run `comptoir governance tally {proposal_id} --json`."
    )
    return 201, {"proposal_id": proposal_id, "receipt": receipt, "choice": body.choice, "how_to_verify": how}


class BallotOut(Schema):
    receipt: str
    college: str
    choice: str


class TallyOut(Schema):
    proposal_id: int
    status: str
    rules: dict[str, Any]
    ballots: list[BallotOut]
    result: dict[str, Any]
    recomputed: dict[str, Any]
    matches: bool


@router.get(
    "/proposals/{proposal_id}/tally", response={200: TallyOut, 400: ErrorOut, 404: ErrorOut}, auth=None,
    summary="The published tally: every receipt with its choice (never a name), the result, and a fresh recount",
)  # fmt: skip
def tally(request: HttpRequest, proposal_id: int) -> Any:
    found = _proposal(proposal_id)
    if not selectors.is_published(found):
        raise InvalidInput("The tally is published when the vote closes.", code="not_closed")
    published = selectors.published_tally(found)
    return {
        **published.__dict__,
        "ballots": [b.__dict__ for b in published.ballots],
        "matches": published.matches,
    }


@router.get(
    "/receipts/{receipt}", response={200: BallotOut, 404: ErrorOut}, auth=None,
    summary="What a receipt chose, once its vote is closed: the holder checks their ballot was counted",
)  # fmt: skip
def receipt(request: HttpRequest, receipt: str) -> Any:
    found = Ballot.objects.select_related("proposal").filter(receipt=receipt).first()
    if found is None or not selectors.is_published(found.proposal):
        raise NotFound("No published ballot with this receipt.")
    return {"receipt": found.receipt, "college": found.college, "choice": found.choice}
