"""Fifty checkouts race for five items on PostgreSQL; emails reach a real SMTP server after commit."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from django.db import connection, connections

from comptoir.catalog.models import Offer
from comptoir.core.errors import InvalidInput
from comptoir.orders import services
from comptoir.orders.models import Order, ShopOrder
from tests.orders.conftest import delivery_body


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_checkouts_never_oversell(town, make_person):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are tested on PostgreSQL (scripts/test runs the suite there too)")
    Offer.objects.filter(pk=town["roses"].pk).update(stock=5)
    people = [make_person(f"r{i}@example.org") for i in range(50)]
    barrier, outcomes = threading.Barrier(50), []

    def buy(person):
        request = services.CheckoutRequest(**{**delivery_body(""), "email": person.email},
                                           fulfilment={"fleurs": "collect"}, items=[(town["roses"].pk, 1)])  # fmt: skip
        try:
            barrier.wait()
            services.do_checkout(person, None, request)
            outcomes.append("ok")
        except InvalidInput as error:
            outcomes.append(error.message)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=buy, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("ok") == 5
    assert outcomes.count("«\u00a0Bouquet de roses\u00a0» (Fleurs de Loue) est en rupture de stock.") == 45
    assert Offer.objects.get(pk=town["roses"].pk).stock == 0
    assert (Order.objects.count(), ShopOrder.objects.count()) == (5, 5)


def test_emails_go_through_a_real_smtp_server(
    resident, town, owner, settings, django_capture_on_commit_callbacks
):
    from aiosmtpd.controller import Controller

    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        request = services.CheckoutRequest(**{**delivery_body(""), "language": "en"}, fulfilment={"fleurs": "collect"},
                                           items=[(town["roses"].pk, 1)])  # fmt: skip
        with django_capture_on_commit_callbacks(execute=False) as pending:
            order, _created = services.do_checkout(resident, None, request)
        assert received == []  # nothing leaves before the transaction commits
        for callback in pending:
            callback()
        for _ in range(50):
            if len(received) == 2:
                break
            time.sleep(0.02)
    finally:
        controller.stop()
    by_rcpt = {tuple(rcpt): body for rcpt, body in received}
    assert f"Subject: Order {order.number} confirmed" in by_rcpt[("alice@example.org",)]
    assert "1 × Bouquet de roses — €15.00" in by_rcpt[("alice@example.org",)]
    assert (
        f"Subject: New order {order.number}" in by_rcpt[("owner@fleurs.example",)]
    )  # the florist reads English
