"""Permission-checked loaders for shops: a shop's staff act only on that shop."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from comptoir.catalog.models import Offer, Shop
from comptoir.core.errors import NotAllowed, NotFound


def access_shop_for_staff(person: Any, shop_ref: str) -> Shop:
    shop = Shop.objects.filter(ref=shop_ref).first()
    if shop is None:
        raise NotFound(_("No such shop."))
    if not person.is_authenticated:
        raise NotAllowed(_("Sign in to manage a shop."))
    if person.is_superuser or shop.staff.filter(person=person).exists():
        return shop
    raise NotAllowed(_("You do not work for this shop."))


def access_offer_for_staff(person: Any, offer_id: int) -> Offer:
    offer = Offer.objects.select_related("shop").filter(pk=offer_id).first()
    if offer is None:
        raise NotFound(_("No such offer."))
    access_shop_for_staff(person, offer.shop.ref)
    return offer


def shops_of_staff(person: Any) -> list[Shop]:
    if not person.is_authenticated:
        return []
    return list(Shop.objects.filter(staff__person=person).order_by("name"))
