"""Public pages: home, shop directory, shop and offer pages, sign-up and sign-in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from comptoir.catalog import selectors
from comptoir.catalog.models import Offer, Shop
from comptoir.core.errors import ComptoirError
from comptoir.members.services import do_register_person
from comptoir.web.forms import SignupForm


def home(request: HttpRequest) -> HttpResponse:
    shops = selectors.shop_directory()
    return render(
        request,
        "web/home.html",
        {"shops": shops[:12], "shop_count": shops.count(), "kinds": Shop.Kind.choices},
    )


def directory(request: HttpRequest) -> HttpResponse:
    kind, neighbourhood = request.GET.get("kind", ""), request.GET.get("neighbourhood", "")
    return render(
        request,
        "web/directory.html",
        {
            "shops": selectors.shop_directory(kind, neighbourhood),
            "kinds": Shop.Kind.choices,
            "neighbourhoods": selectors.neighbourhoods(),
            "kind": kind,
            "neighbourhood": neighbourhood,
        },
    )


def shop_page(request: HttpRequest, ref: str) -> HttpResponse:
    shop = get_object_or_404(selectors.active_shops().prefetch_related("hours"), ref=ref)
    hours = list(shop.hours.all())
    return render(
        request,
        "web/shop.html",
        {
            "shop": shop,
            "hours": hours,
            "open_now": selectors.is_open(hours),
            "offers": selectors.visible_offers(shop)[:500],
        },
    )


def offer_page(request: HttpRequest, offer_id: int) -> HttpResponse:
    offer = get_object_or_404(
        Offer.objects.select_related("shop", "category"),
        pk=offer_id,
        active=True,
        shop__status=Shop.Status.ACTIVE,
    )
    return render(request, "web/offer.html", {"offer": offer, "shop": offer.shop})


def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None, initial={"language": request.LANGUAGE_CODE})
    if request.method == "POST" and form.is_valid():
        try:
            person = do_register_person(**form.cleaned_data)
        except ComptoirError as error:
            form.add_error(error.details.get("field"), error.message)
        else:
            login(request, person, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Your account is ready."))
            return redirect("web:home")
    return render(request, "web/signup.html", {"form": form})
