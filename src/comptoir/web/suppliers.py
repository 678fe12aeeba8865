"""Suppliers' public pages and directory, the local share of sales, and a shop's suppliers page.

Views parse, call one selector or service, render; the rules live in `catalog.suppliers`
(matching), `catalog.selectors` (directory, origins) and `orders.local_share` (the figures).
"""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from comptoir.catalog import selectors
from comptoir.catalog.error_codes import CatalogErrorCode
from comptoir.catalog.models import Supplier
from comptoir.catalog.permissions import access_shop_for_catalog_writes
from comptoir.catalog.suppliers import do_create_supplier, match_supplier
from comptoir.core.errors import ComptoirError, InvalidInput
from comptoir.orders.local_share import local_shares, overall
from comptoir.web.forms import SupplierForm

SUPPLIER_PAGE = 30  # products per page of a supplier's page, as a shop's


def _within(text: str) -> float | None:
    if not text.strip():
        return None
    try:
        km = float(text.replace(",", "."))
    except ValueError:
        km = -1.0
    if not 0 < km <= 20_000:
        raise InvalidInput(_("Give a distance in km, e.g. 50."), field="within")
    return km


def supplier_directory(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    error, within = "", None
    try:
        within = _within(request.GET.get("within", ""))
    except InvalidInput as invalid:
        error = invalid.message
    rule = selectors.local_rule()
    rows = [
        (supplier, km, selectors.supplier_is_local(supplier, km, rule))
        for supplier, km in selectors.supplier_directory(kind if kind in Supplier.Kind.values else "", within)
    ]
    context = {"rows": rows, "kinds": Supplier.Kind.choices, "kind": kind, "within": request.GET.get("within", ""),
               "error": error, "local_means": selectors.local_means(rule)}  # fmt: skip
    return render(request, "web/suppliers.html", context, status=400 if error else 200)


def supplier_page(request: HttpRequest, ref: str) -> HttpResponse:
    supplier = get_object_or_404(Supplier, ref=ref)
    km = selectors.supplier_km(supplier)
    page_obj = Paginator(selectors.supplier_offers(supplier), SUPPLIER_PAGE).get_page(request.GET.get("page"))
    return render(request, "web/supplier.html", {
        "supplier": supplier, "km": km, "local": selectors.supplier_is_local(supplier, km),
        "shops": selectors.supplier_shops(supplier), "offers": page_obj, "page_obj": page_obj,
    })  # fmt: skip


CSV_COLUMNS = [
    "month", "shop", "shop_name", "local_cents", "unknown_cents", "total_cents", "local_value_percent",
    "local_units", "unknown_units", "total_units", "local_units_percent",
]  # fmt: skip


def local_share_page(request: HttpRequest) -> HttpResponse:
    """Public: the share of sales from local suppliers, per month, for all shops and each shop."""
    rows = local_shares()
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="comptoir-local-share.csv"'
        writer = csv.writer(response)
        writer.writerow(CSV_COLUMNS)
        writer.writerows([[row.as_dict()[c] for c in CSV_COLUMNS] for row in rows])
        return response
    months = [row for row in rows if not row.shop_ref]
    return render(request, "web/local_share.html", {
        "months": months, "rows": rows, "overall": overall(months), "local_means": selectors.local_means(),
    })  # fmt: skip


@login_required
def shop_suppliers(request: HttpRequest, ref: str) -> HttpResponse:
    """A shop finds a supplier (exact name + postal code), or adds one; a close name is proposed
    and the shop confirms it is a different supplier. Also its own local share of sales."""
    shop = access_shop_for_catalog_writes(request.user, ref)
    form = SupplierForm(request.POST or None)
    found: Supplier | None = None
    close: list[Supplier] = []
    status = 200
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        distinct = data.pop("distinct_from_close")
        try:
            found = do_create_supplier(shop=shop, distinct_from_close=distinct, **data)
        except ComptoirError as error:
            status = 400
            if error.code == CatalogErrorCode.SUPPLIER_EXISTS:
                found = Supplier.objects.filter(ref=error.details.get("ref")).first()
            elif error.code == CatalogErrorCode.SUPPLIER_CLOSE_MATCH:
                close = list(match_supplier(data["name"], data.get("postal_code", "")).close)
            form.add_error(error.details.get("field"), error.message)
    mine = local_shares(shop_ref=shop.ref)
    return render(request, "web/backoffice/suppliers.html", {
        "shop": shop, "form": form, "found": found, "close": close, "shares": mine, "overall": overall(mine),
        "linked": Supplier.objects.filter(offers__shop=shop).distinct().order_by("name"),
    }, status=status)  # fmt: skip
