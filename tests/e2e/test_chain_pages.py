"""A chain with several branches, in a real browser: the chain's page lists its branches, a search shows the
chain's offers as one result whose top line is the nearest branch in stock, the resident opens another branch,
and the chain's staff see every branch on their dashboard (issue 17 item 4)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from comptoir.catalog.chains import do_add_branch, do_create_organisation, do_save_chain_product
from comptoir.catalog.models import Offer, Shop
from comptoir.catalog.services import do_create_shop, do_update_offer, ensure_taxonomy
from comptoir.search.services import do_rebuild_index
from tests.conftest import PASSWORD
from tests.e2e.conftest import sign_in

SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "journeys"
CENTRE = "47.056,6.004"


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_a_resident_finds_the_nearest_branch_in_stock_and_the_staff_see_every_branch(
    page: Any, settings: Any, tmp_path: Path, make_person: Any
) -> None:
    page.set_default_timeout(60_000)  # six engineers' tests share two cores: the first page may take a while
    settings.COMPTOIR_SEARCH_DIR = tmp_path / "search"
    ensure_taxonomy()  # live_server tests are transactional: an earlier one may have flushed the categories
    boss = make_person("direction@qj.example", full_name="Dominique Jura")
    chain = do_create_organisation(
        ref="qj", name="Quincaillerie Jurassienne", owner=boss, branches_set_prices=True
    )
    # Three branches 0, 1 and 2 km north of the node's centre.
    for ref, name, lat, street in [("qj-centre", "QJ Centre", 47.056, "1 place du Marché"),
                                   ("qj-gare", "QJ Gare", 47.065, "8 avenue de la Gare"),
                                   ("qj-plateau", "QJ Plateau", 47.074, "21 rue du Plateau")]:  # fmt: skip
        do_add_branch(chain, do_create_shop(owner=None, ref=ref, name=name, kind="hardware", lat=lat, lon=6.004,
                                            address=street, status=Shop.Status.ACTIVE))  # fmt: skip
    do_save_chain_product(chain, {"sku": "MART-500", "name_fr": "Marteau 500 g", "price": "12,90"})
    for ref, stock in [("qj-centre", "0"), ("qj-gare", "4"), ("qj-plateau", "9")]:
        do_update_offer(Offer.objects.get(shop__ref=ref, sku="MART-500"), {"stock": stock})
    do_update_offer(Offer.objects.get(shop__ref="qj-plateau", sku="MART-500"), {"price": "11,50"})
    do_rebuild_index()

    # The chain's page lists its branches.
    page.goto(page.base_url + "/chaines/qj/")
    assert page.locator("#main h1").inner_text() == "Quincaillerie Jurassienne"
    assert page.locator("#main h2").inner_text() == "3 succursales"
    assert page.locator("ul.branches li").all_inner_texts() == [
        "QJ Centre — 1 place du Marché · Fermé maintenant",
        "QJ Gare — 8 avenue de la Gare · Fermé maintenant",
        "QJ Plateau — 21 rue du Plateau · Fermé maintenant",
    ]
    shot(page, "chain-page")

    # One result for the chain's hammer: its top line is the Gare branch, 1 km away with 4 in stock, not the
    # empty Centre branch at 0 km.
    page.goto(page.base_url + f"/recherche/?q=marteau&near={CENTRE}")
    page.get_by_role("heading", name="3 offres trouvées").wait_for()
    results = page.locator("ol.results > li")
    assert results.count() == 1
    assert (
        results.first.locator("p.chain").inner_text()
        == "en stock à 1,0\u00a0km — QJ Gare · 2 autres succursales · 12,90\u00a0€"
    )
    shot(page, "chain-search")

    # The resident opens another branch: the Plateau one, at its own price.
    results.first.locator("details.compare summary").click()
    assert sorted(results.first.locator("details.compare li").all_inner_texts()) == [
        "QJ Centre 12,90\u00a0€ · 0,0\u00a0km · épuisé",
        "QJ Gare 12,90\u00a0€ · 1,0\u00a0km · en stock",
        "QJ Plateau 11,50\u00a0€ · 2,0\u00a0km · en stock",
    ]
    results.first.locator("details.compare li").get_by_role("link", name="QJ Plateau").click()
    page.get_by_role("heading", name="Marteau 500 g").wait_for()
    assert page.locator("p.price").inner_text().startswith("11,50\u00a0€")
    page.get_by_role("link", name="← QJ Plateau").click()
    page.get_by_role("heading", name="QJ Plateau").wait_for()
    assert page.locator("p.chain").inner_text() == "Succursale de Quincaillerie Jurassienne"
    shot(page, "chain-branch")

    # The chain's staff see every branch on their dashboard.
    sign_in(page, boss.email, PASSWORD)
    page.goto(page.base_url + "/chaine/qj/")
    assert page.locator("#main h1").inner_text() == "Quincaillerie Jurassienne — catalogue commun"
    assert page.locator("#main h2").first.inner_text() == "3 succursales"
    assert page.locator("#main h2 + ul li").all_inner_texts() == [
        f"{name} — {street} · stock, prix et commandes"
        for name, street in (
            ("QJ Centre", "1 place du Marché"),
            ("QJ Gare", "8 avenue de la Gare"),
            ("QJ Plateau", "21 rue du Plateau"),
        )
    ]
    shot(page, "chain-dashboard")
