"""A chain's back office: its shared catalog, its import, its branches (decision 0016).

Only the chain's staff reach it (`access_organisation_for_staff`): a branch's staff get the
403 page, with the reason. A branch's own back office (stock, prices, orders) is the shop's.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from comptoir.catalog.import_files import import_limits
from comptoir.catalog.imports import do_queue_import
from comptoir.catalog.models import ImportJob
from comptoir.catalog.permissions import access_organisation_for_staff
from comptoir.core.errors import ComptoirError
from comptoir.core.inputs import read_page
from comptoir.web.forms import ImportForm

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
    form = ImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = do_queue_import(
                chain, upload.file, upload.name, size=upload.size, mode=form.cleaned_data["mode"],
                person=request.user,
            )  # fmt: skip
        except ComptoirError as error:
            form.add_error("file", error.message)
            status = 413 if upload.size > settings.COMPTOIR_IMPORT_MAX_BYTES else 400
        else:
            return redirect("web:chain-import-result", ref=chain.ref, job_id=job.pk)
    elif request.method == "POST":
        status = 400
    return render(
        request, "web/backoffice/chain_import.html",
        {"chain": chain, "form": form, "imports": chain.imports.all()[:10], "limits": import_limits()},
        status=status,
    )  # fmt: skip


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
