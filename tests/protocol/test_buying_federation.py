"""Buyer role between two real nodes on loopback (own folders, databases, gunicorn and worker processes).

A resident of node A signs in on A's web pages, finds a bakery of node B in the shared search, puts
its bread in the cart, gets B's quote, sees the price move on B and confirm refused with the new total
(nothing placed on either node), confirms again, and follows B's shop and courier through A's order
page; a second order is cancelled from A's page and B's shop order is cancelled with it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from comptoir.protocol.nodes import Node, introduce
from tests.protocol.browsing import Resident

EMAIL, PASSWORD = "ada@example.org", "un mot de passe solide 42"
DROP = {"name": "Ada Martin", "phone": "0600000000", "address": "12 rue des Granges", "postal_code": "25000",
        "city": "Val-sur-Loue", "lat": "47.056000", "lon": "6.004000"}  # fmt: skip


def _steps(node: Node, *lines: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "comptoir.cli", "protocol", "flow-act"],
        env=node.env(), input="\n".join(lines) + "\n", capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert "error" not in done.stdout, done.stdout
    return done.stdout


def _shell(node: Node, code: str) -> object:
    return json.loads(node.command("shell", "-c", code).strip().splitlines()[-1])


B_ORDERS = (
    "import json; from comptoir.orders.models import Order, ShopOrder; "
    "print(json.dumps([[o.total_cents, [s.status for s in o.shop_orders.all()]] for o in Order.objects.order_by('pk')]))"
)
B_PAYMENTS = (
    "import json; from comptoir.orders.models import Order; "
    "print(json.dumps([[o.payment_method, o.payment_status] for o in Order.objects.order_by('pk')]))"
)
A_BOOKS = (
    "import json; from comptoir.ledger.models import Entry; "
    "print(json.dumps([[e.kind, e.reference, sorted([l.account.code, l.debit, l.credit] for l in e.lines.all())] "
    "for e in Entry.objects.order_by('pk')]))"
)
A_REMOTE = (
    "import json; from comptoir.protocol.models import RemoteOrder; "
    "print(json.dumps([[r.state, r.order_ref, r.order_state, r.fulfillment_state, r.total_cents, r.lines] "
    "for r in RemoteOrder.objects.order_by('pk')]))"
)


def _state(resident: Resident, path: str) -> tuple[str, str]:
    page = resident.get(path)
    found = re.search(r'data-state="([^"]*)" data-fulfillment="([^"]*)"', page.text)
    assert found, page.text[-1500:]
    return found.group(1), found.group(2)


def _wait_state(resident: Resident, path: str, wanted: tuple[str, str], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while (seen := _state(resident, path)) != wanted and time.monotonic() < deadline:
        time.sleep(0.3)
    assert seen == wanted


def _add_bread(resident: Resident, quantity: str, price: str) -> str:
    found = resident.get("/recherche/autres-noeuds/?q=Pain")
    assert found.status == 200
    assert "bakery.localhost" in found.text and f"{price} EUR" in found.text
    added = resident.post("/panier/autres-noeuds/ajouter/", {
        "search_id": found.hidden("search_id")[0], "node": found.hidden("node")[0],
        "item_id": found.hidden("item_id")[0], "quantity": quantity, "next": "/panier/"})  # fmt: skip
    assert added.status == 200 and added.url.endswith("/panier/")
    return re.findall(r"/panier/autres-noeuds/(\d+)/commander/", added.text)[0]


@pytest.mark.slow
def test_a_resident_orders_from_another_node_and_follows_it(tmp_path: Path):
    a, b = Node("buyer", tmp_path / "a"), Node("bakery", tmp_path / "b")
    a.extra_env = {"COMPTOIR_PROTOCOL_CALLBACK_WAIT": "40", "COMPTOIR_PEER_SEARCH_WAIT": "30"}
    try:
        a_keys = a.init()
        introduce([(a, a_keys, "BAP"), (b, b.init(database_from=a), "BPP")], seed=b)
        a.command("shell", "-c", f"from comptoir.members.models import Person; "
                  f"Person.objects.create_user({EMAIL!r}, {PASSWORD!r}, full_name='Ada Martin')")  # fmt: skip
        a.start()
        b.start()
        resident = Resident(f"http://127.0.0.1:{a.port}")
        resident.sign_in(EMAIL, PASSWORD)

        group = _add_bread(resident, "2", "3.20")
        cart = resident.get("/panier/")
        assert "Boulangerie du Pont" in cart.text and "bakery.localhost" in cart.text
        checkout = f"/panier/autres-noeuds/{group}/commander/"
        quoted = resident.post(checkout, {**DROP, "step": "quote"})
        assert quoted.status == 200, quoted.text[-2000:]
        first_total = int(quoted.hidden("expected_total_cents")[0])
        assert first_total > 640  # 2 × 3.20 and the seller's delivery and coop fee lines

        _steps(b, "- reprice")  # the bread now costs 3.30 on B
        assert 'value="bank_transfer"' in quoted.text and 'value="on_handover"' in quoted.text
        refused = resident.post(
            checkout,
            {**DROP, "step": "confirm", "payment": "bank_transfer", "expected_total_cents": str(first_total)},
        )
        assert refused.status == 409
        assert f"{(first_total + 20) / 100:.2f}" in refused.text  # the new total is shown
        assert int(refused.hidden("expected_total_cents")[0]) == first_total + 20
        assert _shell(b, B_ORDERS) == []  # nothing placed on B
        assert [row[:2] for row in _shell(a, A_REMOTE)] == [["cart", ""]]  # still in A's cart, as it was

        placed = resident.post(
            checkout,
            {
                **DROP,
                "step": "confirm",
                "payment": "bank_transfer",
                "expected_total_cents": str(first_total + 20),
            },
        )
        assert placed.status == 200 and re.search(r"/commandes/autres-noeuds/\d+/$", placed.url), placed.text[
            -2000:
        ]
        page = placed.url.split(str(a.port), 1)[1]
        assert _state(resident, page) == ("placed", "Pending")
        remote = _shell(a, A_REMOTE)[0]
        assert remote[0] == "placed" and remote[4] == first_total + 20
        assert remote[5] == [
            {
                "item_id": remote[5][0]["item_id"],
                "name": "Pain de campagne",
                "price_cents": 330,
                "quantity": 2,
            }
        ]
        assert _shell(b, B_ORDERS) == [[first_total + 20, ["placed"]]]
        order_ref = remote[1]
        # our cooperative collects: B's order waits for our settlement, never for the resident's money
        assert _shell(b, B_PAYMENTS) == [["buyer_app", "pending"]]
        assert _shell(a, A_BOOKS) == [
            [
                "remote_sale",
                order_ref,
                [["411", first_total + 20, 0], ["4673-bakery.localhost", 0, first_total + 20]],
            ]
        ]
        shown = resident.get(page).text
        assert 'data-payment="bank_transfer"' in shown and f"référence {order_ref}" in shown

        _steps(b, f"{order_ref} accept", f"{order_ref} prepare")
        _wait_state(resident, page, ("placed", "Packed"))
        _steps(b, f"{order_ref} hand-over", f"{order_ref} out")
        _wait_state(resident, page, ("placed", "Out-for-delivery"))
        _steps(b, f"{order_ref} delivered")
        _wait_state(resident, page, ("completed", "Order-delivered"))
        assert order_ref in resident.get("/mes-commandes/").text

        second = _add_bread(resident, "1", "3.30")
        quoted = resident.post(f"/panier/autres-noeuds/{second}/commander/", {**DROP, "step": "quote"})
        total = quoted.hidden("expected_total_cents")[0]
        placed = resident.post(f"/panier/autres-noeuds/{second}/commander/",
                               {**DROP, "step": "confirm", "payment": "on_handover", "expected_total_cents": total})  # fmt: skip
        page = placed.url.split(str(a.port), 1)[1]
        assert _shell(b, B_PAYMENTS)[1] == ["on_handover", "pending"]  # B's courier takes the payment
        assert 'data-payment="on_handover"' in resident.get(page).text
        assert len(_shell(a, A_BOOKS)) == 1  # nothing of ours to book
        cancelled = resident.post(page + "annuler/", {"reason": "010"})
        assert cancelled.status == 200
        assert _state(resident, page) == ("cancelled", "Cancelled")
        assert [row[1] for row in _shell(b, B_ORDERS)] == [["completed"], ["cancelled"]]
        assert len(_shell(a, A_BOOKS)) == 1
    finally:
        a.stop()
        b.stop()
