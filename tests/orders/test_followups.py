"""Guest cart claimed at sign-in, the order page's live status fragment, shop actions without a body,
substitutes picked from the shop's own offers."""

from __future__ import annotations

import re

from django.test import Client

from comptoir.catalog.services import do_create_offer
from comptoir.orders import services
from comptoir.orders.cart import cart_of
from comptoir.orders.models import Cart, CartItem, ShopOrder
from tests.conftest import PASSWORD
from tests.orders.conftest import delivery_body, first_slot


def guest_with(town, *items):
    client = Client()
    for offer, quantity in items:
        client.post("/panier/ajouter/", {"offer_id": town[offer].pk, "quantity": str(quantity)})
    return client


def sign_in(client, email):
    response = client.post("/connexion/", {"username": email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]


def test_guest_cart_joins_the_persons_cart_at_sign_in(town, resident):
    client = guest_with(town, ("bread", 2), ("roses", 1))
    sign_in(client, resident.email)
    # Claimed by the sign-in itself: nothing left for a guest, before any cart page is seen.
    cart = Cart.objects.get()
    assert cart.owner == resident and "cart_token" not in client.session
    assert sorted(cart.items.values_list("offer__sku", "quantity")) == [("B1", 2), ("R1", 1)]
    page = client.get("/panier/").content.decode()
    assert "Pain complet" in page and "Bouquet de roses" in page


def test_same_offer_adds_up_without_exceeding_stock(town, resident):
    mine = cart_of(resident, create=True)
    services.do_add_to_cart(mine, town["roses"].pk, 2)  # 3 in stock
    services.do_add_to_cart(mine, town["bread"].pk, 4)  # 10 in stock
    client = guest_with(town, ("roses", 2), ("bread", 3), ("cake", 2))
    sign_in(client, resident.email)
    assert Cart.objects.count() == 1
    quantities = dict(CartItem.objects.filter(cart=mine).values_list("offer__sku", "quantity"))
    assert quantities == {"R1": 3, "B1": 7, "C1": 2}


def test_claim_never_lowers_what_the_person_had(town, resident):
    mine = cart_of(resident, create=True)
    services.do_add_to_cart(mine, town["roses"].pk, 3)
    guest = cart_of(None, create=True)
    services.do_add_to_cart(guest, town["roses"].pk, 1)
    town["roses"].stock = 1
    town["roses"].save(update_fields=["stock"])
    services.do_claim_guest_cart(resident, guest.token)
    assert CartItem.objects.get().quantity == 3 and Cart.objects.count() == 1


def test_shop_actions_accept_an_empty_body(town, resident, owner, owner_api):
    """No body at all (no content type), or an empty JSON body: the actions that need no data work."""
    order, _ = services.do_checkout(
        resident, None,
        services.CheckoutRequest(**{**delivery_body(first_slot()), "fulfilment": {"boulangerie": "delivery"}},
                                 items=[(town["bread"].pk, 1)]),
    )  # fmt: skip
    so = order.shop_orders.get()
    path = f"/api/v1/shop-orders/{so.pk}"
    no_body = owner_api.client.generic("POST", f"{path}/accept", b"", headers=owner_api.headers)
    assert (no_body.status_code, no_body.json()["status"]) == (200, "accepted")
    empty_json = owner_api.client.post(
        f"{path}/prepare", data="", content_type="application/json", headers=owner_api.headers
    )
    assert (empty_json.status_code, empty_json.json()["status"]) == (200, "prepared")
    handed = owner_api.client.generic("POST", f"{path}/hand-over", b"", headers=owner_api.headers)
    assert (handed.status_code, handed.json()["status"]) == (200, "handed_over")
    assert ShopOrder.objects.get().handed_to == "courier"  # `to` defaults from the fulfilment
    refused = owner_api.client.generic("POST", f"{path}/propose-changes", b"", headers=owner_api.headers)
    assert refused.status_code == 400  # an action that needs data still says so


def test_order_page_polls_its_live_fragment(town, resident, owner):
    order, _ = services.do_checkout(
        resident, None,
        services.CheckoutRequest(**{**delivery_body(""), "fulfilment": {"fleurs": "collect"}},
                                 items=[(town["roses"].pk, 2)]),
    )  # fmt: skip
    client = Client()
    client.force_login(resident)
    live = f"/commandes/{order.token}/etat/"
    page = client.get(f"/commandes/{order.token}/").content.decode()
    assert f'<div id="order-live" hx-get="{live}" hx-trigger="every 20s" hx-swap="outerHTML">' in page
    so = order.shop_orders.get()
    services.do_accept_shop_order(so.pk, actor=owner)  # meanwhile, the shop accepts
    fragment = client.get(live, headers={"HX-Request": "true"}).content.decode()
    fragment = re.sub(
        r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value="…"', fragment
    )
    history = re.search(r'<details class="events">.*?</details>\n', fragment, re.S)
    assert history is not None and "acceptée — la boutique (Camille Roux) · Fleurs de Loue" in history.group()
    fragment = fragment.replace(history.group(), "")
    hours = ", ".join(f"{day} 08:00–19:00" for day in ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam."])
    assert fragment == (
        f'<div id="order-live" hx-get="{live}" hx-trigger="every 20s" hx-swap="outerHTML">\n'
        '<p class="price" role="status">Confirmée par les commerces</p>\n'
        "<p>Vous paierez 30,60\xa0€ à la réception de vos achats.</p>\n\n\n\n"
        '<section class="shop-group" aria-label="Fleurs de Loue">\n'
        "<h2>Fleurs de Loue — Acceptée</h2>\n"
        f'<p class="muted">Retrait en boutique\xa0: 8 quai Vauban — {hours}</p>\n\n'
        "<ul><li>2 × Bouquet de roses — 30,00\xa0€\n\n</li></ul>\n"
        '<div class="actions">\n\n'
        f'<a class="button danger" href="/commandes/{order.token}/{so.pk}/cancel/">'
        "Annuler la commande chez Fleurs de Loue…</a>\n"
        "</div></section>\n\n"
        '<table class="breakdown"><caption>Votre total, ligne par ligne</caption><tbody>\n'
        '<tr><th scope="row">Marchandises (Fleurs de Loue)</th><td class="num">30,00\xa0€</td>'
        '<td class="muted">dont TVA 2,73\xa0€</td></tr>\n'
        '<tr><th scope="row">Taxes incluses (TVA)</th><td class="num">2,73\xa0€</td><td></td></tr>\n'
        '<tr><th scope="row">Contribution coopérative (2,0\u202f% des marchandises)</th><td class="num">0,60\xa0€</td>'
        '<td class="muted">Source\u00a0: adoptée à la fondation (v1)</td></tr>\n'
        '<tr><th scope="row">Total</th><td class="num"><strong>30,60\xa0€</strong></td><td></td></tr>\n'
        "</tbody></table>\n\n\n</div>\n"
    )
    # Without htmx the address is the whole page; a stranger gets nothing.
    plain = client.get(live)
    assert (plain.status_code, plain["Location"]) == (302, f"/commandes/{order.token}/")
    assert Client().get(live, headers={"HX-Request": "true"}).status_code == 403
    # Once nothing more can happen, the fragment stops polling.
    services.do_prepare_shop_order(so.pk, actor=owner)
    services.do_hand_over(so.pk, to="resident", actor=owner)
    done = client.get(live, headers={"HX-Request": "true"}).content.decode()
    assert done.startswith('<div id="order-live">\n<p class="price" role="status">Terminée</p>')


def test_partial_acceptance_picks_a_substitute_from_the_shops_offers(town, resident, owner):
    shop = town["shops"][0]
    rye = do_create_offer(shop, {"sku": "B2", "name_fr": "Pain de seigle", "price": "2,80", "stock": "4"})
    do_create_offer(shop, {"sku": "B3", "name_fr": "Baguette", "price": "1,10", "stock": "0"})  # none left
    order, _ = services.do_checkout(
        resident, None,
        services.CheckoutRequest(**{**delivery_body(first_slot()), "fulfilment": {"boulangerie": "delivery"}},
                                 items=[(town["bread"].pk, 2)]),
    )  # fmt: skip
    so = order.shop_orders.get()
    line = so.lines.get()
    client = Client()
    client.force_login(owner)
    page = client.get(f"/gestion/boulangerie/commandes/{so.pk}/").content.decode()
    select = page[page.index(f'<select name="sub-{line.pk}"') : page.index("</select>")]
    options = re.findall(r'<option value="(\d*)">([^<]*)</option>', select)
    assert options == [
        ("", "Aucun remplacement"),
        (str(town["cake"].pk), "Gâteau sur commande · 20,00\xa0€ · sur commande"),
        (str(rye.pk), "Pain de seigle · 2,80\xa0€ · 4 en stock"),
    ]  # neither the line's own product nor what is out of stock, nor another shop's
    client.post(
        f"/gestion/boulangerie/commandes/{so.pk}/propose-changes/",
        {f"sub-{line.pk}": str(rye.pk), f"qty-{line.pk}": "", "reason": "Plus de pain complet"},
    )
    line.refresh_from_db()
    assert (line.substitute_id, ShopOrder.objects.get().status) == (rye.pk, "changes_proposed")
