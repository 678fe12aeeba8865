"""Cash on delivery for seller apps: the seller app asks us to collect its price at the door (ONDC's
payment type ON-FULFILLMENT with `@ondc/org/collection_amount`); the courier's screen shows the
amount to collect, the books hold it owed to the seller app (4673-<app>) once delivered, and the
settlement pays it the amount less our fee (our receivable 4112-<app> is cleared by it). The ONDC
settlement fields follow: collected by us, NOT-PAID, then PAID with the transfer's reference."""

# ruff: noqa: F811  (the delivery fixtures are imported, then asked for by name)
from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from comptoir.delivery.models import OutsideJob, Round, Stop
from comptoir.delivery.planner.vroom_solver import VroomSolver
from comptoir.delivery.planning import plan_slot
from comptoir.ledger.models import Entry, Line
from comptoir.protocol.logistics_orders import do_push_logistics_changes
from comptoir.protocol.models import OutboxMessage
from tests.delivery.conftest import bike, courier, depot, english, shift, slot, zone  # noqa: F401  (fixtures)
from tests.delivery.test_courier import action, api_for, send
from tests.protocol.test_logistics_jobs import _ask, _confirm, _init, _nothing_booked, coop  # noqa: F401

COD = {"type": "ON-FULFILLMENT", "collected_by": "BPP", "@ondc/org/collection_amount": "40.00",
       "params": {"currency": "EUR"}}  # fmt: skip


def _balance(code: str) -> int:
    lines = Line.objects.filter(account__code=code)
    return sum(line.credit - line.debit for line in lines)


def _lines(kind: str) -> list[tuple[str, int, int]]:
    entry = Entry.objects.get(kind=kind)
    return sorted((line.account.code, line.debit, line.credit) for line in entry.lines.all())


def test_the_courier_collects_the_sellers_price_and_the_seller_app_is_paid_it_less_our_fee(
    coop, shift, courier
):
    confirmed = _confirm("lc-1", _init("lc-1", coop.pk), payment=COD)
    fee = int(Decimal(confirmed["message"]["order"]["quote"]["price"]["value"]) * 100)
    payment = confirmed["message"]["order"]["payment"]
    assert payment == {
        "type": "ON-FULFILLMENT", "collected_by": "BPP", "status": "NOT-PAID",
        "params": {"currency": "EUR", "amount": "40.00"}, "@ondc/org/collection_amount": "40.00",
        "@ondc/org/settlement_basis": "invoicing",
        "@ondc/org/settlement_details": [{"settlement_counterparty": "lbnp", "settlement_status": "NOT-PAID"}],
    }  # fmt: skip
    assert OutsideJob.objects.get().collect_cents == 4000

    assert plan_slot(coop.pk, solver=VroomSolver(exploration_level=1, threads=1), limit=1).status == "done"
    round_ = Round.objects.get(slot=coop)
    api = api_for(courier)
    assert send(api, round_, action("pickup", Stop.objects.get(kind="pickup"), timezone.now(), code="070147"))[0][
        "result"] == "applied"  # fmt: skip
    page = Client()
    page.force_login(courier)
    html = page.get(f"/tournee/{round_.pk}/").content.decode()
    assert "À encaisser auprès de l’habitant\u00a0: <strong>40,00\u00a0€</strong>" in html
    drop = Stop.objects.get(kind="drop")
    assert send(api, round_, action("deliver", drop, timezone.now(), code=drop.booking.drop_code))[0][
        "result"] == "applied"  # fmt: skip

    assert _lines("cod_collected") == [("4673-seller-app.example", 0, 4000), ("530", 4000, 0)]
    assert _balance("4673-seller-app.example") == 4000  # owed to the seller app
    assert _balance("4112-seller-app.example") == -fee  # the seller app owes our fee
    do_push_logistics_changes()
    delivered = OutboxMessage.objects.filter(action="on_status").last().body["message"]["order"]
    assert delivered["fulfillments"][0]["state"]["descriptor"]["code"] == "Order-delivered"
    assert delivered["payment"]["status"] == "PAID"
    assert delivered["payment"]["@ondc/org/settlement_details"] == [
        {"settlement_counterparty": "lbnp", "settlement_status": "NOT-PAID"}]  # fmt: skip

    out = StringIO()
    call_command("jobs", "settle", "seller-app.example", "LO-1", "--reference", "VIR-2026-001", stdout=out)
    assert json.loads(out.getvalue()) == {
        "seller_app": "seller-app.example", "order": "LO-1", "collected_cents": 4000, "fee_cents": fee,
        "paid_cents": 4000 - fee, "reference": "VIR-2026-001", "currency": "EUR",
    }  # fmt: skip
    assert _lines("settlement") == sorted(
        [("4673-seller-app.example", 4000, 0), ("4112-seller-app.example", 0, fee), ("512", 0, 4000 - fee)])  # fmt: skip
    assert (_balance("4673-seller-app.example"), _balance("4112-seller-app.example")) == (0, 0)
    job = OutsideJob.objects.get()
    details = _ask("status", "lc-1", order_id="LO-1")["message"]["order"]["payment"][
        "@ondc/org/settlement_details"
    ]
    assert details == [{"settlement_counterparty": "lbnp", "settlement_status": "PAID",
                        "settlement_reference": "VIR-2026-001",
                        "settlement_timestamp": details[0]["settlement_timestamp"]}]  # fmt: skip
    assert details[0]["settlement_timestamp"].startswith(job.settled_at.strftime("%Y-%m-%dT%H:%M:%S"))

    with pytest.raises(CommandError, match=r"already settled \(VIR-2026-001\)"):
        call_command("jobs", "settle", "seller-app.example", "LO-1", "--reference", "VIR-2026-002")
    assert Entry.objects.filter(kind="settlement").count() == 1


def test_nothing_to_settle_before_delivery_or_without_cash(coop):
    _confirm("lc-2", _init("lc-2", coop.pk), payment=COD)
    with pytest.raises(CommandError, match="nothing was collected for this order"):
        call_command("jobs", "settle", "seller-app.example", "LO-1", "--reference", "VIR-1")
    with pytest.raises(CommandError, match="no such order"):
        call_command("jobs", "settle", "seller-app.example", "LO-404", "--reference", "VIR-1")
    assert not Entry.objects.filter(kind__in=("settlement", "cod_collected")).exists()


@pytest.mark.parametrize(
    ("payment", "words"),
    [
        (
            {"type": "ON-ORDER", "@ondc/org/collection_amount": "40.00"},
            "needs the payment type ON-FULFILLMENT",
        ),
        ({**COD, "@ondc/org/collection_amount": "quarante"}, "is not an amount"),
        ({**COD, "@ondc/org/collection_amount": "-5.00"}, "not a positive amount"),
        ({**COD, "@ondc/org/collection_amount": "40.005"}, "not a positive amount in cents"),
        ({**COD, "params": {"currency": "INR"}}, "we collect in EUR, not INR"),
    ],
)
def test_a_bad_cash_on_delivery_is_refused_and_books_nothing(coop, payment: dict[str, Any], words: str):
    reply = _confirm("lc-3", _init("lc-3", coop.pk), payment=payment)
    assert reply["error"]["code"] == "60006"
    assert words in reply["error"]["message"], reply["error"]["message"]
    _nothing_booked(coop)
