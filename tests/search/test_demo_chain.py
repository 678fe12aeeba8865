"""The French demo town's regional chain: four branches, one catalog, found as one result per product."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from comptoir.catalog.models import ChainProduct, Offer, Organisation
from comptoir.demo.chains import QUINCAILLERIE_COMTOISE, demo_chain_provenance, generate_demo_chain
from comptoir.demo.generator import DEMO_PASSWORD, demo_offer_lines, generate_demo
from comptoir.members.services import do_issue_api_token
from comptoir.search.params import parse_params
from comptoir.search.selectors import search_offers
from comptoir.search.services import do_rebuild_index
from tests.conftest import ApiClient


def test_the_demo_chain_is_searchable_and_its_staff_have_their_roles(
    db: Any, settings: Any, tmp_path: Path
) -> None:
    settings.COMPTOIR_SEARCH_DIR = tmp_path / "search"
    generate_demo(seed=7, shops=3, offers=30, residents=1, couriers=0)
    made = generate_demo_chain(
        QUINCAILLERIE_COMTOISE, demo_offer_lines, seed=7, provenance=demo_chain_provenance()
    )
    chain = Organisation.objects.get(ref="quincaillerie-comtoise")
    assert (made["branches"], made["products"], made["offers"]) == (4, 120, 480)
    assert made["own_prices"] == Offer.objects.filter(shop__organisation=chain, branch_price=True).count() > 0
    assert chain.branches.filter(hours__isnull=False).distinct().count() == 4
    # Screwdrivers come from the town's far-away manufacturer: provenance is the chain's, in every branch.
    screwdriver = ChainProduct.objects.filter(organisation=chain, name_fr__startswith="Tournevis").first()
    assert screwdriver is not None and screwdriver.supplier is not None
    assert {o.supplier_id for o in Offer.objects.filter(chain_product=screwdriver)} == {
        screwdriver.supplier_id
    }

    do_rebuild_index()
    result = search_offers(
        parse_params({"q": "marteau", "near": "47.0571,6.0052", "group": "1"}), "fr"
    ).result
    with_chain = [g for g in result.groups if g.chains]
    assert with_chain, [g.group_key for g in result.groups]
    for group in with_chain:
        [line] = group.chains
        assert line.chain_name == "Quincaillerie Comtoise"
        assert line.other_branches == 3
        if line.in_stock:
            stocked = Offer.objects.filter(shop__organisation=chain, pk=line.nearest.offer_id, stock__gt=0)
            assert stocked.exists()

    boss = ApiClient(
        do_issue_api_token(email="siege-quincaillerie-comtoise@demo.comptoir.coop", password=DEMO_PASSWORD)
    )
    assert boss.call("get", "/organisations/quincaillerie-comtoise/products?limit=1").status_code == 200
    branch = ApiClient(
        do_issue_api_token(email="quincaillerie-comtoise-2@demo.comptoir.coop", password=DEMO_PASSWORD)
    )
    assert branch.call("get", "/organisations/quincaillerie-comtoise/products").status_code == 403
