"""JSON API of privacy: a person's archive and the erasure of their account."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema

from comptoir.members.api import AUTH
from comptoir.privacy.services import do_erase_account
from comptoir.privacy.views import archive_response, bundle_response

router = Router(tags=["privacy"])
shops_router = Router(tags=["privacy"])


class EraseIn(Schema):
    password: str
    confirm: str  # "EFFACER" or "ERASE"


class EraseOut(Schema):
    erased: bool
    orders_kept: list[str]
    memberships_kept: list[str]
    kept: str


@router.get(
    "/archive",
    auth=AUTH,
    summary="Everything the node holds about me, as a ZIP of JSON and CSV files",
    openapi_extra={"responses": {200: {"description": "A ZIP archive",
                                       "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}}}}},
)  # fmt: skip
def my_archive(request: HttpRequest) -> HttpResponse:
    return archive_response(request.user)  # type: ignore[arg-type]


@router.post(
    "/erase", response=EraseOut, auth=AUTH, summary="Erase my account (what the law requires is kept)"
)
def erase(request: HttpRequest, body: EraseIn) -> dict[str, Any]:
    report = do_erase_account(person=request.user, password=body.password, confirm=body.confirm, via="api")  # type: ignore[arg-type]
    return {
        "erased": True, "orders_kept": report.orders_kept, "memberships_kept": report.memberships_kept,
        "kept": _("Orders (number, date, products, taxes, totals) and their entries in the books, without "
                  "name or address; cooperative shares until they are paid back."),
    }  # fmt: skip


@shops_router.get(
    "/shops/{ref}/bundle",
    auth=AUTH,
    summary="A shop's migration bundle (ZIP) for another Comptoir node: catalog, suppliers, images, orders, "
    "statements (shop staff)",
    openapi_extra={"responses": {200: {"description": "A ZIP archive",
                                       "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}}}}},
)  # fmt: skip
def shop_bundle(request: HttpRequest, ref: str) -> HttpResponse:
    return bundle_response(request, ref)
