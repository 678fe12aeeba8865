"""Local origin through the database: suppliers' places in the index, the governed weight and
radius, the "local only" filter in the page, the API and the CLI (decision 0015)."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from comptoir.catalog.suppliers import do_create_supplier, do_update_supplier
from comptoir.search.services import do_apply_pending_changes, do_rebuild_index
from tests.governance.adopt import adopt
from tests.search.test_django_search import Town, _offer, by_tie, ids, search, town  # noqa: F401

# The node's centre is 47.056, 6.004 (COMPTOIR_CENTRE); 0.2068° of latitude is 23.0 km.
FARM_AT = (47.2628, 6.004)
FAR_AT = (43.459, 6.004)  # 400 km south


@pytest.fixture
def rye(town: Town) -> dict[str, int]:  # noqa: F811 (the fixture imported above)
    """The same rye loaf three times in one shop: equal text, distance and stock; only the origin differs."""
    farm = do_create_supplier(shop=None, name="Ferme des Trois-Rivières", kind="farm", postal_code="25290",
                              lat=FARM_AT[0], lon=FARM_AT[1])  # fmt: skip
    mill = do_create_supplier(
        shop=None, name="Minoterie du Sud", kind="manufacturer", lat=FAR_AT[0], lon=FAR_AT[1]
    )
    region = do_create_supplier(
        shop=None, name="Boulangerie Industrielle", kind="manufacturer", region="Bretagne"
    )
    made = {
        "farm": _offer(town.pont, "R1", "Pain de seigle", "3,10", "4", supplier=farm.ref),
        "far": _offer(town.pont, "R2", "Pain de seigle", "3,10", "4", supplier=mill.ref),
        "region": _offer(town.pont, "R3", "Pain de seigle", "3,10", "4", supplier=region.ref),
        "none": _offer(town.pont, "R4", "Pain de seigle", "3,10", "4"),
    }
    do_rebuild_index()
    return {key: offer.pk for key, offer in made.items()}


def test_the_local_offer_ranks_first_and_closer_beats_farther(rye: dict[str, int]) -> None:
    result = search("pain seigle")
    assert ids(result)[:2] == [rye["farm"], rye["far"]]
    assert sorted(ids(result)[2:]) == sorted([rye["region"], rye["none"]])
    farm = result.hits[0]
    assert (round(farm.origin_km or 0, 1), farm.supplier_name, farm.local) == (
        23.0,
        "Ferme des Trois-Rivières",
        True,
    )
    assert farm.why_text("fr").endswith(
        " · en stock · produit à 23\u00a0km — Ferme des Trois-Rivières (local)"
    )
    region = next(h for h in result.hits if h.offer_id == rye["region"])
    assert (region.origin_km, region.local) == (None, False)
    assert region.why_text("fr").endswith(" · origine inconnue — Boulangerie Industrielle")


def test_with_the_governed_weight_at_zero_the_tie_key_decides_as_before(rye: dict[str, int]) -> None:
    adopt({"ranking_weight_local": "0.0"})
    assert ids(search("pain seigle")) == by_tie(list(rye.values()))


def test_local_only_in_the_api_the_cli_and_the_page(rye: dict[str, int]) -> None:
    assert ids(search("pain seigle", local="1")) == [rye["farm"]]
    body = Client().get("/api/v1/search", {"q": "pain seigle", "local": "true"}).json()
    assert [(h["offer_id"], h["origin"]) for h in body["results"]] == [
        (rye["farm"], {"km": 23.0, "supplier": "Ferme des Trois-Rivières", "place": "", "local": True,
                       "label": "Produit à 23\u00a0km — Ferme des Trois-Rivières"}),
    ]  # fmt: skip
    assert body["results"][0]["why"]["local_factor"] == pytest.approx(1 + 50 / (50 + 23.0), abs=1e-4)
    out = io.StringIO()
    call_command("search", "pain seigle", "--local", "--json", stdout=out)
    assert [h["offer_id"] for h in json.loads(out.getvalue())["results"]] == [rye["farm"]]
    # A wider governed radius takes the 400 km mill in; an origin that cannot be placed never.
    adopt({"local_radius_km": "500"})
    assert ids(search("pain seigle", local="1")) == [rye["farm"], rye["far"]]
    html = Client().get("/recherche/", {"q": "pain seigle", "local": "1"}).content.decode()
    assert "Produit à 23\u00a0km — Ferme des Trois-Rivières" in html
    assert (
        '<p class="origin local"><strong>Local</strong> · Produit à 23\u00a0km — Ferme des Trois-Rivières</p>'
        in html
    )
    assert (
        'name="local" value="1" checked> Local seulement (origine à moins de 500\u00a0km du centre du nœud)'
        in html
    )


def test_moving_a_supplier_moves_its_offers_origin(rye: dict[str, int]) -> None:
    from comptoir.catalog.models import Supplier

    do_update_supplier(Supplier.objects.get(name="Minoterie du Sud"), lat=47.1, lon=6.004)
    do_apply_pending_changes()
    assert ids(search("pain seigle", local="1")) == [rye["far"], rye["farm"]]


def test_an_unknown_local_parameter_value_is_not_local(rye: dict[str, Any]) -> None:
    assert len(search("pain seigle", local="peut-être").hits) == 4


@pytest.fixture
def regions(town: Town) -> dict[str, int]:  # noqa: F811 (the fixture imported above)
    """Honey from three suppliers: the Doubs (25, 23 km), the Ain (01, 93 km: within the 100 km
    radius but in Auvergne-Rhône-Alpes) and the Nièvre (58, 216 km: far, but in Bourgogne-Franche-Comté)."""
    doubs = do_create_supplier(shop=None, name="Rucher du Doubs", kind="farm", postal_code="25290",
                               lat=FARM_AT[0], lon=FARM_AT[1])  # fmt: skip
    ain = do_create_supplier(shop=None, name="Miellerie de l'Ain", kind="farm", postal_code="01100",
                             country="FR", lat=46.2570, lon=5.6550)  # fmt: skip
    nievre = do_create_supplier(shop=None, name="Rucher nivernais", kind="farm", postal_code="58000",
                                lat=46.9900, lon=3.1590)  # fmt: skip
    made = {
        "doubs": _offer(town.pont, "M1", "Miel de sapin", "8,00", "4", supplier=doubs.ref),
        "ain": _offer(town.pont, "M2", "Miel de sapin", "8,00", "4", supplier=ain.ref),
        "nievre": _offer(town.pont, "M3", "Miel de sapin", "8,00", "4", supplier=nievre.ref),
    }
    do_rebuild_index()
    return {key: offer.pk for key, offer in made.items()}


def test_local_as_a_voted_territory_in_search_pages_and_api(regions: dict[str, int]) -> None:
    from comptoir.catalog.models import Supplier

    hits = {h.offer_id: (round(h.origin_km or 0), h.local) for h in search("miel sapin").hits}
    assert hits == {regions["doubs"]: (23, True), regions["ain"]: (93, True), regions["nievre"]: (216, False)}
    adopt({"local_territory": "fr-bfc"})  # the région, typed any way
    result = search("miel sapin", local="1")
    assert ids(result) == [regions["doubs"], regions["nievre"]]  # closeness still ranks
    assert [(round(h.origin_km or 0), h.local) for h in result.hits] == [(23, True), (216, True)]
    assert result.hits[1].why_text("fr").endswith(" · produit à 216\u00a0km — Rucher nivernais (local)")
    ain = next(h for h in search("miel sapin").hits if h.offer_id == regions["ain"])
    assert (round(ain.origin_km or 0), ain.local) == (93, False)
    body = Client().get("/api/v1/search", {"q": "miel sapin", "local": "true"}).json()
    assert [h["origin"]["local"] for h in body["results"]] == [True, True]
    html = Client().get("/recherche/", {"q": "miel sapin", "local": "1"}).content.decode()
    assert "Local seulement (origine en Bourgogne-Franche-Comté (FR-BFC))" in html
    offer_page = Client().get(f"/produits/{regions['nievre']}/").content.decode()
    assert (
        '<p class="origin local"><strong>Local</strong> · Produit à 216\u00a0km — Rucher nivernais</p>'
        in offer_page
    )
    ain_page = Client().get(f"/produits/{regions['ain']}/").content.decode()
    assert '<p class="origin">Produit à 93\u00a0km — Miellerie de l&#x27;Ain</p>' in ain_page
    ref = Supplier.objects.get(name="Miellerie de l'Ain").ref
    assert Client().get(f"/api/v1/suppliers/{ref}").json()["local"] is False
    adopt({"local_territory": "FR-25"})  # the département alone
    assert ids(search("miel sapin", local="1")) == [regions["doubs"]]
    adopt({"local_territory": "aucun"})  # back to the radius
    assert ids(search("miel sapin", local="1")) == [regions["doubs"], regions["ain"]]
