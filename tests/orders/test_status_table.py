"""The shop-order transition table (pure) and the services that must obey it, property-tested."""

from __future__ import annotations

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from comptoir.catalog.models import Offer
from comptoir.core.errors import InvalidInput
from comptoir.orders.models import OrderEvent, OrderLine, ShopOrder
from comptoir.orders.status import (
    DEAD,
    FINAL,
    TRANSITIONS,
    Action,
    Actor,
    Status,
    TransitionRefused,
    actions_for,
    allowed,
    next_status,
)

steps = st.lists(st.tuples(st.sampled_from(list(Action)), st.sampled_from(list(Actor))), max_size=30)


def test_model_choices_and_the_table_name_the_same_statuses():
    assert {c.value for c in ShopOrder.Status} == {s.value for s in Status}


@hsettings(max_examples=500)
@given(steps)
def test_any_sequence_of_actions_stays_inside_the_table(sequence):
    status = Status.PLACED
    for action, actor in sequence:
        if allowed(status, action, actor):
            new = next_status(status, action, actor)
            assert (
                TRANSITIONS[(status, action)].target == new and actor in TRANSITIONS[(status, action)].actors
            )
            assert status not in FINAL  # nothing ever leaves a final status
            status = new
        else:
            with pytest.raises(TransitionRefused):
                next_status(status, action, actor)
    assert status in set(Status)


@given(st.sampled_from(sorted(FINAL)), st.sampled_from(list(Action)), st.sampled_from(list(Actor)))
def test_final_statuses_accept_nothing(status, action, actor):
    assert not allowed(status, action, actor) and actions_for(status, actor) == []


def test_what_each_side_may_do():
    assert actions_for("placed", "shop") == [Action.ACCEPT, Action.REJECT, Action.PROPOSE_CHANGES]
    assert actions_for("placed", "resident") == [Action.CANCEL]
    assert actions_for("prepared", "resident") == []  # too late for the resident to cancel
    assert actions_for("handed_over", "shop") == []  # nor can the shop cancel what the courier holds
    assert actions_for("completed", "shop") == []  # delivered bread is neither accepted nor refused
    assert not allowed("placed", "hand-over-to-courier", "courier")  # never a parcel nobody accepted
    assert allowed("accepted", "hand-over-to-courier", "courier")
    assert not allowed("placed", "expire", "shop") and allowed("placed", "expire", "system")


class TestServicesFollowTheTable(HypothesisTestCase):
    """Random actions through the real services: stock is conserved and every change leaves an event."""

    @hsettings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(st.sampled_from([
        ("shop", "accept"), ("shop", "reject"), ("shop", "prepare"), ("shop", "hand-over"), ("shop", "cancel"),
        ("shop", "propose-changes"), ("resident", "cancel"), ("resident", "accept-changes"),
        ("resident", "decline-changes"), ("courier", "hand-over"), ("system", "deliver"),
    ]), max_size=8))  # fmt: skip
    def test_random_actions(self, sequence):
        from tests.orders.services_world import build_world

        world = build_world()
        shop_order, bread = world["shop_order"], world["bread"]
        stock_before, moves = 10, 0
        for who, action in sequence:
            before = ShopOrder.objects.get(pk=shop_order.pk).status
            events = OrderEvent.objects.count()
            try:
                with transaction.atomic():
                    world["act"](who, action)
            except InvalidInput:
                assert ShopOrder.objects.get(pk=shop_order.pk).status == before
                assert OrderEvent.objects.count() == events
                continue
            after = ShopOrder.objects.get(pk=shop_order.pk).status
            moves += after != before
        so = ShopOrder.objects.get(pk=shop_order.pk)
        held = sum(
            line.quantity for line in OrderLine.objects.filter(shop_order=so, offer=bread, reserved=True)
        )
        left = Offer.objects.get(pk=bread.pk).stock
        if so.status in DEAD:
            assert left == stock_before  # every way out gave the stock back
        else:
            assert left + held == stock_before
        assert OrderEvent.objects.filter(shop_order=so).count() == moves  # one event per status change
