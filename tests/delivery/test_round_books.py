"""A finished round reaches the books with its published cost, and the monthly report counts its deliveries."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from comptoir.delivery.models import Round, RoundCost
from comptoir.ledger.models import Entry
from comptoir.ledger.reports import month_report
from comptoir.ledger.services import balance
from tests.delivery.test_courier import action, api_for, planned, send  # noqa: F401


def test_a_finished_round_posts_its_costs_once(planned: Round, courier: Any) -> None:  # noqa: F811
    api, now = api_for(courier), timezone.now()
    for stop in planned.stops.order_by("sequence"):
        if stop.kind == "pickup":
            send(api, planned, action("pickup", stop, now, code=stop.parcel.pickup_code))
        else:
            send(api, planned, action("deliver", stop, now, code=stop.booking.drop_code))
    cost = RoundCost.objects.get(round=planned)
    entry = Entry.objects.get(kind="round")
    assert entry.round_id == planned.pk
    assert (
        balance("641", "EUR") == -cost.courier_cents
        and balance(f"421-{courier.pk}", "EUR") == cost.courier_cents
    )
    assert balance("6155", "EUR") == -cost.vehicle_cents and balance("4081", "EUR") == cost.vehicle_cents
    report = month_report(timezone.localtime(entry.occurred_at).date())
    assert (report.rounds, report.deliveries, report.cargo_bike_share_percent) == (1, 2, 100)
    assert report.delivery_costs == cost.courier_cents + cost.vehicle_cents
    assert report.average_delivery_cost == round((cost.courier_cents + cost.vehicle_cents) / 2)
    assert report.cargo_bike_km == round(planned.distance_m / 1000)
