"""Two flows lock overlapping offers from opposite ends: on PostgreSQL they queue, never deadlock.

A substitution takes the substitute and gives the original back; a checkout buys both. Written
naively (lock the substitute, then the original) the two wait on each other in a cycle; every
lock goes through `catalog/lock_objects.py` in id order, in one statement per flow, so one waits.
A pause after each lock makes the dangerous interleaving happen every time.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections

from comptoir.catalog import lock_objects
from comptoir.catalog.models import Offer
from comptoir.core.errors import ComptoirError
from comptoir.orders import services
from comptoir.orders.models import Order


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_substitution_and_a_checkout_on_the_same_offers_never_deadlock(
    town, owner, resident, make_person, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are tested on PostgreSQL (scripts/test runs the suite there too)")
    bread, brioche = town["bread"], town["cake"]  # the cake (made to order) has the higher id
    assert bread.pk < brioche.pk
    real_lock = lock_objects.offers_for_update

    def slow_lock(*args, **kwargs):
        locked = real_lock(*args, **kwargs)
        time.sleep(0.3)  # hold the locks while the other flow starts
        return locked

    buyer = make_person("buyer@example.org")
    request = services.CheckoutRequest(email=resident.email, fulfilment={"boulangerie": "collect"},
                                       payment_method="on_handover", items=[(bread.pk, 1)])  # fmt: skip
    order, _created = services.do_checkout(resident, None, request)
    shop_order = order.shop_orders.get()
    line = shop_order.lines.get()
    services.do_propose_changes(shop_order.pk, actor=owner, quantities={}, substitutes={line.pk: brioche.pk})
    monkeypatch.setattr(lock_objects, "offers_for_update", slow_lock)
    monkeypatch.setattr("comptoir.catalog.stock.offers_for_update", slow_lock)
    monkeypatch.setattr("comptoir.orders.checkout.offers_for_update", slow_lock)
    barrier, outcomes = threading.Barrier(2), {}

    def substitute():
        try:
            barrier.wait()
            services.do_answer_changes(shop_order.pk, accept=True, actor=resident)
            outcomes["substitute"] = "ok"
        except (ComptoirError, Exception) as error:  # a deadlock surfaces as OperationalError
            outcomes["substitute"] = repr(error)
        finally:
            connections.close_all()

    def buy_both():
        try:
            barrier.wait()
            time.sleep(0.1)
            checkout = services.CheckoutRequest(
                email=buyer.email, fulfilment={"boulangerie": "collect"}, payment_method="on_handover",
                items=[(brioche.pk, 1), (bread.pk, 2)],
            )  # fmt: skip
            services.do_checkout(buyer, None, checkout)
            outcomes["checkout"] = "ok"
        except (ComptoirError, Exception) as error:
            outcomes["checkout"] = repr(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=substitute), threading.Thread(target=buy_both)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes == {"substitute": "ok", "checkout": "ok"}
    # bread: 10 - 1 (first order) + 1 (given back by the substitution) - 2 (second order)
    assert Offer.objects.get(pk=bread.pk).stock == 8
    assert Order.objects.count() == 2
