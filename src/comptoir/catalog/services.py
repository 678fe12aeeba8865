"""Writes to shops and offers, one function per use case, each transactional.

Every write that changes what a resident can find records an `OfferChange`
so the search index follows the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import time
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from comptoir.catalog.chains import apply_branch_price, branch_prices_locked_message, check_branch_change
from comptoir.catalog.exports import offer_as_raw
from comptoir.catalog.lock_objects import offers_for_update
from comptoir.catalog.models import Category, Offer, OfferChange, OpeningHours, Shop, ShopStaff, Supplier
from comptoir.catalog.offer_counts import do_recount_offers
from comptoir.catalog.permissions import check_not_branch
from comptoir.catalog.taxonomy import TAXONOMY, parent_path
from comptoir.catalog.validation import check_offer_fields
from comptoir.core.errors import InvalidInput
from comptoir.core.geo import GeoError, check_coordinates
from comptoir.core.region import node_region
from comptoir.core.regions import RegionError
from comptoir.members.models import College, MembershipApplication

SHOP_FIELDS = {
    "name", "kind", "description_fr", "description_en", "address", "postal_code", "city", "neighbourhood",
    "lat", "lon", "phone", "email", "website", "pickup_instructions_fr", "pickup_instructions_en",
    "offers_collect", "offers_delivery",
}  # fmt: skip


def ensure_taxonomy() -> None:
    by_path: dict[str, Category] = {c.path: c for c in Category.objects.all()}
    for path, name_fr, name_en in TAXONOMY:
        if path in by_path:
            continue
        parent = by_path.get(parent_path(path) or "")
        by_path[path] = Category.objects.create(path=path, name_fr=name_fr, name_en=name_en, parent=parent)


def category_ids() -> dict[str, int]:
    return dict(Category.objects.values_list("path", "id"))


def supplier_ids_named(raw: dict[str, Any]) -> dict[str, int]:
    """The supplier a form or API row names, by reference (empty when it names none or an unknown one)."""
    ref = str(raw.get("supplier") or "").strip()
    return dict(Supplier.objects.filter(ref=ref).values_list("ref", "id")) if ref else {}


def mark_offers_changed(offer_ids: Iterable[int]) -> None:
    OfferChange.objects.bulk_create([OfferChange(offer_id=i) for i in offer_ids], batch_size=2000)


def mark_shop_changed(shop_id: int) -> None:
    OfferChange.objects.create(shop_id=shop_id)


def _check_shop_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - SHOP_FIELDS
    if unknown:
        raise InvalidInput(_("Unknown shop fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if "name" in fields and not str(fields["name"]).strip():
        raise InvalidInput(_("A shop needs a name."), field="name")
    if "lat" in fields or "lon" in fields:
        try:
            check_coordinates(float(fields["lat"]), float(fields["lon"]))
        except (KeyError, TypeError, ValueError, GeoError) as error:
            raise InvalidInput(_("Give both latitude and longitude, on Earth."), field="lat") from error
    if str(fields.get("postal_code") or "").strip():  # written the region's way: "H2T 1S6", "25290"
        region = node_region()
        try:
            fields["postal_code"] = region.normalise_postal_code(fields["postal_code"])
        except RegionError as error:
            message = _("This postal code is not one of this region's (for example %(example)s).")
            raise InvalidInput(
                message % {"example": region.postal_code_example}, field="postal_code"
            ) from error


@transaction.atomic
def do_create_shop(
    *, owner: Any | None, ref: str = "", status: str = Shop.Status.APPLIED, **fields: Any
) -> Shop:
    _check_shop_fields(fields)
    ref = slugify(ref or fields["name"])[:64]
    if Shop.objects.filter(ref=ref).exists():
        raise InvalidInput(_("A shop with the reference %(ref)s exists already.") % {"ref": ref}, field="ref")
    shop = Shop.objects.create(ref=ref, status=status, **fields)
    if owner is not None:
        ShopStaff.objects.create(shop=shop, person=owner, role=ShopStaff.Role.OWNER)
    return shop


@transaction.atomic
def do_update_shop(shop: Shop, **fields: Any) -> Shop:
    _check_shop_fields(fields)
    for name, value in fields.items():
        setattr(shop, name, value)
    shop.save()
    mark_shop_changed(shop.pk)
    return shop


@transaction.atomic
def do_set_shop_status(shop: Shop, status: str) -> Shop:
    if status not in Shop.Status.values:
        raise InvalidInput(_("Unknown status: %(s)s") % {"s": status})
    shop.status = status
    shop.save(update_fields=["status"])
    mark_shop_changed(shop.pk)
    return shop


@transaction.atomic
def do_set_opening_hours(shop: Shop, hours: Iterable[tuple[int, time, time]]) -> None:
    rows = [OpeningHours(shop=shop, weekday=d, opens=o, closes=c) for d, o, c in hours]
    for row in rows:
        if row.closes <= row.opens:
            raise InvalidInput(_("A shop must close after it opens."))
    OpeningHours.objects.filter(shop=shop).delete()
    OpeningHours.objects.bulk_create(rows)


def parse_opening_hours(by_weekday: dict[int, str]) -> list[tuple[int, time, time]]:
    """ "9:00-12:30, 14:00-19:00" per weekday into rows; empty means closed; refuses overlaps."""
    rows: list[tuple[int, time, time]] = []
    for weekday, text in sorted(by_weekday.items()):
        spans: list[tuple[time, time]] = []
        for part in filter(None, (p.strip() for p in text.replace(";", ",").split(","))):
            try:
                opens_text, closes_text = (t.strip().replace("h", ":") for t in part.split("-"))
                opens, closes = time.fromisoformat(_hhmm(opens_text)), time.fromisoformat(_hhmm(closes_text))
            except ValueError as error:
                raise InvalidInput(
                    _("Write hours like 9:00-12:30, 14:00-19:00: %(v)s") % {"v": part}
                ) from error
            if closes <= opens or any(opens < c and o < closes for o, c in spans):
                raise InvalidInput(_("Hours must close after they open and not overlap: %(v)s") % {"v": part})
            spans.append((opens, closes))
        rows.extend((weekday, o, c) for o, c in sorted(spans))
    return rows


def _hhmm(text: str) -> str:
    hours, _sep, minutes = text.partition(":")
    return f"{int(hours):02d}:{int(minutes or 0):02d}"


@transaction.atomic
def do_apply_for_shop(person: Any, *, ref: str = "", **fields: Any) -> Shop:
    """A person asks to open a shop on the node: the shop waits for staff as APPLIED."""
    shop = do_create_shop(owner=person, ref=ref, status=Shop.Status.APPLIED, **fields)
    college = College.objects.get(code=College.Code.SHOPS)
    pending = MembershipApplication.Status.PENDING
    if not person.memberships.filter(college=college).exists():
        MembershipApplication.objects.get_or_create(
            person=person, college=college, status=pending, defaults={"motivation": shop.name}
        )
    return shop


def do_add_shop_staff(shop: Shop, person: Any, role: str = ShopStaff.Role.STAFF) -> ShopStaff:
    staff, _created = ShopStaff.objects.get_or_create(shop=shop, person=person, defaults={"role": role})
    return staff


def _raise_field_errors(errors: list[Any]) -> None:
    if errors:
        message = "; ".join(f"{e.column}: {e.message}" for e in errors)
        raise InvalidInput(message, errors=[{"column": e.column, "message": e.message} for e in errors])


@transaction.atomic
def do_create_offer(shop: Shop, raw: dict[str, Any]) -> Offer:
    check_not_branch(shop)
    fields, errors = check_offer_fields(raw, category_ids(), supplier_ids_named(raw))
    _raise_field_errors(errors)
    if Offer.objects.filter(shop=shop, sku=fields["sku"]).exists():
        raise InvalidInput(
            _("This shop already has an offer with SKU %(sku)s.") % {"sku": fields["sku"]}, field="sku"
        )
    offer = Offer.objects.create(shop=shop, **fields)
    mark_offers_changed([offer.pk])
    do_recount_offers([shop.pk])
    return offer


@transaction.atomic
def do_update_offer(offer: Offer, raw: dict[str, Any]) -> Offer:
    """Apply a partial change: unspecified columns keep their current value."""
    current = {column: value for column, value in offer_as_raw(offer).items() if column not in raw}
    merged = {**current, **raw}
    fields, errors = check_offer_fields(merged, category_ids(), supplier_ids_named(merged))
    _raise_field_errors(errors)
    if offer.chain_product_id is not None:
        check_branch_change(offer, fields)  # a branch changes its stock and maybe its price, no more
        apply_branch_price(offer, fields.pop("price_cents"))
    if fields["sku"] != offer.sku and Offer.objects.filter(shop_id=offer.shop_id, sku=fields["sku"]).exists():
        raise InvalidInput(
            _("This shop already has an offer with SKU %(sku)s.") % {"sku": fields["sku"]}, field="sku"
        )
    for name, value in fields.items():
        setattr(offer, name, value)
    offer.save()
    mark_offers_changed([offer.pk])
    do_recount_offers([offer.shop_id])
    return offer


@dataclass
class BulkOutcome:
    """What a bulk edit did: how many offers changed, and each refused cell with its reason."""

    updated: int = 0
    errors: dict[tuple[int, str], str] = field(default_factory=dict)  # (offer id, column) -> message


@transaction.atomic
def do_bulk_set_prices_and_stock(shop: Shop, changes: dict[int, dict[str, Any]]) -> BulkOutcome:
    """Change price and/or stock of many offers of one shop at once.

    Each valid cell is saved; each bad one is refused with its reason, so a typo in one
    row never wipes the other rows' edits. An offer with a bad cell keeps its other
    (valid) cell's change too: cells are independent.
    """
    offers = offers_for_update(changes, shop_id=shop.pk)
    outcome = BulkOutcome()
    for offer_id in sorted(set(changes) - set(offers)):
        for column in changes[offer_id]:
            outcome.errors[(offer_id, column)] = _("this offer is not in this shop")
    now = timezone.now()
    changed: list[Offer] = []
    for offer_id, offer in offers.items():
        change = {c: v for c, v in changes[offer_id].items() if c in {"price", "stock"}}
        fields, errors = check_offer_fields(
            {"sku": offer.sku, "name_fr": offer.name_fr, "price": "0", **change}, {}
        )
        bad = {e.column: e.message for e in errors if e.column in change}
        outcome.errors.update({(offer_id, column): message for column, message in bad.items()})
        good = set(change) - set(bad)
        if "price" in good and offer.chain_product_id is not None:
            if offer.shop.organisation is not None and not offer.shop.organisation.branches_set_prices:
                outcome.errors[(offer_id, "price")] = branch_prices_locked_message()
                good.discard("price")
            else:
                apply_branch_price(offer, fields["price_cents"])
        elif "price" in good:
            offer.price_cents = fields["price_cents"]
        if "stock" in good:
            offer.stock = fields["stock"]
        if good:
            offer.updated = now
            changed.append(offer)
    Offer.objects.bulk_update(changed, ["price_cents", "branch_price", "stock", "updated"], batch_size=500)
    mark_offers_changed(o.pk for o in changed)
    outcome.updated = len(changed)
    return outcome


@transaction.atomic
def do_delete_offer(offer: Offer) -> None:
    if offer.chain_product_id is not None:
        check_not_branch(offer.shop)  # the chain removes a product from every branch at once
    offer_id, shop_id = offer.pk, offer.shop_id
    offer.delete()
    mark_offers_changed([offer_id])
    do_recount_offers([shop_id])
