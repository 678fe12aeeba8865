"""Permission-checked loaders for shops: a shop's staff act only on that shop.

Someone who does not work for a shop gets the same answer whether the shop exists or
not, so a visitor cannot probe which references are real (applied shops are not public).
A shop's catalog changes only once the cooperative has approved it: an applicant sees
its back office (its application, its profile) but cannot publish or import offers.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from comptoir.catalog.models import Offer, Shop
from comptoir.core.errors import NotAllowed, NotFound


def access_shop_for_staff(person: Any, shop_ref: str) -> Shop:
    if not person.is_authenticated:
        raise NotAllowed(_("Sign in to manage a shop."))
    shop = Shop.objects.filter(ref=shop_ref).first()
    if person.is_superuser:
        if shop is None:
            raise NotFound(_("No such shop."))
        return shop
    if shop is None or not shop.staff.filter(person=person).exists():
        raise NotAllowed(_("You do not work for this shop."))
    return shop


def check_shop_may_sell(shop: Shop) -> Shop:
    if shop.status != Shop.Status.ACTIVE:
        raise NotAllowed(
            _("The cooperative has not approved this shop yet: its catalog cannot be changed until then.")
            if shop.status == Shop.Status.APPLIED
            else _("This shop is suspended: its catalog cannot be changed.")
        )
    return shop


def access_shop_for_catalog_writes(person: Any, shop_ref: str) -> Shop:
    """Create, change, delete or import offers: the shop's staff, once the shop is active."""
    return check_shop_may_sell(access_shop_for_staff(person, shop_ref))


def access_offer_for_staff(person: Any, offer_id: int) -> Offer:
    if not person.is_authenticated:
        raise NotAllowed(_("Sign in to manage a shop."))
    offer = Offer.objects.select_related("shop").filter(pk=offer_id).first()
    if offer is None:
        raise NotFound(_("No such offer."))
    access_shop_for_staff(person, offer.shop.ref)
    return offer


def access_offer_for_catalog_writes(person: Any, offer_id: int) -> Offer:
    offer = access_offer_for_staff(person, offer_id)
    check_shop_may_sell(offer.shop)
    return offer


def shops_of_staff(person: Any) -> list[Shop]:
    if not person.is_authenticated:
        return []
    return list(Shop.objects.filter(staff__person=person).order_by("name"))
