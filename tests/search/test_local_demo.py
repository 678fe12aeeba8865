"""The demo town's suppliers give "local only" a real mix (issue 17 item 7)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from comptoir.catalog.models import Offer, Supplier
from comptoir.demo.generator import generate_demo
from comptoir.search.params import parse_params
from comptoir.search.selectors import search_offers
from comptoir.search.services import do_rebuild_index


def _search(**params: str) -> Any:
    return search_offers(parse_params({"facets": "0", **params}), "fr").result


def test_local_only_in_the_demo_town_mixes_local_far_and_unknown(
    db: Any, settings: Any, tmp_path: Path
) -> None:
    settings.COMPTOIR_SEARCH_DIR = tmp_path / "search"
    summary = generate_demo(seed=42, shops=40, offers=1200)
    do_rebuild_index()
    assert (summary.suppliers, Supplier.objects.filter(lat__isnull=True).count()) == (16, 3)
    linked = Offer.objects.filter(supplier__isnull=False).count()
    assert 0 < linked < summary.offers  # the bakeries make their own bread: no supplier
    comte = _search(q="comté", local="1").hits[0]
    assert (comte.supplier_name, comte.local) == ("Fruitière de Vuillafans", True)
    assert comte.why_text("fr").endswith(" · produit à 16\u00a0km — Fruitière de Vuillafans (local)")
    everything, local = _search(q="", facets="1"), _search(q="", local="1", facets="1")  # exact totals
    assert 0 < local.total < everything.total
    assert all(hit.local for hit in local.hits)
    screws = _search(q="vis bois")
    assert screws.total == 50 and screws.relaxed == "exact"
    # No local screw: "local only" relaxes to any word, and finds the wooden toys of Pontarlier.
    local_wood = _search(q="vis bois", local="1")
    assert (local_wood.relaxed, local_wood.total) == ("any_word", 5)
    assert {(h.supplier_name, h.name.startswith("Jeu de construction en bois")) for h in local_wood.hits} == {
        ("Atelier Bois du Haut-Doubs", True)
    }
    assert screws.hits[0].why_text("fr").endswith(" · produit à 219\u00a0km — Outillage Forézien")
    bread = _search(q="pain complet").hits[0]
    assert (bread.supplier_name, bread.origin_km, bread.why_text("fr").endswith(" · origine inconnue")) == (
        "", None, True,
    )  # fmt: skip
