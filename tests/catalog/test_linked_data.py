"""Issue 18 item 1: offers export as schema.org Product/Offer and as Data Food Consortium JSON-LD, checked
against the published contexts (subsets shipped in catalog/linked_data/, loaded offline) and SHACL shapes.

The documents are expanded with pyld (a JSON-LD processor, so a term the context does not define would be
dropped and fail the shapes), turned into RDF, and validated with pyshacl. A broken document must fail."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld
from pyshacl import validate
from rdflib import Graph

from comptoir.catalog import linked_data
from comptoir.catalog.models import Shop
from comptoir.catalog.services import do_create_offer
from comptoir.catalog.suppliers import do_create_supplier

HERE = linked_data.HERE
CONTEXTS = {
    linked_data.SCHEMA_ORG_CONTEXT: HERE / "schema_org_context.jsonld",
    linked_data.DFC_CONTEXT: HERE / "dfc_context.jsonld",
}


def offline_loader(url: str, options: Any = None) -> dict[str, Any]:
    path = CONTEXTS.get(url.rstrip("/")) or CONTEXTS.get(url)
    if path is None:
        raise AssertionError(f"the document asks for an unknown context: {url}")
    return {"contextUrl": None, "documentUrl": url, "document": json.loads(path.read_text())}


def conforms(document: dict[str, Any], shapes: str) -> tuple[bool, str, Graph]:
    nquads = jsonld.to_rdf(document, {"format": "application/n-quads", "documentLoader": offline_loader})
    data = Graph().parse(data=nquads, format="nquads")
    ok, _graph, report = validate(data, shacl_graph=str(HERE / shapes), shacl_graph_format="turtle")
    return bool(ok), str(report), data


@pytest.fixture
def offers(shop: Shop) -> list[Any]:
    farm = do_create_supplier(shop=None, ref="ferme-des-pres", name="Ferme des Prés", postal_code="25290",
                              city="Ornans", country="FR", lat=47.1, lon=6.14)  # fmt: skip
    bread = do_create_offer(shop, {"sku": "B1", "gtin": "3017620422003", "name_fr": "Pain complet",
                                   "name_en": "Wholemeal bread", "price": "2,40", "stock": "12", "tax_rate": "5,5",
                                   "unit": "piece", "weight_g": "500", "supplier": "ferme-des-pres"})  # fmt: skip
    flour = do_create_offer(shop, {"sku": "F1", "name_fr": "Farine T80", "price": "3", "stock": "0", "unit": "kg",
                                   "quantity": "1", "tax_rate": "5,5", "on_demand": "yes"})  # fmt: skip
    assert bread.supplier_id == farm.pk
    return [bread, flour]


def test_schema_org_catalog_conforms_and_says_what_the_pages_say(offers: list[Any], anon_api: Any) -> None:
    response = anon_api.call("get", "/shops/boulangerie/catalog.jsonld")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    document = response.json()
    assert document["@context"] == "https://schema.org"
    ok, report, data = conforms(document, "schema_org_shapes.ttl")
    assert ok, report
    products = {p["item"]["sku"]: p["item"] for p in document["itemListElement"]}
    bread = products["B1"]
    assert bread["offers"]["price"] == "2.40" and bread["offers"]["priceCurrency"] == "EUR"
    assert bread["offers"]["availability"] == "https://schema.org/InStock"
    assert bread["gtin"] == "3017620422003"
    assert bread["manufacturer"]["name"] == "Ferme des Prés"
    assert products["F1"]["offers"]["availability"] == "https://schema.org/MadeToOrder"
    # The expanded RDF carries the vocabulary's IRIs, not our words.
    prices = {str(o) for s, p, o in data if str(p) == "http://schema.org/price"}
    assert prices == {"2.40", "3.00"}


def test_one_offer_as_schema_org(offers: list[Any], anon_api: Any) -> None:
    document = anon_api.call("get", f"/offers/{offers[0].pk}/jsonld").json()
    assert document["@type"] == "Product" and document["name"] == "Pain complet"
    ok, report, _data = conforms(document, "schema_org_shapes.ttl")
    assert ok, report


def test_dfc_catalog_conforms(offers: list[Any], anon_api: Any) -> None:
    document = anon_api.call("get", "/shops/boulangerie/catalog.jsonld?vocabulary=dfc").json()
    assert document["@context"] == "https://www.datafoodconsortium.org"
    ok, report, data = conforms(document, "dfc_shapes.ttl")
    assert ok, report
    dfc = "https://github.com/datafoodconsortium/ontology/releases/latest/download/DFC_BusinessOntology.owl#"
    skus = sorted(str(o) for s, p, o in data if str(p) == dfc + "sku")
    assert skus == ["B1", "F1"]
    vat = sorted(float(o) for s, p, o in data if str(p) == dfc + "VATrate")
    assert vat == [5.5, 5.5]
    units = {str(o).rsplit("#", 1)[1] for s, p, o in data if str(p) == dfc + "hasUnit"}
    assert units == {"Piece", "Kilogram", "Euro"}


@pytest.mark.parametrize(
    ("vocabulary", "shapes", "break_it"),
    [
        ("schema.org", "schema_org_shapes.ttl", lambda d: d["itemListElement"][0]["item"]["offers"].pop("price")),
        ("schema.org", "schema_org_shapes.ttl",
         lambda d: d["itemListElement"][0]["item"]["offers"].update(availability="https://schema.org/Maybe")),
        ("schema.org", "schema_org_shapes.ttl", lambda d: d["itemListElement"][0]["item"].update(gtin="12")),
        ("dfc", "dfc_shapes.ttl", lambda d: next(n for n in d["@graph"] if n["@type"] == "dfc-b:Offer").pop("dfc-b:hasPrice")),
        ("dfc", "dfc_shapes.ttl", lambda d: next(n for n in d["@graph"] if n["@type"] == "dfc-b:CatalogItem").pop("dfc-b:sku")),
        ("dfc", "dfc_shapes.ttl", lambda d: next(n for n in d["@graph"] if n["@type"] == "dfc-b:SuppliedProduct")["dfc-b:hasQuantity"].update({"dfc-b:hasUnit": "dfc-m:Parsec"})),
    ],
)  # fmt: skip
def test_a_broken_document_fails_its_shapes(
    offers: list[Any], anon_api: Any, vocabulary: str, shapes: str, break_it: Any
) -> None:
    """The shapes are not decoration: remove a required property or use a value outside the vocabulary and the
    validation fails."""
    document = anon_api.call("get", f"/shops/boulangerie/catalog.jsonld?vocabulary={vocabulary}").json()
    break_it(document)
    ok, _report, _data = conforms(document, shapes)
    assert not ok


def test_unknown_vocabulary_and_hidden_shops(offers: list[Any], anon_api: Any, shop: Shop) -> None:
    assert anon_api.call("get", "/shops/boulangerie/catalog.jsonld?vocabulary=rdfa").status_code == 422
    Shop.objects.filter(pk=shop.pk).update(status=Shop.Status.SUSPENDED)
    assert anon_api.call("get", "/shops/boulangerie/catalog.jsonld").status_code == 404
    assert anon_api.call("get", f"/offers/{offers[0].pk}/jsonld").status_code == 404


def test_shipped_contexts_are_the_published_ones_where_it_matters() -> None:
    schema = json.loads((HERE / "schema_org_context.jsonld").read_text())["@context"]
    assert schema["@vocab"] == "http://schema.org/"  # the published context's vocabulary IRI
    dfc = json.loads((HERE / "dfc_context.jsonld").read_text())["@context"]
    assert dfc["dfc-b"] == (
        "https://github.com/datafoodconsortium/ontology/releases/latest/download/DFC_BusinessOntology.owl#"
    )
    assert Path(HERE / "dfc_shapes.ttl").read_text().count("sh:targetClass") == 4
