"""A resident searches, fills one cart from three shops, checks out with delivery, and each shop sees its order."""

from __future__ import annotations

from datetime import time

from comptoir.catalog.models import Shop
from comptoir.catalog.services import do_create_offer, do_create_shop, do_set_opening_hours, ensure_taxonomy
from comptoir.delivery.demo import generate_demo_delivery
from comptoir.delivery.models import Booking
from comptoir.orders.cart import cart_of
from comptoir.orders.models import Order
from comptoir.orders.services import do_add_to_cart
from comptoir.search.services import do_rebuild_index
from tests.conftest import PASSWORD
from tests.e2e.conftest import sign_in


def test_cart_across_three_shops_to_each_shops_queue(
    page, shop, other_shop, owner, make_person, settings, tmp_path
):
    """Search, one cart from three shops, delivery in a real slot priced at cost, each shop's queue."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.COMPTOIR_POSTCODE_CENTROIDS = {"25000": (47.06, 6.0)}
    settings.COMPTOIR_SEARCH_DIR = tmp_path / "search"
    ensure_taxonomy()  # live_server tests are transactional: an earlier one may have flushed the categories
    generate_demo_delivery(seed=3)  # the depot, zones around the town centre, vehicles and slots
    grocer = do_create_shop(owner=make_person("owner@epicerie.example"), ref="epicerie", name="Épicerie Lou",
                            kind="grocer", lat=47.05, lon=6.0, status=Shop.Status.ACTIVE)  # fmt: skip
    for s in (shop, other_shop, grocer):
        do_set_opening_hours(s, [(d, time(8), time(19)) for d in range(7)])
    do_create_offer(shop, {"sku": "B1", "name_fr": "Pain complet", "price": "2,40", "stock": "5"})
    do_create_offer(
        other_shop, {"sku": "H1", "name_fr": "Marteau de menuisier", "price": "10,50", "stock": "2"}
    )
    jam = do_create_offer(grocer, {"sku": "J1", "name_fr": "Confiture", "price": "4,20", "stock": "9"})
    do_rebuild_index()
    resident = make_person("alice@example.org", full_name="Alice Martin", phone="0601020304")

    sign_in(page, resident.email, PASSWORD)
    for query, name in [("pain complet", "Pain complet"), ("marteau", "Marteau de menuisier")]:
        box = page.get_by_role("searchbox", name="Chercher dans tous les commerces")
        box.fill(query)
        box.press("Enter")
        result = page.locator("ol.results > li").filter(has=page.get_by_role("link", name=name))
        result.get_by_role("button", name="Ajouter au panier").click()
        page.get_by_text(f"Ajouté à votre panier : {name}.").wait_for()
    page.goto(f"{page.base_url}/produits/{jam.pk}/")
    page.get_by_label("Quantité").fill("2")
    page.get_by_role("button", name="Ajouter Confiture au panier").click()
    page.get_by_role("link", name="Panier").click()
    assert page.locator("section.shop-group").count() == 3
    page.get_by_role("link", name="Commander").click()
    page.get_by_label("Créneau de livraison").select_option(index=1)
    page.get_by_label("Adresse", exact=True).fill("12 rue des Granges")
    page.get_by_label("Code postal").fill("25000")
    page.get_by_role("button", name="Passer la commande").click()
    page.get_by_text("En attente de l’acceptation des commerces").wait_for()
    order = Order.objects.get()
    booking = Booking.objects.get(ref=order.delivery_booking_ref)
    assert booking.fee_cents > 0  # priced at cost by the delivery app, line by line
    assert (order.goods_cents, order.total_cents) == (240 + 1050 + 840, 2130 + 43 + booking.fee_cents)

    for email in [owner.email, "owner@quincaillerie.example", "owner@epicerie.example"]:
        page.context.clear_cookies()
        sign_in(page, email, PASSWORD)
        ref = {
            "owner@boulangerie.example": "boulangerie",
            "owner@quincaillerie.example": "quincaillerie",
        }.get(email, "epicerie")
        page.goto(f"{page.base_url}/gestion/{ref}/commandes/")
        tickets = page.locator("article.ticket")
        assert tickets.count() == 1
        assert f"Commande {order.number}" in tickets.inner_text()
    page.get_by_role("button", name="Accepter").click()
    page.get_by_text(f"Commande {order.number} mise à jour.").wait_for()
    assert order.shop_orders.get(shop=grocer).status == "accepted"


def test_guest_cart_is_there_right_after_signing_in(page, shop, make_person):
    """A guest fills a cart, signs in on the login page: the cart is theirs at once, quantities added up."""
    bread = do_create_offer(shop, {"sku": "B1", "name_fr": "Pain complet", "price": "2,40", "stock": "5"})
    cake = do_create_offer(shop, {"sku": "C1", "name_fr": "Brioche", "price": "6,00", "stock": "3"})
    resident = make_person("alice@example.org")
    do_add_to_cart(cart_of(resident, create=True), cake.pk, 2)  # already in the person's cart
    for offer, quantity in [(bread, "2"), (cake, "2")]:
        page.goto(f"{page.base_url}/produits/{offer.pk}/")
        page.get_by_label("Quantité").fill(quantity)
        page.get_by_role("button", name=f"Ajouter {offer.name_fr} au panier").click()
        page.get_by_text(f"Ajouté à votre panier : {offer.name_fr}.").wait_for()
    sign_in(page, resident.email, PASSWORD)
    page.get_by_role("button", name="Se déconnecter").wait_for()
    page.get_by_role("link", name="Panier").click()
    assert page.get_by_label("Quantité de Pain complet").input_value() == "2"
    assert page.get_by_label("Quantité de Brioche").input_value() == "3"  # 2 + 2, but only 3 in stock
