"""Issue 18 item 2: finished deliveries' names, addresses, phones and signatures are purged after the
governed retention period, by a daily pass of the worker."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management import call_command
from django.utils import timezone

from comptoir.delivery.models import Booking, Stop
from comptoir.members.models import Person
from comptoir.orders.models import Order, OrderLine
from comptoir.privacy.models import PurgeRun
from comptoir.privacy.services import do_purge_deliveries
from comptoir.privacy.tasks import purge_if_due
from tests.governance.adopt import adopt
from tests.privacy.conftest import SIGNATURE

DROP = ("Alice Martin", "0601020304", "12 rue des Granges", "25000", "Val-sur-Loue", "Code 1234, 2e étage",
        47.0581, 6.0062)  # fmt: skip
PURGED = ("", "", "", "25000", "Val-sur-Loue", "", None, None)
BOOKING = ("Alice Martin", "12 rue des Granges, 25000 Val-sur-Loue", "0601020304", "Code 1234", 47.0581234,
           6.0062345)  # fmt: skip
BOOKING_PURGED = ("", "", "", "", 47.06, 6.01)


def drop_of(order: Order) -> tuple[Any, ...]:
    order.refresh_from_db()
    return (order.recipient_name, order.phone, order.address, order.postal_code, order.city, order.instructions,
            order.lat, order.lon)  # fmt: skip


def booking_of(booking: Booking) -> tuple[Any, ...]:
    booking.refresh_from_db()
    return (booking.name, booking.address, booking.phone, booking.instructions, booking.lat, booking.lon)


def signatures(booking: Booking) -> list[str]:
    return list(Stop.objects.filter(booking=booking).values_list("signature", flat=True))


def test_a_delivery_finished_longer_ago_than_the_retention_period_is_purged(
    world: dict[str, Any], resident: Person
) -> None:
    old, recent, collected = world["old"], world["recent"], world["collected"]
    lines_before = list(
        OrderLine.objects.order_by("id").values_list("sku", "quantity", "total_cents", "tax_cents")
    )
    totals_before = list(Order.objects.order_by("id").values_list("goods_cents", "fees_cents", "total_cents"))
    assert drop_of(old) == drop_of(recent) == DROP

    result = do_purge_deliveries()

    assert (result.retention_days, result.orders, result.bookings, result.signatures) == (90, 1, 1, 1)
    assert drop_of(old) == PURGED
    assert booking_of(world["old_booking"]) == BOOKING_PURGED
    assert signatures(world["old_booking"]) == [""]
    # Within the period: untouched, to the digit.
    assert drop_of(recent) == DROP
    assert booking_of(world["recent_booking"]) == BOOKING
    assert signatures(world["recent_booking"]) == [SIGNATURE]
    # What the books need stays: the email (the invoice's addressee), lines, totals, status, dates.
    old.refresh_from_db()
    assert (old.email, old.delivery_status, old.delivery_proof) == (
        "alice@example.org",
        "delivered",
        "signature",
    )
    assert list(
        OrderLine.objects.order_by("id").values_list("sku", "quantity", "total_cents", "tax_cents")
    ) == (lines_before)
    assert (
        list(Order.objects.order_by("id").values_list("goods_cents", "fees_cents", "total_cents"))
        == totals_before
    )
    # The resident's own saved address is theirs to keep: the purge is about finished deliveries.
    resident.refresh_from_db()
    assert resident.saved_address == "12 rue des Granges"
    assert collected.pk  # a collected order had no drop to purge

    run = PurgeRun.objects.get()
    assert (run.retention_days, run.source, run.orders, run.bookings, run.signatures) == (
        90, "adopted at founding (v1)", 1, 1, 1)  # fmt: skip
    again = do_purge_deliveries()
    assert (again.orders, again.bookings, again.signatures) == (0, 0, 0)


def test_the_retention_period_is_the_members_vote(world: dict[str, Any]) -> None:
    proposal = adopt({"retention_delivery_days": 7}, title="Keep deliveries a week")
    result = do_purge_deliveries()
    assert (result.retention_days, result.orders, result.bookings, result.signatures) == (7, 2, 2, 2)
    assert drop_of(world["recent"]) == PURGED
    assert booking_of(world["recent_booking"]) == BOOKING_PURGED
    assert f"#{proposal.pk}" in PurgeRun.objects.first().source  # type: ignore[union-attr]


def test_an_unfinished_order_is_never_purged_however_old(world: dict[str, Any], shop: Any) -> None:
    from tests.privacy.conftest import age, checkout

    waiting = checkout(world["old"].customer, shop, world["bread"].pk, delivery=True)
    age(waiting, 400)
    do_purge_deliveries()
    assert drop_of(waiting) == DROP


def test_the_worker_purges_once_a_day_and_the_command_by_hand(world: dict[str, Any], capsys: Any) -> None:
    purge_if_due()
    purge_if_due()
    assert PurgeRun.objects.count() == 1
    PurgeRun.objects.update(ran_at=timezone.now() - timedelta(days=1, minutes=1))
    purge_if_due()
    assert PurgeRun.objects.count() == 2
    call_command("purge")
    assert (
        capsys.readouterr()
        .out.strip()
        .endswith("0 orders, 0 bookings, 0 signatures, 0 protocol messages purged")
    )
    assert PurgeRun.objects.count() == 3


def test_protocol_messages_older_than_the_retention_period_lose_their_bodies(db: Any) -> None:
    """A buyer's name, address and phone travel in init/confirm bodies: they go with the period too."""
    from comptoir.protocol.models import InboxMessage, OutboxMessage

    buyer = {"context": {"action": "init"}, "message": {"order": {"billing": {
        "name": "Ada Martin", "phone": "0600000000", "address": "12 rue des Granges"}}}}  # fmt: skip
    now = timezone.now()

    def inbox(n: int, days: int, processed: bool) -> InboxMessage:
        message = InboxMessage.objects.create(
            sender_id="buyer.example", action="init", message_id=f"m{n}", transaction_id=f"t{n}", domain="ONDC:RET10",
            body=buyer, raw='{"raw": "Ada Martin"}', authorization='Signature keyId="x"',
            processed=now if processed else None,
        )  # fmt: skip
        InboxMessage.objects.filter(pk=message.pk).update(received=now - timedelta(days=days))
        return message

    def outbox(n: int, days: int, state: str) -> OutboxMessage:
        message = OutboxMessage.objects.create(
            url="http://buyer.example/on_init", action="on_init", message_id=f"o{n}", transaction_id=f"t{n}",
            body=buyer, state=state, next_attempt=now, expires=now,
        )  # fmt: skip
        OutboxMessage.objects.filter(pk=message.pk).update(created=now - timedelta(days=days))
        return message

    old, recent, unhandled = inbox(1, 91, True), inbox(2, 89, True), inbox(3, 91, False)
    sent, pending = outbox(1, 91, "sent"), outbox(2, 91, "pending")

    result = do_purge_deliveries(now=now)
    again = do_purge_deliveries(now=now)

    def kept(message: Any) -> tuple[Any, ...]:
        message.refresh_from_db()
        return (message.body, message.raw, message.authorization)

    assert kept(old) == ({}, "", "")
    assert (old.sender_id, old.message_id) == ("buyer.example", "m1")  # the replay key stays
    assert kept(recent) == (buyer, '{"raw": "Ada Martin"}', 'Signature keyId="x"')
    assert kept(unhandled) == (buyer, '{"raw": "Ada Martin"}', 'Signature keyId="x"')
    assert kept(sent) == ({}, "", "")
    assert kept(pending)[0] == buyer
    assert (result.protocol_messages, again.protocol_messages) == (2, 0)
    assert list(PurgeRun.objects.order_by("id").values_list("protocol_messages", flat=True)) == [2, 0]
