"""Closing a period: the result out of income and expenses, allocated per the governed rule, once."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from comptoir.core.errors import InvalidInput, NotAllowed
from comptoir.ledger import closing, postings, reports, selectors
from comptoir.ledger.models import Entry
from comptoir.ledger.services import balance, do_close_period, do_post_order, do_post_round, do_record_cost
from comptoir.members.services import do_add_membership
from tests.conftest import PASSWORD, ApiClient
from tests.governance.adopt import adopt

OCTOBER = datetime(2025, 10, 14, 10, tzinfo=UTC)


def test_allocation_rounds_half_up_and_a_deficit_is_carried():
    assert closing.allocate(217, Decimal("57.5")) == closing.Allocation(217, 125, 92)  # 124.775
    assert closing.allocate(-100, Decimal("57.5")) == closing.Allocation(-100, 0, -100)
    lines, _ = closing.closing_lines({"706100": 167, "641": -300}, Decimal("50"))
    assert lines == [postings.LineOut("641", 0, 300), postings.LineOut("706100", 167, 0),
                     postings.LineOut("119", 133, 0)]  # fmt: skip
    assert postings.balanced(lines)


@pytest.fixture
def staff(make_person):
    person = make_person("staff@example.org")
    do_add_membership(person, "staff")
    return person


def _october(staff):
    position = postings.OrderPosition(
        1, "EUR", [postings.ShopPart("a", 10000, True, True)], 200, 600, Decimal("20")
    )
    do_post_order(position, kind="checkout", at=OCTOBER)  # 706100 167, 706200 500, VAT 33 + 100
    do_post_round(postings.RoundPosting(9, staff.pk, "Courier", 300, 50, "EUR"), at=OCTOBER)
    do_record_cost(
        actor=staff, account_code="6156", amount_cents=100, currency="EUR", memo="Serveur", at=OCTOBER
    )


def test_closing_a_month_allocates_its_surplus_per_the_rule_in_force(staff):
    _october(staff)
    before = reports.month_report(OCTOBER.date())
    assert (before.fees, before.costs, before.surplus) == (667, 450, 217)
    since, until = reports.period_bounds("2025-10")
    entry = do_close_period(actor=staff, since=since, until=until, currency="EUR")
    assert sorted((x.account.code, x.debit, x.credit) for x in entry.lines.select_related("account")) == [
        ("1068", 0, 125), ("110", 0, 92), ("6155", 0, 50), ("6156", 0, 100), ("641", 0, 300),
        ("706100", 167, 0), ("706200", 500, 0),
    ]  # fmt: skip
    assert entry.sources["surplus_reserve_percent"] == "adopted at founding (v1)"
    assert timezone.localtime(entry.occurred_at) == until - timezone.timedelta(seconds=1)
    assert [balance(code, "EUR") for code in ("706100", "706200", "641", "6155", "6156")] == [0, 0, 0, 0, 0]
    assert (balance("1068", "EUR"), balance("110", "EUR")) == (125, 92)
    assert reports.month_report(OCTOBER.date()) == before  # the month's figures are what happened
    assert selectors.check()["EUR"] == {"balanced": True, "debits": 10800 + 350 + 100 + 667, "credits": 11917,
                                        "entries": 4}  # fmt: skip
    with pytest.raises(InvalidInput, match="2025-10-01"):
        do_close_period(actor=staff, since=since, until=until, currency="EUR")
    year = reports.period_bounds("2025")
    with pytest.raises(InvalidInput):  # the year overlaps the closed month
        do_close_period(actor=staff, since=year[0], until=year[1], currency="EUR")
    page = Client().get("/transparence/2025-10/").content.decode()
    assert 'id="allocation"' in page
    assert "résultat 2,17\xa0€, dont 1,25\xa0€ aux réserves impartageables et 0,92\xa0€ reportés" in page
    assert Entry.objects.filter(kind="closing").count() == 1


def test_the_rule_is_the_one_adopted_by_vote_and_a_deficit_is_carried_forward(staff, make_person):
    proposal = adopt({"surplus_reserve_percent": "100"}, applies_from=datetime(2025, 9, 1, tzinfo=UTC))
    _october(staff)
    since, until = reports.period_bounds("2025-10")
    entry = do_close_period(actor=staff, since=since, until=until, currency="EUR")
    assert (entry.sources["reserves"], entry.sources["carried_forward"]) == (217, 0)
    assert f"proposal #{proposal.pk}" in entry.sources["surplus_reserve_percent"]
    do_record_cost(actor=staff, account_code="613", amount_cents=45000, currency="EUR", memo="Loyer",
                   at=datetime(2025, 11, 3, 9, tzinfo=UTC))  # fmt: skip
    nov = reports.period_bounds("2025-11")
    deficit = do_close_period(actor=staff, since=nov[0], until=nov[1], currency="EUR")
    assert sorted((x.account.code, x.debit, x.credit) for x in deficit.lines.select_related("account")) == [
        ("119", 45000, 0), ("613", 0, 45000),
    ]  # fmt: skip
    assert all(v["balanced"] for v in selectors.check().values())


def test_closing_is_staffs_for_a_finished_period_with_something_to_close(staff, make_person):
    outsider = make_person("someone@example.org")
    now = timezone.now()
    with pytest.raises(NotAllowed):
        do_close_period(actor=outsider, since=OCTOBER, until=now, currency="EUR")
    with pytest.raises(InvalidInput, match="une fois terminée"):
        do_close_period(actor=staff, since=now, until=now + timezone.timedelta(days=30), currency="EUR")
    since, until = reports.period_bounds("2025-10")
    with pytest.raises(InvalidInput):
        do_close_period(actor=staff, since=since, until=until, currency="EUR")  # nothing on the books
    assert Entry.objects.count() == 0


def test_closing_through_the_cli_and_the_api(staff, owner_api):
    from comptoir.members.services import do_issue_api_token

    _october(staff)
    assert owner_api.call("post", "/ledger/closings", {"period": "2025-10"}).status_code == 403
    api = ApiClient(do_issue_api_token(email=staff.email, password=PASSWORD))
    bad = api.call("post", "/ledger/closings", {"period": "octobre"})
    assert bad.status_code == 400 and Entry.objects.filter(kind="closing").count() == 0
    out = io.StringIO()
    call_command("ledger", "close", "2025-10", "--as", staff.email, "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert (data["result"], data["reserves"], data["carried_forward"]) == (217, 125, 92)
    assert api.call("post", "/ledger/closings", {"period": "2025-10"}).status_code == 400  # closed already
    made = api.call("post", "/ledger/closings", {"period": "2025-11"})
    assert made.status_code == 400 and made.json()["code"] == "nothing_to_close"
