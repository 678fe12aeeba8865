"""A declared place of production has a postal code, so "local" as a voted territory can place it.

The node is the French one (centre 47.056, 6.004 in the Doubs). Nevers (58000, Nièvre) is 216 km away:
far by the 100 km radius, but in Bourgogne-Franche-Comté (FR-BFC).
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client

from comptoir.catalog import linked_data
from comptoir.catalog.exports import offer_as_raw
from comptoir.catalog.imports import do_import_catalog
from comptoir.catalog.models import Offer, Shop
from comptoir.catalog.selectors import offer_origin
from comptoir.catalog.services import do_create_offer
from comptoir.search.services import do_rebuild_index
from tests.catalog.test_linked_data import conforms
from tests.conftest import PASSWORD
from tests.governance.adopt import adopt
from tests.search.test_django_search import Town, ids, search, town  # noqa: F401

HEADER = "sku,name_fr,price,stock,category,origin,origin_lat,origin_lon,origin_postal_code,origin_country\n"
NEVERS = "Nevers,46.9900,3.1590"


def _import(shop: Shop, rows: str) -> Any:
    return do_import_catalog(shop, io.BytesIO((HEADER + rows).encode()), "catalogue.csv")


def test_a_declared_place_with_a_postal_code_is_local_under_its_territory(town: Town) -> None:  # noqa: F811
    job = _import(
        town.pont,
        f"M1,Miel de sapin,8.00,4,food,{NEVERS},58 000,\n"  # written the French way: 58000
        f"M2,Miel de sapin,8.00,4,food,{NEVERS},,\n"  # the same place without a postal code
        "M3,Miel de sapin,8.00,4,food,Montréal,45.5230,-73.5800,h2t1s6,ca\n",  # abroad: Canada's way
    )
    assert (job.status, job.errors) == ("applied", [])
    offers = {o.sku: o for o in Offer.objects.filter(shop=town.pont, sku__startswith="M")}
    assert [(offers[s].origin_postal_code, offers[s].origin_country) for s in ("M1", "M2", "M3")] == [
        ("58000", ""), ("", ""), ("H2T 1S6", "CA")
    ]  # fmt: skip
    do_rebuild_index()
    assert [(round(offer_origin(offers[s]).km or 0), offer_origin(offers[s]).local) for s in ("M1", "M2")] == [
        (216, False), (216, False)
    ]  # fmt: skip
    adopt({"local_territory": "FR-BFC"})
    assert [offer_origin(offers[s]).local for s in ("M1", "M2", "M3")] == [True, False, False]
    assert ids(search("miel sapin", local="1")) == [offers["M1"].pk]
    adopt({"local_territory": "FR-58"})
    assert ids(search("miel sapin", local="1")) == [offers["M1"].pk]
    adopt({"local_territory": "FR-25"})
    assert ids(search("miel sapin", local="1")) == []


def test_a_postal_code_that_is_not_its_countrys_is_refused_and_nothing_is_written(shop: Shop) -> None:
    job = _import(
        shop,
        f"A1,Miel,8.00,4,,{NEVERS},H2T 1S6,\n"  # a Canadian code, the node's country (France)
        "A2,Sirop d'érable,9.00,4,,Montréal,45.5230,-73.5800,25290,CA\n"  # a French code said to be Canadian
        f"A3,Miel,8.00,4,,{NEVERS},58000,France\n"  # a country name, not its two letters
        "A4,Miel,8.00,4,,Nevers,,,58000,\n"  # a postal code without the place's coordinates
        f"A5,Miel,8.00,4,,{NEVERS},58000,FR\n",  # a good row: not written either (all or nothing)
    )
    assert job.status == "rejected"
    assert [(e["row"], e["column"], e["message"]) for e in job.errors] == [
        (2, "origin_postal_code", "H2T 1S6 n’est pas un code postal de FR (par exemple 25290)"),
        (3, "origin_postal_code", "25290 n’est pas un code postal de CA (par exemple H2T 1S6)"),
        (4, "origin_country", "un code de pays en deux lettres est attendu, comme CA ou FR\u00a0: FRANCE"),
        (5, "origin_postal_code",
         "donnez la latitude et la longitude du lieu de production avec son code postal"),
    ]  # fmt: skip
    assert Offer.objects.filter(shop=shop).count() == 0


def test_the_shop_form_takes_and_checks_the_postal_code(shop: Shop, owner: Any) -> None:
    offer = do_create_offer(shop, {"sku": "B1", "name_fr": "Miel", "price": "8,00", "stock": "3"})
    client = Client()
    assert client.login(username=owner.email, password=PASSWORD)
    form = {"sku": "B1", "name_fr": "Miel", "unit": "piece", "quantity": "1", "price": "8,00", "tax_rate": "5,5",
            "stock": "3", "weight_g": "0", "volume_ml": "0", "active": "on", "origin": "Nevers",
            "origin_lat": "46,99", "origin_lon": "3,159", "origin_postal_code": "H2T 1S6"}  # fmt: skip
    page = client.post(f"/gestion/boulangerie/offres/{offer.pk}/", form)
    assert page.status_code == 400
    assert "H2T 1S6 n’est pas un code postal de FR (par exemple 25290)" in page.content.decode()
    offer.refresh_from_db()
    assert (offer.origin_place, offer.origin_postal_code) == ("", "")
    page = client.post(f"/gestion/boulangerie/offres/{offer.pk}/", {**form, "origin_postal_code": "58000"})
    assert page.status_code == 302
    offer.refresh_from_db()
    assert (offer.origin_place, offer.origin_postal_code, offer.origin_country) == ("Nevers", "58000", "")
    assert (
        'name="origin_postal_code"' in client.get(f"/gestion/boulangerie/offres/{offer.pk}/").content.decode()
    )


def test_exports_carry_the_postal_code_of_the_place_of_production(shop: Shop, anon_api: Any) -> None:
    offer = do_create_offer(
        shop, {"sku": "M1", "name_fr": "Miel", "price": "8,00", "stock": "3", "origin": "Nevers",
               "origin_lat": "46.99", "origin_lon": "3.159", "origin_postal_code": "58000"},
    )  # fmt: skip
    raw = offer_as_raw(offer)  # the CSV export and the migration bundle's offers.json
    assert {k: raw[k] for k in ("origin", "origin_postal_code", "origin_country")} == {
        "origin": "Nevers", "origin_postal_code": "58000", "origin_country": ""
    }  # fmt: skip
    product = anon_api.call("get", f"/offers/{offer.pk}/jsonld").json()
    url = linked_data.offer_iri(offer)
    assert product["additionalProperty"] == {
        "@type": "PropertyValue", "propertyID": "placeOfProduction", "name": "Lieu de production",
        "value": {"@type": "PostalAddress", "@id": f"{url}#production", "postalCode": "58000",
                  "addressLocality": "Nevers", "addressCountry": "FR"},
    }  # fmt: skip
    assert product["countryOfOrigin"] == {"@type": "Country", "name": "FR"}
    ok, report, _data = conforms(product, "schema_org_shapes.ttl")
    assert ok, report
    dfc = anon_api.call("get", "/shops/boulangerie/catalog.jsonld?vocabulary=dfc").json()
    supplied = next(n for n in dfc["@graph"] if n["@type"] == "dfc-b:SuppliedProduct")
    assert supplied["dfc-b:hasGeographicalOrigin"] == {
        "@id": f"{url}#production", "@type": "dfc-b:Address", "dfc-b:hasPostalCode": "58000",
        "dfc-b:hasCountry": "FR", "dfc-b:hasCity": "Nevers", "dfc-b:latitude": 46.99, "dfc-b:longitude": 3.159,
    }  # fmt: skip
    ok, report, data = conforms(dfc, "dfc_shapes.ttl")
    assert ok, report
    postal = "https://github.com/datafoodconsortium/ontology/releases/latest/download/DFC_BusinessOntology.owl#hasPostalCode"
    assert [str(o) for _s, p, o in data if str(p) == postal] == ["58000"]


@pytest.mark.parametrize(
    ("code", "country", "written"),
    [("58 000", "FR", "58000"), ("h2t1s6", "CA", "H2T 1S6"), ("X0A 0H0", "CA", "X0A 0H0"), ("10115", "DE", "10115"),
     ("H2T 1S6", "FR", None), ("20300", "FR", None), ("25290", "CA", None), ("D2T 1S6", "CA", None)],
)  # fmt: skip
def test_postal_codes_are_read_their_countrys_way(code: str, country: str, written: str | None) -> None:
    from comptoir.core.territories import postal_code_in

    assert postal_code_in(code, country) == written
