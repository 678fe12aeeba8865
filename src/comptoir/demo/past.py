"""The demo town's past: months of orders and rounds on the books, and the votes that set the fees.

Everything goes through the real services, dated in the past by running them with the clock set
back (`_clock`): checkouts, shop actions and round costs post their ledger entries as they would
have then, with the governed values in force then. The governance history: founding values,
two adopted proposals (the coop fee lowered to 1.5 %, the courier's hour raised to 23 €), one
rejected (a 5 % delivery margin), one open for vote (the coop fee at 1.8 %).

Past orders are delivered with the flat-fee stand-in (`FixedSlots`): the coop's real slots only
exist from today. Past rounds carry those deliveries with their real published costs.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from typing import Any
from unittest import mock

from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from comptoir.core.errors import InvalidInput
from comptoir.core.money import node_currency
from comptoir.delivery.models import Booking, Round, Shift, Slot, Stop, Vehicle, Zone
from comptoir.delivery.services import do_publish_round_cost
from comptoir.governance import services as governance
from comptoir.ledger.models import Entry
from comptoir.ledger.reports import month_bounds
from comptoir.ledger.services import do_close_period, do_record_cost
from comptoir.members.models import Membership, Person
from comptoir.orders import services as orders
from comptoir.orders.checkout import CheckoutRequest
from comptoir.orders.demo import DemoTown, _stocked_offers

PAST_MONTHS = 4
ORDERS_PER_DAY = (3, 6)
ROUND_WHEN_WAITING = 7  # a round leaves when this many deliveries wait, and every Friday


@contextmanager
def _clock(moment: datetime) -> Iterator[None]:
    """Run the services as if it were `moment` (only the demo generator does this)."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _month_start(today: date, back: int) -> date:
    year, month = today.year, today.month - back
    while month < 1:
        year, month = year - 1, month + 12
    return date(year, month, 1)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), timezone.get_current_timezone())


def _vote(proposal_id: int, voters: Sequence[tuple[Person, str]], when: datetime) -> None:
    for person, choice in voters:
        governance.do_vote(voter=person, proposal_id=proposal_id, choice=choice, now=when)


def _proposal(author: Person, title: str, body: str, changes: dict[str, str], drafted: datetime,
              applies: datetime | None) -> int:  # fmt: skip
    made = governance.do_draft_proposal(
        author=author, title=title, body=body, changes=changes, applies_from=applies, now=drafted
    )
    governance.do_open_discussion(actor=author, proposal_id=made.pk, now=drafted)
    return made.pk


def _members(college: str) -> list[Person]:
    return list(Person.objects.filter(memberships__college__code=college, email__contains="@").order_by("pk"))


def generate_governance_past(seed: int, today: date) -> dict[str, int]:
    rng = random.Random(seed + 7)
    start = _month_start(today, PAST_MONTHS + 1)
    Membership.objects.filter(since__gt=start).update(since=start)  # the town's members joined at founding
    shops, workers, residents = _members("shops"), _members("workers"), _members("residents")
    electorate = (
        [(p, "shops") for p in shops]
        + [(p, "workers") for p in workers]
        + [(p, "residents") for p in residents]
    )

    def ballots(share_for: float, turnout: float) -> list[tuple[Person, str]]:
        chosen = [p for p, _c in electorate if rng.random() < turnout]
        return [
            (p, "for" if rng.random() < share_for else rng.choice(["against", "against", "abstain"]))
            for p in chosen
        ]

    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        plans = [
            (shops[0], "Baisser la contribution coopérative à 1,5 %",
             "Les serveurs coûtent moins que prévu : la contribution peut baisser.",
             {"coop_fee_percent": "1.5"}, _month_start(today, PAST_MONTHS - 1), 0.8, 0.5),
            (workers[0], "Heure de coursier à 23 €", "Aligner la rémunération sur la convention collective.",
             {"courier_cost_per_hour_cents": "2300"}, _month_start(today, PAST_MONTHS - 2), 0.75, 0.45),
            (residents[0], "Marge de 5 % sur les livraisons", "Constituer une réserve pour un troisième vélo.",
             {"delivery_margin_percent": "5"}, _month_start(today, 1), 0.0, 0.4),
        ]  # fmt: skip
        for author, title, body, changes, applies_on, share_for, turnout in plans:
            drafted = _at(applies_on - timedelta(days=20), 9)
            pk = _proposal(author, title, body, changes, drafted, _at(applies_on, 0))
            governance.tick(drafted + timedelta(days=7, minutes=1))
            _vote(pk, ballots(share_for, turnout), drafted + timedelta(days=9))
            governance.tick(drafted + timedelta(days=14, minutes=2))
            governance.tick(_at(applies_on, 0, 1))
        drafted = timezone.now() - timedelta(days=10)
        pk = _proposal(shops[1], "Contribution coopérative à 1,8 %",
                       "Le déficit de ce trimestre demande de remonter un peu la contribution.",
                       {"coop_fee_percent": "1.8"}, drafted, timezone.now() + timedelta(days=30))  # fmt: skip
        governance.tick(drafted + timedelta(days=7, minutes=1))
        _vote(pk, ballots(0.6, 0.2), drafted + timedelta(days=8))
    return {"proposals": 4}


def _past_rounds(day: date, order_ids: list[int], town: DemoTown, rng: random.Random) -> int:
    """One round per zone that day, carrying that day's delivery orders, with its published cost."""
    zones, bikes = list(Zone.objects.order_by("pk")), list(Vehicle.objects.order_by("kind", "pk"))
    couriers = list(Person.objects.filter(memberships__college__code="workers").order_by("pk"))
    if not (zones and bikes and couriers and order_ids):
        return 0
    starts = _at(day, 17)
    slot = Slot.objects.create(zone=zones[0], starts=starts, ends=starts + timedelta(hours=2),
                               closes_at=starts - timedelta(hours=2), capacity_orders=max(30, len(order_ids)),
                               capacity_ml=2_000_000, status="closed", booked_orders=len(order_ids))  # fmt: skip
    vehicle = bikes[0] if rng.random() < 0.8 else bikes[-1]  # mostly cargo bikes, sometimes the van
    courier = rng.choice(couriers)
    shift = Shift.objects.create(
        courier=courier, vehicle=vehicle, starts=starts, ends=starts + timedelta(hours=3)
    )
    minutes = 20 + 6 * len(order_ids)  # depot and back, then a few minutes a drop in a dense town
    round_ = Round.objects.create(slot=slot, shift=shift, courier=courier, vehicle=vehicle, status="started",
                                  departs=starts, returns=starts + timedelta(minutes=minutes),
                                  distance_m=2500 + 700 * len(order_ids))  # fmt: skip
    for sequence, order_id in enumerate(order_ids):
        lat, lon = town.centre[0] + rng.uniform(-0.01, 0.01), town.centre[1] + rng.uniform(-0.014, 0.014)
        booking = Booking.objects.create(ref=f"P{order_id}", slot=slot, order_id=order_id, lat=lat, lon=lon,
                                         address="—", name="—", weight_g=2000, volume_ml=4000, fee_cents=450,
                                         drop_code="0000", status="delivered")  # fmt: skip
        done = starts + timedelta(minutes=12 + 6 * sequence)
        Stop.objects.create(round=round_, sequence=sequence, kind="drop", booking=booking, lat=lat, lon=lon,
                            eta=done, status="done", done_at=done, proof="code")  # fmt: skip
    with _clock(round_.returns):
        do_publish_round_cost(round_)
    return 1


def generate_orders_past(
    seed: int, residents: Sequence[Person], town: DemoTown, today: date, months: int = PAST_MONTHS
) -> dict[str, int]:
    """Orders every day of the past months, accepted and completed; delivered ones ride the next round."""
    rng = random.Random(seed + 11)
    collect, deliver = _stocked_offers("collect"), _stocked_offers("delivery")
    day, placed, rounds = _month_start(today, months), 0, 0
    delivered: list[int] = []
    with override_settings(COMPTOIR_DELIVERY_BOOKING="comptoir.orders.fixed_slots.FixedSlots",
                           COMPTOIR_FIXED_SLOT_LEAD_MINUTES=0,
                           EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):  # fmt: skip
        staff = Person.objects.filter(memberships__college__code="staff").order_by("pk").first()
        while day < today:
            if day.day == 1 and staff is not None:
                _monthly_costs(staff, _at(day, 8))
            for number in range(rng.randint(*ORDERS_PER_DAY) if residents else 0):
                moment = _at(day, 9 + number, rng.randint(0, 59))
                person = rng.choice(residents)
                how = "delivery" if deliver and rng.random() < 0.6 else "collect"
                picked = rng.sample(deliver if how == "delivery" else collect, k=rng.randint(1, 3))
                with _clock(moment), transaction.atomic():
                    request = _request(person, picked, how, town, rng, moment)
                    try:
                        order, _created = orders.do_checkout(person, None, request)
                    except InvalidInput:
                        continue
                    _advance(order, how, rng)
                placed += 1
                if how == "delivery":
                    delivered.append(order.pk)
            if len(delivered) >= ROUND_WHEN_WAITING or (day.weekday() == 4 and delivered):
                with transaction.atomic():
                    rounds += _past_rounds(day, delivered, town, rng)
                delivered = []
            day += timedelta(days=1)
    return {"past_orders": placed, "past_rounds": rounds}


def close_past_months(today: date) -> dict[str, int]:
    """Close every finished month on the books, as staff would at each month's end: the result allocated
    per the governed reserves' share, the rest carried forward for the members to decide."""
    staff = Person.objects.filter(memberships__college__code="staff").order_by("pk").first()
    first = Entry.objects.order_by("occurred_at").values_list("occurred_at", flat=True).first()
    if staff is None or first is None:
        return {"closed_months": 0}
    month, closed = timezone.localtime(first).date().replace(day=1), 0
    while month < today.replace(day=1):
        since, until = month_bounds(month)
        try:
            with _clock(until), transaction.atomic():
                do_close_period(actor=staff, since=since, until=until, currency=node_currency())
            closed += 1
        except InvalidInput:
            pass  # nothing to close, or closed already
        month = (until + timedelta(days=1)).date().replace(day=1)
    return {"closed_months": closed}


MONTHLY_COSTS = [("6156", 2900, "Hébergement des serveurs"), ("6063", 4000, "Entretien des vélos-cargos")]


def _monthly_costs(staff: Person, moment: datetime) -> None:
    for account, cents, memo in MONTHLY_COSTS:
        with _clock(moment):
            do_record_cost(
                actor=staff,
                account_code=account,
                amount_cents=cents,
                currency=node_currency(),
                memo=memo,
                at=moment,
            )


def _request(person: Person, picked: list[Any], how: str, town: DemoTown, rng: random.Random,
             moment: datetime) -> CheckoutRequest:  # fmt: skip
    fields: dict[str, Any] = {}
    if how == "delivery":
        from comptoir.orders.delivery_port import delivery_booking

        lat, lon = town.centre[0] + rng.uniform(-0.01, 0.01), town.centre[1] + rng.uniform(-0.014, 0.014)
        slot = delivery_booking().slots_for(lat, lon, 2000, 4000, moment)[0]
        fields = {"slot_id": slot.id, "recipient_name": person.full_name, "phone": person.phone or "0600000000",
                  "address": f"{rng.randint(1, 60)} {rng.choice(town.streets)}", "postal_code": town.postal_code,
                  "city": town.city, "lat": lat, "lon": lon}  # fmt: skip
    return CheckoutRequest(
        email=person.email, language=person.language, payment_method="on_handover",
        fulfilment={o.shop.ref: how for o in picked}, items=[(o.pk, 1) for o in picked], **fields,
    )  # fmt: skip


def _advance(order: Any, how: str, rng: random.Random) -> None:
    for shop_order in order.shop_orders.all():
        if rng.random() < 0.06:
            orders.do_shop_action(shop_order.pk, "reject", None, reason="Rupture")
            continue
        for action in ("accept", "prepare", "hand-over"):
            orders.do_shop_action(shop_order.pk, action, None)
    if how == "delivery" and order.shop_orders.filter(status="handed_over").exists():
        orders.do_mark_delivered(order.pk, proof="code")
