"""A resident searches, fills one cart from three shops, checks out with delivery, and each shop sees its order."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path

from django.utils import timezone

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


SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "journeys"


def shot(page, name: str) -> None:
    """Screenshots of the journeys, kept as CI artefacts (test-results/ is not committed)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_a_guest_sees_the_total_signs_in_from_checkout_and_cancels_after_confirming(
    page, shop, make_person, settings, tmp_path
):
    """Issue 20 items 7, 10 and 12: what a newcomer hit at checkout and on the order page."""
    settings.COMPTOIR_SEARCH_DIR = tmp_path / "search"
    settings.COMPTOIR_DELIVERY_BOOKING = "comptoir.orders.fixed_slots.FixedSlots"
    settings.COMPTOIR_POSTCODE_CENTROIDS = {"25000": (47.06, 6.0)}
    do_set_opening_hours(shop, [(d, time(8), time(19)) for d in range(7)])
    bread = do_create_offer(shop, {"sku": "B1", "name_fr": "Pain complet", "price": "2,40", "stock": "5",
                                   "quantity": "400", "unit": "g"})  # fmt: skip
    do_create_offer(shop, {"sku": "B2", "name_fr": "Pain de seigle", "price": "3,10", "stock": "0"})
    do_rebuild_index()
    resident = make_person("alice@example.org", full_name="Alice Martin", phone="0601020304")

    page.goto(f"{page.base_url}/recherche/?q=pain", timeout=60_000)  # the first search opens the index
    rye = page.locator("ol.results > li").filter(has=page.get_by_role("link", name="Pain de seigle"))
    rye.wait_for()
    assert rye.get_by_role("button", name="Ajouter au panier").count() == 0  # out of stock: nothing to add
    page.goto(f"{page.base_url}/produits/{bread.pk}/")
    page.get_by_role("button", name="Ajouter Pain complet au panier").click()
    page.get_by_role("link", name="Panier").click()
    assert "400\u00a0g" in page.locator("section.shop-group").inner_text()
    shot(page, "guest-cart")
    page.get_by_role("link", name="Commander").click()
    total = page.get_by_label("Votre total")
    assert "2,40\xa0€" in total.inner_text() and "0,05\xa0€" in total.inner_text()  # goods, 2 % contribution
    assert "adoptée à la fondation (v1)" in total.inner_text()
    assert "Total à payer\n2,45\xa0€" in total.inner_text()  # the grand total before "Place the order"
    shot(page, "checkout-total")
    page.get_by_role("link", name="Connectez-vous pour commander").click()
    page.get_by_label("E-mail").fill(resident.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("heading", name="Commande").wait_for()
    assert page.url.endswith("/commande/")  # back at checkout, not the home page
    page.get_by_label("Créneau de livraison").select_option(index=1)
    page.get_by_label("Adresse", exact=True).fill("")
    page.get_by_role("button", name="Passer la commande").click()
    page.get_by_text("Indiquez l’adresse de livraison.").wait_for()
    assert page.get_by_label("Créneau de livraison").input_value() != ""  # the slot chosen is kept
    page.get_by_label("Adresse", exact=True).fill("12 rue des Granges")
    page.get_by_label("Code postal").fill("25000")
    page.get_by_role("button", name="Passer la commande").click()
    page.get_by_text("En attente de l’acceptation des commerces").wait_for()
    page.get_by_role("link", name="Annuler la commande chez Boulangerie du Pont…").click()
    page.get_by_text(
        "Annuler votre commande chez Boulangerie du Pont ? Les produits retournent en rayon."
    ).wait_for()
    shot(page, "cancel-confirm")
    page.get_by_role("button", name="Oui, confirmer").click()
    page.get_by_text("Rien à payer : cette commande est annulée.").wait_for()
    assert page.get_by_text("Vous paierez").count() == 0
    shot(page, "cancelled-order")


def test_after_delivery_the_resident_and_the_shop_see_the_same_thing(
    page, shop, other_shop, owner, make_person, settings
):
    """Issue 20 item 4: no "waiting for the shops", no cancel button, nothing for the shop to accept."""
    from comptoir.orders import services
    from tests.orders.conftest import delivery_body

    settings.COMPTOIR_DELIVERY_BOOKING = "comptoir.orders.fixed_slots.FixedSlots"
    settings.COMPTOIR_POSTCODE_CENTROIDS = {"25000": (47.06, 6.0)}
    bread = do_create_offer(shop, {"sku": "B1", "name_fr": "Pain complet", "price": "2,40", "stock": "5"})
    nails = do_create_offer(other_shop, {"sku": "N1", "name_fr": "Clous", "price": "3,00", "stock": "5"})
    resident = make_person("alice@example.org", full_name="Alice Martin", phone="0601020304")
    from comptoir.orders.fixed_slots import FixedSlots

    slot = FixedSlots().slots_for(47.0, 6.0, 0, 0, timezone.now())[0].id
    order, _created = services.do_checkout(resident, None, services.CheckoutRequest(
        **{**delivery_body(slot), "fulfilment": {"boulangerie": "delivery", "quincaillerie": "delivery"}},
        items=[(bread.pk, 1), (nails.pk, 1)]))  # fmt: skip
    part = order.shop_orders.get(shop=shop)
    services.do_accept_shop_order(part.pk, actor=owner)
    services.do_hand_over(part.pk, to="courier", by="courier", actor=None)
    services.do_mark_delivered(order.pk, proof="code")

    sign_in(page, resident.email, PASSWORD)
    page.goto(f"{page.base_url}/commandes/{order.token}/")
    page.get_by_role("status").filter(has_text="Terminée").wait_for()
    assert page.get_by_text("En attente de l’acceptation des commerces").count() == 0
    assert page.get_by_role("link", name=re.compile("Annuler")).count() == 0
    page.get_by_text("Historique de cette commande").click()
    assert "pas prête pour la tournée" in page.locator("details.events").inner_text()
    shot(page, "delivered-order")
    page.context.clear_cookies()
    sign_in(page, owner.email, PASSWORD)
    page.goto(f"{page.base_url}/gestion/boulangerie/commandes/")
    assert page.locator("article.ticket").count() == 0
    assert page.get_by_role("button", name="Accepter").count() == 0
