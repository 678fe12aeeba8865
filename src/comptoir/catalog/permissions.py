"""Permission-checked loaders for shops: a shop's staff act only on that shop.

Someone who does not work for a shop gets the same answer whether the shop exists or
not, so a visitor cannot probe which references are real (applied shops are not public).
A shop's catalog changes only once the cooperative has approved it: an applicant sees
its back office (its application, its profile) but cannot publish or import offers.

Chains (decision 0016): a chain's staff (`OrganisationStaff`) edit its shared catalog and act
for every branch; a branch's staff (`ShopStaff` of the branch) act for their branch only —
its stock, its prices where the chain allows, its orders — and never for the shared catalog.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from comptoir.catalog.error_codes import CatalogErrorCode
from comptoir.catalog.models import ChainProduct, Offer, Organisation, OrganisationStaff, Shop
from comptoir.core.errors import NotAllowed, NotFound


def is_chain_staff(person: Any, organisation_id: int | None) -> bool:
    return bool(
        organisation_id
        and person.is_authenticated
        and OrganisationStaff.objects.filter(organisation_id=organisation_id, person=person).exists()
    )


def access_shop_for_staff(person: Any, shop_ref: str) -> Shop:
    if not person.is_authenticated:
        raise NotAllowed(_("Sign in to manage a shop."))
    shop = Shop.objects.filter(ref=shop_ref).first()
    if person.is_superuser:
        if shop is None:
            raise NotFound(_("No such shop."))
        return shop
    if shop is None or not (
        shop.staff.filter(person=person).exists() or is_chain_staff(person, shop.organisation_id)
    ):
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
    """Change, delete or import offers: the shop's staff, once the shop is active (a branch's
    changes are limited to stock and prices by the services, its import reads a stock file)."""
    return check_shop_may_sell(access_shop_for_staff(person, shop_ref))


def check_not_branch(shop: Shop) -> Shop:
    """A new product of a branch belongs in its chain's shared catalog."""
    if shop.organisation_id:
        raise NotAllowed(
            _("This shop is a branch of a chain: its products come from the chain's shared catalog.")
            + " "
            + _("A branch changes its stock and, where the chain allows, its prices."),
            code=CatalogErrorCode.SHARED_CATALOG,
        )
    return shop


def access_organisation_for_staff(person: Any, organisation_ref: str) -> Organisation:
    """The chain's shared catalog: its chain staff only (a branch's staff get a 403, as anybody)."""
    if not person.is_authenticated:
        raise NotAllowed(_("Sign in to manage a chain."), code=CatalogErrorCode.NOT_CHAIN_STAFF)
    organisation = Organisation.objects.filter(ref=organisation_ref).first()
    if person.is_superuser:
        if organisation is None:
            raise NotFound(_("No such chain."))
        return organisation
    if organisation is None or not is_chain_staff(person, organisation.pk):
        raise NotAllowed(
            _("Only the chain's staff may change its shared catalog."), code=CatalogErrorCode.NOT_CHAIN_STAFF
        )
    return organisation


def access_chain_product_for_staff(person: Any, product_id: int) -> ChainProduct:
    if not person.is_authenticated:
        raise NotAllowed(_("Sign in to manage a chain."), code=CatalogErrorCode.NOT_CHAIN_STAFF)
    product = ChainProduct.objects.select_related("organisation").filter(pk=product_id).first()
    if product is None:
        raise NotFound(_("No such product."))
    access_organisation_for_staff(person, product.organisation.ref)
    return product


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
    """The shops a person works in (a chain's staff reach its branches through the chain's page)."""
    if not person.is_authenticated:
        return []
    return list(Shop.objects.filter(staff__person=person).order_by("name"))


def organisations_of_staff(person: Any) -> list[Organisation]:
    if not person.is_authenticated:
        return []
    return list(Organisation.objects.filter(staff__person=person).order_by("name"))
