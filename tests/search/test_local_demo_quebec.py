"""The Québec demo's suppliers give "local only" a real mix, by the radius and by the province
(issue 17 items 2 and 7, decision 0020)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from comptoir.core.regions import QUEBEC
from comptoir.search.params import parse_params
from comptoir.search.selectors import search_offers
from comptoir.search.services import do_rebuild_index
from tests.governance.adopt import adopt


def _search(**params: str) -> Any:
    return search_offers(parse_params({"facets": "0", **params}), "fr").result


def test_local_only_on_the_quebec_demo_by_radius_then_by_province(
    db: Any, settings: Any, tmp_path: Path
) -> None:
    from comptoir.demo.quebec import generate_quebec_demo

    settings.COMPTOIR_REGION = "quebec"
    settings.COMPTOIR_NODE_CENTRE = QUEBEC.centre  # what settings.py derives from the region at start-up
    settings.COMPTOIR_SEARCH_DIR = tmp_path / "search"
    generate_quebec_demo(seed=3, shops=6, offers=120, residents=1, couriers=0)
    do_rebuild_index()
    everything, local = _search(q="", facets="1"), _search(q="", local="1", facets="1")  # exact totals
    assert (everything.total, local.total) == (440, 78)
    assert all(hit.local for hit in local.hits)
    milk = _search(q="lait", local="1").hits[0]
    assert (milk.name, milk.supplier_name, milk.local) == ("Lait 2 %", "Fromagerie du Rang 7", True)
    assert milk.why_text("fr").endswith(" · en stock · produit à 50\u00a0km — Fromagerie du Rang 7 (local)")
    # The maple farm of the Beauce is 235 km away: not local by the 100 km radius...
    assert _search(q="canneberges", local="1").total == 0
    maple = {(h.supplier_name, round(h.origin_km or 0), h.local) for h in _search(q="canneberges").hits}
    assert ("Érablière Bélanger", 235, False) in maple
    # ...but local once the members vote "local" to be the province; Ontario's maker, known only by
    # its region, stays unknown, and closeness still ranks.
    adopt({"local_territory": "CA-QC"})
    assert _search(q="", local="1", facets="1").total == 81
    cranberries = _search(q="canneberges", local="1").hits[0]
    assert (cranberries.supplier_name, cranberries.local) == ("Érablière Bélanger", True)
    assert cranberries.why_text("fr").endswith(" · produit à 235\u00a0km — Érablière Bélanger (local)")
    assert not any(
        h.supplier_name == "Outils Nordiques inc." for h in _search(q="", local="1", per_page="100").hits
    )
