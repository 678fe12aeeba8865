"""Change governed values in a test the only way the node allows: a proposal, a vote, its application."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from comptoir.governance import services
from comptoir.members.models import Person
from comptoir.members.services import do_add_membership, ensure_colleges


def adopt(
    changes: dict[str, Any], *, applies_from: datetime | None = None, title: str = "Test change"
) -> Any:
    """Draft, discuss, vote (one resident for) and apply, all dated in the past so the values apply now."""
    ensure_colleges()
    start = (applies_from or timezone.now()) - timedelta(days=30)
    voter, _ = Person.objects.get_or_create(email="adopter@example.org", defaults={"full_name": "Adopter"})
    do_add_membership(voter, "residents", since=start.date() - timedelta(days=1))
    proposal = services.do_draft_proposal(
        author=voter, title=title, body="For a test.", changes=changes,
        applies_from=applies_from or timezone.now() - timedelta(seconds=1), now=start,
    )  # fmt: skip
    services.do_open_discussion(actor=voter, proposal_id=proposal.pk, now=start)
    services.tick(start + timedelta(days=8))
    services.do_vote(voter=voter, proposal_id=proposal.pk, choice="for", now=start + timedelta(days=9))
    services.tick(start + timedelta(days=16))
    proposal.refresh_from_db()
    assert proposal.status == "adopted", proposal.result
    services.tick(max(proposal.applies_from, start + timedelta(days=16)))  # type: ignore[type-var]
    proposal.refresh_from_db()
    return proposal
