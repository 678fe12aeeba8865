"""Anonymous checkout abuse (issue 13 items 7 and 8): owned idempotency keys, throttles, caps, short holds."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from comptoir.catalog.models import Offer
from comptoir.core.errors import Conflict, InvalidInput, Throttled
from comptoir.orders import services
from comptoir.orders.cart import cart_of
from comptoir.orders.guards import Client as Who
from comptoir.orders.models import Order, ShopOrder
from tests.orders.conftest import delivery_body


@pytest.fixture(autouse=True)
def fresh_cache(settings):
    cache.clear()
    settings.COMPTOIR_GUEST_OPEN_ORDERS_MAX = 100


@pytest.fixture
def mailed(django_capture_on_commit_callbacks):
    """Run the after-commit mail tasks of what happens inside the block."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def guest_checkout(town, *, email="guest@example.org", key="", cart=None, ip="198.51.100.7", quantity=1):
    cart = cart or cart_of(None, create=True)
    request = services.CheckoutRequest(
        email=email, fulfilment={"fleurs": "collect"}, payment_method="on_handover",
        items=[(town["roses"].pk, quantity)], idempotency_key=key,
    )  # fmt: skip
    return services.do_checkout(None, cart, request, client=Who(session=cart.token, ip=ip))


def test_guest_keys_belong_to_their_cart_and_a_changed_request_is_refused(town):
    mine, theirs = cart_of(None, create=True), cart_of(None, create=True)
    first, created = guest_checkout(town, key="k-1", cart=mine)
    again, replay = guest_checkout(town, key="k-1", cart=mine)
    assert (created, replay, again.pk) == (True, False, first.pk)
    other, other_created = guest_checkout(
        town, key="k-1", cart=theirs, email="b@example.org", ip="198.51.100.8"
    )
    assert other_created and other.pk != first.pk  # another guest's same key never returns my order
    with pytest.raises(Conflict) as refused:
        guest_checkout(town, key="k-1", cart=mine, quantity=2)
    assert (refused.value.code, refused.value.status) == ("idempotency_key_reused", 422)
    assert Order.objects.count() == 2 and Offer.objects.get(pk=town["roses"].pk).stock == 1


def test_a_reused_key_with_other_content_is_a_422_in_the_api(resident_api, town):
    body = {
        **delivery_body(""),
        "fulfilment": {"fleurs": "collect"},
        "items": [{"offer_id": town["roses"].pk, "quantity": 1}],
    }
    assert resident_api.call("post", "/checkout", body, HTTP_IDEMPOTENCY_KEY="same").status_code == 201
    changed = {**body, "items": [{"offer_id": town["roses"].pk, "quantity": 2}]}
    response = resident_api.call("post", "/checkout", changed, HTTP_IDEMPOTENCY_KEY="same")
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert Order.objects.count() == 1 and Offer.objects.get(pk=town["roses"].pk).stock == 2


def test_checkout_attempts_are_throttled_per_session_and_address(town, settings):
    settings.COMPTOIR_CHECKOUT_ATTEMPTS = (3, 3600)
    settings.COMPTOIR_GUEST_OPEN_ORDERS_MAX = 100
    cart = cart_of(None, create=True)
    for _ in range(3):
        with pytest.raises(InvalidInput):
            guest_checkout(town, cart=cart, email="not-an-email")
    with pytest.raises(Throttled) as refused:
        guest_checkout(town, cart=cart)
    assert (refused.value.code, refused.value.status) == ("checkout_throttled", 429)
    # Another session from the same address is throttled too; another address with a new session is not.
    with pytest.raises(Throttled):
        guest_checkout(town)
    assert guest_checkout(town, ip="203.0.113.9")[1] is True


def test_a_guest_may_hold_only_a_few_open_orders(town, settings):
    """Counted by email, by session (cart) and by address: any of them reaching the cap refuses."""
    settings.COMPTOIR_GUEST_OPEN_ORDERS_MAX = 2
    guest_checkout(town, email="g@example.org", ip="203.0.113.1")
    guest_checkout(town, email="g@example.org", ip="203.0.113.2")
    with pytest.raises(Throttled) as refused:
        guest_checkout(town, email="G@example.org", ip="203.0.113.3")  # the same email, another address
    assert (refused.value.code, refused.value.status) == ("too_many_open_orders", 429)
    Offer.objects.filter(pk=town["roses"].pk).update(stock=3)
    guest_checkout(town, email="h@example.org", ip="203.0.113.4")
    guest_checkout(town, email="k@example.org", ip="203.0.113.4")
    with pytest.raises(Throttled):
        guest_checkout(town, email="l@example.org", ip="203.0.113.4")  # the same address
    Offer.objects.filter(pk=town["roses"].pk).update(stock=3)
    cart = cart_of(None, create=True)
    guest_checkout(town, email="m@example.org", ip="203.0.113.5", cart=cart)
    guest_checkout(town, email="n@example.org", ip="203.0.113.6", cart=cart)
    with pytest.raises(Throttled):
        guest_checkout(town, email="p@example.org", ip="203.0.113.7", cart=cart)  # the same session
    ShopOrder.objects.filter(order__email__in=["m@example.org", "n@example.org"]).update(status="rejected")
    assert guest_checkout(town, email="q@example.org", ip="203.0.113.8", cart=cart)[1] is True


def test_a_guest_holds_stock_briefly_until_the_mailed_code_is_typed(town, settings, mailed):
    settings.COMPTOIR_UNCONFIRMED_HOLD_MINUTES = 10
    with mailed():
        order, _created = guest_checkout(town)
    shop_order = order.shop_orders.get()
    assert shop_order.expires_at - order.created < timedelta(minutes=10, seconds=5)
    code_mail = next(m for m in mail.outbox if "code" in m.subject.lower())
    code = re.search(r"\b(\d{6})\b", code_mail.body).group(1)
    assert code_mail.to == ["guest@example.org"] and code in code_mail.subject
    with pytest.raises(InvalidInput) as wrong:
        services.do_confirm_guest_email(order.pk, code="000000" if code != "000000" else "111111")
    assert wrong.value.code == "confirmation_invalid"
    assert Order.objects.get(pk=order.pk).email_code_attempts == 1  # counted although refused
    services.do_confirm_guest_email(order.pk, code=code)
    shop_order.refresh_from_db()
    assert timedelta(minutes=119) < shop_order.expires_at - order.created <= timedelta(minutes=120)
    assert Order.objects.get(pk=order.pk).email_confirmed_at is not None


def test_an_unconfirmed_guest_order_releases_its_stock_after_the_short_hold(town):
    order, _created = guest_checkout(town)
    assert Offer.objects.get(pk=town["roses"].pk).stock == 2
    services.do_expire_shop_orders(timezone.now() + timedelta(minutes=11))
    assert Offer.objects.get(pk=town["roses"].pk).stock == 3
    assert order.shop_orders.get().status == "expired"


def test_a_code_cannot_be_guessed(town, mailed):
    with mailed():
        order, _created = guest_checkout(town)
    for _ in range(5):
        with pytest.raises(InvalidInput):
            services.do_confirm_guest_email(order.pk, code="999999x")
    code_mail = next(m for m in mail.outbox if "code" in m.subject.lower())
    code = re.search(r"\b(\d{6})\b", code_mail.body).group(1)
    with pytest.raises(InvalidInput, match="Trop de codes erronés"):
        services.do_confirm_guest_email(order.pk, code=code)  # even the right one, after five wrong
    assert Order.objects.get(pk=order.pk).email_confirmed_at is None


def test_the_order_page_asks_a_guest_for_the_code(town, mailed):
    browser = Client()
    browser.post("/panier/ajouter/", {"offer_id": town["roses"].pk})
    form = {"email": "guest@example.org", "language": "fr", "fulfilment-fleurs": "collect",
            "payment_method": "on_handover", "idempotency_key": "p-1"}  # fmt: skip
    with mailed():
        placed = browser.post("/commande/", form, REMOTE_ADDR="198.51.100.20")
    order = Order.objects.get()
    assert placed.status_code == 302 and order.client_ip == "198.51.100.20"
    page = browser.get(f"/commandes/{order.token}/").content.decode()
    assert "Code reçu par e-mail" in page
    code = re.search(r"\b(\d{6})\b", next(m for m in mail.outbox if "code" in m.subject.lower()).body).group(
        1
    )
    browser.post(f"/commandes/{order.token}/confirmer/", {"code": code})
    assert "Code reçu par e-mail" not in browser.get(f"/commandes/{order.token}/").content.decode()


def test_the_checkout_page_answers_429_when_throttled(town, settings):
    settings.COMPTOIR_CHECKOUT_ATTEMPTS = (1, 3600)
    browser = Client()
    browser.post("/panier/ajouter/", {"offer_id": town["roses"].pk})
    form = {"email": "nope", "fulfilment-fleurs": "collect", "payment_method": "on_handover"}
    assert browser.post("/commande/", form, REMOTE_ADDR="198.51.100.30").status_code == 400
    throttled = browser.post("/commande/", form, REMOTE_ADDR="198.51.100.30")
    assert throttled.status_code == 429 and "Trop de commandes depuis ici" in throttled.content.decode()
    assert Order.objects.count() == 0
