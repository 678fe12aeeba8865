"""Governance writes: proposals, comments, votes, the count, and the only way a parameter changes.

Lifecycle: draft → discussion (comments, `vote_discussion_days`) → voting (`vote_voting_days`,
rules frozen at opening) → adopted or rejected → applied (the worker writes the new parameter
versions at the proposal's start date). `tick(now)` moves every proposal whose time has come;
the worker runs it every minute. Any other attempt to change a governed value goes through
`do_refuse_change`, which logs it and refuses.
"""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from comptoir.core.errors import InvalidInput, NotAllowed, NotFound
from comptoir.core.parameters import (
    DEFAULTS,
    ParameterError,
    dump_value,
    governed,
    governed_many,
    parse_value,
)
from comptoir.governance import labels, selectors
from comptoir.governance.models import (
    Ballot,
    Comment,
    ParameterVersion,
    Participation,
    Proposal,
    ProposedChange,
    RefusedChange,
)

logger = logging.getLogger(__name__)
P = Proposal.Status
FOUNDING_APPLIES_FROM = datetime(2000, 1, 1, tzinfo=UTC)  # before anything the node recorded


def ensure_founding(*, founded_at: datetime | None = None) -> int:
    """Write version 1 of every parameter that has none yet: the founding values.

    The operator may set founding values once, in `COMPTOIR_GOVERNED`; after founding that
    setting is ignored, so changing it later changes nothing. Returns the versions written.
    """
    overrides: dict[str, Any] = settings.COMPTOIR_GOVERNED
    have = set(ParameterVersion.objects.values_list("name", flat=True).distinct())
    now = founded_at or timezone.now()
    rows = [
        ParameterVersion(
            name=name, version=1, value=dump_value(parse_value(name, overrides.get(name, default))),
            applies_from=FOUNDING_APPLIES_FROM, recorded_at=now,
        )
        for name, default in DEFAULTS.items() if name not in have
    ]  # fmt: skip
    ParameterVersion.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def do_refuse_change(*, actor: Any, name: str, value: Any, via: str) -> None:
    """Every direct edit of a governed value ends here: logged, kept, refused."""
    who = actor if getattr(actor, "is_authenticated", False) else None
    RefusedChange.objects.create(
        name=name[:64], value=str(value)[:200], via=via, actor=who, at=timezone.now()
    )
    logger.warning("refused a direct change of %s to %r via %s by %s", name, value, via, who)
    raise NotAllowed(
        _("%(name)s is a governed parameter: only an adopted proposal changes it.") % {"name": name},
        code="vote_required",
    )


def do_set_parameter(*, actor: Any, name: str, value: Any) -> None:
    """What a shell user or a script would call: it refuses, like the admin and the API."""
    do_refuse_change(actor=actor, name=name, value=value, via="service")


def _check_member(person: Any) -> None:
    if not selectors.is_active_member(person):
        raise NotAllowed(_("Reserved for the cooperative's members."), code="not_member")


def _proposal(proposal_id: int, *, lock: bool = False) -> Proposal:
    query = Proposal.objects.select_for_update() if lock else Proposal.objects
    found = query.filter(pk=proposal_id).first()
    if found is None:
        raise NotFound(_("No such proposal."))
    return found


def _changes(raw: dict[str, Any]) -> dict[str, str]:
    """Each proposed value typed and within its bounds, or a refusal a member can act on."""
    typed = {}
    for name, value in raw.items():
        if name not in DEFAULTS:
            raise InvalidInput(
                _("%(name)s is not a governed parameter.") % {"name": name}, code="bad_parameter", field=name
            )
        try:
            typed[name] = dump_value(parse_value(name, value))
        except ParameterError as error:
            message = _("%(label)s: “%(value)s” is refused; the value must be a number %(bounds)s.") % {
                "label": labels.label(name), "value": str(value)[:40], "bounds": labels.bounds_text(name),
            }  # fmt: skip
            raise InvalidInput(message, code="bad_parameter", field=name, reason=str(error)) from error
    return typed


@transaction.atomic
def do_draft_proposal(
    *, author: Any, title: str, body: str, changes: dict[str, Any] | None = None,
    applies_from: datetime | None = None, now: datetime | None = None,
) -> Proposal:  # fmt: skip
    now = now or timezone.now()
    _check_member(author)
    if not title.strip() or not body.strip():
        raise InvalidInput(_("A proposal needs a title and a text."), field="title")
    typed = _changes(changes or {})
    if typed and applies_from is None:
        raise InvalidInput(_("Say from when the new values apply."), field="applies_from")
    if applies_from is not None and applies_from <= now:
        raise InvalidInput(_("The start date must be in the future."), field="applies_from")
    proposal = Proposal.objects.create(
        author=author, title=title.strip()[:200], body=body.strip(), created=now, applies_from=applies_from
    )
    ProposedChange.objects.bulk_create(
        [ProposedChange(proposal=proposal, name=n, value=v) for n, v in typed.items()]
    )
    return proposal


@transaction.atomic
def do_open_discussion(*, actor: Any, proposal_id: int, now: datetime | None = None) -> Proposal:
    now = now or timezone.now()
    proposal = _proposal(proposal_id, lock=True)
    if proposal.author_id != getattr(actor, "pk", None):
        raise NotAllowed(_("Only the author submits their proposal."))
    if proposal.status != P.DRAFT:
        raise InvalidInput(_("This proposal is not a draft any more."), code="wrong_status")
    proposal.status = P.DISCUSSION
    proposal.discussion_ends = now + timedelta(days=int(governed("vote_discussion_days", now).value))
    proposal.save(update_fields=["status", "discussion_ends"])
    return proposal


@transaction.atomic
def do_comment(*, author: Any, proposal_id: int, body: str, now: datetime | None = None) -> Comment:
    _check_member(author)
    proposal = _proposal(proposal_id)
    if proposal.status not in (P.DISCUSSION, P.VOTING):
        raise InvalidInput(_("Comments are open during discussion and vote."), code="wrong_status")
    if not body.strip():
        raise InvalidInput(_("Write a comment."), field="body")
    return Comment.objects.create(
        proposal=proposal, author=author, body=body.strip(), created=now or timezone.now()
    )


def _rules_at(now: datetime) -> dict[str, Any]:
    names = ["vote_quorum_percent", "vote_majority_percent", "vote_voting_days",
             *(f"college_weight_{c}" for c in selectors.VOTING_COLLEGES)]  # fmt: skip
    values = governed_many(names, now)
    return {
        "quorum_percent": str(values["vote_quorum_percent"].value),
        "majority_percent": str(values["vote_majority_percent"].value),
        "voting_days": int(values["vote_voting_days"].value),
        "weights": {c: int(values[f"college_weight_{c}"].value) for c in selectors.VOTING_COLLEGES},
        "electorate": selectors.electorate(now.date()),
        "sources": {name: value.source for name, value in values.items()},
    }


@transaction.atomic
def do_open_voting(*, proposal_id: int, now: datetime | None = None) -> Proposal:
    """The discussion is over: freeze the rules in force now and open the ballot box."""
    now = now or timezone.now()
    proposal = _proposal(proposal_id, lock=True)
    if proposal.status != P.DISCUSSION:
        raise InvalidInput(_("Only a proposal in discussion opens for vote."), code="wrong_status")
    if proposal.discussion_ends and proposal.discussion_ends > now:
        raise InvalidInput(_("The discussion is still open."), code="too_early")
    proposal.rules = _rules_at(now)
    proposal.status, proposal.voting_opens = P.VOTING, now
    proposal.voting_closes = now + timedelta(days=proposal.rules["voting_days"])
    proposal.save(update_fields=["rules", "status", "voting_opens", "voting_closes"])
    return proposal


def do_vote(*, voter: Any, proposal_id: int, choice: str, now: datetime | None = None) -> str:
    """Cast a member's vote; returns the receipt, shown once. A second vote is refused, even at the same instant."""
    now = now or timezone.now()
    if choice not in Ballot.Choice.values:
        raise InvalidInput(_("Vote for, against or abstain."), field="choice")
    proposal = _proposal(proposal_id)
    if proposal.status != P.VOTING or proposal.voting_closes is None or now >= proposal.voting_closes:
        raise InvalidInput(_("This proposal is not open for vote."), code="not_open")
    assert proposal.voting_opens is not None
    college = selectors.voting_college(voter, proposal.voting_opens.date())
    if college is None:
        raise NotAllowed(
            _("Only members of a voting college when the vote opened may vote."), code="not_voter"
        )
    receipt = secrets.token_hex(10)
    try:
        with transaction.atomic():
            # The unique (proposal, person) row is the lock: a concurrent second vote waits, then fails.
            Participation.objects.create(proposal=proposal, person=voter, college=college)
            Ballot.objects.create(proposal=proposal, receipt=receipt, college=college, choice=choice)
    except IntegrityError as error:
        raise InvalidInput(_("You have already voted on this proposal."), code="already_voted") from error
    return receipt


@transaction.atomic
def do_close_vote(*, proposal_id: int, now: datetime | None = None) -> Proposal:
    now = now or timezone.now()
    proposal = _proposal(proposal_id, lock=True)
    if proposal.status != P.VOTING:
        raise InvalidInput(_("This proposal is not open for vote."), code="not_open")
    if proposal.voting_closes and proposal.voting_closes > now:
        raise InvalidInput(_("The vote is still open."), code="too_early")
    proposal.result = selectors.recount(proposal)
    proposal.status = P.ADOPTED if proposal.result["adopted"] else P.REJECTED
    proposal.decided_at = now
    proposal.save(update_fields=["result", "status", "decided_at"])
    return proposal


@transaction.atomic
def do_apply_proposal(*, proposal_id: int, now: datetime | None = None) -> Proposal:
    """Write the adopted values as new versions, in force from the proposal's start date."""
    now = now or timezone.now()
    proposal = _proposal(proposal_id, lock=True)
    if proposal.status != P.ADOPTED:
        raise InvalidInput(_("Only an adopted proposal is applied."), code="wrong_status")
    starts = proposal.applies_from or proposal.decided_at or now
    if starts > now:
        raise InvalidInput(_("This proposal applies from a later date."), code="too_early")
    changes = list(proposal.changes.all())
    latest = dict(
        ParameterVersion.objects.filter(name__in=[c.name for c in changes])
        .values_list("name").annotate(last=Max("version"))
    )  # fmt: skip
    ParameterVersion.objects.bulk_create([
        ParameterVersion(name=c.name, version=latest.get(c.name, 1) + 1, value=c.value, applies_from=starts,
                         recorded_at=now, proposal=proposal, proposed_by_id=proposal.author_id)
        for c in changes
    ])  # fmt: skip
    proposal.status, proposal.applied_at = P.APPLIED, now
    proposal.save(update_fields=["status", "applied_at"])
    return proposal


def _remind(proposal: Proposal, now: datetime) -> int:
    voted = set(Participation.objects.filter(proposal=proposal).values_list("person_id", flat=True))
    assert proposal.voting_opens is not None and proposal.voting_closes is not None
    sent = 0
    for person in selectors.voters(proposal.voting_opens.date()):
        if person.pk in voted:
            continue
        with translation.override(person.language):
            subject = _("Vote before %(date)s: %(title)s") % {
                "date": timezone.localtime(proposal.voting_closes).strftime("%Y-%m-%d %H:%M"),
                "title": proposal.title,
            }
            body = _("The vote on proposal #%(id)d “%(title)s” closes on %(date)s. You have not voted yet.") % {
                "id": proposal.pk, "title": proposal.title,
                "date": timezone.localtime(proposal.voting_closes).strftime("%Y-%m-%d %H:%M"),
            }  # fmt: skip
        sent += send_mail(subject, body, None, [person.email])
    return sent


def do_send_reminders(now: datetime) -> int:
    """Once per proposal, `vote_reminder_hours` before it closes, to the members who have not voted."""
    sent = 0
    for proposal in Proposal.objects.filter(status=P.VOTING, reminded_at=None, voting_closes__gt=now):
        hours = int(governed("vote_reminder_hours", now).value)
        assert proposal.voting_closes is not None
        if proposal.voting_closes - timedelta(hours=hours) > now:
            continue
        with transaction.atomic():
            claimed = Proposal.objects.filter(pk=proposal.pk, reminded_at=None).update(reminded_at=now)
            if claimed:
                sent += _remind(proposal, now)
    return sent


def tick(now: datetime | None = None) -> dict[str, int]:
    """Move every proposal whose time has come (the worker runs this every minute)."""
    now = now or timezone.now()
    moved = {"opened": 0, "closed": 0, "applied": 0, "reminders": 0}
    for pk in Proposal.objects.filter(status=P.DISCUSSION, discussion_ends__lte=now).values_list(
        "pk", flat=True
    ):
        do_open_voting(proposal_id=pk, now=now)
        moved["opened"] += 1
    for pk in Proposal.objects.filter(status=P.VOTING, voting_closes__lte=now).values_list("pk", flat=True):
        do_close_vote(proposal_id=pk, now=now)
        moved["closed"] += 1
    due = Proposal.objects.filter(status=P.ADOPTED, applies_from__lte=now).values_list("pk", flat=True)
    for pk in due:
        do_apply_proposal(proposal_id=pk, now=now)
        moved["applied"] += 1
    moved["reminders"] = do_send_reminders(now)
    return moved


def founding_date() -> date:
    first = ParameterVersion.objects.filter(version=1).order_by("recorded_at").first()
    return timezone.localdate(first.recorded_at) if first else timezone.localdate()
