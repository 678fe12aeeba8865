"""JSON API for shops and offers: public reads, writes for the shop's staff."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from comptoir.catalog import selectors, services
from comptoir.catalog.imports import do_import_catalog
from comptoir.catalog.models import ImportJob, Offer, Shop
from comptoir.catalog.permissions import access_offer_for_catalog_writes, access_shop_for_catalog_writes
from comptoir.members.api import AUTH

router = Router(tags=["catalog"])


class ShopOut(Schema):
    ref: str
    name: str
    kind: str
    neighbourhood: str
    address: str
    postal_code: str
    city: str
    lat: float
    lon: float
    offers_collect: bool
    offers_delivery: bool


class OfferOut(Schema):
    id: int
    shop_ref: str
    sku: str
    gtin: str
    name_fr: str
    name_en: str
    description_fr: str
    description_en: str
    category: str | None
    unit: str
    quantity: Decimal
    price_cents: int
    tax_rate: Decimal
    stock: int
    on_demand: bool
    weight_g: int
    volume_ml: int
    active: bool

    @staticmethod
    def resolve_shop_ref(offer: Offer) -> str:
        return offer.shop.ref

    @staticmethod
    def resolve_category(offer: Offer) -> str | None:
        return offer.category.path if offer.category is not None else None


class OfferIn(Schema):
    """Values as a person writes them ("2,40", "yes"): the same checks as an import row."""

    sku: str | None = None
    gtin: str | None = None
    name_fr: str | None = None
    name_en: str | None = None
    description_fr: str | None = None
    description_en: str | None = None
    category: str | None = None
    unit: str | None = None
    quantity: str | None = None
    price: str | None = None
    tax_rate: str | None = None
    stock: str | None = None
    on_demand: bool | None = None
    weight_g: str | None = None
    volume_ml: str | None = None
    active: bool | None = None


class ImportOut(Schema):
    id: int
    status: str
    rows_total: int
    rows_created: int
    rows_updated: int
    rows_rejected: int
    errors: list[dict[str, Any]]


@router.get("/shops", response=list[ShopOut], summary="Active shops of the node")
def list_shops(request: HttpRequest, kind: str = "", neighbourhood: str = "") -> Any:
    return selectors.shop_directory(kind, neighbourhood)


@router.get("/shops/{ref}", response=ShopOut)
def get_shop(request: HttpRequest, ref: str) -> Shop:
    return get_object_or_404(selectors.active_shops(), ref=ref)


@router.get("/shops/{ref}/offers", response=list[OfferOut], summary="A shop's active offers")
def list_offers(request: HttpRequest, ref: str, limit: int = 100, offset: int = 0) -> Any:
    shop = get_object_or_404(selectors.active_shops(), ref=ref)
    limit = max(1, min(limit, 1000))
    return selectors.visible_offers(shop).select_related("shop")[offset : offset + limit]


@router.post(
    "/shops/{ref}/offers", response={201: OfferOut}, auth=AUTH, summary="Create an offer (shop staff)"
)
def create_offer(request: HttpRequest, ref: str, body: OfferIn) -> Status[Offer]:
    shop = access_shop_for_catalog_writes(request.user, ref)
    return Status(201, services.do_create_offer(shop, body.dict(exclude_none=True)))


@router.get("/offers/{offer_id}", response=OfferOut)
def get_offer(request: HttpRequest, offer_id: int) -> Offer:
    return get_object_or_404(selectors.sellable_offers().select_related("shop", "category"), pk=offer_id)


@router.patch("/offers/{offer_id}", response=OfferOut, auth=AUTH, summary="Change an offer (shop staff)")
def update_offer(request: HttpRequest, offer_id: int, body: OfferIn) -> Offer:
    offer = access_offer_for_catalog_writes(request.user, offer_id)
    return services.do_update_offer(offer, body.dict(exclude_none=True))


@router.delete("/offers/{offer_id}", response={204: None}, auth=AUTH, summary="Delete an offer (shop staff)")
def delete_offer(request: HttpRequest, offer_id: int) -> Status[None]:
    services.do_delete_offer(access_offer_for_catalog_writes(request.user, offer_id))
    return Status(204, None)


@router.post("/shops/{ref}/imports", response=ImportOut, auth=AUTH, summary="Import a CSV or XLSX catalog")
def import_catalog(
    request: HttpRequest, ref: str, file: File[UploadedFile], mode: Form[str] = ImportJob.Mode.ALL_OR_NOTHING
) -> ImportJob:
    shop = access_shop_for_catalog_writes(request.user, ref)
    if mode not in ImportJob.Mode.values:
        mode = ImportJob.Mode.ALL_OR_NOTHING
    return do_import_catalog(shop, file.open("rb"), file.name or "upload.csv", mode=mode, person=request.user)
