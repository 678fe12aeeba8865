"""What a newcomer met in the demo town (issue 20 items 4, 7, 10, 12), pinned at the page level."""

from __future__ import annotations

import re

from django.test import Client

from comptoir.catalog.models import Offer
from comptoir.orders import services
from comptoir.orders.models import Order, ShopOrder
from tests.conftest import PASSWORD
from tests.orders.conftest import delivery_body, first_slot


def guest_with_cart(town, *offers):
    browser = Client()
    for offer in offers:
        browser.post("/panier/ajouter/", {"offer_id": offer.pk})
    return browser


def test_checkout_shows_the_grand_total_and_the_contribution_as_an_amount(town):
    page = guest_with_cart(town, town["bread"], town["roses"]).get("/commande/").content.decode()
    # goods 2,40 + 15,00 = 17,40; 2 % contribution = 0,35; the flat slot fee 4,50
    assert "17,40\xa0€" in page and "0,35\xa0€" in page
    assert "Source\u00a0: adoptée à la fondation (v1)" in page and "adopted at founding" not in page
    assert re.search(r"Total à payer</dt><dd class=\"total\"><strong>17,75\xa0€</strong>", page)
    assert "livraison 4,50\xa0€ · total 22,25\xa0€" in page
    assert page.index("Total à payer") < page.index("Passer la commande")


def test_signing_in_from_checkout_comes_back_to_checkout(town, resident):
    browser = guest_with_cart(town, town["bread"])
    page = browser.get("/commande/").content.decode()
    assert 'href="/connexion/?next=/commande/"' in page
    signed_in = browser.post(
        "/connexion/?next=/commande/",
        {"username": resident.email, "password": PASSWORD, "next": "/commande/"},
    )
    assert (signed_in.status_code, signed_in["Location"]) == (302, "/commande/")


def test_cart_lines_show_their_size_and_can_be_removed(town):
    Offer.objects.filter(pk=town["bread"].pk).update(quantity=400, unit="g")
    browser = guest_with_cart(town, town["bread"], town["roses"])
    cart = browser.get("/panier/").content.decode()
    assert 'Pain complet <span class="muted">400\u00a0g</span>' in cart
    assert 'aria-label="Enlever Pain complet du panier">Enlever</button>' in cart
    browser.post("/panier/modifier/", {"offer_id": town["bread"].pk, "quantity": "0"})
    cart = browser.get("/panier/").content.decode()
    assert "Pain complet" not in cart and "Bouquet de roses" in cart


def test_a_missing_address_is_asked_for_in_proper_french(town):
    browser = guest_with_cart(town, town["bread"])
    form = {"email": "g@example.org", "fulfilment-boulangerie": "delivery", "slot_id": first_slot(),
            "recipient_name": "Gaston", "phone": "0611", "address": "", "postal_code": "25000",
            "payment_method": "on_handover"}  # fmt: skip
    page = browser.post("/commande/", form).content.decode()
    assert "Indiquez l’adresse de livraison." in page and "Indiquez le adresse" not in page


def test_a_cancellation_is_confirmed_first_and_then_nothing_is_to_pay(town, resident):
    order, _created = services.do_checkout(resident, None, services.CheckoutRequest(
        **{**delivery_body(""), "fulfilment": {"fleurs": "collect"}}, items=[(town["roses"].pk, 1)]))  # fmt: skip
    so = order.shop_orders.get()
    browser = Client()
    browser.force_login(resident)
    page = browser.get(f"/commandes/{order.token}/").content.decode()
    assert "Vous paierez 15,30\xa0€" in page
    confirm = browser.get(f"/commandes/{order.token}/{so.pk}/cancel/").content.decode()
    assert "Annuler votre commande chez Fleurs de Loue\xa0? Les produits retournent en rayon." in confirm
    assert ShopOrder.objects.get(pk=so.pk).status == "placed"  # asking changed nothing
    browser.post(f"/commandes/{order.token}/{so.pk}/cancel/")
    page = browser.get(f"/commandes/{order.token}/").content.decode()
    assert "Rien à payer\xa0: cette commande est annulée." in page and "Vous paierez" not in page
    assert f"/commandes/{order.token}/{so.pk}/cancel/" not in page  # no cancel button on a cancelled part


def test_shop_refusal_and_offer_deletion_are_confirmed_first(town, owner):
    order, _created = services.do_checkout(None, None, services.CheckoutRequest(
        **{**delivery_body(""), "fulfilment": {"boulangerie": "collect"}}, items=[(town["bread"].pk, 1)]))  # fmt: skip
    so = order.shop_orders.get()
    browser = Client()
    browser.force_login(owner)
    queue = browser.get("/gestion/boulangerie/commandes/").content.decode()
    assert f'<form method="get" action="/gestion/boulangerie/commandes/{so.pk}/reject/">' in queue
    confirm = browser.get(
        f"/gestion/boulangerie/commandes/{so.pk}/reject/", {"reason": "Fermé"}
    ).content.decode()
    assert f"Refuser la commande {order.number}\xa0?" in confirm and 'value="Fermé"' in confirm
    assert ShopOrder.objects.get(pk=so.pk).status == "placed"
    browser.post(f"/gestion/boulangerie/commandes/{so.pk}/reject/", {"reason": "Fermé"})
    assert ShopOrder.objects.get(pk=so.pk).status == "rejected"
    delete = f"/gestion/boulangerie/offres/{town['cake'].pk}/supprimer/"
    assert "Supprimer l’offre «\xa0Gâteau sur commande\xa0»\xa0?" in browser.get(delete).content.decode()
    assert Offer.objects.filter(pk=town["cake"].pk).exists()
    browser.post(delete)
    assert not Offer.objects.filter(pk=town["cake"].pk).exists()


def test_after_delivery_every_screen_agrees(town, resident, owner, other_shop):
    order, _created = services.do_checkout(resident, None, services.CheckoutRequest(
        **{**delivery_body(first_slot()), "fulfilment": {"boulangerie": "delivery", "quincaillerie": "delivery"}},
        items=[(town["bread"].pk, 1), (town["hammer"].pk, 1)]))  # fmt: skip
    bread = order.shop_orders.get(shop__ref="boulangerie")
    services.do_accept_shop_order(bread.pk, actor=owner)
    services.do_hand_over(bread.pk, to="courier", by="courier", actor=None)
    services.do_mark_delivered(order.pk, proof="code")
    browser = Client()
    browser.force_login(resident)
    page = browser.get(f"/commandes/{Order.objects.get().token}/").content.decode()
    assert "Terminée" in page and "En attente de l’acceptation" not in page
    assert "/cancel/" not in page  # no cancel button anywhere
    assert "Pas remis au coursier avant la livraison" in page
    # 2,40 + 0,05 + 4,50: the part that missed the round is not paid; the courier collected the rest
    assert "Payé\xa0: 6,95\xa0€." in page and "Vous paierez" not in page
    shop = Client()
    shop.force_login(owner)
    queue = shop.get("/gestion/boulangerie/commandes/").content.decode()
    assert f"Commande {order.number}" not in queue  # nothing left to accept or refuse


def test_the_courier_is_asked_what_the_books_post_when_a_part_missed_the_round(town, resident, owner):
    """Issue 20 item 5: the door amount leaves out the part never handed over, as the posting does."""
    from comptoir.ledger.models import Entry
    from comptoir.orders.selectors import due_on_delivery

    order, _created = services.do_checkout(resident, None, services.CheckoutRequest(
        **{**delivery_body(first_slot()), "fulfilment": {"boulangerie": "delivery", "quincaillerie": "delivery"}},
        items=[(town["bread"].pk, 1), (town["hammer"].pk, 1)]))  # fmt: skip
    bread = order.shop_orders.get(shop__ref="boulangerie")
    services.do_accept_shop_order(bread.pk, actor=owner)
    services.do_hand_over(bread.pk, to="courier", by="courier", actor=None)
    assert Order.objects.get(pk=order.pk).total_cents > 695  # the first total still counts the hammer
    asked = due_on_delivery(order.pk)
    assert asked == 695  # 2,40 + 0,05 + 4,50
    services.do_mark_delivered(order.pk, proof="code")
    payment = Entry.objects.get(kind="payment", order_id=order.pk)
    assert sum(line.debit for line in payment.lines.all()) == asked
    assert due_on_delivery(order.pk) == 0  # paid: nothing more at any door
