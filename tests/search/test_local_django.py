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
    assert farm.why_text("fr").endswith(" · en stock · produit à 23 km — Ferme des Trois-Rivières (local)")
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
                       "label": "Produit à 23 km — Ferme des Trois-Rivières"}),
    ]  # fmt: skip
    assert body["results"][0]["why"]["local_factor"] == pytest.approx(1 + 50 / (50 + 23.0), abs=1e-4)
    out = io.StringIO()
    call_command("search", "pain seigle", "--local", "--json", stdout=out)
    assert [h["offer_id"] for h in json.loads(out.getvalue())["results"]] == [rye["farm"]]
    # A wider governed radius takes the 400 km mill in; an origin that cannot be placed never.
    adopt({"local_radius_km": "500"})
    assert ids(search("pain seigle", local="1")) == [rye["farm"], rye["far"]]
    html = Client().get("/recherche/", {"q": "pain seigle", "local": "1"}).content.decode()
    assert "Produit à 23 km — Ferme des Trois-Rivières" in html
    assert (
        '<p class="origin local"><strong>Local</strong> · Produit à 23 km — Ferme des Trois-Rivières</p>'
        in html
    )
    assert 'name="local" value="1" checked> Local seulement (origine à moins de 500 km)' in html


def test_moving_a_supplier_moves_its_offers_origin(rye: dict[str, int]) -> None:
    from comptoir.catalog.models import Supplier

    do_update_supplier(Supplier.objects.get(name="Minoterie du Sud"), lat=47.1, lon=6.004)
    do_apply_pending_changes()
    assert ids(search("pain seigle", local="1")) == [rye["far"], rye["farm"]]


def test_an_unknown_local_parameter_value_is_not_local(rye: dict[str, Any]) -> None:
    assert len(search("pain seigle", local="peut-être").hits) == 4
