"""A chain in search: one result per product, with the nearest branch that has it in stock."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from comptoir.catalog.chains import do_add_branch, do_create_organisation, do_save_chain_product
from comptoir.catalog.models import Offer, Organisation, Shop
from comptoir.catalog.services import do_create_offer, do_create_shop, do_update_offer, ensure_taxonomy
from comptoir.orders.cart import do_add_to_cart
from comptoir.search.params import parse_params
from comptoir.search.selectors import search_offers
from comptoir.search.services import do_apply_pending_changes, do_rebuild_index

CENTRE = "47.056,6.004"
GTIN = "3045386369300"


def _shop(ref: str, name: str, lat: float, lon: float) -> Shop:
    return do_create_shop(
        owner=None, ref=ref, name=name, kind="hardware", lat=lat, lon=lon, status=Shop.Status.ACTIVE
    )


@pytest.fixture
def chain(db: Any, settings: Any, tmp_path: Path) -> Organisation:
    """QJ: three branches 0.0, 1.0 and 2.0 km north of the centre; an independent shop 1.0 km east
    sells the same hammer (same GTIN)."""
    settings.COMPTOIR_SEARCH_DIR = tmp_path / "search"
    ensure_taxonomy()
    organisation = do_create_organisation(
        ref="qj", name="Quincaillerie Jurassienne", branches_set_prices=True
    )
    for ref, name, lat in [("qj-centre", "QJ Centre", 47.056), ("qj-gare", "QJ Gare", 47.065),
                           ("qj-plateau", "QJ Plateau", 47.074)]:  # fmt: skip
        do_add_branch(organisation, _shop(ref, name, lat, 6.004))
    do_save_chain_product(
        organisation, {"sku": "MART-500", "gtin": GTIN, "name_fr": "Marteau 500 g", "price": "12,90"}
    )
    do_save_chain_product(organisation, {"sku": "VIS-4", "name_fr": "Vis à bois 4x40", "price": "3,00"})
    for ref, stock in [("qj-centre", "0"), ("qj-gare", "4"), ("qj-plateau", "9")]:
        do_update_offer(Offer.objects.get(shop__ref=ref, sku="MART-500"), {"stock": stock})
    do_update_offer(Offer.objects.get(shop__ref="qj-plateau", sku="MART-500"), {"price": "11,50"})
    girard = _shop("girard", "Quincaillerie Girard", 47.056, 6.0172)
    do_create_offer(
        girard, {"sku": "G1", "gtin": GTIN, "name_fr": "Marteau 500 g", "price": "14,00", "stock": "2"}
    )
    do_rebuild_index()
    return organisation


def _groups(text: str, **params: Any) -> Any:
    return search_offers(
        parse_params({"q": text, "near": CENTRE, "group": "1", **params}), "fr"
    ).result.groups


def _chain_line(group: Any) -> list[tuple[str, str, float, int, str, bool, int]]:
    return [
        (c.chain_name, c.nearest.shop_ref, round(c.nearest.distance_km, 1), c.nearest.price_cents,
         c.nearest.stock_state, c.in_stock, c.other_branches)
        for c in group.chains
    ]  # fmt: skip


def test_one_result_per_product_with_the_nearest_branch_in_stock(chain):
    [group] = _groups("marteau")
    assert group.count == 4  # three branches and the independent shop: one product, one result
    # The centre branch is nearest but has none: the Gare branch, 1.0 km away, has it.
    assert _chain_line(group) == [("Quincaillerie Jurassienne", "qj-gare", 1.0, 1290, "in_stock", True, 2)]
    assert sorted((o.shop_ref, o.price_cents) for o in group.offers) == [
        ("girard", 1400), ("qj-centre", 1290), ("qj-gare", 1290), ("qj-plateau", 1150),
    ]  # fmt: skip
    # The independent shop has no chain line; a product only the chain sells has one, too.
    [screws] = _groups("vis")
    assert _chain_line(screws) == [
        ("Quincaillerie Jurassienne", "qj-centre", 0.0, 300, "out_of_stock", False, 2)
    ]


def test_the_nearest_branch_changes_when_it_runs_out(chain):
    do_update_offer(Offer.objects.get(shop__ref="qj-gare", sku="MART-500"), {"stock": "0"})
    do_apply_pending_changes()
    [group] = _groups("marteau")
    # Now the Plateau branch, 2.0 km away, at its own price.
    assert _chain_line(group) == [("Quincaillerie Jurassienne", "qj-plateau", 2.0, 1150, "in_stock", True, 2)]
    # Within 1.5 km no branch has it: the nearest one is shown as such, and no other branch counts.
    [group] = _groups("marteau", radius_km="1.5")
    assert _chain_line(group) == [
        ("Quincaillerie Jurassienne", "qj-centre", 0.0, 1290, "out_of_stock", False, 1)
    ]


def test_page_api_and_cart_show_the_branchs_own_price(chain, client: Client):
    page = client.get("/recherche/", {"q": "marteau", "near": CENTRE}).content.decode()
    assert "en stock à 1,0\u00a0km — QJ Gare · 2 autres succursales" in page
    body = client.get("/api/v1/search", {"q": "marteau", "near": CENTRE, "group": "true"}).json()
    [entry] = body["results"]
    assert entry["group"]["chains"] == [
        {
            "chain_id": chain.pk, "chain_name": "Quincaillerie Jurassienne", "in_stock": True, "other_branches": 2,
            "nearest": {"offer_id": Offer.objects.get(shop__ref="qj-gare", sku="MART-500").pk, "shop_ref": "qj-gare",
                        "shop_name": "QJ Gare", "price": "12.90", "stock_state": "in_stock", "distance_km": 1.001},
        }
    ]  # fmt: skip
    # A branch offer is an ordinary offer in the cart, at the branch's price.
    from comptoir.orders.models import Cart

    cart = Cart.objects.create()
    item = do_add_to_cart(cart, Offer.objects.get(shop__ref="qj-plateau", sku="MART-500").pk, 2)
    assert (item.offer.shop.ref, item.offer.price_cents, item.quantity) == ("qj-plateau", 1150, 2)


def test_the_top_line_is_the_chains_best_branch_in_stock_not_an_empty_one(chain, client: Client):
    """With out-of-stock offers ranked almost as high as those in stock (a voted factor of 0.9), the
    empty centre branch at 0 km would outrank the Gare branch in stock at 1 km: the top line is the
    Gare branch, with its own price and stock, in the page and the API."""
    from tests.governance.adopt import adopt

    adopt({"ranking_out_of_stock_factor": "0.9"})
    [group] = _groups("marteau")
    best = group.best
    assert (best.shop_ref, best.stock_state, best.price_cents, round(best.distance_km, 1)) == (
        "qj-gare", "in_stock", 1290, 1.0,
    )  # fmt: skip
    assert (
        best.why_text("fr")
        == "Correspondance exacte\u00a0: «\u00a0marteau\u00a0» (exact) · 1,0\u00a0km · en stock · origine inconnue"
    )
    assert (group.count, _chain_line(group)) == (
        4, [("Quincaillerie Jurassienne", "qj-gare", 1.0, 1290, "in_stock", True, 2)],
    )  # fmt: skip
    # Ungrouped, the ranking itself is unchanged: the empty branch still comes first there.
    hits = search_offers(parse_params({"q": "marteau", "near": CENTRE}), "fr").result.hits
    assert [(h.shop_ref, h.stock_state) for h in hits][:1] == [("qj-centre", "out_of_stock")]
    gare = next(h.score for h in hits if h.shop_ref == "qj-gare")
    assert best.score == pytest.approx(gare, rel=1e-6)  # its own score (the explained BM25 is float32)
    body = client.get("/api/v1/search", {"q": "marteau", "near": CENTRE, "group": "true"}).json()
    assert [(r["shop_ref"], r["stock_state"]) for r in body["results"]] == [("qj-gare", "in_stock")]
    # When no branch has it, the top line stays the best branch as ranked.
    for ref in ("qj-gare", "qj-plateau"):
        do_update_offer(Offer.objects.get(shop__ref=ref, sku="MART-500"), {"stock": "0"})
    do_apply_pending_changes()
    [group] = _groups("marteau")
    assert (group.best.shop_ref, group.best.stock_state) == ("qj-centre", "out_of_stock")
