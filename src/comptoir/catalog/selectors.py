"""Reads about shops and offers for pages and the API."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from comptoir.catalog.models import Offer, OpeningHours, Shop, Supplier
from comptoir.catalog.provenance import is_local, origin_distance_km, origin_label, origin_of
from comptoir.core.parameters import governed

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


# --- suppliers and provenance (decision 0015) --------------------------------------------------


@dataclass(frozen=True)
class OfferOrigin:
    """Where an offer comes from, as its page shows it."""

    km: float | None
    local: bool
    label: str  # "Produit à 23 km — Ferme des Trois-Rivières" or "Origine inconnue"
    place: str
    stated_by: str  # "shop", "supplier", "label" or ""
    stated_label: str  # the label's name when a label states it


def node_centre() -> tuple[float, float]:
    lat, lon = settings.COMPTOIR_NODE_CENTRE
    return float(lat), float(lon)


def local_radius_km() -> float:
    return float(governed("local_radius_km").value)


def offer_origin(offer: Offer, lang: str = "fr") -> OfferOrigin:
    supplier = offer.supplier
    origin = origin_of(
        origin_lat=offer.origin_lat, origin_lon=offer.origin_lon, origin_place=offer.origin_place,
        supplier_lat=supplier.lat if supplier else None, supplier_lon=supplier.lon if supplier else None,
        supplier_name=supplier.name if supplier else "",
        supplier_place=(supplier.city or supplier.region) if supplier else "",
    )  # fmt: skip
    km = origin_distance_km(origin, node_centre())
    return OfferOrigin(
        km, is_local(km, local_radius_km()), origin_label(km, origin.supplier_name, lang), origin.place,
        offer.origin_stated_by, offer.origin_label,
    )  # fmt: skip


def supplier_km(supplier: Supplier) -> float | None:
    if supplier.lat is None or supplier.lon is None:
        return None
    return origin_distance_km(origin_of(origin_lat=supplier.lat, origin_lon=supplier.lon), node_centre())


def supplier_directory(kind: str = "", within_km: float | None = None) -> list[tuple[Supplier, float | None]]:
    """The suppliers who chose to be listed, nearest first (those known only by a region last),
    each with its km from the node's centre. No other order: nobody pays for a place."""
    suppliers = Supplier.objects.filter(listed=True)
    if kind:
        suppliers = suppliers.filter(kind=kind)
    rows = [(s, supplier_km(s)) for s in suppliers]
    if within_km is not None:
        rows = [(s, km) for s, km in rows if km is not None and km <= within_km]
    return sorted(rows, key=lambda row: (row[1] is None, row[1] or 0.0, row[0].name))


def supplier_offers(supplier: Supplier) -> QuerySet[Offer]:
    """What a resident can buy of this supplier's, shop by shop."""
    return (
        sellable_offers()
        .filter(supplier=supplier)
        .select_related("shop")
        .order_by("name_fr", "shop__name", "pk")
    )


def supplier_shops(supplier: Supplier) -> QuerySet[Shop]:
    """The active shops that carry it, with how many of its products each sells."""
    return (
        active_shops()
        .filter(offers__supplier=supplier, offers__active=True)
        .annotate(supplied=Count("offers", filter=Q(offers__supplier=supplier, offers__active=True)))
        .order_by("name")
    )


UNKNOWN_ORIGIN_KM = -1.0  # what a sold line records when its origin could not be placed


def origins_km(offers: Iterable[Offer]) -> dict[int, float]:
    """Each offer's origin in km from the node's centre (UNKNOWN_ORIGIN_KM when it cannot be
    placed), for an order line to keep: one query for the suppliers, none when there are none."""
    offers = list(offers)
    wanted = {o.supplier_id for o in offers if o.supplier_id is not None}
    suppliers = Supplier.objects.in_bulk(wanted) if wanted else {}
    centre, out = node_centre(), {}
    for offer in offers:
        supplier = suppliers.get(offer.supplier_id) if offer.supplier_id is not None else None
        origin = origin_of(
            origin_lat=offer.origin_lat, origin_lon=offer.origin_lon,
            supplier_lat=supplier.lat if supplier else None, supplier_lon=supplier.lon if supplier else None,
        )  # fmt: skip
        km = origin_distance_km(origin, centre)
        out[offer.pk] = UNKNOWN_ORIGIN_KM if km is None else km
    return out
