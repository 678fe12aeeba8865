"""Reads about shops and offers for pages and the API."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from comptoir.catalog.models import Offer, OpeningHours, Shop, Supplier
from comptoir.catalog.provenance import LocalRule, origin_distance_km, origin_label, origin_of
from comptoir.core.parameters import governed, governed_many
from comptoir.core.region import node_region
from comptoir.core.territories import areas_of, territory_name

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
    """Active shops by name; each carries its stored `active_offers` (decision 0027): no count over
    the catalog here, a page of the directory costs the shops it shows."""
    shops = active_shops()
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


def local_rule(at: datetime | None = None) -> LocalRule:
    """What "local" means at `at` (now by default): the voted radius, or the voted territory."""
    found = governed_many(["local_radius_km", "local_territory"], at)
    return LocalRule(float(found["local_radius_km"].value), str(found["local_territory"].value))


def local_means(rule: LocalRule | None = None) -> str:
    """ "within 100 km of the node's centre", or "in Québec (CA-QC)": how pages say the rule."""
    rule = rule or local_rule()
    if rule.territory:
        name = territory_name(rule.territory, get_language() or "fr")
        return _("in %(name)s (%(code)s)") % {"name": name, "code": rule.territory}
    return _("within %(km)s km of the node's centre") % {"km": f"{rule.radius_km:.0f}"}


def postal_areas(postal_code: str | None, country: str | None) -> frozenset[str]:
    """The territories of a supplier's postal code; a blank country is the node's region's."""
    return areas_of(postal_code or "", country or "", node_region().country)


def production_areas(postal_code: str | None, country: str | None) -> frozenset[str]:
    """The territories of a declared place of production: read from its postal code only (a place
    declared without one lies in no territory we can vouch for, not even the node's country)."""
    return postal_areas(postal_code, country) if (postal_code or "").strip() else frozenset()


def supplier_areas(supplier: Supplier | None) -> frozenset[str]:
    return postal_areas(supplier.postal_code, supplier.country) if supplier else frozenset()


def offer_origin(offer: Offer, lang: str = "fr") -> OfferOrigin:
    supplier = offer.supplier
    origin = origin_of(
        origin_lat=offer.origin_lat, origin_lon=offer.origin_lon, origin_place=offer.origin_place,
        supplier_lat=supplier.lat if supplier else None, supplier_lon=supplier.lon if supplier else None,
        supplier_name=supplier.name if supplier else "",
        supplier_place=(supplier.city or supplier.region) if supplier else "",
        supplier_areas=supplier_areas(supplier),
        origin_areas=production_areas(offer.origin_postal_code, offer.origin_country),
    )  # fmt: skip
    km = origin_distance_km(origin, node_centre())
    return OfferOrigin(
        km, local_rule().is_local(km, origin.areas), origin_label(km, origin.supplier_name, lang), origin.place,
        offer.origin_stated_by, offer.origin_label,
    )  # fmt: skip


def supplier_km(supplier: Supplier) -> float | None:
    if supplier.lat is None or supplier.lon is None:
        return None
    return origin_distance_km(origin_of(origin_lat=supplier.lat, origin_lon=supplier.lon), node_centre())


def supplier_is_local(supplier: Supplier, km: float | None, rule: LocalRule | None = None) -> bool:
    return (rule or local_rule()).is_local(km, supplier_areas(supplier))


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


def origins_sold(offers: Iterable[Offer]) -> dict[int, tuple[float, bool]]:
    """Each offer's origin in km from the node's centre (UNKNOWN_ORIGIN_KM when it cannot be
    placed) and whether it is local by the rule in force now, for an order line to keep (a later
    vote widening "local" does not re-classify this sale): one query for the suppliers, none when
    there are none, and one for the rule when some origin is placed."""
    offers = list(offers)
    wanted = {o.supplier_id for o in offers if o.supplier_id is not None}
    suppliers = Supplier.objects.in_bulk(wanted) if wanted else {}
    centre, rule, out = node_centre(), None, {}
    for offer in offers:
        supplier = suppliers.get(offer.supplier_id) if offer.supplier_id is not None else None
        origin = origin_of(
            origin_lat=offer.origin_lat, origin_lon=offer.origin_lon,
            supplier_lat=supplier.lat if supplier else None, supplier_lon=supplier.lon if supplier else None,
            supplier_areas=supplier_areas(supplier),
            origin_areas=production_areas(offer.origin_postal_code, offer.origin_country),
        )  # fmt: skip
        km = origin_distance_km(origin, centre)
        if km is None:
            out[offer.pk] = (UNKNOWN_ORIGIN_KM, False)
            continue
        rule = rule or local_rule()
        out[offer.pk] = (km, rule.is_local(km, origin.areas))
    return out
