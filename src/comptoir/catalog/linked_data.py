"""Offers as linked data: schema.org `Product`/`Offer` and Data Food Consortium (DFC) JSON-LD.

Two vocabularies, one catalog. schema.org is what search engines and most shops' tools read; DFC is the
standard of French short-supply-chain platforms (Open Food Network, Cagette, ...), so a producer's catalog
published here can be read there. Both documents name their published context by URL (consumers expect it);
`linked_data/` holds the subsets of those contexts and the SHACL shapes the tests validate against offline
(`tests/catalog/test_linked_data.py`, with pyld and pyshacl).

Pure of writes: reads offers a resident can see, nothing else (no stock numbers beyond what the pages show).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings

from comptoir.catalog.models import Offer, Shop
from comptoir.core.money import node_currency
from comptoir.core.region import node_region

HERE = Path(__file__).resolve().parent / "linked_data"
SCHEMA_ORG_CONTEXT = "https://schema.org"
DFC_CONTEXT = "https://www.datafoodconsortium.org"
DFC_UNITS = {"piece": "dfc-m:Piece", "g": "dfc-m:Gram", "kg": "dfc-m:Kilogram", "ml": "dfc-m:Millilitre",
             "l": "dfc-m:Litre", "m": "dfc-m:Metre"}  # fmt: skip
CURRENCY_UNITS = {"EUR": "dfc-m:Euro"}


def _base() -> str:
    return str(settings.COMPTOIR_PUBLIC_URL).rstrip("/")


def offer_iri(offer: Offer) -> str:
    return f"{_base()}/produits/{offer.pk}/"


def shop_iri(shop: Shop) -> str:
    return f"{_base()}/commerces/{shop.ref}/"


def _price(cents: int) -> str:
    return f"{Decimal(cents) / 100:.2f}"


def _availability(offer: Offer) -> str:
    if offer.stock > 0:
        return "https://schema.org/InStock"
    return "https://schema.org/MadeToOrder" if offer.on_demand else "https://schema.org/OutOfStock"


def _postal_address(iri: str, street: str, postal_code: str, city: str, country: str = "") -> dict[str, Any]:
    address = {
        "@type": "PostalAddress",
        "@id": f"{iri}#address",
        "streetAddress": street,
        "postalCode": postal_code,
        "addressLocality": city,
    }
    if country:
        address["addressCountry"] = country
    return {k: v for k, v in address.items() if v}


def schema_org_product(offer: Offer, *, context: bool = True) -> dict[str, Any]:
    """One offer as a schema.org Product with its Offer, seller and (when known) maker."""
    shop = offer.shop
    url = offer_iri(offer)
    product: dict[str, Any] = {
        "@type": "Product", "@id": f"{url}#product", "name": offer.name_fr, "sku": offer.sku, "url": url,
        "offers": {
            "@type": "Offer", "@id": f"{url}#offer", "url": url, "price": _price(offer.price_cents),
            "priceCurrency": node_currency(), "availability": _availability(offer),
            "itemCondition": "https://schema.org/NewCondition",
            "seller": {"@type": "LocalBusiness", "@id": shop_iri(shop), "name": shop.name,
                       "address": _postal_address(shop_iri(shop), shop.address, shop.postal_code, shop.city)},
        },
    }  # fmt: skip
    if context:
        product = {"@context": SCHEMA_ORG_CONTEXT, **product}
    if offer.name_en:
        product["alternateName"] = offer.name_en
    if offer.description_fr:
        product["description"] = offer.description_fr
    if offer.gtin:
        product["gtin"] = offer.gtin
    if offer.image:
        product["image"] = _base() + offer.image.url
    if offer.category_id:
        product["category"] = offer.category.path  # type: ignore[union-attr]
    if offer.weight_g:
        product["weight"] = {"@type": "QuantitativeValue", "value": offer.weight_g, "unitCode": "GRM"}
    supplier = getattr(offer, "supplier", None)
    if supplier is not None:
        iri = f"{_base()}/fournisseurs/{supplier.ref}/"
        product["manufacturer"] = {"@type": "Organization", "@id": iri, "name": supplier.name,
                                   "address": _postal_address(iri, supplier.address, supplier.postal_code,
                                                              supplier.city, supplier.country)}  # fmt: skip
        if supplier.country:
            product["countryOfOrigin"] = {"@type": "Country", "name": supplier.country}
    if offer.origin_postal_code:
        # schema.org has no "place of production" for a Product: a named property whose value is the place
        country = offer.origin_country or node_region().country
        place = _postal_address(url, "", offer.origin_postal_code, offer.origin_place, country)
        place["@id"] = f"{url}#production"
        product["additionalProperty"] = {"@type": "PropertyValue", "propertyID": "placeOfProduction",
                                         "name": "Lieu de production", "value": place}  # fmt: skip
        product["countryOfOrigin"] = {"@type": "Country", "name": country}
    return product


def schema_org_catalog(shop: Shop, offers: list[Offer]) -> dict[str, Any]:
    """A shop's visible offers as one schema.org document (an ItemList of Products)."""
    return {
        "@context": SCHEMA_ORG_CONTEXT, "@type": "ItemList", "@id": f"{shop_iri(shop)}#catalog",
        "name": shop.name, "numberOfItems": len(offers),
        "itemListElement": [
            {"@type": "ListItem", "position": n, "item": schema_org_product(offer, context=False)}
            for n, offer in enumerate(offers, 1)
        ],
    }  # fmt: skip


def _dfc_place(offer: Offer, iri: str) -> dict[str, Any]:
    """The declared place of production as a DFC Address (the facets taxonomy's origins name only French
    régions; a postal code says the province or département too, which "local" as a territory reads)."""
    place: dict[str, Any] = {
        "@id": f"{iri}#production", "@type": "dfc-b:Address", "dfc-b:hasPostalCode": offer.origin_postal_code,
        "dfc-b:hasCountry": offer.origin_country or node_region().country,
    }  # fmt: skip
    if offer.origin_place:
        place["dfc-b:hasCity"] = offer.origin_place
    if offer.origin_lat is not None and offer.origin_lon is not None:
        place["dfc-b:latitude"], place["dfc-b:longitude"] = offer.origin_lat, offer.origin_lon
    return place


def dfc_catalog(shop: Shop, offers: list[Offer]) -> dict[str, Any]:
    """A shop's visible offers in the DFC business ontology: the enterprise, and per offer a SuppliedProduct,
    the CatalogItem that references it (SKU, stock) and the Offer (price with VAT rate) it is offered through."""
    enterprise = shop_iri(shop)
    graph: list[dict[str, Any]] = [{
        "@id": enterprise, "@type": "dfc-b:Enterprise", "dfc-b:name": shop.name,
        "dfc-b:manages": [f"{offer_iri(o)}#catalog-item" for o in offers],
        "dfc-b:supplies": [f"{offer_iri(o)}#supplied-product" for o in offers],
    }]  # fmt: skip
    unit = CURRENCY_UNITS.get(node_currency(), "dfc-m:Euro")
    for offer in offers:
        iri = offer_iri(offer)
        product: dict[str, Any] = {
            "@id": f"{iri}#supplied-product", "@type": "dfc-b:SuppliedProduct", "dfc-b:name": offer.name_fr,
            "dfc-b:description": offer.description_fr,
            "dfc-b:hasQuantity": {"@type": "dfc-b:QuantitativeValue", "dfc-b:hasUnit": DFC_UNITS[offer.unit],
                                  "dfc-b:value": float(offer.quantity)},
            "dfc-b:totalTheoreticalStock": offer.stock,
            "dfc-b:referencedBy": f"{iri}#catalog-item",
        }  # fmt: skip
        if offer.image:
            product["dfc-b:image"] = _base() + offer.image.url
        if offer.origin_postal_code:
            product["dfc-b:hasGeographicalOrigin"] = _dfc_place(offer, iri)
        graph.append(product)
        graph.append({
            "@id": f"{iri}#catalog-item", "@type": "dfc-b:CatalogItem", "dfc-b:sku": offer.sku,
            "dfc-b:stockLimitation": offer.stock, "dfc-b:references": f"{iri}#supplied-product",
            "dfc-b:offeredThrough": f"{iri}#offer",
        })  # fmt: skip
        graph.append({
            "@id": f"{iri}#offer", "@type": "dfc-b:Offer", "dfc-b:offeredItem": f"{iri}#supplied-product",
            "dfc-b:hasPrice": {"@type": "dfc-b:Price", "dfc-b:value": float(Decimal(offer.price_cents) / 100),
                               "dfc-b:VATrate": float(offer.tax_rate), "dfc-b:hasUnit": unit},
            "dfc-b:stockLimitation": offer.stock,
        })  # fmt: skip
    return {"@context": DFC_CONTEXT, "@graph": graph}
