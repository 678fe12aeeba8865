"""A shop's back office: its offers, bulk price and stock edits, imports and exports."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.forms.models import model_to_dict
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from comptoir.catalog import services
from comptoir.catalog.exports import NUMBER_COLUMNS, export_csv, export_xlsx, offer_as_raw
from comptoir.catalog.import_files import import_limits
from comptoir.catalog.imports import do_queue_import
from comptoir.catalog.models import Category, ImportJob, Offer, Organisation, Shop
from comptoir.catalog.permissions import (
    access_offer_for_catalog_writes,
    access_shop_for_catalog_writes,
    access_shop_for_staff,
    check_not_branch,
)
from comptoir.core.errors import ComptoirError, NotAllowed
from comptoir.core.inputs import read_page
from comptoir.web.forms import ImportForm, OfferForm, OpeningHoursForm, ShopProfileForm

PAGE = 25  # rows of the back office's offer table: a phone's screenful or two, within the page budget


def _category_choices() -> list[tuple[str, str]]:
    english = (get_language() or "fr").startswith("en")
    return [(c.path, c.name_en if english else c.name_fr) for c in Category.objects.all()]


def _dashboard(
    request: HttpRequest,
    shop: Shop,
    *,
    query: str,
    page: int,
    bulk: services.BulkOutcome | None = None,
    typed: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    offers = shop.offers.order_by("name_fr")
    if query:
        offers = offers.filter(name_fr__icontains=query) | offers.filter(sku__icontains=query)
    total = offers.count()
    rows = list(offers[(page - 1) * PAGE : page * PAGE])
    errors = bulk.errors if bulk else {}
    typed = typed or {}
    for offer in rows:  # what the person typed stays in a refused cell, with the reason beside it
        offer.price_error = errors.get((offer.pk, "price"), "")  # type: ignore[attr-defined]
        offer.stock_error = errors.get((offer.pk, "stock"), "")  # type: ignore[attr-defined]
        offer.price_typed = typed.get(f"price-{offer.pk}") if offer.price_error else None  # type: ignore[attr-defined]
        offer.stock_typed = typed.get(f"stock-{offer.pk}") if offer.stock_error else None  # type: ignore[attr-defined]
    return render(
        request,
        "web/backoffice/dashboard.html",
        {
            "shop": shop, "offers": rows, "q": query, "page": page, "total": total,
            "has_next": page * PAGE < total, "imports": shop.imports.all()[:5], "bulk_errors": len(errors),
        },
        status=status,
    )  # fmt: skip


@login_required
def dashboard(request: HttpRequest, ref: str) -> HttpResponse:
    shop = access_shop_for_staff(request.user, ref)
    query = request.GET.get("q", "").strip()[:200]
    try:
        page = read_page(request.GET.get("page"))
    except ComptoirError as error:
        return render(request, "web/error.html", {"message": error.message}, status=400)
    return _dashboard(request, shop, query=query, page=page)


@login_required
def bulk_edit(request: HttpRequest, ref: str) -> HttpResponse:
    shop = access_shop_for_catalog_writes(request.user, ref)
    if request.method != "POST":
        return redirect("web:shop-dashboard", ref=shop.ref)
    changes: dict[int, dict[str, str]] = {}
    for key in request.POST:
        column, _sep, offer_id = key.partition("-")
        value = request.POST.get(key, "")
        if column in {"price", "stock"} and offer_id.isascii() and offer_id.isdigit() and len(offer_id) < 19:
            original = request.POST.get(f"was_{column}-{offer_id}", "")
            if value.strip() != original.strip():
                changes.setdefault(int(offer_id), {})[column] = value
    outcome = services.do_bulk_set_prices_and_stock(shop, changes)
    if outcome.updated:
        messages.success(
            request,
            ngettext("%(n)d offer updated.", "%(n)d offers updated.", outcome.updated)
            % {"n": outcome.updated},
        )
    if outcome.errors:
        messages.error(
            request,
            ngettext(
                "%(n)d value was refused: it is marked below, as you typed it.",
                "%(n)d values were refused: they are marked below, as you typed them.",
                len(outcome.errors),
            )
            % {"n": len(outcome.errors)},
        )
        try:
            page = read_page(request.POST.get("page"))
        except ComptoirError:
            page = 1
        typed = {k: str(v)[:40] for k, v in request.POST.items() if k.startswith(("price-", "stock-"))}
        query = request.POST.get("q", "").strip()[:200]
        return _dashboard(request, shop, query=query, page=page, bulk=outcome, typed=typed, status=422)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""  # a posted `next` never sends the person to another site
    return redirect(target) if target else redirect("web:shop-dashboard", ref=shop.ref)


def _localised(raw: dict[str, Any]) -> dict[str, Any]:
    """Decimals as the list shows them (3,20 in French); the checks read either separator."""
    separator = "." if (get_language() or "fr").startswith("en") else ","
    return {k: v.replace(".", separator) if k in NUMBER_COLUMNS else v for k, v in raw.items()}


@login_required
def offer_edit(request: HttpRequest, ref: str, offer_id: int | None = None) -> HttpResponse:
    shop = access_shop_for_catalog_writes(request.user, ref)
    offer = access_offer_for_catalog_writes(request.user, offer_id) if offer_id else None
    if offer is None:
        check_not_branch(shop)  # a branch's products come from its chain's shared catalog: 403
    initial = (
        {**_localised(offer_as_raw(offer)), "on_demand": offer.on_demand, "active": offer.active}
        if offer
        else None
    )
    form = OfferForm(request.POST or None, initial=initial, categories=_category_choices())
    if offer is not None and offer.chain_product_id is not None:
        _only_branch_fields(form, offer)
    if request.method == "POST" and form.is_valid():
        try:
            if offer:
                offer = services.do_update_offer(offer, form.cleaned_data)
            else:
                offer = services.do_create_offer(shop, form.cleaned_data)
        except NotAllowed:
            raise  # a shared field of a branch's offer: the 403 page says why
        except ComptoirError as error:
            for item in error.details.get("errors") or [{"column": None, "message": error.message}]:
                form.add_error(item["column"] if item["column"] in form.fields else None, item["message"])
        else:
            messages.success(request, _("Offer saved: %(name)s") % {"name": offer.name_fr})
            return redirect("web:shop-dashboard", ref=shop.ref)
    status = 400 if request.method == "POST" else 200  # a POST that reaches here was refused
    return render(
        request, "web/backoffice/offer_form.html", {"shop": shop, "offer": offer, "form": form}, status=status
    )


@login_required
def catalog_import(request: HttpRequest, ref: str) -> HttpResponse:
    shop = access_shop_for_catalog_writes(request.user, ref)
    return import_page(request, shop, "shop", "web/backoffice/import.html", "web:shop-import-result")


def import_page(
    request: HttpRequest, owner: Shop | Organisation, name: str, template: str, result_route: str
) -> HttpResponse:
    """A shop's or a chain's import form: the file is queued for the worker, then its job's page."""
    form = ImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = do_queue_import(
                owner, upload.file, upload.name, size=upload.size, mode=form.cleaned_data["mode"],
                person=request.user,
            )  # fmt: skip
        except ComptoirError as error:
            form.add_error("file", error.message)
            status = 413 if upload.size > settings.COMPTOIR_IMPORT_MAX_BYTES else 400
        else:
            return redirect(result_route, ref=owner.ref, job_id=job.pk)
    elif request.method == "POST":
        status = 400
    return render(
        request, template,
        {name: owner, "form": form, "imports": owner.imports.all()[:10], "limits": import_limits()},
        status=status,
    )  # fmt: skip


@login_required
def catalog_import_result(request: HttpRequest, ref: str, job_id: int) -> HttpResponse:
    """The job's page; while it runs, htmx fetches its live part every second (no JS: the page reloads)."""
    shop = access_shop_for_staff(request.user, ref)
    job = get_object_or_404(ImportJob, pk=job_id, shop=shop)
    template = (
        "web/backoffice/import_job.html"
        if request.headers.get("HX-Request")
        else "web/backoffice/import_result.html"
    )
    return render(request, template, {"shop": shop, "job": job, "errors": job.errors[:1000]})


EXPORT_FORMATS = {"csv", "xlsx"}


@login_required
def catalog_export(request: HttpRequest, ref: str, fmt: str) -> HttpResponse | StreamingHttpResponse:
    shop = access_shop_for_staff(request.user, ref)
    if fmt not in EXPORT_FORMATS:  # the format goes into a header: only known words get there
        raise Http404
    response: HttpResponse | StreamingHttpResponse
    if fmt == "xlsx":
        response = HttpResponse(
            export_xlsx(shop),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = StreamingHttpResponse(
            export_csv(shop, settings.LANGUAGE_CODE), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{shop.ref}-catalog.{fmt}"'
    return response


@login_required
def offer_delete(request: HttpRequest, ref: str, offer_id: int) -> HttpResponse:
    """Asked on its own page first (works without JS), then deleted by the POST."""
    offer: Offer = access_offer_for_catalog_writes(request.user, offer_id)
    if request.method == "POST":
        services.do_delete_offer(offer)
        messages.success(request, _("Offer deleted."))
        return redirect("web:shop-dashboard", ref=ref)
    question = _("Delete the offer “%(name)s”? Residents will not find it any more.") % {
        "name": offer.name_fr
    }
    back = reverse("web:shop-offer-edit", args=[ref, offer.pk])
    return render(request, "web/confirm.html", {"question": question, "back": back, "reason": False})


def _only_branch_fields(form: OfferForm, offer: Offer) -> None:
    """A branch's offer: its stock (and its price where the chain allows) are the branch's to change;
    the rest is the chain's product, shown but not editable (posted values are ignored)."""
    chain = offer.shop.organisation
    own = {"stock", "price"} if chain is not None and chain.branches_set_prices else {"stock"}
    for name, field in form.fields.items():
        if name not in own:
            field.disabled = True


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
