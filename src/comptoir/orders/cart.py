"""Cart writes: add, change, remove. A cart reserves nothing; checkout does (see checkout.py)."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from comptoir.catalog.models import Offer
from comptoir.catalog.selectors import offer_is_visible
from comptoir.catalog.stock import OutOfStock, Shortfall
from comptoir.core.errors import InvalidInput, NotFound
from comptoir.orders.error_codes import OrderErrorCode
from comptoir.orders.lock_objects import cart_of_person_for_update
from comptoir.orders.models import Cart, CartItem

MAX_QUANTITY = 999
CART_SESSION_KEY = "cart_token"  # a guest's cart token in the session


def new_token() -> str:
    return secrets.token_urlsafe(32)


def cart_of(person: Any, token: str = "", *, create: bool = False) -> Cart | None:
    """The person's cart, or the guest's cart found by its session token."""
    if person is not None and person.is_authenticated:
        cart = Cart.objects.filter(owner=person).first()
        if cart is None and create:
            cart = Cart.objects.create(owner=person, token=new_token())
        return cart
    cart = Cart.objects.filter(token=token, owner=None).first() if token else None
    if cart is None and create:
        cart = Cart.objects.create(token=new_token())
    return cart


def check_quantity(offer: Offer, quantity: int) -> None:
    if quantity < 1 or quantity > MAX_QUANTITY:
        raise InvalidInput(
            _("Choose a quantity between 1 and %(max)d.") % {"max": MAX_QUANTITY},
            code=OrderErrorCode.INVALID_QUANTITY, field="quantity",
        )  # fmt: skip
    if not offer.on_demand and quantity > offer.stock:
        error = OutOfStock([Shortfall(offer.pk, offer.name_fr, offer.shop.name, quantity, offer.stock)])
        error.details["field"] = "quantity"
        raise error


def _buyable_offer(offer_id: int) -> Offer:
    offer = Offer.objects.select_related("shop").filter(pk=offer_id).first()
    if offer is None or not offer_is_visible(offer):
        raise NotFound(_("This product is not sold any more."), code=OrderErrorCode.NOT_SOLD)
    return offer


@transaction.atomic
def do_add_to_cart(cart: Cart, offer_id: int, quantity: int = 1) -> CartItem:
    offer = _buyable_offer(offer_id)
    item = CartItem.objects.filter(cart=cart, offer=offer).first()
    total = quantity + (item.quantity if item else 0)
    check_quantity(offer, total)
    if item is None:
        return CartItem.objects.create(
            cart=cart, offer=offer, quantity=total, price_cents_seen=offer.price_cents
        )
    item.quantity, item.price_cents_seen = total, offer.price_cents
    item.save(update_fields=["quantity", "price_cents_seen"])
    return item


@transaction.atomic
def do_set_cart_quantity(cart: Cart, offer_id: int, quantity: int) -> CartItem | None:
    """Set an item's quantity; 0 removes it. Accepting the new price of a changed item too."""
    item = CartItem.objects.filter(cart=cart, offer_id=offer_id).first()
    if item is None:
        raise NotFound(_("This product is not in your cart."), code=OrderErrorCode.NOT_IN_CART)
    if quantity == 0:
        item.delete()
        return None
    offer = _buyable_offer(offer_id)
    check_quantity(offer, quantity)
    item.quantity, item.price_cents_seen = quantity, offer.price_cents
    item.save(update_fields=["quantity", "price_cents_seen"])
    return item


@transaction.atomic
def do_claim_guest_cart(person: Any, token: str) -> None:
    """At sign-in, the guest's cart joins the person's cart.

    Quantities of the same offer add up, never past the stock left (nor below what the person
    already had: the cart page then shows the shortage); on-demand offers are only capped by
    MAX_QUANTITY. A person without a cart simply takes the guest's.
    """
    guest = cart_of(None, token)
    if guest is None or person is None or not person.is_authenticated:
        return
    mine = cart_of_person_for_update(person)
    if mine is None:
        guest.owner = person
        guest.save(update_fields=["owner", "updated"])
        return
    existing = {item.offer_id: item for item in mine.items.select_related("offer")}
    for item in guest.items.select_related("offer"):
        kept = existing.get(item.offer_id)
        if kept is None:
            item.cart = mine
            item.save(update_fields=["cart"])
            continue
        ceiling = MAX_QUANTITY if item.offer.on_demand else min(item.offer.stock, MAX_QUANTITY)
        kept.quantity = max(kept.quantity, min(kept.quantity + item.quantity, ceiling))
        kept.save(update_fields=["quantity"])
    guest.delete()
    mine.save(update_fields=["updated"])
