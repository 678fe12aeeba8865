"""The amount the courier's phone asks at the door is what the books post at the drop (issue 20 item 5).

A resident pays on delivery for an order of two shops whose parcels went in two rounds. The books
post the money once, when the drop that completes the booking is confirmed, for the parts handed
to couriers (a part never handed over misses the round: cancelled, not paid, decision 0008). The
phone asks exactly that: nothing at the first door, the amount the books will post at the last.
The part that missed the round is pinned in tests/orders/test_journey_fixes.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from comptoir.catalog.models import Shop
from comptoir.delivery import planning
from comptoir.delivery.models import Round, Shift, Slot, Stop, Vehicle
from comptoir.delivery.planning import plan_slot
from comptoir.ledger.models import Entry
from comptoir.orders import books
from comptoir.orders.models import FeeLine, Order, ShopOrder
from tests.delivery.conftest import book, tomorrow_at
from tests.delivery.test_courier import action, api_for, send
from tests.delivery.test_move_lock_order import OneOrderPerVehicle


def _two_shop_order(slot: Slot, shop: Shop, other_shop: Shop) -> Order:
    """Order 81: bread 10,00 € and a hammer 6,00 €, both accepted, a 2 %
    contribution and 4,50 € of delivery, posted to the books as checkout and acceptance do."""
    book(slot, 81, [shop, other_shop], n=1)
    ShopOrder.objects.filter(pk=810).update(goods_cents=1000)
    ShopOrder.objects.filter(pk=811).update(goods_cents=600)
    order = Order.objects.get(pk=81)
    FeeLine.objects.create(
        order=order, kind="coop", label="Coop", amount_cents=32, rate_percent=2, source="t"
    )
    FeeLine.objects.create(order=order, kind="delivery", label="Delivery", amount_cents=450, source="t")
    Order.objects.filter(pk=81).update(goods_cents=1600, fees_cents=482, total_cents=2082)
    books.post(81, "checkout")
    return Order.objects.get(pk=81)


def _bread_round(slot: Slot, bike: Vehicle, courier: Any, other_courier: Any, monkeypatch: Any) -> Round:
    """The bread in one courier's round, the hammer in the other's: a split as a dispatcher's move or
    an order no single round can take leaves it (here the regrouping is switched off to make one)."""
    for person in (courier, other_courier):
        Shift.objects.create(
            courier=person, vehicle=bike, starts=tomorrow_at(16, 30), ends=tomorrow_at(19, 30)
        )
    monkeypatch.setattr(planning, "keep_together", lambda problem, solution, *args: (solution, []))
    assert plan_slot(slot.pk, solver=OneOrderPerVehicle(), limit=1).status == "done"
    return Round.objects.get(stops__parcel__shop_order_id=810)


@pytest.fixture
def split_order(
    slot: Slot,
    bike: Vehicle,
    shop: Shop,
    other_shop: Shop,
    courier: Any,
    other_courier: Any,
    monkeypatch: Any,
) -> tuple[Order, Round]:
    """Order 81 (bread 10,00 € and a hammer 6,00 €, 2 % contribution, 4,50 € delivery, posted as checkout
    does), its bread in one courier's round and its hammer in the other's: the order and the bread's round."""
    order = _two_shop_order(slot, shop, other_shop)
    return order, _bread_round(slot, bike, courier, other_courier, monkeypatch)


def _collect_line(courier: Any, round_: Round) -> str:
    browser = Client(HTTP_ACCEPT_LANGUAGE="fr")
    browser.force_login(courier)
    page = browser.get(f"/tournee/{round_.pk}/").content.decode()
    start = page.find('<p class="collect"')
    return page[start : page.find("</p>", start) + 4] if start >= 0 else ""


def test_the_door_amount_is_asked_once_at_the_drop_the_books_post(split_order: tuple[Order, Round]) -> None:
    order, bread_round = split_order
    assert books.owed(order.pk) == 2082
    hammer_round = Round.objects.get(stops__parcel__shop_order_id=811)
    now = timezone.now()
    for round_ in (hammer_round, bread_round):  # the hammer's round rings first
        api = api_for(round_.courier)
        pickup, drop = round_.stops.get(kind="pickup"), round_.stops.get(kind="drop")
        assert (
            send(api, round_, action("pickup", pickup, now, code=pickup.parcel.pickup_code))[0]["result"]
            == "applied"
        )
        collect = _collect_line(round_.courier, round_)
        if round_ == hammer_round:  # the bread is still to come: the money is taken at its door
            assert collect == ""
        else:  # 10,00 + 6,00 € of goods, 0,32 € (2 %) and 4,50 € of delivery
            assert collect == (
                '<p class="collect" role="note">À encaisser auprès de l’habitant\u00a0: '
                "<strong>20,82\u00a0€</strong> (paiement à la livraison, carte ou espèces).</p>"
            )
        assert (
            send(api, round_, action("deliver", drop, now, code=drop.booking.drop_code))[0]["result"]
            == "applied"
        )
        assert Stop.objects.get(pk=drop.pk).status == "done"
    payment = Entry.objects.get(kind="payment", order_id=order.pk)
    assert sum(line.debit for line in payment.lines.all()) == 2082  # what the phone asked for
    assert (books.owed(order.pk), Order.objects.get(pk=81).payment_status) == (0, "paid")


def test_nothing_to_collect_when_the_order_is_paid_already(split_order: tuple[Order, Round]) -> None:
    order, round_ = split_order
    Order.objects.filter(pk=order.pk).update(payment_status="paid")
    Stop.objects.filter(kind="drop").exclude(round=round_).update(status="done")
    pickup = round_.stops.get(kind="pickup")
    send(
        api_for(round_.courier),
        round_,
        action("pickup", pickup, timezone.now(), code=pickup.parcel.pickup_code),
    )
    assert _collect_line(round_.courier, round_) == ""
