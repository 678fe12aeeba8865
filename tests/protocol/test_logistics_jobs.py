"""Outside delivery jobs in process: a seller app's confirm books our slot at the quote of on_init,
the job is planned with our own orders, the courier collects it at the seller's place with the
seller's code (no order of ours involved) and delivers it, each state is pushed as ONDC's
on_status, and the fee reaches the books as a receivable from the seller app. Every bad confirm
is refused with its ONDC code and leaves nothing behind. Messages are checked against ONDC's
logistics OpenAPI."""

# ruff: noqa: F811  (the delivery fixtures are imported, then asked for by name)
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from django.utils import timezone

from comptoir.delivery.models import Booking, OutsideJob, Parcel, Round, Slot, Stop
from comptoir.delivery.planner.vroom_solver import VroomSolver
from comptoir.delivery.planning import plan_slot
from comptoir.ledger.models import Entry
from comptoir.protocol.logistics_orders import do_push_logistics_changes
from comptoir.protocol.models import InboxMessage, OutboxMessage, Transaction
from comptoir.protocol.services import do_process_inbox
from comptoir.protocol.wire import messages
from tests.delivery.conftest import bike, book, courier, depot, english, shift, slot, zone  # noqa: F401  (fixtures)
from tests.delivery.test_courier import action, api_for, send
from tests.protocol.shared import BECKN, ondc_errors
from tests.protocol.test_logistics import ALSO_INSIDE, CONTACT, INSIDE, OUTSIDE, PAYLOAD, PLACE, _fee

DOMAIN = "nic2004:60232"
SELLER_APP = {"bap_id": "seller-app.example", "bap_uri": "http://127.0.0.1:9/beckn"}
US = {"bpp_id": "comptoir.localhost", "bpp_uri": "http://127.0.0.1:8000/beckn"}
BILLING = {"name": "Seller app", "address": PLACE, "phone": "0381000000", "tax_number": "FR00000000000",
           "created_at": "2026-03-02T09:00:00.000Z", "updated_at": "2026-03-02T09:00:00.000Z"}  # fmt: skip


@pytest.fixture
def coop(settings, tmp_path, slot, bike):
    from comptoir.protocol.identity import do_generate_keys

    settings.COMPTOIR_HOME = tmp_path
    settings.COMPTOIR_DELIVERY_BOOKING = "comptoir.delivery.booking.CoopDelivery"
    do_generate_keys()
    return slot


def _ask(action_name: str, tx: str, **message: Any) -> dict[str, Any]:
    context = messages.request_context(
        action=action_name, domain=DOMAIN, city="std:0381", moment=datetime.now(UTC), transaction_id=tx,
        country="FRA", **SELLER_APP, **US,
    )  # fmt: skip
    body = messages.envelope(context, **message)
    inbox = InboxMessage.objects.create(sender_id=SELLER_APP["bap_id"], action=action_name, message_id=context.message_id,
                                        transaction_id=tx, domain=DOMAIN, body=body)  # fmt: skip
    do_process_inbox(inbox.pk)
    reply = OutboxMessage.objects.get(message_id=context.message_id).body
    assert (reply["context"]["action"], reply["context"]["domain"]) == (f"on_{action_name}", DOMAIN)
    if BECKN.exists() and "error" not in reply:
        assert ondc_errors(reply, logistics=True) == []
    return dict(reply)


def _fulfillment(drop: str = ALSO_INSIDE, pickup_code: str | None = "070147") -> dict[str, Any]:
    start: dict[str, Any] = {"person": {"name": "Camille Roux"}, "contact": CONTACT,
                             "location": {"gps": INSIDE, "address": PLACE}}  # fmt: skip
    if pickup_code is not None:
        start["instructions"] = {"code": "2", "short_desc": pickup_code, "long_desc": "Order pickup code."}
    return {"id": "F-coop-delivery", "type": "Delivery", "start": start,
            "end": {"person": {"name": "Ada Martin"}, "contact": {"phone": "0600000001"},
                    "location": {"gps": drop, "address": {**PLACE, "building": "12", "name": "Ada Martin"}}}}  # fmt: skip


def _init(tx: str, slot_pk: int) -> dict[str, Any]:
    return _ask("init", tx, order={
        "provider": {"id": "coop-delivery"},
        "items": [{"id": f"slot-{slot_pk}", "fulfillment_id": "F-coop-delivery", "category_id": "Next Day Delivery",
                   "descriptor": {"code": "P2P"}}],
        "fulfillments": [_fulfillment()], "billing": BILLING, "payment": {"type": "ON-ORDER"},
        "@ondc/org/payload_details": PAYLOAD,
    })  # fmt: skip


def _confirm(tx: str, quoted: dict[str, Any], order_id: str = "LO-1", **changes: Any) -> dict[str, Any]:
    order = quoted["message"]["order"]
    now = messages.timestamp(datetime.now(UTC))
    body = {
        "id": order_id, "state": "Created", "provider": {"id": "coop-delivery"}, "items": order["items"],
        "quote": order["quote"], "fulfillments": [_fulfillment()], "billing": BILLING,
        "payment": {"type": "ON-ORDER", "collected_by": "BAP"},
        "@ondc/org/linked_order": {
            "items": [{"category_id": "Grocery", "descriptor": {"name": "Pain de campagne"},
                       "quantity": {"count": 2, "measure": {"unit": "kilogram", "value": 1}},
                       "price": {"currency": "EUR", "value": "8.40"}}],
            "provider": {"descriptor": {"name": "Boulangerie du Pont"}, "address": PLACE},
            "order": {"id": "SO-77", "weight": {"unit": "kilogram", "value": 2},
                      "dimensions": PAYLOAD["dimensions"]},
        },
        "created_at": now, "updated_at": now,
    }  # fmt: skip
    body.update(changes)
    return _ask("confirm", tx, order=body)


def _state(reply: dict[str, Any]) -> tuple[str, str]:
    order = reply["message"]["order"]
    return order["state"], order["fulfillments"][0]["state"]["descriptor"]["code"]


def _pushes() -> list[tuple[str, str]]:
    sent = OutboxMessage.objects.filter(action="on_status").order_by("pk")
    for message in sent:
        if BECKN.exists():
            assert ondc_errors(message.body, logistics=True) == []
    return [_state(m.body) for m in sent]


def _tax(fee: str) -> str:
    cents = int(Decimal(fee) * 100)
    excl = (Decimal(cents) * 100 / Decimal(120)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return f"{(cents - int(excl)) / 100:.2f}"


def test_init_quotes_the_taxes_inside_our_fee(coop):
    fee = _fee(coop.pk)
    order = _init("lt-q", coop.pk)["message"]["order"]
    assert order["quote"]["price"] == {"currency": "EUR", "value": fee}
    assert [(b["@ondc/org/title_type"], b["price"]["value"]) for b in order["quote"]["breakup"]] == [
        ("delivery", f"{Decimal(fee) - Decimal(_tax(fee)):.2f}"), ("tax", _tax(fee)),
    ]  # fmt: skip
    assert Transaction.objects.get(transaction_id="lt-q").state["fee_cents"] == int(Decimal(fee) * 100)


def test_a_seller_apps_parcel_is_booked_planned_collected_delivered_and_billed(
    coop,
    shift,
    shop,
    courier,
):
    fee = _fee(coop.pk)
    book(coop, 11, [shop], n=1)  # one of our own orders shares the round
    reply = _confirm("lt-1", _init("lt-1", coop.pk))
    assert _state(reply) == ("Accepted", "Pending")
    sent = reply["message"]["order"]
    assert sent["id"] == "LO-1" and sent["quote"]["price"]["value"] == fee
    assert sent["fulfillments"][0]["start"]["time"]["range"] == {
        "start": messages.timestamp(coop.starts), "end": messages.timestamp(coop.ends)}  # fmt: skip

    job = OutsideJob.objects.select_related("booking").get()
    booking = job.booking
    assert (job.client_id, job.client_ref, job.pickup_name, job.pickup_phone) == (
        "seller-app.example", "LO-1", "Boulangerie du Pont", "0381000000")  # fmt: skip
    assert job.pickup_address == "3, Grande Rue, Val-sur-Loue, 25000"
    assert (job.pickup_lat, job.pickup_lon) == (47.056, 6.004)
    assert (booking.order_id, booking.name, booking.phone, booking.fee_cents, booking.weight_g, booking.volume_ml) == (
        None, "Ada Martin", "0600000001", int(Decimal(fee) * 100), 2000, 6000)  # fmt: skip
    assert sent["fulfillments"][0]["end"]["authorization"] == {"type": "OTP", "token": booking.drop_code}
    [parcel] = Parcel.objects.filter(booking=booking)
    assert (parcel.shop_id, parcel.shop_order_id, parcel.pickup_code) == (None, None, "070147")
    coop.refresh_from_db()
    assert (coop.booked_orders, coop.booked_ml) == (2, 8000 + 6000)

    run = plan_slot(coop.pk, solver=VroomSolver(exploration_level=1, threads=1), limit=1)
    assert run.status == "done", run.message
    assert run.message.startswith("1 round for 2 orders.")
    round_ = Round.objects.get(slot=coop)
    assert do_push_logistics_changes() == 1
    assert _pushes() == [("In-progress", "Agent-assigned")]
    assert OutboxMessage.objects.filter(action="on_status").last().body["message"]["order"]["fulfillments"][0][
        "agent"] == {"name": "Alex"}  # fmt: skip

    api = api_for(courier)
    stops = api.call("get", f"/delivery/rounds/{round_.pk}").json()["stops"]
    pickup = next(s for s in stops if s["kind"] == "pickup" and s["title"] == "Boulangerie du Pont"
                  and s["parcels"][0]["label"].startswith("L"))  # fmt: skip
    assert pickup["address"] == "3, Grande Rue, Val-sur-Loue, 25000"
    assert pickup["parcels"][0]["label"] == f"L{booking.pk:06d} · 2,0\xa0kg · 6,0\xa0L", pickup
    job_pickup = Stop.objects.get(booking=booking, kind="pickup")
    now = timezone.now()
    # our own order's stops first, whatever order the planner chose, then the job's
    for stop in round_.stops.order_by("sequence"):
        if stop.booking_id == booking.pk:
            continue
        if stop.kind == "pickup":
            assert (
                send(api, round_, action("pickup", stop, now, code=stop.parcel.pickup_code))[0]["result"]
                == "applied"
            )
    wrong = send(api, round_, action("pickup", job_pickup, now, code="999999"))[0]
    assert (wrong["result"], wrong["message"]) == (
        "refused",
        "Code de retrait erroné\u00a0: demandez au vendeur le code du colis.",
    )  # the courier's language
    right = send(api, round_, action("pickup", job_pickup, now, code="070147"))[0]
    assert (right["result"], right["message"]) == ("applied", f"Retrait de L{booking.pk:06d} confirmé.")
    do_push_logistics_changes()
    # the drop came next on the round: picked up and out for delivery, each pushed, in order
    assert _pushes()[1:] == [("In-progress", "Order-picked-up"), ("In-progress", "Out-for-delivery")]

    for stop in round_.stops.filter(kind="drop").order_by("sequence"):
        code = stop.booking.drop_code
        assert send(api, round_, action("deliver", stop, timezone.now(), code=code))[0]["result"] == "applied"
    do_push_logistics_changes()
    assert _pushes() == [("In-progress", "Agent-assigned"), ("In-progress", "Order-picked-up"),
                         ("In-progress", "Out-for-delivery"), ("Completed", "Order-delivered")]  # fmt: skip
    assert do_push_logistics_changes() == 0  # nothing new: nothing sent
    delivered = OutboxMessage.objects.filter(action="on_status").last().body["message"]["order"]
    assert delivered["fulfillments"][0]["end"]["time"]["timestamp"]
    assert delivered["quote"]["price"]["value"] == fee

    entry = Entry.objects.get(kind="delivery_job")
    lines = sorted((line.account.code, line.debit, line.credit) for line in entry.lines.all())
    cents = int(Decimal(fee) * 100)
    tax = int(Decimal(_tax(fee)) * 100)
    assert lines == [("4112-seller-app.example", cents, 0), ("44571", 0, tax), ("706200", 0, cents - tax)]
    assert entry.reference == booking.ref
    status = _ask("status", "lt-1", order_id="LO-1")
    assert _state(status) == ("Completed", "Order-delivered")


def _nothing_booked(booked: Slot) -> None:
    assert not OutsideJob.objects.exists()
    assert not Booking.objects.exists()
    booked.refresh_from_db()
    assert (booked.booked_orders, booked.booked_ml) == (0, 0)
    assert not Transaction.objects.exclude(order_ref="").exists()


@pytest.mark.parametrize(
    ("change", "code", "words"),
    [
        ({"fulfillments": [_fulfillment(drop=OUTSIDE)]}, "60002", "drop is outside"),
        ({"fulfillments": [_fulfillment(pickup_code=None)]}, "60006", "the pickup needs a code"),
        ({"fulfillments": [_fulfillment(pickup_code="07")]}, "60006", "4 to 8 letters or digits"),
        ({"items": [{"id": "slot-999999"}]}, "65001", "slot-999999 was not quoted"),
        ({"quote": {"price": {"currency": "EUR", "value": "0.01"}}}, "65001", "not 0.01"),
        (
            {"@ondc/org/linked_order": {"order": {"weight": {"unit": "kilogram", "value": 500}}}},
            "60004",
            "no vehicle of ours",
        ),
        ({"id": ""}, "60006", "the order needs an id"),
    ],
)
def test_a_bad_confirm_is_refused_with_its_code_and_books_nothing(coop, change, code, words):
    reply = _confirm("lt-2", _init("lt-2", coop.pk), **change)
    assert reply["error"]["code"] == code and reply["error"]["type"] == "DOMAIN-ERROR"
    assert words in reply["error"]["message"]
    assert "order" not in reply["message"]
    _nothing_booked(coop)


def test_a_confirm_without_init_or_after_the_quote_expired_is_refused(coop):
    quoted = _init("lt-3", coop.pk)
    reply = _confirm("lt-other", quoted)
    assert (reply["error"]["code"], reply["error"]["message"]) == (
        "65001", "Logistics Provider is unable to confirm the order: no init for this transaction")  # fmt: skip
    tx = Transaction.objects.get(transaction_id="lt-3")
    tx.state = {**tx.state, "quoted_until": (timezone.now() - timedelta(seconds=1)).isoformat()}
    tx.save()
    assert "the quote has expired" in _confirm("lt-3", quoted)["error"]["message"]
    _nothing_booked(coop)


def test_a_full_slot_refuses_the_last_parcel(coop):
    quoted = _init("lt-4", coop.pk)
    Slot.objects.filter(pk=coop.pk).update(booked_orders=coop.capacity_orders)
    reply = _confirm("lt-4", quoted)
    assert (reply["error"]["code"], reply["error"]["message"]) == (
        "60004",
        "this slot has no room left for this parcel",
    )
    assert not OutsideJob.objects.exists()


def test_the_same_confirm_twice_books_once_and_answers_the_same(coop):
    quoted = _init("lt-5", coop.pk)
    first = _confirm("lt-5", quoted)
    again = _confirm("lt-5", quoted)
    assert _state(first) == _state(again) == ("Accepted", "Pending")
    assert OutsideJob.objects.count() == 1
    other = _confirm("lt-5", quoted, order_id="LO-2")
    assert other["error"]["code"] == "65001"
    assert OutsideJob.objects.count() == 1
    coop.refresh_from_db()
    assert coop.booked_orders == 1


def test_cancel_before_pickup_frees_the_slot_and_after_pickup_is_refused(coop, shift, courier):
    _confirm("lt-6", _init("lt-6", coop.pk))
    assert _ask("cancel", "lt-6", order_id="LO-1", cancellation_reason_id="999")["error"]["code"] == "60006"
    assert _ask("cancel", "lt-6", order_id="nope", cancellation_reason_id="005")["error"]["code"] == "60006"
    reply = _ask("cancel", "lt-6", order_id="LO-1", cancellation_reason_id="005")
    assert _state(reply) == ("Cancelled", "Cancelled")
    assert reply["message"]["order"]["cancellation"] == {
        "cancelled_by": "seller-app.example",
        "reason": {"id": "005"},
    }
    coop.refresh_from_db()
    assert (coop.booked_orders, coop.booked_ml) == (0, 0)
    assert Booking.objects.get().status == "cancelled"
    assert do_push_logistics_changes() == 0  # on_cancel told it already

    quoted = _init("lt-7", coop.pk)
    _confirm("lt-7", quoted, order_id="LO-7")
    assert plan_slot(coop.pk, solver=VroomSolver(exploration_level=1, threads=1), limit=1).status == "done"
    round_ = Round.objects.get(slot=coop)
    pickup = Stop.objects.get(booking__outside_job__client_ref="LO-7", kind="pickup")
    assert (
        send(api_for(courier), round_, action("pickup", pickup, timezone.now(), code="070147"))[0]["result"]
        == "applied"
    )
    refused = _ask("cancel", "lt-7", order_id="LO-7", cancellation_reason_id="005")
    assert (refused["error"]["code"], refused["error"]["message"]) == (
        "60007", "the parcel is already picked up; it can no longer be cancelled")  # fmt: skip
    assert Booking.objects.get(outside_job__client_ref="LO-7").status == "planned"


def test_status_track_and_update_of_an_unknown_order_are_refused(coop):
    assert _ask("status", "lt-8", order_id="LO-404")["error"]["code"] == "60006"
    assert _ask("track", "lt-8", order_id="LO-404")["error"]["code"] == "60006"
    assert _ask("update", "lt-8", order={"id": "LO-404"})["error"]["code"] == "60006"


def test_track_is_inactive_until_the_courier_is_on_the_way(coop):
    _confirm("lt-9", _init("lt-9", coop.pk))
    assert _ask("track", "lt-9", order_id="LO-1")["message"]["tracking"] == {
        "id": "F-coop-delivery",
        "status": "inactive",
    }


def test_the_courier_and_dispatcher_pages_show_the_sellers_pickup(coop, shift, courier, make_person):
    from django.test import Client

    _confirm("lt-10", _init("lt-10", coop.pk))
    assert plan_slot(coop.pk, solver=VroomSolver(exploration_level=1, threads=1), limit=1).status == "done"
    round_ = Round.objects.get(slot=coop)
    booking = Booking.objects.get()
    courier_page = Client()
    courier_page.force_login(courier)
    html = courier_page.get(f"/tournee/{round_.pk}/").content.decode()
    assert "Boulangerie du Pont" in html and "3, Grande Rue, Val-sur-Loue, 25000" in html
    assert "0381000000" in html  # the pickup is the active stop: the seller's phone is shown
    assert f"L{booking.pk:06d}" in html
    assert "0600000001" not in html and "Ada Martin" not in html  # the receiver's only when the drop is next
    staff = Client()
    staff.force_login(make_person("dispatch@example.org", is_staff=True))
    page = staff.get(f"/livraison/creneaux/{coop.pk}/").content.decode()
    assert f"Retrait Boulangerie du Pont · 1 colis (L{booking.pk:06d})" in page  # the dispatcher reads French
    assert f"Livraison L{booking.pk:06d} 12, Grande Rue, Val-sur-Loue, 25000" in page
    assert '"label": "1. Retrait chez Boulangerie du Pont"' in page  # the map


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_confirms_never_exceed_the_slots_capacity(slot, bike):
    """Seller apps racing for the last places: the slot's row lock gives each place to one job, on PostgreSQL."""
    import threading

    from django.db import connection, connections

    from comptoir.delivery.outside_jobs import JobIn, JobRefused, Place, do_book_outside_job

    if connection.vendor != "postgresql":
        pytest.skip("row locks are tested on PostgreSQL")
    Slot.objects.filter(pk=slot.pk).update(capacity_orders=3)
    barrier = threading.Barrier(8)
    outcomes: list[str] = []
    seller = Place("Boulangerie du Pont", "3 Grande Rue", 47.056, 6.004, "0381000000")

    def confirm(n: int) -> None:
        try:
            barrier.wait()
            do_book_outside_job(JobIn(
                client_id=f"app-{n}.example", client_ref=f"LO-{n}", slot_id=slot.pk, pickup=seller,
                drop=Place(f"Habitant {n}", f"{n} rue des Lilas", 47.058 + n * 0.001, 6.006, "0600000000"),
                weight_g=2000, volume_ml=6000, fee_cents=450, currency="EUR", pickup_code="0701",
            ))  # fmt: skip
            outcomes.append("booked")
        except JobRefused as refusal:
            outcomes.append(refusal.reason)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=confirm, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    slot.refresh_from_db()
    assert sorted(outcomes) == ["booked"] * 3 + ["full"] * 5
    assert (slot.booked_orders, slot.booked_ml) == (3, 18_000)
    assert OutsideJob.objects.count() == Booking.objects.count() == Parcel.objects.count() == 3
