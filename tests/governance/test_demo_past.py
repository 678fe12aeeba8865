"""The demo town's past: founding values, two adopted proposals, one rejected, one open; books that balance."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import timezone

from comptoir.delivery.demo import generate_demo_delivery
from comptoir.demo.generator import demo_residents, generate_demo
from comptoir.demo.past import close_past_months, generate_governance_past, generate_orders_past
from comptoir.demo.vocabulary import CENTRE, POSTAL_CODE, STREETS, TOWN
from comptoir.governance.models import Proposal
from comptoir.ledger import selectors
from comptoir.ledger.closing import allocate
from comptoir.ledger.models import Entry
from comptoir.ledger.reports import month_bounds, month_report
from comptoir.orders.demo import DemoTown


def test_the_demo_town_has_a_plausible_past(db, monkeypatch):
    monkeypatch.setattr("comptoir.demo.past.ORDERS_PER_DAY", (1, 1))  # a lighter past than the demo's
    generate_demo(seed=5, shops=10, offers=200)
    generate_demo_delivery(5)
    today = timezone.localdate()
    generate_governance_past(5, today)
    town = DemoTown(streets=STREETS, postal_code=POSTAL_CODE, city=TOWN, centre=CENTRE)
    past = generate_orders_past(5, demo_residents(), town, today, months=1)
    assert past["past_orders"] > 20 and past["past_rounds"] > 2
    statuses = list(Proposal.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == ["applied", "applied", "rejected", "voting"]
    assert all(v["balanced"] for v in selectors.check().values())
    last_month = date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)
    report = month_report(last_month)
    assert report.orders > 20 and report.deliveries > 0 and report.fees > 0 and report.delivery_costs > 0
    assert close_past_months(today)["closed_months"] >= 1
    assert month_report(last_month) == report  # closing moves no money: the month's figures stay
    since, until = month_bounds(last_month)
    closing = Entry.objects.get(kind="closing", occurred_at__gte=since, occurred_at__lt=until)
    expected = allocate(report.surplus, Decimal("57.5"))
    assert (closing.sources["result"], closing.sources["reserves"], closing.sources["carried_forward"]) == (
        expected.result, expected.reserves, expected.carried_forward,
    )  # fmt: skip
    assert all(v["balanced"] for v in selectors.check().values())
