"""Public pages: home, shop directory, shop and offer pages, sign-up and sign-in."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from comptoir.catalog import selectors
from comptoir.catalog.models import Organisation, Shop
from comptoir.catalog.services import do_apply_for_shop
from comptoir.core.errors import ComptoirError
from comptoir.members.models import Person
from comptoir.members.services import do_apply_for_membership
from comptoir.web.forms import MembershipForm, ShopProfileForm

SHOP_PAGE = 30  # offers per page of a shop's catalog: ~250 DOM elements, within the 400 budget
DIRECTORY_PAGE = 30  # shops per page of the directory (3,000 shops at 1M offers)


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/home.html",
        {
            "shops": selectors.shop_directory()[:12],
            "shop_count": selectors.active_shops().count(),
            "kinds": Shop.Kind.choices,
        },
    )


def directory(request: HttpRequest) -> HttpResponse:
    kind, neighbourhood = request.GET.get("kind", ""), request.GET.get("neighbourhood", "")
    shops = selectors.shop_directory(kind, neighbourhood)
    page_obj = Paginator(shops, DIRECTORY_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/directory.html",
        {
            "shops": page_obj,
            "page_obj": page_obj,
            "kinds": Shop.Kind.choices,
            "neighbourhoods": selectors.neighbourhoods(),
            "kind": kind,
            "neighbourhood": neighbourhood,
        },
    )


def shop_page(request: HttpRequest, ref: str) -> HttpResponse:
    shop = get_object_or_404(
        selectors.active_shops().select_related("organisation").prefetch_related("hours"), ref=ref
    )
    hours = list(shop.hours.all())
    # A page of the catalog, never the whole of it: an old phone and a slow line (issue 19).
    offers = selectors.visible_offers(shop).order_by("name_fr", "pk")  # pk: pages never overlap
    page_obj = Paginator(offers, SHOP_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/shop.html",
        {
            "shop": shop,
            "hours": hours,
            "open_now": selectors.is_open(hours),
            "offers": page_obj,
            "page_obj": page_obj,
        },
    )


def chain_page(request: HttpRequest, ref: str) -> HttpResponse:
    """A chain and its open branches, by name; 404 when none is open."""
    chain = get_object_or_404(Organisation, ref=ref)
    branches = list(
        selectors.active_shops().filter(organisation=chain).prefetch_related("hours").order_by("name")
    )
    if not branches:
        raise Http404
    rows = [(shop, selectors.is_open(list(shop.hours.all()))) for shop in branches]
    return render(request, "web/chain.html", {"chain": chain, "branches": rows})


def offer_page(request: HttpRequest, offer_id: int) -> HttpResponse:
    offer = get_object_or_404(
        selectors.sellable_offers().select_related("shop", "category", "supplier"), pk=offer_id
    )
    origin = selectors.offer_origin(offer, request.LANGUAGE_CODE)
    return render(request, "web/offer.html", {"offer": offer, "shop": offer.shop, "origin": origin})


@login_required
def apply_for_shop(request: HttpRequest) -> HttpResponse:
    form = ShopProfileForm(request.POST or None, initial={"offers_collect": True, "offers_delivery": True})
    if request.method == "POST" and form.is_valid():
        try:
            shop = do_apply_for_shop(request.user, **form.cleaned_data)
        except ComptoirError as error:
            form.add_error(error.details.get("field"), error.message)
        else:
            messages.success(
                request, _("Thank you! The cooperative will review %(name)s soon.") % {"name": shop.name}
            )
            return redirect("web:shop-dashboard", ref=shop.ref)
    return render(request, "web/apply_shop.html", {"form": form})


@login_required
def membership(request: HttpRequest) -> HttpResponse:
    person = cast(Person, request.user)  # login_required
    form = MembershipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            do_apply_for_membership(person, form.cleaned_data["college"], form.cleaned_data["motivation"])
        except ComptoirError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("Your application is sent; the cooperative's staff will answer by email.")
            )
            return redirect("web:membership")
    return render(
        request,
        "web/membership.html",
        {"form": form, "memberships": person.memberships.select_related("college"),
         "applications": person.applications.select_related("college").order_by("-created")},
    )  # fmt: skip
