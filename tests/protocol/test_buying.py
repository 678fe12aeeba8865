"""Buyer role in process: the remote order's states, the cart's remote groups, refusals by the seller's node
(NACK, unreachable, silent) leaving everything as it was, and the pages that show them."""

from __future__ import annotations

import http.server
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone, translation

from comptoir.core.errors import InvalidInput, NotFound
from comptoir.protocol import remote, remote_status
from comptoir.protocol.identity import do_generate_keys
from comptoir.protocol.models import InboxMessage, RemoteOrder
from comptoir.protocol.remote_status import Position, follow
from comptoir.protocol.wire import messages

SELLER = "bakery.example"
DROP = remote.Drop(name="Ada Martin", phone="0600000000", email="ada@example.org", address="12 rue des Granges",
                   postal_code="25000", city="Val-sur-Loue", lat=47.056, lon=6.004)  # fmt: skip


@pytest.fixture(autouse=True)
def english() -> Any:
    """Refusal messages are asserted in English, the msgid language."""
    with translation.override("en"):
        yield


# ---- the table of states (pure) --------------------------------------------------------------------


def test_a_seller_report_moves_forward_only():
    placed = Position("placed", "Created", "Pending")
    assert follow(placed, "Accepted", "Pending") == Position("placed", "Accepted", "Pending")
    assert follow(placed, "In-progress", "Packed") == Position("placed", "In-progress", "Packed")
    assert follow(placed, "Completed", "Order-delivered") == Position(
        "completed", "Completed", "Order-delivered"
    )
    assert follow(placed, "Cancelled", "Cancelled") == Position("cancelled", "Cancelled", "Cancelled")
    packed = Position("placed", "In-progress", "Packed")
    assert follow(packed, "Accepted", "Pending") is None  # a late, older push
    assert follow(packed, "In-progress", "Packed") is None  # the same push again
    assert follow(Position("completed", "Completed", "Order-delivered"), "Cancelled", "Cancelled") is None
    assert follow(Position("cart"), "Accepted", "Pending") is None
    assert follow(Position("placing"), "Accepted", "Pending") == Position("placing", "Accepted", "Pending")


def test_a_wrong_report_or_move_is_refused():
    with pytest.raises(remote_status.InvalidTransition, match="unknown order state 'Shipped'"):
        follow(Position("placed", "Created", "Pending"), "Shipped", "Pending")
    with pytest.raises(remote_status.InvalidTransition, match="unknown fulfillment state 'Lost'"):
        follow(Position("placed", "Created", "Pending"), "Accepted", "Lost")
    with pytest.raises(remote_status.InvalidTransition, match="from cart to placed"):
        remote_status.check_transition("cart", "placed")
    with pytest.raises(remote_status.InvalidTransition, match="from cancelled to placed"):
        remote_status.check_transition("cancelled", "placed")


# ---- the cart ---------------------------------------------------------------------------------------


def _on_search(transaction_id: str = "s-1", *, url: str = "http://127.0.0.1:9/beckn") -> None:
    context = messages.request_context(
        action="on_search", domain="ONDC:RET10", city="std:0381", bap_id="us.example", bap_uri="http://us/beckn",
        bpp_id=SELLER, bpp_uri=url, moment=timezone.now(), transaction_id=transaction_id,
    )  # fmt: skip
    catalog = {"bpp/providers": [{"id": "boulangerie", "descriptor": {"name": "Boulangerie du Pont"},
        "locations": [{"id": "boulangerie-loc"}],
        "items": [{"id": "11", "descriptor": {"name": "Pain de campagne"}, "price": {"currency": "EUR", "value": "3.20"},
                   "quantity": {"available": {"count": "5"}}},
                  {"id": "12", "descriptor": {"name": "Miel"}, "price": {"currency": "EUR", "value": "9.80"},
                   "quantity": {"available": {"count": "6"}}}]}]}  # fmt: skip
    body = messages.envelope(context, catalog=catalog)
    InboxMessage.objects.create(sender_id=SELLER, action="on_search", message_id=context.message_id,
                                transaction_id=transaction_id, domain="ONDC:RET10", body=body)  # fmt: skip


@pytest.fixture
def ada(make_person):
    return make_person("ada@example.org", full_name="Ada Martin")


def test_an_offer_of_another_node_goes_to_its_own_cart_group(ada):
    _on_search()
    remote.do_add_remote_item(ada, search_id="s-1", node=SELLER, item_id="11", quantity=2)
    group = remote.do_add_remote_item(ada, search_id="s-1", node=SELLER, item_id="12")
    remote.do_add_remote_item(ada, search_id="s-1", node=SELLER, item_id="11", quantity=1)
    group.refresh_from_db()
    assert RemoteOrder.objects.count() == 1
    assert (group.state, group.seller_id, group.seller_url, group.provider_id, group.provider_name, group.location_id,
            group.currency) == ("cart", SELLER, "http://127.0.0.1:9/beckn", "boulangerie", "Boulangerie du Pont",
                                "boulangerie-loc", "EUR")  # fmt: skip
    assert group.lines == [
        {"item_id": "12", "name": "Miel", "price_cents": 980, "quantity": 1},
        {"item_id": "11", "name": "Pain de campagne", "price_cents": 320, "quantity": 3},
    ]
    assert group.goods_cents == 1940


def test_more_than_available_or_unknown_offers_change_nothing(ada):
    _on_search()
    group = remote.do_add_remote_item(ada, search_id="s-1", node=SELLER, item_id="11", quantity=4)
    with pytest.raises(InvalidInput, match="Only 5 left at Boulangerie du Pont"):
        remote.do_add_remote_item(ada, search_id="s-1", node=SELLER, item_id="11", quantity=2)
    with pytest.raises(NotFound, match="no longer in the search results"):
        remote.do_add_remote_item(ada, search_id="s-1", node=SELLER, item_id="99")
    with pytest.raises(NotFound, match="no longer in the search results"):
        remote.do_add_remote_item(ada, search_id="s-1", node="forger.example", item_id="11")
    with pytest.raises(InvalidInput, match="between 1 and 99"):
        remote.do_add_remote_item(ada, search_id="s-1", node=SELLER, item_id="11", quantity=0)
    group.refresh_from_db()
    assert group.lines == [{"item_id": "11", "name": "Pain de campagne", "price_cents": 320, "quantity": 4}]


def test_quantities_change_and_the_last_line_takes_the_group_away(ada, make_person):
    _on_search()
    group = remote.do_add_remote_item(ada, search_id="s-1", node=SELLER, item_id="11", quantity=2)
    with pytest.raises(NotFound):  # another resident cannot touch it
        remote.do_set_remote_quantity(make_person("eve@example.org"), group.pk, "11", 0)
    remote.do_set_remote_quantity(ada, group.pk, "11", 5)
    group.refresh_from_db()
    assert group.lines[0]["quantity"] == 5
    remote.do_set_remote_quantity(ada, group.pk, "11", 0)
    assert not RemoteOrder.objects.exists()


# ---- the seller's node refuses, is away, or stays silent ----------------------------------------------


class Seller(http.server.BaseHTTPRequestHandler):
    answer = 200
    received: list[str] = []

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        Seller.received.append(self.path)
        payload = (messages.ack() if Seller.answer == 200
                   else messages.nack("DOMAIN-ERROR", "30004", "provider closed for holidays"))  # fmt: skip
        data = json.dumps(payload).encode()
        self.send_response(Seller.answer)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def seller_node(settings, tmp_path):
    settings.COMPTOIR_HOME = tmp_path
    settings.COMPTOIR_PROTOCOL_CALLBACK_WAIT = 0.3
    do_generate_keys()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Seller)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Seller.answer, Seller.received = 200, []
    yield f"http://127.0.0.1:{server.server_port}/beckn"
    server.shutdown()


def _group(person: Any, url: str) -> RemoteOrder:
    _on_search(url=url)
    return remote.do_add_remote_item(person, search_id="s-1", node=SELLER, item_id="11", quantity=2)


def _unchanged(group: RemoteOrder) -> None:
    row = RemoteOrder.objects.get(pk=group.pk)
    assert (row.state, row.transaction_id, row.order_ref, row.order_state, row.total_cents) == (
        "cart",
        "",
        "",
        "",
        None,
    )
    assert row.lines == group.lines


def test_a_nack_is_told_and_nothing_changes(ada, seller_node):
    group = _group(ada, seller_node)
    Seller.answer = 400
    with pytest.raises(remote.RemoteRefused) as refused:
        remote.do_place_remote(ada, group.pk, DROP, expected_total_cents=700, payment="on_handover")
    assert refused.value.message == (
        "bakery.example refused the request (provider closed for holidays): nothing was ordered."
    )
    assert Seller.received == ["/beckn/select"]
    _unchanged(group)


def test_silence_is_told_after_the_wait_and_nothing_changes(ada, seller_node):
    group = _group(ada, seller_node)
    with pytest.raises(
        remote.RemoteRefused, match=r"bakery\.example did not answer within 0 s: nothing was ordered"
    ):
        remote.do_place_remote(ada, group.pk, DROP, expected_total_cents=700, payment="on_handover")
    with pytest.raises(remote.RemoteRefused, match="did not answer"):
        remote.do_quote_remote(ada, group.pk, DROP)
    assert Seller.received == ["/beckn/select", "/beckn/select"]
    _unchanged(group)


def test_an_unreachable_node_is_told_and_nothing_changes(ada, settings, tmp_path):
    settings.COMPTOIR_HOME = tmp_path
    do_generate_keys()
    group = _group(ada, "http://127.0.0.1:9/beckn")  # the discard port: nobody listens
    with pytest.raises(remote.RemoteRefused, match=r"bakery\.example cannot be reached: nothing was ordered"):
        remote.do_place_remote(ada, group.pk, DROP, expected_total_cents=700, payment="on_handover")
    _unchanged(group)


# ---- the seller's reports ---------------------------------------------------------------------------


def _placed(person: Any) -> RemoteOrder:
    return RemoteOrder.objects.create(
        person=person, seller_id=SELLER, seller_url="http://127.0.0.1:9/beckn", domain="ONDC:RET10",
        provider_id="boulangerie", provider_name="Boulangerie du Pont", currency="EUR",
        lines=[{"item_id": "11", "name": "Pain", "price_cents": 320, "quantity": 2}], state="placed",
        transaction_id="t-9", order_ref="2026-R1", order_state="Created", fulfillment_state="Pending",
    )  # fmt: skip


def _report(state: str, fulfillment: str) -> dict[str, Any]:
    return {
        "id": "2026-R1",
        "state": state,
        "fulfillments": [{"state": {"descriptor": {"code": fulfillment}}}],
    }


def test_status_pushes_move_the_order_and_stale_ones_are_ignored(ada):
    order = _placed(ada)
    assert remote.apply_seller_report(SELLER, "t-9", _report("In-progress", "Packed")) == (
        f"remote order {order.pk}: In-progress/Packed"
    )
    assert (
        remote.apply_seller_report(SELLER, "t-9", _report("Accepted", "Pending"))
        == "unchanged (In-progress/Packed)"
    )
    assert remote.apply_seller_report("forger.example", "t-9", _report("Cancelled", "Cancelled")) == (
        "no live remote order for this transaction"
    )
    assert remote.apply_seller_report(SELLER, "t-9", _report("Shipped", "x")).startswith(
        "ignored: unknown order state"
    )
    remote.apply_seller_report(SELLER, "t-9", _report("Completed", "Order-delivered"))
    order.refresh_from_db()
    assert (order.state, order.order_state, order.fulfillment_state) == (
        "completed",
        "Completed",
        "Order-delivered",
    )
    assert remote.state_label(order) == "delivered"
    assert remote.apply_seller_report(SELLER, "t-9", _report("Cancelled", "Cancelled")) == (
        "no live remote order for this transaction"
    )


def test_a_seller_cancellation_is_recorded_with_its_reason(ada):
    order = _placed(ada)
    cancelled = {**_report("Cancelled", "Cancelled"), "cancellation": {"reason": {"id": "002"}}}
    remote.apply_seller_report(SELLER, "t-9", cancelled)
    order.refresh_from_db()
    assert (order.state, order.cancel_reason) == ("cancelled", "002")


def test_cancel_needs_a_known_reason_and_a_live_order(ada):
    order = _placed(ada)
    with pytest.raises(InvalidInput, match="Choose a reason"):
        remote.do_cancel_remote(ada, order.pk, "999")
    RemoteOrder.objects.filter(pk=order.pk).update(state="completed")
    with pytest.raises(InvalidInput, match="cannot be cancelled any more"):
        remote.do_cancel_remote(ada, order.pk, "010")


# ---- PostgreSQL: two checkouts of one cart group at once ---------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_cart_group_is_placed_once_even_from_two_tabs(make_person):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent updates need PostgreSQL")
    person = make_person("tabs@example.org")
    _on_search()
    group = remote.do_add_remote_item(person, search_id="s-1", node=SELLER, item_id="11", quantity=1)

    def claim(n: int) -> str:
        try:
            translation.activate("en")  # each thread has its own language
            return remote._claim(person, group.pk, f"t-{n}").transaction_id
        except remote.RemoteRefused as refused:
            return refused.message
        finally:
            connection.close()

    with ThreadPoolExecutor(4) as pool:
        outcomes = list(pool.map(claim, range(4)))
    winners = [o for o in outcomes if o.startswith("t-")]
    assert len(winners) == 1
    assert (
        sorted(o for o in outcomes if not o.startswith("t-")) == ["This order is already being placed."] * 3
    )
    row = RemoteOrder.objects.get(pk=group.pk)
    assert (row.state, row.transaction_id) == ("placing", winners[0])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_reports_keep_the_furthest_state(make_person):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    order = _placed(make_person("reports@example.org"))
    reports = [_report("Accepted", "Pending"), _report("In-progress", "Packed"),
               _report("In-progress", "Out-for-delivery"), _report("In-progress", "Order-picked-up")] * 3  # fmt: skip

    def apply(report: dict[str, Any]) -> str:
        try:
            return remote.apply_seller_report(SELLER, "t-9", report)
        finally:
            connection.close()

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(apply, reports))
    order.refresh_from_db()
    assert (order.state, order.order_state, order.fulfillment_state) == (
        "placed",
        "In-progress",
        "Out-for-delivery",
    )


# ---- pages ------------------------------------------------------------------------------------------


def test_the_cart_and_orders_pages_show_other_nodes_apart(ada, client):
    _on_search()
    group = remote.do_add_remote_item(ada, search_id="s-1", node=SELLER, item_id="11", quantity=2)
    placed = _placed(ada)
    client.force_login(ada)
    cart = client.get("/panier/").content.decode()
    assert "Vous avez un panier vide" not in cart and "Your cart is empty" not in cart
    assert "Boulangerie du Pont" in cart and "sur le nœud bakery.example" in cart
    assert f"/panier/autres-noeuds/{group.pk}/commander/" in cart
    orders = client.get("/mes-commandes/").content.decode()
    assert "Commandes sur d'autres nœuds" in orders and f"/commandes/autres-noeuds/{placed.pk}/" in orders
    assert "en attente du commerce" in orders
    page = client.get(f"/commandes/autres-noeuds/{placed.pk}/").content.decode()
    assert 'data-state="placed" data-fulfillment="Pending"' in page and "Annuler la commande" in page


def test_a_resident_sees_only_their_own_remote_orders(ada, make_person, client):
    placed = _placed(ada)
    client.force_login(make_person("eve@example.org"))
    assert client.get(f"/commandes/autres-noeuds/{placed.pk}/").status_code == 404
    assert client.post(f"/commandes/autres-noeuds/{placed.pk}/annuler/", {"reason": "010"}).status_code == 302
    placed.refresh_from_db()
    assert placed.state == "placed"


def test_a_guest_is_asked_to_sign_in_and_nothing_is_added(client, db):
    _on_search()
    answer = client.post(
        "/panier/autres-noeuds/ajouter/", {"search_id": "s-1", "node": SELLER, "item_id": "11"}
    )
    assert answer.status_code == 302 and answer["Location"].startswith("/connexion/")
    assert not RemoteOrder.objects.exists()


def test_a_node_alone_adds_nothing_to_the_search_page(client, db, settings, tmp_path):
    settings.COMPTOIR_HOME = tmp_path  # no keys: not part of a network
    answer = client.get("/recherche/autres-noeuds/?q=pain", HTTP_HX_REQUEST="true")
    assert (answer.status_code, answer.content) == (200, b"")


def test_the_search_page_asks_other_nodes_for_the_same_text(client, db):
    page = client.get("/recherche/?q=pain+de+mie").content.decode()
    assert 'hx-get="/recherche/autres-noeuds/?q=pain%20de%20mie" hx-trigger="load"' in page
    assert (
        'href="/recherche/autres-noeuds/?q=pain%20de%20mie">Chercher sur les autres nœuds du réseau</a>'
        in page
    )


def test_a_checkout_cut_short_is_finished_or_given_back_by_the_worker(ada, make_person):
    from datetime import timedelta

    long_ago = timezone.now() - timedelta(hours=1)
    lost = _placed(ada)  # the seller confirmed; our web process died before recording it
    RemoteOrder.objects.filter(pk=lost.pk).update(state="placing", order_ref="", updated=long_ago)
    confirmed = {"id": "2026-R1", "state": "Accepted", "fulfillments": [{"state": {"descriptor": {"code": "Pending"}}}],
                 "quote": {"price": {"currency": "EUR", "value": "8.90"}, "breakup": [
                     {"@ondc/org/item_id": "11", "@ondc/org/title_type": "item", "price": {"currency": "EUR", "value": "6.40"},
                      "@ondc/org/item_quantity": {"count": 2}, "item": {"price": {"currency": "EUR", "value": "3.20"}}},
                     {"@ondc/org/item_id": "F", "@ondc/org/title_type": "delivery", "price": {"currency": "EUR", "value": "2.50"}}]}}  # fmt: skip
    InboxMessage.objects.create(sender_id=SELLER, action="on_confirm", message_id="m-1", transaction_id="t-9",
                                domain="ONDC:RET10", body={"context": {}, "message": {"order": confirmed}})  # fmt: skip
    other = make_person("bo@example.org")
    _on_search()
    given_back = remote.do_add_remote_item(other, search_id="s-1", node=SELLER, item_id="11", quantity=1)
    RemoteOrder.objects.filter(pk=given_back.pk).update(
        state="placing", transaction_id="t-dead", updated=long_ago
    )
    recent = remote.do_add_remote_item(ada, search_id="s-1", node=SELLER, item_id="12", quantity=1)
    RemoteOrder.objects.filter(pk=recent.pk).update(state="placing", transaction_id="t-live")

    assert remote.do_recover_placings() == 2
    lost.refresh_from_db()
    assert (lost.state, lost.order_ref, lost.order_state, lost.total_cents) == (
        "placed",
        "2026-R1",
        "Accepted",
        890,
    )
    given_back.refresh_from_db()
    assert (given_back.state, given_back.transaction_id) == ("cart", "")
    assert RemoteOrder.objects.get(pk=recent.pk).state == "placing"  # still within its waits
