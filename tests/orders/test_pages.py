"""A guest fills a cart from shop and offer pages, checks out, follows the order; pages stay small."""

from __future__ import annotations

from django.test import Client

from comptoir.orders.models import Order
from tests.orders.conftest import first_slot


def test_guest_cart_checkout_and_tracking(town, django_assert_max_num_queries, settings):
    settings.COMPTOIR_BANK_IBAN, settings.COMPTOIR_BANK_BIC = "FR1420041010050500013M02606", "PSSTFRPPXXX"
    client = Client()
    shop_page = client.get("/commerces/boulangerie/").content.decode()
    assert 'aria-label="Ajouter Pain complet au panier"' in shop_page
    added = client.post(
        "/panier/ajouter/", {"offer_id": town["bread"].pk, "quantity": "2", "next": "/commerces/boulangerie/"}
    )
    assert added.status_code == 302 and added["Location"] == "/commerces/boulangerie/"
    assert "Ajouter au panier" in client.get(f"/produits/{town['roses'].pk}/").content.decode()
    client.post("/panier/ajouter/", {"offer_id": town["roses"].pk})
    refused = client.post("/panier/ajouter/", {"offer_id": town["roses"].pk, "quantity": "5"}, follow=True)
    assert (
        "Il ne reste que 3 «\u00a0Bouquet de roses\u00a0» (Fleurs de Loue)\u00a0; vous en demandez 8."
        not in refused.content.decode()
    )
    assert (
        "Il ne reste que 3 «\u00a0Bouquet de roses\u00a0» (Fleurs de Loue)\u00a0; vous en demandez 6."
        in refused.content.decode()
    )
    with django_assert_max_num_queries(8):
        cart = client.get("/panier/").content.decode()
    assert cart.index("Boulangerie du Pont") < cart.index("Fleurs de Loue") and "lun. 08:00–19:00" in cart
    checkout = client.get("/commande/")
    assert checkout.status_code == 200 and len(checkout.content) < 100_000
    form = {
        "email": "guest@example.org", "language": "en", "fulfilment-boulangerie": "delivery", "fulfilment-fleurs": "collect",
        "slot_id": first_slot(), "recipient_name": "Gaston", "phone": "0611", "address": "1 rue Haute", "postal_code": "25000",
        "payment_method": "bank_transfer", "idempotency_key": "page-1", "expected_goods_cents": "1980",
    }  # fmt: skip
    placed = client.post("/commande/", form)
    order = Order.objects.get()
    assert placed.status_code == 302 and placed["Location"] == f"/commandes/{order.token}/"
    assert (
        client.post("/commande/", form).status_code == 302
    )  # the cart is empty now: back to the cart, no second order
    assert Order.objects.count() == 1 and (order.customer, order.language, order.total_cents) == (
        None,
        "en",
        1980 + 40 + 450,
    )
    page = client.get(f"/commandes/{order.token}/").content.decode()
    assert (
        "En attente de l’acceptation des commerces" in page
        and "Source\u00a0: adoptée à la fondation (v1)" in page
    )
    # The guest reads French pages; the instructions went by email in English, the page shows them in French.
    assert (
        f"Virez 24,70\u00a0€ sur FR14 2004 1010 0505 0001 3M02 606 (BIC PSSTFRPPXXX) avec la référence {order.number}."
        in page
    )
    assert order.payment_instructions == (
        f"Transfer €24.70 to FR14 2004 1010 0505 0001 3M02 606 (BIC PSSTFRPPXXX) with the reference {order.number}."
    )
    assert len(page) < 100_000
    assert order.number in client.get("/mes-commandes/").content.decode()
    assert Client().get(f"/commandes/{order.token}x/").status_code == 404
    client.post(f"/commandes/{order.token}/recommander/")
    assert "Pain complet" in client.get("/panier/").content.decode()


def test_cart_forms_refuse_malformed_numbers_and_change_nothing(town):
    client = Client()
    for quantity in ("1e999999999", "Infinity", "sNaN", "9" * 5000, "-1", "0"):
        refused = client.post("/panier/ajouter/", {"offer_id": town["bread"].pk, "quantity": quantity})
        assert refused.status_code == 400, quantity
        assert "quantity" in refused.content.decode() or "quantité" in refused.content.decode()
    assert client.post("/panier/ajouter/", {"offer_id": "1e99", "quantity": "1"}).status_code == 400
    assert (
        client.post("/panier/modifier/", {"offer_id": town["bread"].pk, "quantity": "1e9"}).status_code == 400
    )
    assert "Pain complet" not in client.get("/panier/").content.decode()
