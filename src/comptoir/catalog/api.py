"""JSON API for shops and offers: public reads, writes for the shop's staff."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from comptoir.catalog import chains, linked_data, selectors, services
from comptoir.catalog.imports import do_queue_import
from comptoir.catalog.models import Category, ChainProduct, ImportJob, Offer, Organisation, Shop
from comptoir.catalog.permissions import (
    access_chain_product_for_staff,
    access_offer_for_catalog_writes,
    access_organisation_for_staff,
    access_shop_for_catalog_writes,
    access_shop_for_staff,
)
from comptoir.catalog.validation import MAX_DESCRIPTION
from comptoir.core.inputs import MAX_OFFSET
from comptoir.core.numbers import MAX_TEXT
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
    """`chain_product`: the shared product a branch's offer copies (null for a shop's own offer);
    `branch_price`: the branch set this price itself."""

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
    tax_code: str
    stock: int
    on_demand: bool
    weight_g: int
    volume_ml: int
    active: bool
    chain_product: int | None = Field(None, alias="chain_product_id")
    branch_price: bool = False
    supplier: str | None = None  # the supplier's reference (decision 0015)
    origin_place: str = ""
    origin_lat: float | None = None
    origin_lon: float | None = None
    origin_postal_code: str = ""
    origin_country: str = ""
    origin_stated_by: str = ""
    origin_label: str = ""

    @staticmethod
    def resolve_shop_ref(offer: Offer) -> str:
        return offer.shop.ref

    @staticmethod
    def resolve_supplier(offer: Offer) -> str | None:
        return offer.supplier.ref if offer.supplier is not None else None

    @staticmethod
    def resolve_category(offer: Offer) -> str | None:
        return offer.category.path if offer.category is not None else None


def _column(name: str, default: int | None = None) -> Any:
    """A text field as long as its model column allows (or `default` for text without a limit),
    so a longer string is a 422 naming the field on every database, never a database error."""
    max_length = getattr(Offer._meta.get_field(name), "max_length", None) or default
    return Field(None, max_length=max_length)


NUMBER_TEXT = Field(None, max_length=MAX_TEXT)


class OfferIn(Schema):
    """Values as a person writes them ("2,40", "yes"): the same checks as an import row."""

    sku: str | None = _column("sku")
    gtin: str | None = _column("gtin")
    name_fr: str | None = _column("name_fr")
    name_en: str | None = _column("name_en")
    description_fr: str | None = _column("description_fr", MAX_DESCRIPTION)
    description_en: str | None = _column("description_en", MAX_DESCRIPTION)
    category: str | None = Field(None, max_length=Category._meta.get_field("path").max_length)
    unit: str | None = Field(None, max_length=32)
    quantity: str | None = NUMBER_TEXT
    price: str | None = NUMBER_TEXT
    tax_rate: str | None = NUMBER_TEXT
    tax_code: str | None = _column("tax_code")
    stock: str | None = NUMBER_TEXT
    on_demand: bool | None = None
    weight_g: str | None = NUMBER_TEXT
    volume_ml: str | None = NUMBER_TEXT
    active: bool | None = None
    supplier: str | None = Field(None, max_length=64)  # a supplier's reference; "" unlinks
    origin: str | None = _column("origin_place")  # a place of production other than the supplier's
    origin_lat: str | None = NUMBER_TEXT
    origin_lon: str | None = NUMBER_TEXT
    origin_postal_code: str | None = _column("origin_postal_code")
    origin_country: str | None = Field(None, max_length=20)  # two letters (CA, FR); blank: the node's
    origin_stated_by: str | None = Field(None, max_length=16)  # shop, supplier or label
    origin_label: str | None = _column("origin_label")


class ImportOut(Schema):
    """An import job: `queued` or `running` until the worker is done, then applied, partial, rejected or failed."""

    id: int
    status: str
    filename: str
    mode: str
    rows_expected: int | None
    rows_done: int
    rows_total: int
    rows_created: int
    rows_updated: int
    rows_rejected: int
    errors: list[dict[str, Any]]
    errors_total: int
    message: str


@router.get("/shops", response=list[ShopOut], summary="Active shops of the node")
def list_shops(request: HttpRequest, kind: str = "", neighbourhood: str = "") -> Any:
    return selectors.shop_directory(kind, neighbourhood)


@router.get("/shops/{ref}", response=ShopOut)
def get_shop(request: HttpRequest, ref: str) -> Shop:
    return get_object_or_404(selectors.active_shops(), ref=ref)


@router.get("/shops/{ref}/offers", response=list[OfferOut], summary="A shop's active offers")
def list_offers(
    request: HttpRequest,
    ref: str,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> Any:
    shop = get_object_or_404(selectors.active_shops(), ref=ref)
    return selectors.visible_offers(shop).select_related("shop", "supplier")[offset : offset + limit]


@router.post(
    "/shops/{ref}/offers", response={201: OfferOut}, auth=AUTH, summary="Create an offer (shop staff)"
)
def create_offer(request: HttpRequest, ref: str, body: OfferIn) -> Status[Offer]:
    """A branch's products come from its chain's shared catalog: 403 `shared_catalog` here."""
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


@router.post(
    "/shops/{ref}/imports",
    response={202: ImportOut},
    auth=AUTH,
    summary="Send a CSV or XLSX catalog: checked and written in the background; poll the job",
)
def import_catalog(
    request: HttpRequest, ref: str, file: File[UploadedFile], mode: Form[str] = ImportJob.Mode.ALL_OR_NOTHING
) -> Status[ImportJob]:
    shop = access_shop_for_catalog_writes(request.user, ref)
    job = do_queue_import(
        shop, file.open("rb"), file.name or "upload.csv", size=file.size or 0, mode=mode, person=request.user
    )
    job.refresh_from_db()  # a worker that runs tasks at once (tests, small nodes) may be done already
    return Status(202, job)


@router.get(
    "/shops/{ref}/imports/{job_id}",
    response=ImportOut,
    auth=AUTH,
    summary="An import job's progress and report",
)
def get_import(request: HttpRequest, ref: str, job_id: int) -> ImportJob:
    shop = access_shop_for_staff(request.user, ref)
    return get_object_or_404(ImportJob, pk=job_id, shop=shop)


class OrganisationOut(Schema):
    ref: str
    name: str
    branches_set_prices: bool
    branches: list[str]

    @staticmethod
    def resolve_branches(organisation: Organisation) -> list[str]:
        return [shop.ref for shop in organisation.branches.filter(status=Shop.Status.ACTIVE).order_by("ref")]


class ChainProductOut(Schema):
    id: int
    sku: str
    gtin: str
    name_fr: str
    name_en: str
    category: str | None
    unit: str
    quantity: Decimal
    price_cents: int
    tax_rate: Decimal
    on_demand: bool
    weight_g: int
    volume_ml: int
    active: bool

    @staticmethod
    def resolve_category(product: ChainProduct) -> str | None:
        return product.category.path if product.category is not None else None


@router.get("/organisations/{ref}", response=OrganisationOut, summary="A chain and its active branches")
def get_organisation(request: HttpRequest, ref: str) -> Organisation:
    return get_object_or_404(Organisation, ref=ref)


@router.get(
    "/organisations/{ref}/products",
    response=list[ChainProductOut],
    auth=AUTH,
    summary="A chain's shared catalog (the chain's staff)",
)
def list_chain_products(
    request: HttpRequest,
    ref: str,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> Any:
    organisation = access_organisation_for_staff(request.user, ref)
    return organisation.products.select_related("category").order_by("sku")[offset : offset + limit]


@router.post(
    "/organisations/{ref}/products",
    response={201: ChainProductOut},
    auth=AUTH,
    summary="Add a product to a chain's shared catalog: every branch sells it (the chain's staff)",
)
def create_chain_product(request: HttpRequest, ref: str, body: OfferIn) -> Status[ChainProduct]:
    organisation = access_organisation_for_staff(request.user, ref)
    return Status(201, chains.do_save_chain_product(organisation, body.dict(exclude_none=True)))


@router.patch(
    "/chain-products/{product_id}",
    response=ChainProductOut,
    auth=AUTH,
    summary="Change a product of a chain's shared catalog, in every branch (the chain's staff)",
)
def update_chain_product(request: HttpRequest, product_id: int, body: OfferIn) -> ChainProduct:
    product = access_chain_product_for_staff(request.user, product_id)
    return chains.do_save_chain_product(product.organisation, body.dict(exclude_none=True), product)


@router.delete(
    "/chain-products/{product_id}",
    response={204: None},
    auth=AUTH,
    summary="Remove a product from a chain's shared catalog and every branch (the chain's staff)",
)
def delete_chain_product(request: HttpRequest, product_id: int) -> Status[None]:
    chains.do_delete_chain_product(access_chain_product_for_staff(request.user, product_id))
    return Status(204, None)


@router.post(
    "/organisations/{ref}/imports",
    response={202: ImportOut},
    auth=AUTH,
    summary="Send a chain's shared catalog as CSV or XLSX (the chain's staff); poll the job",
)
def import_chain_catalog(
    request: HttpRequest, ref: str, file: File[UploadedFile], mode: Form[str] = ImportJob.Mode.ALL_OR_NOTHING
) -> Status[ImportJob]:
    organisation = access_organisation_for_staff(request.user, ref)
    job = do_queue_import(
        organisation, file.open("rb"), file.name or "upload.csv", size=file.size or 0, mode=mode,
        person=request.user,
    )  # fmt: skip
    job.refresh_from_db()
    return Status(202, job)


@router.get(
    "/organisations/{ref}/imports/{job_id}",
    response=ImportOut,
    auth=AUTH,
    summary="A chain catalog import's progress and report",
)
def get_chain_import(request: HttpRequest, ref: str, job_id: int) -> ImportJob:
    organisation = access_organisation_for_staff(request.user, ref)
    return get_object_or_404(ImportJob, pk=job_id, organisation=organisation)


LD_JSON = {"application/ld+json": {"schema": {"type": "object"}}}


@router.get(
    "/shops/{ref}/catalog.jsonld",
    summary="A shop's visible offers as JSON-LD: schema.org (ItemList of Product/Offer) or Data Food Consortium",
    openapi_extra={"responses": {200: {"description": "A JSON-LD document", "content": LD_JSON}}},
)
def shop_catalog_jsonld(
    request: HttpRequest, ref: str, vocabulary: str = Query("schema.org", pattern="^(schema.org|dfc)$")
) -> HttpResponse:
    shop = get_object_or_404(selectors.active_shops(), ref=ref)
    offers = list(selectors.visible_offers(shop).select_related("shop", "category", "supplier"))
    document = (
        linked_data.dfc_catalog(shop, offers)
        if vocabulary == "dfc"
        else linked_data.schema_org_catalog(shop, offers)
    )
    return JsonResponse(document, content_type="application/ld+json")


@router.get(
    "/offers/{offer_id}/jsonld",
    summary="One offer as a schema.org Product with its Offer (JSON-LD)",
    openapi_extra={"responses": {200: {"description": "A JSON-LD document", "content": LD_JSON}}},
)
def offer_jsonld(request: HttpRequest, offer_id: int) -> HttpResponse:
    offer = get_object_or_404(
        selectors.sellable_offers().select_related("shop", "category", "supplier"), pk=offer_id
    )
    return JsonResponse(linked_data.schema_org_product(offer), content_type="application/ld+json")
