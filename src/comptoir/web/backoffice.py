"""A shop's back office: its offers, bulk price and stock edits, imports and exports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.forms.models import model_to_dict
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from comptoir.catalog import services
from comptoir.catalog.exports import export_csv, export_xlsx, offer_as_raw
from comptoir.catalog.imports import do_import_catalog
from comptoir.catalog.models import Category, ImportJob, Offer, Shop
from comptoir.catalog.permissions import (
    access_offer_for_catalog_writes,
    access_shop_for_catalog_writes,
    access_shop_for_staff,
)
from comptoir.core.errors import ComptoirError
from comptoir.web.forms import ImportForm, OfferForm, OpeningHoursForm, ShopProfileForm

PAGE = 100


def _category_choices() -> list[tuple[str, str]]:
    english = (get_language() or "fr").startswith("en")
    return [(c.path, c.name_en if english else c.name_fr) for c in Category.objects.all()]


@login_required
def dashboard(request: HttpRequest, ref: str) -> HttpResponse:
    shop = access_shop_for_staff(request.user, ref)
    query = request.GET.get("q", "").strip()
    offers = shop.offers.order_by("name_fr")
    if query:
        offers = offers.filter(name_fr__icontains=query) | offers.filter(sku__icontains=query)
    page = max(1, int(request.GET.get("page", "1") or 1))
    total = offers.count()
    return render(
        request,
        "web/backoffice/dashboard.html",
        {
            "shop": shop, "offers": offers[(page - 1) * PAGE : page * PAGE], "q": query, "page": page,
            "total": total, "has_next": page * PAGE < total, "imports": shop.imports.all()[:5],
        },
    )  # fmt: skip


@login_required
def bulk_edit(request: HttpRequest, ref: str) -> HttpResponse:
    shop = access_shop_for_catalog_writes(request.user, ref)
    changes: dict[int, dict[str, str]] = {}
    for key in request.POST:
        column, _sep, offer_id = key.partition("-")
        value = request.POST.get(key, "")
        if column in {"price", "stock"} and offer_id.isdigit():
            original = request.POST.get(f"was_{column}-{offer_id}", "")
            if value.strip() != original.strip():
                changes.setdefault(int(offer_id), {})[column] = value
    try:
        count = services.do_bulk_set_prices_and_stock(shop, changes)
    except ComptoirError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(n)d offers updated.") % {"n": count})
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("web:shop-dashboard", ref=shop.ref)


@login_required
def offer_edit(request: HttpRequest, ref: str, offer_id: int | None = None) -> HttpResponse:
    shop = access_shop_for_catalog_writes(request.user, ref)
    offer = access_offer_for_catalog_writes(request.user, offer_id) if offer_id else None
    initial = {**offer_as_raw(offer), "on_demand": offer.on_demand, "active": offer.active} if offer else None
    form = OfferForm(request.POST or None, initial=initial, categories=_category_choices())
    if request.method == "POST" and form.is_valid():
        try:
            if offer:
                offer = services.do_update_offer(offer, form.cleaned_data)
            else:
                offer = services.do_create_offer(shop, form.cleaned_data)
        except ComptoirError as error:
            for item in error.details.get("errors") or [{"column": None, "message": error.message}]:
                form.add_error(item["column"] if item["column"] in form.fields else None, item["message"])
        else:
            messages.success(request, _("Offer saved: %(name)s") % {"name": offer.name_fr})
            return redirect("web:shop-dashboard", ref=shop.ref)
    return render(request, "web/backoffice/offer_form.html", {"shop": shop, "offer": offer, "form": form})


@login_required
def catalog_import(request: HttpRequest, ref: str) -> HttpResponse:
    shop = access_shop_for_catalog_writes(request.user, ref)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = do_import_catalog(
                shop, upload.file, upload.name, mode=form.cleaned_data["mode"], person=request.user
            )
        except ComptoirError as error:
            form.add_error("file", error.message)
        else:
            return redirect("web:shop-import-result", ref=shop.ref, job_id=job.pk)
    return render(request, "web/backoffice/import.html", {"shop": shop, "form": form})


@login_required
def catalog_import_result(request: HttpRequest, ref: str, job_id: int) -> HttpResponse:
    shop = access_shop_for_staff(request.user, ref)
    job = get_object_or_404(ImportJob, pk=job_id, shop=shop)
    return render(
        request, "web/backoffice/import_result.html", {"shop": shop, "job": job, "errors": job.errors[:1000]}
    )


@login_required
def catalog_export(request: HttpRequest, ref: str, fmt: str) -> HttpResponse | StreamingHttpResponse:
    shop = access_shop_for_staff(request.user, ref)
    response: HttpResponse | StreamingHttpResponse
    if fmt == "xlsx":
        response = HttpResponse(
            export_xlsx(shop),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = StreamingHttpResponse(export_csv(shop), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{shop.ref}-catalog.{fmt}"'
    return response


@login_required
def offer_delete(request: HttpRequest, ref: str, offer_id: int) -> HttpResponse:
    offer: Offer = access_offer_for_catalog_writes(request.user, offer_id)
    if request.method == "POST":
        services.do_delete_offer(offer)
        messages.success(request, _("Offer deleted."))
    return redirect("web:shop-dashboard", ref=ref)


def _hours_text(shop: Shop) -> dict[str, str]:
    spans: dict[str, list[str]] = {}
    for hours in shop.hours.all():
        spans.setdefault(f"day{hours.weekday}", []).append(f"{hours.opens:%H:%M}-{hours.closes:%H:%M}")
    return {day: ", ".join(parts) for day, parts in spans.items()}


@login_required
def shop_profile(request: HttpRequest, ref: str) -> HttpResponse:
    shop = access_shop_for_staff(request.user, ref)
    profile = ShopProfileForm(
        request.POST or None, initial=model_to_dict(shop, fields=ShopProfileForm.base_fields)
    )
    hours = OpeningHoursForm(request.POST or None, initial=_hours_text(shop))
    if request.method == "POST" and profile.is_valid() and hours.is_valid():
        try:
            with transaction.atomic():
                services.do_update_shop(shop, **profile.cleaned_data)
                services.do_set_opening_hours(shop, services.parse_opening_hours(hours.by_weekday()))
        except ComptoirError as error:
            profile.add_error(error.details.get("field"), error.message)
        else:
            messages.success(request, _("Shop profile saved."))
            return redirect("web:shop-profile", ref=shop.ref)
    return render(request, "web/backoffice/profile.html", {"shop": shop, "profile": profile, "hours": hours})
