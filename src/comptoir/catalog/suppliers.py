"""Suppliers: one shared record per farm, workshop or manufacturer, whoever sells its products.

How a supplier is matched (decision 0015): by its reference, or by its exact normalised
name and postal code. Nothing else merges two suppliers: a close name ("Ferme des 3
Rivières" for "Ferme des Trois-Rivières") is *proposed* to the shop, which either links
its offer to the existing supplier or confirms that it is a different one. An import
row naming an unknown reference is a row error; it never creates a supplier.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from comptoir.catalog.error_codes import CatalogErrorCode
from comptoir.catalog.models import Offer, Shop, Supplier
from comptoir.catalog.services import mark_offers_changed
from comptoir.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from comptoir.core.geo import GeoError, check_coordinates
from comptoir.core.region import node_region
from comptoir.core.regions import RegionError

SUPPLIER_FIELDS = {
    "name", "kind", "description_fr", "description_en", "address", "postal_code", "city", "region",
    "country", "lat", "lon", "website", "email", "listed",
}  # fmt: skip
TEXT_LIMITS = {
    "name": 150, "description_fr": 5000, "description_en": 5000, "address": 200, "postal_code": 10,
    "city": 100, "region": 100, "country": 2, "website": 200, "email": 254,
}  # fmt: skip
CLOSE_CUTOFF = 0.8  # difflib ratio from which a name is proposed as "perhaps the same supplier"
MAX_PROPOSED = 5


def normalise_name(name: str) -> str:
    """What two spellings of one name share: "Ferme des Trois-Rivières " -> "ferme des trois rivieres"."""
    decomposed = unicodedata.normalize("NFKD", name.replace("œ", "oe").replace("Œ", "OE"))
    ascii_only = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    return " ".join(re.findall(r"[a-z0-9]+", ascii_only))


def normalise_postal_code(code: str) -> str:
    """The region's way when it is one of the region's ("j0l2l0" → "J0L 2L0" in Québec), so two spellings
    match; a far-away supplier's foreign code is only upper-cased with its spaces collapsed."""
    text = re.sub(r"\s+", " ", str(code).strip().upper())
    try:
        return node_region().normalise_postal_code(text) if text else text
    except RegionError:
        return text


def supplier_ids() -> dict[str, int]:
    """Every supplier reference and its id: what an import row may name."""
    return dict(Supplier.objects.values_list("ref", "id"))


@dataclass(frozen=True)
class SupplierMatch:
    """What a shop's "name + postal code" finds: the same supplier, or suppliers it may mean."""

    exact: Supplier | None
    close: tuple[Supplier, ...]


def match_supplier(name: str, postal_code: str = "") -> SupplierMatch:
    """The supplier with exactly this normalised name and postal code, else the close ones to propose."""
    key, postal = normalise_name(name), normalise_postal_code(postal_code)
    if not key:
        return SupplierMatch(None, ())
    if postal:
        exact = Supplier.objects.filter(name_key=key, postal_code=postal).first()
        if exact is not None:
            return SupplierMatch(exact, ())
    keys = list(Supplier.objects.values_list("name_key", flat=True).distinct())
    near = difflib.get_close_matches(key, keys, n=MAX_PROPOSED, cutoff=CLOSE_CUTOFF)
    close = Supplier.objects.filter(name_key__in=near).order_by("name", "postal_code")[:MAX_PROPOSED]
    return SupplierMatch(None, tuple(close))


def _check_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - SUPPLIER_FIELDS
    if unknown:
        raise InvalidInput(_("Unknown supplier fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    clean = dict(fields)
    for name, limit in TEXT_LIMITS.items():
        if name in clean:
            clean[name] = str(clean[name] or "").strip()
            if len(clean[name]) > limit:
                raise InvalidInput(
                    _("%(field)s: longer than %(n)d characters") % {"field": name, "n": limit}, field=name
                )
    if "name" in clean and not normalise_name(clean["name"]):
        raise InvalidInput(_("A supplier needs a name."), field="name")
    if "kind" in clean and clean["kind"] not in Supplier.Kind.values:
        raise InvalidInput(_("Unknown supplier kind: %(k)s") % {"k": str(clean["kind"])[:40]}, field="kind")
    if "postal_code" in clean:
        clean["postal_code"] = normalise_postal_code(clean["postal_code"])
    if "country" in clean:
        clean["country"] = clean["country"].upper()
    if "lat" in clean or "lon" in clean:
        clean["lat"], clean["lon"] = _coordinates(clean.get("lat"), clean.get("lon"))
    return clean


def _coordinates(lat: Any, lon: Any) -> tuple[float | None, float | None]:
    if lat in (None, "") and lon in (None, ""):
        return None, None
    try:
        point = float(str(lat).replace(",", ".")), float(str(lon).replace(",", "."))
        check_coordinates(*point)
    except (TypeError, ValueError, GeoError) as error:
        raise InvalidInput(
            _(
                "Give both latitude and longitude, on Earth, or neither (a far supplier may give only its region)."
            ),
            field="lat",
        ) from error
    return point


def _free_ref(wanted: str) -> str:
    base = slugify(wanted)[:56] or "supplier"
    ref, n = base, 1
    while Supplier.objects.filter(ref=ref).exists():
        n += 1
        ref = f"{base}-{n}"
    return ref


@transaction.atomic
def do_create_supplier(
    *, shop: Shop | None, ref: str = "", distinct_from_close: bool = False, **fields: Any
) -> Supplier:
    """Create a supplier, unless it exists already.

    The same normalised name and postal code is the same supplier: refused with its reference
    (link to it instead). A close name is refused too, with the candidates, until the shop says
    it is a different supplier (`distinct_from_close=True`): never a silent merge, never a
    silent duplicate. `shop` is who added it (None for the node's staff and the demo).
    """
    clean = _check_fields(fields)
    if "name" not in clean:
        raise InvalidInput(_("A supplier needs a name."), field="name")
    match = match_supplier(clean["name"], clean.get("postal_code", ""))
    if match.exact is not None:
        raise Conflict(
            _("This supplier exists already (%(ref)s): link your offers to it.") % {"ref": match.exact.ref},
            code=CatalogErrorCode.SUPPLIER_EXISTS, ref=match.exact.ref,
        )  # fmt: skip
    if match.close and not distinct_from_close:
        raise Conflict(
            _("Suppliers with a close name exist: is it one of them? %(names)s")
            % {"names": "; ".join(f"{s.name} ({s.postal_code or s.region}, {s.ref})" for s in match.close)},
            code=CatalogErrorCode.SUPPLIER_CLOSE_MATCH, candidates=[s.ref for s in match.close],
        )  # fmt: skip
    if ref:
        ref = slugify(ref)[:64]
        if not ref or Supplier.objects.filter(ref=ref).exists():
            raise Conflict(
                _("A supplier with the reference %(ref)s exists already.") % {"ref": ref},
                code=CatalogErrorCode.DUPLICATE_REF, field="ref",
            )  # fmt: skip
    supplier = Supplier(ref=ref or _free_ref(clean["name"]), added_by=shop, **clean)
    supplier.name_key = normalise_name(supplier.name)
    try:
        with transaction.atomic():
            supplier.save()
    except IntegrityError as error:  # a concurrent twin won the race: same answer as above
        raise Conflict(
            _("This supplier exists already: link your offers to it."), code=CatalogErrorCode.SUPPLIER_EXISTS
        ) from error
    return supplier


def access_supplier(ref: str) -> Supplier:
    supplier = Supplier.objects.filter(ref=ref).first()
    if supplier is None:
        raise NotFound(_("No such supplier."), code=CatalogErrorCode.SUPPLIER_NOT_FOUND)
    return supplier


def access_supplier_for_edit(person: Any, ref: str) -> Supplier:
    """The node's staff, or the staff of the shop that added the supplier."""
    supplier = access_supplier(ref)
    if not person.is_authenticated:
        raise NotAllowed(_("Sign in to edit a supplier."))
    added_by = supplier.added_by
    if person.is_superuser or (added_by is not None and added_by.staff.filter(person=person).exists()):
        return supplier
    raise NotAllowed(_("Only the shop that added this supplier, or the node's staff, may edit it."))


@transaction.atomic
def do_update_supplier(supplier: Supplier, **fields: Any) -> Supplier:
    """Change a supplier; its offers are re-indexed (their origin may have moved)."""
    clean = _check_fields(fields)
    if "name" in clean or "postal_code" in clean:
        key = normalise_name(clean.get("name", supplier.name))
        postal = clean.get("postal_code", supplier.postal_code)
        twin = Supplier.objects.filter(name_key=key, postal_code=postal).exclude(pk=supplier.pk).first()
        if postal and twin is not None:
            raise Conflict(
                _("This supplier exists already (%(ref)s).") % {"ref": twin.ref},
                code=CatalogErrorCode.SUPPLIER_EXISTS, ref=twin.ref,
            )  # fmt: skip
        supplier.name_key = key
    for name, value in clean.items():
        setattr(supplier, name, value)
    supplier.save()
    mark_offers_changed(Offer.objects.filter(supplier=supplier).values_list("id", flat=True))
    return supplier
