"""Shop order lifecycle, stock restored on every way out, derived order status, delivery callbacks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from comptoir.catalog.models import Offer
from comptoir.core.errors import InvalidInput
from comptoir.orders import pricing, services
from comptoir.orders.models import Order, ShopOrder
from comptoir.orders.selectors import order_status
from comptoir.orders.status import derive_order_status
from tests.orders.conftest import delivery_body, first_slot


def place(resident, town, fulfil=None):
    request = services.CheckoutRequest(
        **{
            **delivery_body(first_slot()),
            "fulfilment": fulfil or {"boulangerie": "delivery", "fleurs": "collect"},
        },
        items=[(town["bread"].pk, 3), (town["roses"].pk, 1)],
    )
    order, created = services.do_checkout(resident, None, request)
    assert created
    return order, {so.shop.ref: so.pk for so in order.shop_orders.select_related("shop")}


def stock(offer):
    return Offer.objects.get(pk=offer.pk).stock


def test_delivery_journey_status_and_emails(resident, town, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order, so = place(resident, town)
        for ref in so:
            services.do_accept_shop_order(so[ref], actor=owner)
        assert order_status(order) == "confirmed"
        services.do_prepare_shop_order(so["boulangerie"], actor=owner)
        services.do_prepare_shop_order(so["fleurs"], actor=owner)
        assert order_status(order) == "ready"
        services.do_hand_over(so["fleurs"], to="resident", actor=owner)
        with pytest.raises(InvalidInput, match="Cette commande se remet au coursier"):
            services.do_hand_over(so["boulangerie"], to="resident", actor=owner)
        services.do_hand_over(so["boulangerie"], to="courier", actor=owner)
        assert order_status(order) == "handed_over"
        services.do_notify_out_for_delivery(order.pk)
        assert order_status(Order.objects.get(pk=order.pk)) == "out_for_delivery"
        services.do_mark_delivered(order.pk, proof="signature:Alice")
    order.refresh_from_db()
    assert (order_status(order), order.delivery_status, order.delivery_proof) == (
        "completed",
        "delivered",
        "signature:Alice",
    )
    resident_mail = [m.subject for m in mail.outbox if m.to == ["alice@example.org"]]
    number = order.number
    assert resident_mail == [
        f"Commande {number} confirmée", f"Commande {number} prête chez Fleurs de Loue",
        f"Commande {number} en cours de livraison", f"Commande {number} livrée",
    ]  # fmt: skip


def test_rejection_restores_stock_reprices_and_cancels_delivery(resident, town, owner):
    order, so = place(resident, town)
    assert (stock(town["bread"]), stock(town["roses"])) == (7, 2)
    assert order.total_cents == 720 + 1500 + 44 + 450
    services.do_reject_shop_order(so["boulangerie"], actor=owner, reason="Fournil en panne")
    order.refresh_from_db()
    assert stock(town["bread"]) == 10
    assert (order.goods_cents, order.fees_cents, order.total_cents, order.delivery_status) == (
        1500,
        30,
        1530,
        "cancelled",
    )
    with pytest.raises(
        InvalidInput, match="«\u00a0Refusée par le commerce\u00a0»\u00a0: cette action n’est plus possible"
    ):
        services.do_accept_shop_order(so["boulangerie"], actor=owner)
    services.do_cancel_shop_order(so["fleurs"], by="customer", actor=resident)
    assert stock(town["roses"]) == 3 and order_status(order) == "cancelled"


def test_cancellation_rules_on_each_side(resident, town, owner):
    _order, so = place(resident, town)
    with pytest.raises(InvalidInput):
        services.do_cancel_shop_order(
            so["fleurs"], by="shop", actor=owner
        )  # the shop rejects, it does not cancel, before accepting
    services.do_accept_shop_order(so["fleurs"], actor=owner)
    services.do_prepare_shop_order(so["fleurs"], actor=owner)
    with pytest.raises(InvalidInput):
        services.do_cancel_shop_order(so["fleurs"], by="customer", actor=resident)  # too late: prepared
    services.do_cancel_shop_order(so["fleurs"], by="shop", actor=owner, reason="Fleurs fanées")
    assert stock(town["roses"]) == 3 and ShopOrder.objects.get(pk=so["fleurs"]).note == "Fleurs fanées"


def test_unanswered_orders_expire_and_release_stock(resident, town):
    order, _so = place(resident, town)
    assert services.do_expire_shop_orders(timezone.now()) == 0
    assert services.do_expire_shop_orders(timezone.now() + timedelta(hours=3)) == 2
    assert (stock(town["bread"]), stock(town["roses"])) == (10, 3)
    assert order_status(order) == "cancelled"


def test_partial_acceptance_with_removal_and_substitution(
    resident, town, owner, django_capture_on_commit_callbacks
):
    from comptoir.catalog.services import do_create_offer

    rye = do_create_offer(
        town["shops"][0], {"sku": "B2", "name_fr": "Pain de seigle", "price": "3,00", "stock": "5"}
    )
    order, so = place(resident, town)
    bread_line = ShopOrder.objects.get(pk=so["boulangerie"]).lines.get()
    with pytest.raises(InvalidInput, match="comprise entre 0 et la quantité commandée"):
        services.do_propose_changes(so["boulangerie"], actor=owner, quantities={bread_line.pk: 4})
    with django_capture_on_commit_callbacks(execute=True):
        services.do_propose_changes(so["boulangerie"], actor=owner, quantities={bread_line.pk: 2},
                                    substitutes={bread_line.pk: rye.pk}, note="Plus de pain complet")  # fmt: skip
    assert order_status(order) == "action_needed"
    assert (
        mail.outbox[-1].subject
        == f"Commande {order.number}\u00a0: Boulangerie du Pont propose des modifications"
    )
    services.do_answer_changes(so["boulangerie"], accept=True, actor=resident)
    line = ShopOrder.objects.get(pk=so["boulangerie"]).lines.get()
    assert (line.name, line.quantity, line.total_cents) == ("Pain de seigle", 2, 600)
    assert (stock(town["bread"]), stock(rye)) == (10, 3)
    order.refresh_from_db()
    assert (order.goods_cents, order.total_cents, order_status(order)) == (
        2100,
        2100 + 42 + 450,
        "awaiting_shops",
    )


def test_the_shop_queue_announces_each_order_once_and_a_get_changes_nothing(resident, town, owner):
    from django.test import Client

    from comptoir.orders.models import ShopOrder
    from tests.conftest import PASSWORD

    client = Client()
    client.login(username=owner.email, password=PASSWORD)
    new = "/gestion/boulangerie/commandes/nouvelles/"
    assert client.post(new, {"shown": "0"}).content.strip() == b""
    order, _so = place(resident, town)
    queue = client.get("/gestion/boulangerie/commandes/").content.decode()
    assert 'hx-trigger="load, every 10s"' in queue and f"Commande {order.number}" in queue
    assert ShopOrder.objects.get(pk=_so["boulangerie"]).announced_at is None  # loading the page wrote nothing
    assert client.get(new).status_code == 405
    assert ShopOrder.objects.get(pk=_so["boulangerie"]).announced_at is None
    # Already listed on the page (shown = its id): announced, not listed twice.
    assert client.post(new, {"shown": str(_so["boulangerie"])}).content.strip() == b""
    assert ShopOrder.objects.get(pk=_so["boulangerie"]).announced_at is not None
    second, _so2 = place(resident, town)
    first = client.post(new, {"shown": str(_so["boulangerie"])}).content.decode()
    assert first.count(f"Nouvelle commande {second.number}") == 1 and "Pain complet" in first
    assert client.post(new, {"shown": "0"}).content.strip() == b""
    picking = client.get(f"/gestion/boulangerie/commandes/{_so['boulangerie']}/").content.decode()
    assert "Bon de préparation" in picking and "B1" in picking
    assert client.get(f"/gestion/boulangerie/commandes/{_so['fleurs']}/").status_code == 404


def test_every_page_tells_a_shops_staff_first_how_many_orders_wait_for_them(
    resident, town, owner, make_person
):
    """Issue 20 item 11: a shopkeeper learns an order has arrived on whatever page they are, not only on the
    orders page: the header's first shop link counts the orders waiting to be accepted."""
    from django.test import Client

    from tests.conftest import PASSWORD

    client = Client()
    client.login(username=owner.email, password=PASSWORD)
    link = '<a class="orders-waiting{}" href="/gestion/boulangerie/commandes/">{}</a> <a href="/gestion/boulangerie/">'
    assert (
        link.format("", "Commandes de Boulangerie du Pont")
        in client.get("/gestion/boulangerie/").content.decode()
    )
    _order, shop_orders = place(resident, town)
    place(resident, town)
    for page in ("/gestion/boulangerie/", "/gestion/boulangerie/profil/", "/"):
        html = client.get(page).content.decode()
        assert link.format(" due", "Commandes de Boulangerie du Pont (2 à accepter)") in html, page
    services.do_accept_shop_order(shop_orders["boulangerie"], actor=owner)
    html = client.get("/gestion/boulangerie/").content.decode()
    assert link.format(" due", "Commandes de Boulangerie du Pont (1 à accepter)") in html
    # The florist's owner counts the florist's own order only; a resident sees no such link.
    florist = Client()
    florist.login(username="owner@fleurs.example", password=PASSWORD)
    html = florist.get("/").content.decode()
    assert (
        '<a class="orders-waiting due" href="/gestion/fleurs/commandes/">Orders of Fleurs de Loue (2 to accept)</a>'
        in html
    )
    client.logout()
    client.login(username=resident.email, password=PASSWORD)
    assert "orders-waiting" not in client.get("/").content.decode()


@pytest.mark.parametrize(
    ("statuses", "delivery", "expected"),
    [
        (["rejected", "expired"], "", "cancelled"),
        (["placed", "accepted"], "booked", "awaiting_shops"),
        (["changes_proposed", "placed"], "", "action_needed"),
        (["accepted", "prepared", "cancelled"], "", "confirmed"),
        (["prepared", "completed"], "", "ready"),
        (["handed_over", "completed"], "out_for_delivery", "out_for_delivery"),
        (["handed_over"], "failed", "delivery_failed"),
        (["completed", "rejected"], "delivered", "completed"),
    ],
)
def test_order_status_is_derived_from_shop_orders(statuses, delivery, expected):
    assert derive_order_status(statuses, delivery) == expected


line = st.builds(
    pricing.LineIn,
    st.integers(0, 100_000),
    st.integers(1, 50),
    st.sampled_from(["0", "2.1", "5.5", "10", "20"]).map(__import__("decimal").Decimal),
)


@hsettings(max_examples=200, deadline=None)
@given(
    groups=st.lists(st.lists(line, min_size=1, max_size=6), min_size=1, max_size=5),
    rate=st.decimals(min_value=0, max_value=10, places=2),
    delivery=st.integers(0, 2000),
)
def test_totals_always_equal_lines_plus_fees(groups, rate, delivery):
    fee = [pricing.Fee("delivery", "Livraison", pricing.Money(delivery), "vote")]
    quote = pricing.quote(groups, (rate, "coop", "vote"), fee)
    lines = [p for group in quote.groups for p in group]
    assert quote.goods.cents == sum(li.unit_price_cents * li.quantity for g in groups for li in g)
    assert quote.goods.cents == sum(p.total.cents for p in lines)
    assert quote.tax.cents == sum(p.tax.cents for p in lines) and all(p.tax <= p.total for p in lines)
    assert quote.total.cents == quote.goods.cents + sum(f.amount.cents for f in quote.fees)
    assert quote.fees[0].amount.cents == int(
        (quote.goods.cents * rate / 100 + __import__("decimal").Decimal("0.5")) // 1
    )
