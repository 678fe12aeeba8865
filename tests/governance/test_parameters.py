"""Parameters change only through an adopted proposal: the admin, the API and the services refuse and log;
a vote on the coop fee changes the fee of checkouts after its date, and each order cites its version."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from comptoir.core.errors import InvalidInput, NotAllowed
from comptoir.core.parameters import governed
from comptoir.governance import services
from comptoir.governance.models import Ballot, ParameterVersion, Participation, RefusedChange
from comptoir.members.models import Person
from comptoir.members.services import do_add_membership
from tests.conftest import PASSWORD, ApiClient
from tests.governance.adopt import adopt
from tests.orders.conftest import delivery_body, first_slot
from tests.orders.test_checkout import FULFIL, fill_cart


def test_api_refuses_a_direct_change_and_logs_it(owner_api, owner):
    response = owner_api.call("put", "/governance/parameters/coop_fee_percent", {"value": "0.5"})
    assert response.status_code == 403
    assert response.json()["message"] == (
        "coop_fee_percent est un paramètre gouverné\u00a0: seule une proposition adoptée le modifie."
    )
    assert governed("coop_fee_percent").value == Decimal("2.0")
    refused = RefusedChange.objects.get()
    assert (refused.name, refused.value, refused.via, refused.actor) == (
        "coop_fee_percent",
        "0.5",
        "api",
        owner,
    )
    assert (
        ApiClient().call("put", "/governance/parameters/coop_fee_percent", {"value": "1"}).status_code == 401
    )


def test_admin_refuses_a_direct_change_and_logs_it(db):
    admin = Person.objects.create_superuser("admin@example.org", PASSWORD)
    client = Client()
    client.force_login(admin)
    row = ParameterVersion.objects.get(name="coop_fee_percent", version=1)
    page = client.post(
        f"/admin/governance/parameterversion/{row.pk}/change/", {"name": row.name, "value": "9"}
    )
    assert page.status_code == 200 and "seule une proposition adoptée le modifie" in page.content.decode()
    added = client.post("/admin/governance/parameterversion/add/", {"name": "coop_fee_percent", "value": "9"})
    assert added.status_code == 200
    assert ParameterVersion.objects.filter(name="coop_fee_percent").count() == 1
    assert governed("coop_fee_percent").value == Decimal("2.0")
    assert list(RefusedChange.objects.values_list("via", "value")) == [("admin", "9"), ("admin", "9")]


def test_services_refuse_and_the_database_refuses_a_version_without_proposal(db):
    with pytest.raises(NotAllowed):
        services.do_set_parameter(actor=None, name="coop_fee_percent", value="1")
    assert RefusedChange.objects.filter(via="service").count() == 1
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ParameterVersion.objects.create(
            name="coop_fee_percent",
            version=2,
            value="1",
            applies_from=timezone.now(),
            recorded_at=timezone.now(),
        )


def test_parameters_api_shows_history_with_the_proposal(db):
    proposal = adopt({"coop_fee_percent": "2.5"}, title="Fee 2.5 %")
    body = Client().get("/api/v1/governance/parameters/coop_fee_percent").json()
    assert body["current"]["value"] == "2.5" and body["current"]["version"] == 2
    assert [(v["version"], v["value"], v["proposal_id"], v["proposal_title"]) for v in body["versions"]] == [
        (1, "2.0", None, None), (2, "2.5", proposal.pk, "Fee 2.5 %"),
    ]  # fmt: skip
    listed = {p["name"]: p for p in Client().get("/api/v1/governance/parameters").json()}
    assert (
        listed["college_weight_shops"]["value"] == "40"
        and listed["coop_fee_percent"]["proposal_id"] == proposal.pk
    )
    assert Client().get("/api/v1/governance/parameters/nope").status_code == 404


def test_a_vote_on_the_coop_fee_changes_later_checkouts_only(resident_api, town):
    fill_cart(resident_api, town)
    first = resident_api.call("post", "/checkout", delivery_body(first_slot(), fulfilment=FULFIL)).json()
    proposal = adopt({"coop_fee_percent": "3.0"}, title="Coop fee 3 %")
    fill_cart(resident_api, town)
    second = resident_api.call("post", "/checkout", delivery_body(first_slot(), fulfilment=FULFIL)).json()
    coop = [
        [(f["amount_cents"], f["source"]) for f in o["fees"] if f["kind"] == "coop"] for o in (first, second)
    ]
    assert coop == [
        [(61, "adopted at founding (v1)")],  # 2 % of 30,30 €
        [(91, f"proposal #{proposal.pk}, in force from {timezone.localdate()} (v2)")],  # 3 %
    ]
    assert second["fees"][0]["label"] == "Contribution coopérative (3,0\u202f% des marchandises)"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_votes_at_the_same_instant_count_once(db):
    if connection.vendor != "postgresql":
        pytest.skip("the unique row is raced on PostgreSQL (scripts/test runs the suite there too)")
    from comptoir.members.services import ensure_colleges

    ensure_colleges()
    now = timezone.now()
    voter = Person.objects.create(email="racer@example.org")
    do_add_membership(voter, "workers", since=date.today() - timedelta(days=30))
    proposal = services.do_draft_proposal(
        author=voter, title="Race", body="Race.", now=now - timedelta(days=10)
    )
    services.do_open_discussion(actor=voter, proposal_id=proposal.pk, now=now - timedelta(days=10))
    services.do_open_voting(proposal_id=proposal.pk, now=now - timedelta(days=1))
    barrier, outcomes = threading.Barrier(12), []

    def vote(choice: str) -> None:
        try:
            barrier.wait()
            outcomes.append(services.do_vote(voter=voter, proposal_id=proposal.pk, choice=choice))
        except InvalidInput as error:
            outcomes.append(error.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=vote, args=("for" if i % 2 else "against",)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("already_voted") == 11
    assert Participation.objects.filter(proposal=proposal).count() == 1
    assert Ballot.objects.filter(proposal=proposal).count() == 1
