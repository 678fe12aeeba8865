"""Suppliers: one shared record per producer, matched by reference or exact name + postal code."""

import io

import pytest

from comptoir.catalog.exports import export_csv
from comptoir.catalog.imports import do_import_catalog
from comptoir.catalog.models import ImportJob, Offer, Supplier
from comptoir.catalog.provenance import is_local, origin_distance_km, origin_of
from comptoir.catalog.services import do_create_offer, do_update_offer
from comptoir.catalog.suppliers import (
    do_create_supplier,
    do_update_supplier,
    match_supplier,
    normalise_name,
)
from comptoir.core.errors import Conflict, InvalidInput

CENTRE = (47.056, 6.004)


@pytest.fixture
def farm(shop):
    return do_create_supplier(
        shop=shop, name="Ferme des Trois-Rivières", kind="farm", postal_code="25290", city="Ornans",
        lat=47.105, lon=6.145, listed=True,
    )  # fmt: skip


def test_normalised_name_folds_case_accents_and_punctuation():
    assert normalise_name("  Ferme des TROIS-Rivières ") == "ferme des trois rivieres"
    assert normalise_name("Bœuf & Cie") == "boeuf cie"


def test_a_supplier_gets_a_reference_and_its_normalised_name(farm):
    assert (farm.ref, farm.name_key, farm.postal_code, farm.is_placed) == (
        "ferme-des-trois-rivieres", "ferme des trois rivieres", "25290", True,
    )  # fmt: skip


def test_same_normalised_name_and_postal_code_is_the_same_supplier(shop, farm):
    with pytest.raises(Conflict) as refused:
        do_create_supplier(shop=shop, name="FERME DES TROIS RIVIERES", postal_code=" 25290 ")
    assert refused.value.code == "supplier_exists"
    assert refused.value.details == {"ref": "ferme-des-trois-rivieres"}
    assert Supplier.objects.count() == 1
    assert match_supplier("ferme des trois-rivières", "25290").exact == farm


def test_a_close_name_is_proposed_never_merged(shop, farm):
    with pytest.raises(Conflict) as refused:
        do_create_supplier(shop=shop, name="Ferme des Trois Rivière", postal_code="25000")
    assert refused.value.code == "supplier_close_match"
    assert refused.value.details == {"candidates": ["ferme-des-trois-rivieres"]}
    assert refused.value.message == (
        "Des fournisseurs au nom proche existent\u00a0: est-ce l’un d’eux\u00a0? "
        "Ferme des Trois-Rivières (25290, ferme-des-trois-rivieres)"
    )
    assert Supplier.objects.count() == 1
    other = do_create_supplier(
        shop=shop, name="Ferme des Trois Rivière", postal_code="25000", distinct_from_close=True
    )
    assert (other.ref, Supplier.objects.count()) == ("ferme-des-trois-riviere", 2)


def test_a_far_supplier_may_give_only_its_region(shop):
    far = do_create_supplier(shop=None, name="Conserverie Bretonne", kind="manufacturer", region="Bretagne")
    assert (far.lat, far.lon, far.is_placed, far.added_by) == (None, None, False, None)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "  "}, "Un fournisseur doit avoir un nom."),
        ({"name": "X", "kind": "castle"}, "Type de fournisseur inconnu\u00a0: castle"),
        (
            {"name": "X", "lat": 47.1},
            "Donnez la latitude et la longitude, sur la Terre, ou aucune des deux "
            "(un fournisseur lointain peut ne donner que sa région).",
        ),
        (
            {"name": "X", "lat": 95, "lon": 6},
            "Donnez la latitude et la longitude, sur la Terre, ou aucune des "
            "deux (un fournisseur lointain peut ne donner que sa région).",
        ),
        ({"name": "X", "colour": "red"}, "Champs de fournisseur inconnus\u00a0: colour"),
    ],
)
def test_bad_supplier_fields_are_refused_and_write_nothing(shop, fields, message):
    with pytest.raises(InvalidInput) as refused:
        do_create_supplier(shop=shop, **fields)
    assert refused.value.message == message
    assert Supplier.objects.count() == 0


def test_an_offer_links_to_a_supplier_by_reference_with_who_stated_it(shop, farm):
    offer = do_create_offer(shop, {"sku": "T1", "name_fr": "Tomme", "price": "4,20", "supplier": farm.ref})
    assert (offer.supplier_id, offer.origin_stated_by, offer.origin_place) == (farm.pk, "shop", "")
    offer = do_update_offer(offer, {"origin": "Alpage du Mont d'Or", "origin_lat": "46,73", "origin_lon": "6.35",
                                    "origin_stated_by": "label", "origin_label": "AOP Mont d'Or"})  # fmt: skip
    assert (offer.origin_place, offer.origin_lat, offer.origin_lon, offer.origin_stated_by, offer.origin_label) == (
        "Alpage du Mont d'Or", 46.73, 6.35, "label", "AOP Mont d'Or",
    )  # fmt: skip
    offer = do_update_offer(
        offer, {"supplier": "", "origin": "", "origin_lat": "", "origin_lon": "", "origin_label": ""}
    )
    assert (offer.supplier_id, offer.origin_stated_by) == (None, "")


def test_an_unknown_supplier_reference_is_refused_and_changes_nothing(shop):
    with pytest.raises(InvalidInput) as refused:
        do_create_offer(shop, {"sku": "T1", "name_fr": "Tomme", "price": "4,20", "supplier": "ferme-fantome"})
    assert refused.value.details["errors"] == [
        {"column": "supplier", "message": "référence de fournisseur inconnue\u00a0: ferme-fantome"}
    ]
    assert Offer.objects.count() == 0


def test_half_an_origin_or_an_unknown_statement_is_refused(shop):
    with pytest.raises(InvalidInput) as refused:
        do_create_offer(shop, {"sku": "T1", "name_fr": "Tomme", "price": "4", "origin_lat": "46.7",
                               "origin_stated_by": "rumour"})  # fmt: skip
    assert refused.value.details["errors"] == [
        {"column": "origin_lat", "message": "donnez la latitude et la longitude de l’origine"},
        {
            "column": "origin_stated_by",
            "message": "attendu shop (boutique), supplier (fournisseur) ou label\u00a0: rumour",
        },
    ]


IMPORT_HEADER = "sku,name_fr,price,supplier,origin\n"


def test_import_links_suppliers_and_an_unknown_reference_is_a_row_error(shop, farm):
    text = IMPORT_HEADER + "T1,Tomme,4.20,ferme-des-trois-rivieres,\nT2,Bière,3,brasserie-inconnue,\n"
    job = do_import_catalog(shop, io.BytesIO(text.encode()), "c.csv", mode=ImportJob.Mode.VALID_ROWS)
    assert (job.status, job.rows_created, job.rows_rejected) == ("partial", 1, 1)
    assert job.errors == [
        {
            "row": 3,
            "column": "supplier",
            "message": "référence de fournisseur inconnue\u00a0: brasserie-inconnue",
        }
    ]
    assert Offer.objects.get(sku="T1").supplier == farm


def test_a_file_without_provenance_columns_keeps_the_links(shop, farm):
    do_create_offer(shop, {"sku": "T1", "name_fr": "Tomme", "price": "4,20", "supplier": farm.ref})
    job = do_import_catalog(shop, io.BytesIO(b"sku,name_fr,price\nT1,Tomme,4.50\n"), "c.csv")
    assert (job.status, job.rows_updated) == ("applied", 1)
    offer = Offer.objects.get(sku="T1")
    assert (offer.price_cents, offer.supplier, offer.origin_stated_by) == (450, farm, "shop")


def test_export_carries_provenance_and_reads_back_unchanged(shop, farm):
    do_create_offer(shop, {"sku": "T1", "name_fr": "Tomme", "price": "4,20", "supplier": farm.ref,
                           "origin_lat": "46.73", "origin_lon": "6.35", "origin": "Mouthe",
                           "origin_postal_code": "25 240"})  # fmt: skip
    exported = "".join(export_csv(shop, "en"))
    header, row = exported.splitlines()
    assert header.endswith(
        ",supplier,origin,origin_lat,origin_lon,origin_postal_code,origin_country,origin_stated_by,origin_label"
    )
    assert row.endswith(",ferme-des-trois-rivieres,Mouthe,46.73,6.35,25240,,shop,")
    job = do_import_catalog(shop, io.BytesIO(exported.encode()), "back.csv")
    assert (job.status, job.rows_updated) == ("applied", 1)
    assert "".join(export_csv(shop, "en")) == exported


def test_moving_a_supplier_reindexes_its_offers(shop, farm):
    from comptoir.catalog.models import OfferChange

    offer = do_create_offer(shop, {"sku": "T1", "name_fr": "Tomme", "price": "4", "supplier": farm.ref})
    OfferChange.objects.all().delete()
    do_update_supplier(farm, lat=47.2, lon=6.2)
    assert list(OfferChange.objects.values_list("offer_id", flat=True)) == [offer.pk]


def test_origin_is_the_declared_place_else_the_supplier_and_unknown_is_never_local():
    declared = origin_of(origin_lat=46.73, origin_lon=6.35, origin_place="Mouthe",
                         supplier_lat=47.105, supplier_lon=6.145, supplier_name="Ferme")  # fmt: skip
    assert (declared.lat, declared.lon, declared.place) == (46.73, 6.35, "Mouthe")
    supplier = origin_of(origin_lat=None, origin_lon=None, supplier_lat=47.105, supplier_lon=6.145,
                         supplier_place="Ornans")  # fmt: skip
    assert round(origin_distance_km(supplier, CENTRE) or 0, 2) == 11.99
    unknown = origin_of(origin_lat=None, origin_lon=None, supplier_place="Bretagne")
    assert (origin_distance_km(unknown, CENTRE), is_local(None, 20_000)) == (None, False)
    assert (is_local(11.97, 12.0), is_local(12.01, 12.0)) == (True, False)


def test_network_import_links_suppliers_and_rejects_unknown_references(tmp_path, farm):
    from comptoir.catalog.network_import import import_network

    path = tmp_path / "network.csv"
    path.write_text(
        "shop_ref,shop_name,lat,lon,sku,gtin,name,category,price,stock,supplier\n"
        "fromagerie,Fromagerie,47.05,6.0,C1,,Comté 18 mois,,5.20,3,ferme-des-trois-rivieres\n"
        "fromagerie,Fromagerie,47.05,6.0,C2,,Morbier,,4.10,3,laiterie-fantome\n"
        "fromagerie,Fromagerie,47.05,6.0,C3,,Bleu de Gex,,4.80,3,\n"
    )
    report = import_network(path)
    assert (report.rows, report.offers_written, report.rejected) == (
        3, 2, [(3, "supplier: référence de fournisseur inconnue\u00a0: laiterie-fantome")],
    )  # fmt: skip
    offers = dict(Offer.objects.values_list("sku", "supplier__ref"))
    assert offers == {"C1": "ferme-des-trois-rivieres", "C3": None}
    assert Offer.objects.get(sku="C1").origin_stated_by == "shop"
    # A later file without the column changes prices and keeps the links.
    path.write_text(
        "shop_ref,shop_name,lat,lon,sku,gtin,name,category,price,stock\n"
        "fromagerie,Fromagerie,47.05,6.0,C1,,Comté 18 mois,,5.40,3\n"
    )
    import_network(path)
    assert Offer.objects.filter(sku="C1").values_list("price_cents", "supplier__ref").get() == (
        540, "ferme-des-trois-rivieres",
    )  # fmt: skip


def test_network_import_refuses_an_unknown_extra_column(db, tmp_path):
    from comptoir.catalog.network_import import import_network

    path = tmp_path / "network.csv"
    path.write_text("shop_ref,shop_name,lat,lon,sku,gtin,name,category,price,stock,colour\n")
    with pytest.raises(InvalidInput) as refused:
        import_network(path)
    assert refused.value.message == (
        "En-tête attendu\u00a0: shop_ref,shop_name,lat,lon,sku,gtin,name,category,price,stock, "
        "puis éventuellement supplier,organisation"
    )
