"""Proposals, votes with receipts, the count per college, reminders, and parameters' versions."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command

from comptoir.core.errors import InvalidInput, NotAllowed
from comptoir.core.parameters import FOUNDING_SOURCE, governed
from comptoir.governance import services
from comptoir.governance.models import Ballot, ParameterVersion, Participation, Proposal
from comptoir.governance.tally import BallotIn, Rules, count
from comptoir.members.models import Person
from comptoir.members.services import do_add_membership, do_leave_college

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def mailbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def colleges(db):
    """Two shops, three workers, five residents, one staff member; all members since 2026-01-01."""
    people = {}
    for college, n in (("shops", 2), ("workers", 3), ("residents", 5), ("staff", 1)):
        for i in range(n):
            person = Person.objects.create(
                email=f"{college}{i}@example.org", language="en" if i == 0 else "fr"
            )
            do_add_membership(person, college, since=date(2026, 1, 1))
            people[f"{college}{i}"] = person
    return people


def _voting(people, changes=None, applies_from=T0 + 30 * DAY):
    proposal = services.do_draft_proposal(
        author=people["residents0"], title="Coop fee 3 %", body="Servers cost more.",
        changes=changes if changes is not None else {"coop_fee_percent": "3.0"}, applies_from=applies_from, now=T0,
    )  # fmt: skip
    services.do_open_discussion(actor=people["residents0"], proposal_id=proposal.pk, now=T0)
    assert services.tick(T0 + 7 * DAY)["opened"] == 1
    proposal.refresh_from_db()
    assert (proposal.status, proposal.voting_closes) == ("voting", T0 + 14 * DAY)
    return proposal


def test_founding_values_are_version_one(db):
    value = governed("coop_fee_percent")
    assert (value.value, value.version, value.source, value.proposal_id) == (
        Decimal("2.0"),
        1,
        FOUNDING_SOURCE,
        None,
    )
    assert ParameterVersion.objects.filter(name="coop_fee_percent").count() == 1


def test_a_proposal_is_discussed_voted_adopted_and_applied_at_its_date(colleges):
    proposal = _voting(colleges)
    services.do_comment(author=colleges["shops0"], proposal_id=proposal.pk, body="D'accord.", now=T0 + DAY)
    votes = {"shops0": "against", "shops1": "for", "workers0": "for", "workers1": "abstain",
             "residents0": "for", "residents1": "for", "residents2": "against"}  # fmt: skip
    receipts = {
        who: services.do_vote(voter=colleges[who], proposal_id=proposal.pk, choice=c, now=T0 + 8 * DAY)
        for who, c in votes.items()
    }
    assert len(set(receipts.values())) == 7 and all(len(r) == 20 for r in receipts.values())
    with pytest.raises(InvalidInput, match="déjà voté"):
        services.do_vote(voter=colleges["shops0"], proposal_id=proposal.pk, choice="for", now=T0 + 9 * DAY)
    with pytest.raises(NotAllowed):  # staff administer, they do not vote
        services.do_vote(voter=colleges["staff0"], proposal_id=proposal.pk, choice="for", now=T0 + 9 * DAY)
    assert services.tick(T0 + 14 * DAY)["closed"] == 1
    proposal.refresh_from_db()
    # shops 1/2, workers 1/1, residents 2/3 → (40·½ + 30·1 + 30·⅔) / 100 = 70 %; turnout 7/10.
    assert proposal.status == "adopted"
    assert {k: proposal.result[k] for k in ("voters", "electorate", "turnout_percent", "approval_percent", "adopted")} == {
        "voters": 7, "electorate": 10, "turnout_percent": "70.00", "approval_percent": "70.00", "adopted": True,
    }  # fmt: skip
    assert proposal.result["colleges"]["workers"] == {
        "for": 1,
        "against": 0,
        "abstain": 1,
        "electorate": 3,
        "weight": 30,
    }
    # Not in force before its date, then applied by the worker's tick.
    assert services.tick(T0 + 29 * DAY)["applied"] == 0
    assert governed("coop_fee_percent", T0 + 31 * DAY).version == 1
    assert services.tick(T0 + 30 * DAY)["applied"] == 1
    after = governed("coop_fee_percent", T0 + 30 * DAY)
    assert (after.value, after.version, after.proposal_id) == (Decimal("3.0"), 2, proposal.pk)
    assert after.source == f"proposal #{proposal.pk}, in force from 2026-04-01 (v2)"
    assert governed("coop_fee_percent", T0 + 30 * DAY - timedelta(seconds=1)).version == 1
    version = ParameterVersion.objects.get(name="coop_fee_percent", version=2)
    assert (version.proposed_by, version.applies_from) == (colleges["residents0"], T0 + 30 * DAY)


def test_the_published_tally_lists_receipts_never_names_and_recounts(colleges):
    proposal = _voting(colleges)
    mine = services.do_vote(
        voter=colleges["workers2"], proposal_id=proposal.pk, choice="against", now=T0 + 8 * DAY
    )
    services.do_vote(voter=colleges["shops1"], proposal_id=proposal.pk, choice="for", now=T0 + 8 * DAY)
    out = io.StringIO()
    with pytest.raises(Exception, match="published when the vote closes"):
        call_command("governance", "tally", str(proposal.pk), "--json", stdout=out)
    services.tick(T0 + 14 * DAY)
    call_command("governance", "tally", str(proposal.pk), "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["matches"] is True and data["status"] == "adopted"
    assert {"receipt": mine, "college": "workers", "choice": "against"} in data["ballots"]
    assert "workers2@example.org" not in out.getvalue() and "person" not in json.dumps(data["ballots"])
    # Shops 1/1 for (weight 40), workers 0/1 (30), residents silent: their weight is not counted.
    assert (data["result"]["approval_percent"], data["result"]["turnout_percent"]) == ("57.14", "20.00")
    # Anyone recounts from the list alone with the published rules.
    rules = Rules(Decimal("10"), Decimal("50"), data["rules"]["weights"], data["rules"]["electorate"])
    assert count([BallotIn(**b) for b in data["ballots"]], rules) == data["result"]
    # A tampered list gives another digest and another result.
    tampered = [BallotIn(b["receipt"], b["college"], "against") for b in data["ballots"]]
    assert count(tampered, rules)["ballots_digest"] != data["result"]["ballots_digest"]
    assert count(tampered, rules)["adopted"] is False


def test_quorum_and_rules_are_those_in_force_when_the_vote_opened(colleges):
    proposal = _voting(colleges, changes={}, applies_from=None)
    assert proposal.rules["quorum_percent"] == "10" and proposal.rules["electorate"] == {
        "shops": 2, "workers": 3, "residents": 5,
    }  # fmt: skip
    # A later change of the quorum does not apply to a vote already open.
    ParameterVersion.objects.create(
        name="vote_quorum_percent", version=2, value="90", applies_from=T0, recorded_at=T0,
        proposal=Proposal.objects.create(author=colleges["shops0"], title="q", body="q", created=T0, status="applied"),
    )  # fmt: skip
    services.do_vote(voter=colleges["residents1"], proposal_id=proposal.pk, choice="for", now=T0 + 8 * DAY)
    services.tick(T0 + 14 * DAY)
    proposal.refresh_from_db()
    assert (proposal.result["turnout_percent"], proposal.result["quorum_met"], proposal.status) == (
        "10.00",
        True,
        "adopted",
    )
    assert services.tick(T0 + 60 * DAY)["applied"] == 0  # a text-only proposal has nothing to apply


def test_below_quorum_is_rejected_and_leavers_and_newcomers_do_not_vote(colleges, make_person):
    proposal = _voting(colleges)
    newcomer = make_person("new@example.org")
    do_add_membership(newcomer, "residents", since=date(2026, 3, 12))
    with pytest.raises(NotAllowed):
        services.do_vote(voter=newcomer, proposal_id=proposal.pk, choice="for", now=T0 + 12 * DAY)
    do_leave_college(colleges["residents4"], "residents", on=date(2026, 3, 3))
    with pytest.raises(NotAllowed):
        services.do_vote(
            voter=colleges["residents4"], proposal_id=proposal.pk, choice="for", now=T0 + 12 * DAY
        )
    services.tick(T0 + 14 * DAY)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.result["quorum_met"], proposal.result["voters"]) == (
        "rejected",
        False,
        0,
    )
    with pytest.raises(InvalidInput):
        services.do_vote(voter=colleges["shops0"], proposal_id=proposal.pk, choice="for", now=T0 + 15 * DAY)


def test_bad_proposals_are_refused_and_change_nothing(colleges, make_person):
    author = colleges["shops0"]
    for changes, applies, message in [
        (
            {"coop_fee_percent": "-1"},
            T0 + DAY,
            "«\u00a0-1\u00a0» est refusée\u00a0; la valeur doit être un nombre de 0\u202f% à 100\u202f%",
        ),
        (
            {"coop_fee_percent": "deux"},
            T0 + DAY,
            "Contribution coopérative sur les marchandises\u00a0: «\u00a0deux\u00a0» est refusée",
        ),
        ({"no_such_thing": "1"}, T0 + DAY, "no_such_thing n’est pas un paramètre gouverné"),
        ({"coop_fee_percent": "3"}, None, "à partir de quand"),
        ({"coop_fee_percent": "3"}, T0 - DAY, "futur"),
    ]:
        with pytest.raises(InvalidInput, match=message):
            services.do_draft_proposal(
                author=author, title="t", body="b", changes=changes, applies_from=applies, now=T0
            )
    with pytest.raises(NotAllowed):
        services.do_draft_proposal(author=make_person("outsider@example.org"), title="t", body="b", now=T0)
    assert Proposal.objects.count() == 0


def test_reminders_go_once_to_those_who_have_not_voted_in_their_language(colleges):
    proposal = _voting(colleges)
    services.do_vote(voter=colleges["residents1"], proposal_id=proposal.pk, choice="for", now=T0 + 8 * DAY)
    assert services.tick(T0 + 11 * DAY)["reminders"] == 0  # more than 48 h before the close
    assert services.tick(T0 + 12 * DAY + timedelta(hours=1))["reminders"] == 9
    assert services.tick(T0 + 13 * DAY)["reminders"] == 0
    by_person = {m.to[0]: m.subject for m in mail.outbox}
    assert "residents1@example.org" not in by_person and "staff0@example.org" not in by_person
    assert by_person["shops0@example.org"] == "Vote before 2026-03-16 10:00: Coop fee 3 %"
    assert by_person["shops1@example.org"] == "Votez avant le 2026-03-16 10:00\u00a0: Coop fee 3 %"


def test_ballots_and_participations_share_no_link(colleges):
    proposal = _voting(colleges)
    services.do_vote(voter=colleges["shops0"], proposal_id=proposal.pk, choice="for", now=T0 + 8 * DAY)
    assert [f.name for f in Ballot._meta.get_fields()] == ["proposal", "receipt", "college", "choice"]
    assert (
        Participation.objects.filter(proposal=proposal).count()
        == Ballot.objects.filter(proposal=proposal).count()
        == 1
    )
