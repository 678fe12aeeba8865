"""JSON API for suppliers (decision 0015): the directory and a supplier's page for everyone;
finding or adding a supplier for a shop's staff. Offers name their supplier by reference in
`POST/PATCH` of the catalog API."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from comptoir.catalog import selectors
from comptoir.catalog.models import Supplier
from comptoir.catalog.permissions import access_shop_for_catalog_writes
from comptoir.catalog.provenance import LocalRule
from comptoir.catalog.suppliers import do_create_supplier
from comptoir.members.api import AUTH

router = Router(tags=["suppliers"])


class SupplierOut(Schema):
    ref: str
    name: str
    kind: str
    description_fr: str
    description_en: str
    postal_code: str
    city: str
    region: str
    country: str
    lat: float | None
    lon: float | None
    website: str
    listed: bool
    km: float | None = None  # from the node's centre; null when only a region is known
    local: bool = False  # within the governed `local_radius_km`, or inside the voted `local_territory`


class SupplierIn(Schema):
    name: str = Field(..., max_length=150)
    kind: str = Field("other", max_length=16)
    description_fr: str = Field("", max_length=5000)
    description_en: str = Field("", max_length=5000)
    address: str = Field("", max_length=200)
    postal_code: str = Field("", max_length=10)
    city: str = Field("", max_length=100)
    region: str = Field("", max_length=100)
    country: str = Field("", max_length=2)
    lat: float | None = None
    lon: float | None = None
    website: str = Field("", max_length=200)
    listed: bool = False
    # A close name was proposed (422 `supplier_close_match`) and the shop says it is another one.
    distinct_from_close: bool = False


def _out(supplier: Supplier, km: float | None, rule: LocalRule) -> dict[str, Any]:
    data = {name: getattr(supplier, name) for name in SupplierOut.model_fields if name not in {"km", "local"}}
    local = selectors.supplier_is_local(supplier, km, rule)
    return {**data, "km": None if km is None else round(km, 1), "local": local}


@router.get("/suppliers", response=list[SupplierOut], summary="The suppliers' directory, nearest first")
def list_suppliers(
    request: HttpRequest, kind: str = "", within_km: float | None = Query(None, gt=0, le=20_000)
) -> Any:
    """Only the suppliers that agreed to be listed; no other order than the distance."""
    rule = selectors.local_rule()
    return [_out(s, km, rule) for s, km in selectors.supplier_directory(kind, within_km)]


@router.get("/suppliers/{ref}", response=SupplierOut, summary="A supplier")
def get_supplier(request: HttpRequest, ref: str) -> Any:
    supplier = get_object_or_404(Supplier, ref=ref)
    return _out(supplier, selectors.supplier_km(supplier), selectors.local_rule())


@router.post(
    "/shops/{ref}/suppliers", response={201: SupplierOut}, auth=AUTH, summary="Add a supplier (shop staff)"
)
def create_supplier(request: HttpRequest, ref: str, body: SupplierIn) -> Status[Any]:
    """422 `supplier_exists` with its `ref` when the exact name and postal code are known;
    422 `supplier_close_match` with `candidates` when close names exist, until the shop sends
    `distinct_from_close: true`."""
    shop = access_shop_for_catalog_writes(request.user, ref)
    fields = body.dict()
    distinct = fields.pop("distinct_from_close")
    supplier = do_create_supplier(shop=shop, distinct_from_close=distinct, **fields)
    return Status(201, _out(supplier, selectors.supplier_km(supplier), selectors.local_rule()))
