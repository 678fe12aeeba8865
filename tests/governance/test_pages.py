"""The members' pages: lists, a proposal with its vote and receipt, the tally, the receipt check, a new proposal."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from comptoir.governance import services
from comptoir.governance.models import Ballot, Participation, Proposal, ProposedChange
from comptoir.members.services import do_add_membership
from tests.conftest import PASSWORD

DAY = timedelta(days=1)


@pytest.fixture
def members(make_person):
    people = {}
    for college, n in (("shops", 1), ("workers", 1), ("residents", 3)):
        for i in range(n):
            person = make_person(f"{college}{i}@example.org", full_name=f"{college.title()} {i}")
            do_add_membership(person, college, since=date(2025, 1, 1))
            people[f"{college}{i}"] = person
    return people


def _client(person) -> Client:
    client = Client()
    assert client.login(username=person.email, password=PASSWORD)
    return client


def _in_vote(author, changes=None, title="Contribution à 1,5\u00a0%"):
    """A proposal whose vote is open now: drafted ten days ago, discussed seven."""
    start = timezone.now() - 10 * DAY
    made = services.do_draft_proposal(
        author=author, title=title, body="Les serveurs coûtent moins.",
        changes={"coop_fee_percent": "1.5"} if changes is None else changes,
        applies_from=timezone.now() + 30 * DAY, now=start,
    )  # fmt: skip
    services.do_open_discussion(actor=author, proposal_id=made.pk, now=start)
    services.tick(start + 7 * DAY + timedelta(minutes=1))
    made.refresh_from_db()
    assert made.status == "voting"
    return made


def test_the_proposal_page_shows_current_and_proposed_values_with_their_effect(members):
    proposal = _in_vote(members["residents0"])
    page = Client().get(f"/gouvernance/propositions/{proposal.pk}/").content.decode()
    changes = re.sub(r"[ \n]+", " ", page.split('id="changes"')[1].split("</table>")[0])
    assert "Contribution coopérative sur les marchandises" in changes
    assert '2,0\u202f% <span class="muted">(adoptée à la fondation (v1))</span>' in changes
    assert "<strong>1,5\u202f%</strong>" in changes
    assert (
        "Sur un panier de 50,00\xa0€, la contribution coopérative passe de 1,00\xa0€ à 0,75\xa0€." in changes
    )
    assert "Se connecter pour voter" in page  # anonymous: no ballot form


def test_a_member_votes_in_their_college_and_sees_the_receipt_once(members):
    proposal = _in_vote(members["shops0"])
    voter = _client(members["residents1"])
    page = voter.get(f"/gouvernance/propositions/{proposal.pk}/").content.decode()
    assert "Vous votez dans le collège Habitants (poids 30)" in page
    answer = voter.post(f"/gouvernance/propositions/{proposal.pk}/voter/", {"choice": "against"})
    receipt = re.search(r'id="receipt"><code>([0-9a-f]{20})</code>', answer.content.decode()).group(1)
    assert Ballot.objects.get(receipt=receipt).choice == "against"
    assert Participation.objects.filter(proposal=proposal, person=members["residents1"]).count() == 1
    again = voter.get(f"/gouvernance/propositions/{proposal.pk}/").content.decode()
    assert "Vous avez voté" in again and receipt not in again and 'name="choice"' not in again
    twice = voter.post(f"/gouvernance/propositions/{proposal.pk}/voter/", {"choice": "for"}, follow=True)
    assert "Vous avez déjà voté sur cette proposition." in twice.content.decode()
    assert Ballot.objects.filter(proposal=proposal).count() == 1
    bad = voter.post(f"/gouvernance/propositions/{proposal.pk}/voter/", {"choice": "peut-être"}, follow=True)
    assert "Votez pour, contre ou abstention." in bad.content.decode()
    assert (
        voter.get(f"/gouvernance/recu/?receipt={receipt}").content.decode().count("Aucun bulletin publié")
        == 1
    )


def test_a_closed_vote_shows_the_tally_per_college_and_receipts_check(members):
    proposal = _in_vote(members["shops0"])
    receipts = {
        who: services.do_vote(voter=members[who], proposal_id=proposal.pk, choice=choice)
        for who, choice in [("shops0", "for"), ("workers0", "against"), ("residents0", "for"),
                            ("residents1", "for"), ("residents2", "abstain")]
    }  # fmt: skip
    services.tick(timezone.now() + 8 * DAY)
    proposal.refresh_from_db()
    assert proposal.status == "adopted"
    page = re.sub(r"[ \n]+", " ", Client().get(f"/gouvernance/propositions/{proposal.pk}/").content.decode())
    # Shops 40 × 1/1, workers 30 × 0/1, residents 30 × 2/2: 70 / 100.
    assert "5 votants sur 5 (100\u202f%), quorum 10\u202f% atteint\u00a0;" in page
    assert "approbation pondérée 70\u202f%, majorité au-delà de 50\u202f%" in page
    english = _english_client().get(f"/gouvernance/propositions/{proposal.pk}/").content.decode()
    english = re.sub(r"[ \n]+", " ", english)
    assert "5 voters of 5 (100%), quorum 10% met" in english  # English: no space before %
    assert "weighted approval 70%, majority above 50%" in english
    rows = re.findall(
        r"<tr><th scope=\"row\">(\w+)</th><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td>",
        page,
    )
    assert rows == [("Commerces", "40", "1", "0", "0", "1"), ("Travailleurs", "30", "0", "1", "0", "1"),
                    ("Habitants", "30", "2", "0", "1", "3")]  # fmt: skip
    csv = Client().get(f"/gouvernance/propositions/{proposal.pk}/?format=csv").content.decode().splitlines()
    assert csv[0] == "receipt,college,choice" and len(csv) == 6
    assert f"{receipts['workers0']},workers,against" in csv
    check = Client().get(f"/gouvernance/recu/?receipt={receipts['residents2']}").content.decode()
    assert (
        f"Le reçu {receipts['residents2']} est compté" in check and "Abstention, collège Habitants" in check
    )


def test_lists_group_open_adopted_rejected_and_drafts_stay_their_authors(members):
    voting = _in_vote(members["residents0"], title="Ouverte au vote")
    draft = services.do_draft_proposal(author=members["residents1"], title="Mon brouillon", body="Texte.")
    closed = _in_vote(members["residents0"], title="Rejetée faute de quorum")
    Proposal.objects.filter(pk=closed.pk).update(voting_closes=timezone.now() - DAY)
    services.tick()
    anyone = Client()
    assert "Ouverte au vote" in anyone.get("/gouvernance/").content.decode()
    assert "Rejetée faute de quorum" not in anyone.get("/gouvernance/").content.decode()
    assert "Rejetée faute de quorum" in anyone.get("/gouvernance/?status=rejected").content.decode()
    assert "Ouverte au vote" not in anyone.get("/gouvernance/?status=adopted").content.decode()
    assert "Mon brouillon" not in anyone.get("/gouvernance/").content.decode()
    assert anyone.get(f"/gouvernance/propositions/{draft.pk}/").status_code == 404
    author = _client(members["residents1"])
    assert "Mon brouillon" in author.get("/gouvernance/").content.decode()
    author.post(f"/gouvernance/propositions/{draft.pk}/soumettre/")
    draft.refresh_from_db()
    assert draft.status == "discussion"
    author.post(f"/gouvernance/propositions/{draft.pk}/commenter/", {"body": "Précision\u00a0: dès janvier."})
    assert (
        "Précision\u00a0: dès janvier."
        in anyone.get(f"/gouvernance/propositions/{draft.pk}/").content.decode()
    )
    assert voting.pk and "/gouvernance/" in anyone.get("/transparence/").content.decode()


def test_new_proposal_form_refuses_bad_values_and_stores_nothing(members, make_person):
    member = _client(members["workers0"])
    starts = (timezone.localdate() + 20 * DAY).isoformat()
    form = {"title": "Contribution à 1,8\u00a0%", "body": "Pour couvrir les vélos.", "parameter": "coop_fee_percent",
            "applies_from": starts}  # fmt: skip
    for value, message in [
        ("150", "Contribution coopérative sur les marchandises\u00a0: «\u00a0150\u00a0» est refusée\u00a0; la valeur doit être "
                "un nombre de 0\u202f% à 100\u202f%."),
        ("beaucoup", "«\u00a0beaucoup\u00a0» est refusée"),
        ("", "Indiquez la valeur proposée."),
    ]:  # fmt: skip
        page = member.post("/gouvernance/propositions/nouvelle/", {**form, "value": value})
        assert page.status_code == 200
        assert message in page.content.decode()
    late = member.post(
        "/gouvernance/propositions/nouvelle/", {**form, "value": "1.8", "applies_from": "2020-01-01"}
    )
    assert "La date d&#x27;application doit être dans le futur." in late.content.decode()
    outsider = _client(make_person("outsider@example.org"))
    refused = outsider.post("/gouvernance/propositions/nouvelle/", {**form, "value": "1.8"})
    assert "Réservé aux membres de la coopérative." in refused.content.decode()
    assert Proposal.objects.count() == 0 and ProposedChange.objects.count() == 0
    made = member.post("/gouvernance/propositions/nouvelle/", {**form, "value": "1,8"})
    proposal = Proposal.objects.get()
    assert made.url == f"/gouvernance/propositions/{proposal.pk}/"
    assert list(proposal.changes.values_list("name", "value")) == [("coop_fee_percent", "1.8")]
    assert timezone.localtime(proposal.applies_from).isoformat().startswith(f"{starts}T00:00:00")


def test_an_english_speaking_member_reads_the_page_and_the_errors_in_english(members):
    members["residents2"].language = "en"
    members["residents2"].save(update_fields=["language"])
    proposal = _in_vote(members["shops0"])
    member = _client(members["residents2"])
    page = member.get(f"/gouvernance/propositions/{proposal.pk}/").content.decode()
    assert "You vote in the Residents college (weight 30)" in page
    assert "On a basket of €50.00, the cooperative contribution goes from €1.00 to €0.75." in page
    refused = member.post("/gouvernance/propositions/nouvelle/", {
        "title": "t", "body": "b", "parameter": "vote_voting_days", "value": "365",
        "applies_from": (timezone.localdate() + 20 * DAY).isoformat(),
    }).content.decode()  # fmt: skip
    assert (
        "Days a vote stays open: “365” is refused; the value must be a number from 1 day to 90 days."
        in refused
    )


def test_a_fee_source_names_its_vote_in_the_readers_language_and_links_to_it(db):
    from django.utils import translation

    from comptoir.web.templatetags.comptoir import governed_source

    voted = "proposal #12, in force from 2026-04-01 (v2)"
    with translation.override("fr"):  # a request before may have left another language active
        assert governed_source(voted) == (
            '<a href="/gouvernance/propositions/12/">proposition n° 12, en vigueur depuis le 01/04/2026 (v2)</a>'
        )
        assert governed_source("adopted at founding (v1)") == "adoptée à la fondation (v1)"
    with translation.override("en"):
        assert governed_source(voted) == (
            '<a href="/gouvernance/propositions/12/">proposal #12, in force from 01/04/2026 (v2)</a>'
        )
    assert governed_source("<b>not a vote</b>") == "<b>not a vote</b>"  # escaped where it is shown


def _english_client() -> Client:
    """A visitor who chose English (the language cookie the switcher sets)."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
