"""Reads about shops and offers for pages and the API."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from comptoir.catalog.models import Offer, OpeningHours, Shop

# "Can this offer be shown and sold?" — the one rule, in three shapes that must agree:
# a predicate on values (search reads rows), on an offer (cart, checkout), and a queryset
# filter (pages, API). An applied or suspended shop's offers are seen by nobody but its staff.
SELLABLE = Q(active=True, shop__status=Shop.Status.ACTIVE)


def is_sellable(*, offer_active: bool, shop_status: str) -> bool:
    return bool(offer_active) and shop_status == Shop.Status.ACTIVE


def offer_is_visible(offer: Offer) -> bool:
    return is_sellable(offer_active=offer.active, shop_status=offer.shop.status)


def sellable_offers() -> QuerySet[Offer]:
    return Offer.objects.filter(SELLABLE)


def active_shops() -> QuerySet[Shop]:
    return Shop.objects.filter(status=Shop.Status.ACTIVE)


def shop_directory(kind: str = "", neighbourhood: str = "") -> QuerySet[Shop]:
    shops = active_shops().annotate(offer_count=Count("offers", filter=Q(offers__active=True)))
    if kind:
        shops = shops.filter(kind=kind)
    if neighbourhood:
        shops = shops.filter(neighbourhood=neighbourhood)
    return shops.order_by("name")


def neighbourhoods() -> list[str]:
    return list(
        active_shops()
        .exclude(neighbourhood="")
        .values_list("neighbourhood", flat=True)
        .distinct()
        .order_by("neighbourhood")
    )


def visible_offers(shop: Shop) -> QuerySet[Offer]:
    return sellable_offers().filter(shop=shop).select_related("category").order_by("name_fr")


def is_open(hours: list[OpeningHours], at: datetime | None = None) -> bool:
    local = timezone.localtime(at)
    return any(h.weekday == local.weekday() and h.opens <= local.time() < h.closes for h in hours)


def open_shop_ids(at: datetime | None = None) -> set[int]:
    local = timezone.localtime(at)
    return set(
        OpeningHours.objects.filter(
            weekday=local.weekday(), opens__lte=local.time(), closes__gt=local.time()
        ).values_list("shop_id", flat=True)
    )
