"""A chain's back office: its shared catalog, its import, its branches (decision 0016).

Only the chain's staff reach it (`access_organisation_for_staff`): a branch's staff get the
403 page, with the reason. A branch's own back office (stock, prices, orders) is the shop's.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from comptoir.catalog.models import ImportJob
from comptoir.catalog.permissions import access_organisation_for_staff
from comptoir.core.errors import ComptoirError
from comptoir.core.inputs import read_page
from comptoir.web.backoffice import import_page

PAGE = 25


@login_required
def dashboard(request: HttpRequest, ref: str) -> HttpResponse:
    chain = access_organisation_for_staff(request.user, ref)
    query = request.GET.get("q", "").strip()[:200]
    try:
        page = read_page(request.GET.get("page"))
    except ComptoirError as error:
        return render(request, "web/error.html", {"message": error.message}, status=400)
    products = chain.products.select_related("category").order_by("name_fr")
    if query:
        products = products.filter(name_fr__icontains=query) | products.filter(sku__icontains=query)
    total = products.count()
    return render(
        request, "web/backoffice/chain_dashboard.html",
        {
            "chain": chain, "products": list(products[(page - 1) * PAGE : page * PAGE]), "total": total,
            "q": query, "page": page, "has_next": page * PAGE < total,
            "branches": chain.branches.order_by("name"), "imports": chain.imports.all()[:5],
        },
    )  # fmt: skip


@login_required
def catalog_import(request: HttpRequest, ref: str) -> HttpResponse:
    chain = access_organisation_for_staff(request.user, ref)
    return import_page(request, chain, "chain", "web/backoffice/chain_import.html", "web:chain-import-result")


@login_required
def import_result(request: HttpRequest, ref: str, job_id: int) -> HttpResponse:
    chain = access_organisation_for_staff(request.user, ref)
    job = get_object_or_404(ImportJob, pk=job_id, organisation=chain)
    if request.headers.get("HX-Request"):
        return render(
            request,
            "web/backoffice/import_job.html",
            {"chain": chain, "job": job, "errors": job.errors[:1000]},
        )
    return render(
        request,
        "web/backoffice/chain_import_result.html",
        {"chain": chain, "job": job, "errors": job.errors[:1000]},
    )
