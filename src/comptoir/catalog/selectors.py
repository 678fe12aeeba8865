"""Reads about shops and offers for pages and the API."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from comptoir.catalog.models import Offer, OpeningHours, Shop


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
    return shop.offers.filter(active=True).select_related("category").order_by("name_fr")


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
