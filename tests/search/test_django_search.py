"""The Django side of search: index from the database, follow its changes, page, API and CLI."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from comptoir.catalog.models import Offer, OfferChange, Shop
from comptoir.catalog.services import (
    do_create_offer,
    do_create_shop,
    do_set_shop_status,
    do_update_offer,
    do_update_shop,
    ensure_taxonomy,
)
from comptoir.search.analysis import tie_key
from comptoir.search.params import parse_params
from comptoir.search.selectors import search_offers
from comptoir.search.services import do_apply_pending_changes, do_rebuild_index
from comptoir.search.tasks import apply_index_changes
from tests.governance.adopt import adopt


@dataclass
class Town:
    pont: Shop
    gare: Shop
    vignes: Shop
    girard: Shop
    offers: dict[str, Offer]


def _shop(ref: str, name: str, lat: float, lon: float, kind: str = "bakery", **extra: Any) -> Shop:
    return do_create_shop(
        owner=None, ref=ref, name=name, kind=kind, lat=lat, lon=lon, status=Shop.Status.ACTIVE, **extra
    )


def _offer(shop: Shop, sku: str, name: str, price: str, stock: str, **extra: str) -> Offer:
    raw = {"sku": sku, "name_fr": name, "price": price, "stock": stock, "category": "food/bakery"}
    return do_create_offer(shop, raw | extra)


@pytest.fixture
def town(db: Any, settings: Any, tmp_path: Path) -> Town:
    """Three bakeries sell the same wholemeal loaf; a hardware shop sells screws. Centre: 47.056, 6.004."""
    settings.COMPTOIR_SEARCH_DIR = tmp_path / "search"
    ensure_taxonomy()  # a transactional test before this one flushed the migration's categories
    pont = _shop("boulangerie-du-pont", "Boulangerie du Pont", 47.0560, 6.0040, neighbourhood="Centre")
    gare = _shop("fournil-de-la-gare", "Fournil de la Gare", 47.0650, 6.0040, neighbourhood="Gare")
    vignes = _shop("pains-des-vignes", "Pains des Vignes", 47.0380, 6.0040, neighbourhood="Les Vignes")
    girard = _shop("quincaillerie-girard", "Quincaillerie Girard", 47.0560, 6.0170, kind="hardware")
    loaf = {"unit": "g", "quantity": "800"}
    offers = {
        "pont-complet": _offer(pont, "P1", "Pain complet", "2,90", "5", **loaf),
        "pont-baguette": _offer(pont, "P2", "Baguette tradition", "1,20", "40"),
        "gare-complet": _offer(gare, "G1", "Pain complet", "2,40", "3", **loaf),
        "vignes-complet": _offer(vignes, "V1", "Pain complet", "2,60", "0", on_demand="oui", **loaf),
        "girard-vis": _offer(
            girard,
            "Q1",
            "Vis à bois 4x40",
            "6,50",
            "12",
            category="diy/fixings",
            unit="piece",
            quantity="100",
        ),
    }
    do_rebuild_index()
    return Town(pont, gare, vignes, girard, offers)


def search(text: str, **params: Any) -> Any:
    return search_offers(parse_params({"q": text, **params}), "fr").result


def ids(result: Any) -> list[int]:
    return [hit.offer_id for hit in result.hits]


def test_rebuild_indexes_the_visible_offers_and_clears_the_outbox(town: Town) -> None:
    assert OfferChange.objects.count() == 0
    result = search("pain complet")
    o = town.offers
    # Same text everywhere: proximity (0, 1.0 and 2.0 km) then availability (on demand) decide.
    assert ids(result) == [o["pont-complet"].pk, o["gare-complet"].pk, o["vignes-complet"].pk]
    assert [round(h.distance_km, 3) for h in result.hits] == [0.0, 1.001, 2.002]
    assert [h.stock_state for h in result.hits] == ["in_stock", "in_stock", "on_demand"]
    assert (
        result.hits[0].why_text("fr")
        == "Correspondance exacte\u00a0: «\u00a0pain\u00a0» (exact), «\u00a0complet\u00a0» (exact) · 0,0\u00a0km · en stock"
        " · origine inconnue"
    )


def test_a_price_change_shows_after_the_outbox_is_drained(town: Town) -> None:
    offer = town.offers["gare-complet"]
    do_update_offer(offer, {"price": "1,99"})
    assert OfferChange.objects.filter(offer_id=offer.pk).count() == 1
    assert search("pain complet", shop="fournil-de-la-gare").hits[0].price_cents == 240  # not yet applied
    report = do_apply_pending_changes()
    assert (report.changes, report.indexed, report.deleted, report.skipped) == (1, 1, 0, False)
    assert search("pain complet", shop="fournil-de-la-gare").hits[0].price_cents == 199
    assert OfferChange.objects.count() == 0


def test_suspended_shop_and_inactive_offer_leave_the_index(town: Town) -> None:
    do_set_shop_status(town.gare, Shop.Status.SUSPENDED)
    do_update_offer(town.offers["vignes-complet"], {"active": "non"})
    assert apply_index_changes.call() == {"changes": 2, "indexed": 0, "deleted": 2}
    assert ids(search("pain complet")) == [town.offers["pont-complet"].pk]
    do_set_shop_status(town.gare, Shop.Status.ACTIVE)
    do_apply_pending_changes()
    assert ids(search("pain complet")) == [town.offers["pont-complet"].pk, town.offers["gare-complet"].pk]


def test_typo_tolerance_and_grouping(town: Town) -> None:
    result = search("pain compelt", group="1")
    assert result.relaxed == "fuzzy"
    [group] = [g for g in result.groups if g.count == 3]
    assert (group.best.offer_id, group.min_price_cents) == (town.offers["pont-complet"].pk, 240)
    assert [(o.shop_ref, o.price_cents) for o in group.offers] == [
        ("fournil-de-la-gare", 240), ("pains-des-vignes", 260), ("boulangerie-du-pont", 290),
    ]  # fmt: skip


def test_filters_facets_and_sorts(town: Town) -> None:
    o = town.offers
    assert ids(search("pain complet", in_stock="1")) == [o["pont-complet"].pk, o["gare-complet"].pk]
    assert ids(search("pain complet", max_price="2,60")) == [o["gare-complet"].pk, o["vignes-complet"].pk]
    assert ids(search("pain complet", sort="price")) == [
        o["gare-complet"].pk, o["vignes-complet"].pk, o["pont-complet"].pk,
    ]  # fmt: skip
    assert ids(search("pain complet", near="47.0380,6.0040", sort="distance"))[0] == o["vignes-complet"].pk
    assert ids(search("pain complet", near="47.0650,6.0040", radius_km="0.5")) == [o["gare-complet"].pk]
    assert ids(search("", category="diy")) == [o["girard-vis"].pk]
    assert ids(search("pain", neighbourhood="Les Vignes"))[0] == o["vignes-complet"].pk
    facets = search("").facets
    assert [(f.value, f.count) for f in facets.categories_l1] == [("food", 4), ("diy", 1)]
    assert [(b.min_cents, b.max_cents, b.count) for b in facets.price_bands] == [
        (None, 200, 1), (200, 500, 3), (500, 1000, 1), (1000, 2000, 0), (2000, 5000, 0), (5000, None, 0),
    ]  # fmt: skip


def test_open_now_keeps_the_shops_open_at_this_moment(town: Town, monkeypatch: Any) -> None:
    monkeypatch.setattr("comptoir.search.selectors.open_shop_ids", lambda: {town.vignes.pk})
    assert ids(search("pain complet", open_now="1")) == [town.offers["vignes-complet"].pk]


def test_only_the_governed_factors_move_an_offer(town: Town, settings: Any) -> None:
    before = ids(search("pain complet"))
    do_update_shop(town.pont, name="Au Pain Doré", phone="03 81 00 00 00", description_fr="Le meilleur")
    do_update_shop(town.vignes, website="https://pains.example", offers_delivery=False)
    do_update_offer(town.offers["pont-complet"], {"sku": "ZZZ-1", "price": "9,90"})
    do_update_offer(town.offers["gare-complet"], {"description_fr": "Cuit au feu de bois", "tax_rate": "20"})
    do_apply_pending_changes()
    assert ids(search("pain complet")) == before
    assert search("pain complet").hits[0].shop_name == "Au Pain Doré"
    # ... while a governed weight does move them: proximity off, availability alone decides ties.
    adopt({"ranking_weight_proximity": "0.0"})
    assert ids(search("pain complet")) == by_tie(before[:2]) + [before[2]]
    # The stock factors are governed too: on demand counting as much as in stock, all three tie.
    proposal = adopt({"ranking_on_demand_factor": "1.0"})
    assert ids(search("pain complet")) == by_tie(before)
    body = Client().get("/api/v1/search", {"q": "pain complet"}).json()
    why = body["results"][0]["why"]
    assert (why["weights"]["on_demand_factor"], why["availability_factor"]) == (1.0, 1.0)
    assert why["weights_source"]["ranking_on_demand_factor"] == (
        f"proposal #{proposal.pk}, in force from {timezone.localdate()} (v2)"
    )
    assert why["weights_source"]["search_boost_own_name"] == "adopted at founding (v1)"


def by_tie(offer_ids: list[int]) -> list[int]:
    return sorted(offer_ids, key=lambda i: tie_key(i, django_settings.COMPTOIR_SEARCH_TIE_SALT))


def test_api_returns_results_facets_and_explanations(town: Town) -> None:
    response = Client().get("/api/v1/search", {"q": "pain complet", "per_page": 1})
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("query", "near", "total", "page", "per_page", "sort", "matched")} == {
        "query": "pain complet", "near": {"lat": 47.056, "lon": 6.004, "source": "centre"}, "total": 3,
        "page": 1, "per_page": 1, "sort": "relevance", "matched": "exact",
    }  # fmt: skip
    [hit] = body["results"]
    why = hit.pop("why")
    assert hit == {
        "offer_id": town.offers["pont-complet"].pk, "shop_ref": "boulangerie-du-pont",
        "shop_name": "Boulangerie du Pont", "sku": "P1", "gtin": None, "name": "Pain complet",
        "unit_label": "800\u00a0g", "category": "food/bakery", "price": "2.90", "price_cents": 290,
        "stock_state": "in_stock", "distance_km": 0.0, "score": why["text_score"],
        "group_key": "name:pain complet|800g", "group": None,
        "origin": {"km": None, "supplier": "", "place": "", "local": False, "label": "Origine inconnue"},
    }  # fmt: skip
    assert (
        why["text"]
        == "Correspondance exacte\u00a0: «\u00a0pain\u00a0» (exact), «\u00a0complet\u00a0» (exact) · 0,0\u00a0km · en stock"
        " · origine inconnue"
    )
    assert (why["proximity_factor"], why["availability_factor"]) == (1.0, 1.0)
    assert why["weights"] == {
        "text": 1.0,
        "proximity": 1.0,
        "availability": 1.0,
        "proximity_half_km": 3.0,
        "in_stock_factor": 1.0,
        "on_demand_factor": 0.6,
        "out_of_stock_factor": 0.2,
        "local": 0.5,
        "local_half_km": 50.0,
    }
    assert why["local_factor"] == 1.0  # an unknown origin keeps the score it had
    assert why["formula"] == f"{why['text_score']:.3f}^1 × 1.000^1 × 1.00^1 × 1.000^0.5 = {hit['score']:.4f}"
    assert why["boosts"] == {
        "own_name": 3.0,
        "other_name": 2.0,
        "description": 0.5,
        "gtin": 5.0,
        "typo": 1.0,
        "written_form": 1.0,
    }
    assert why["tier"] == "exact"
    assert why["weights_source"]["ranking_weight_text"] == "adopted at founding (v1)"
    assert body["facets"]["shops"] == [
        {"value": "boulangerie-du-pont", "label": "Boulangerie du Pont", "count": 1},
        {"value": "fournil-de-la-gare", "label": "Fournil de la Gare", "count": 1},
        {"value": "pains-des-vignes", "label": "Pains des Vignes", "count": 1},
    ]
    bad = Client().get("/api/v1/search", {"q": "pain", "max_price": "cher"})
    assert (bad.status_code, bad.json()["error"]) == (400, "invalid")


def test_cli_json_and_batch(town: Town, tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("search", "pain complet", "--near", "47.0650,6.0040", "--limit", "2", "--json", stdout=out)
    page = json.loads(out.getvalue())
    assert [(h["shop_ref"], h["price"], h["distance_km"]) for h in page["results"]] == [
        ("fournil-de-la-gare", "2.40", 0.0), ("boulangerie-du-pont", "2.90", 1.001),
    ]  # fmt: skip
    queries = tmp_path / "queries.txt"
    queries.write_text("pain complet\n\nvis bois\n")
    out = io.StringIO()
    call_command("search", "--batch", str(queries), "--limit", "1", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(line["query"], line["total"], line["results"][0]["sku"]) for line in lines] == [
        ("pain complet", 3, "P1"), ("vis bois", 1, "Q1"),
    ]  # fmt: skip
    assert all(isinstance(line["ms"], float) and line["ms"] > 0 for line in lines)


def test_page_without_javascript_shows_groups_facets_and_why(town: Town) -> None:
    response = Client().get("/recherche/", {"q": "pain compelt"})
    html = response.content.decode()
    assert response.status_code == 200 and len(response.content) < 100_000
    assert "3 commerces l’ont, à partir de 2,40\u00a0€" in html
    assert "Pourquoi ce résultat\u00a0?" in html
    assert (
        "Correspondance avec une faute de frappe corrigée\u00a0: «\u00a0pain\u00a0» (exact), «\u00a0compelt\u00a0» (approché) · 0,0\u00a0km · en stock"
        in html
    )
    assert "<h3>Catégorie</h3>" in html and "Boulangerie, pâtisserie</a>" in html
    assert 'href="?q=pain+compelt&amp;shop=fournil-de-la-gare"' in html
    assert "avec tolérance aux fautes de frappe" in html
    fragment = Client().get("/recherche/", {"q": "pain"}, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and "Pourquoi ce résultat\u00a0?" in fragment
    home = Client().get("/").content.decode()
    assert 'action="/recherche/"' in home and 'role="search"' in home


def test_search_rebuild_command_and_missing_index(
    town: Town, settings: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = io.StringIO()
    call_command("search-rebuild", "--json", stdout=out)
    assert json.loads(out.getvalue())["offers"] == 5
    assert "100.0%          5 offers" in capsys.readouterr().err  # the bar on stderr, complete
    settings.COMPTOIR_SEARCH_DIR = tmp_path / "empty"
    page = search_offers(parse_params({"q": "pain"}))
    assert (page.ready, page.result.total) == (False, 0)
    do_update_offer(town.offers["pont-baguette"], {"price": "1,30"})
    report = do_apply_pending_changes()  # no index yet: a full build covers the change
    assert (report.indexed, search("baguette").hits[0].price_cents) == (5, 130)


@pytest.mark.django_db(transaction=True)
def test_the_worker_loop_shows_a_price_change_within_a_second(settings: Any, tmp_path: Path) -> None:
    import time

    from comptoir.search.tasks import start_following

    settings.COMPTOIR_SEARCH_DIR = tmp_path / "search"
    ensure_taxonomy()
    shop = _shop("boulangerie-du-pont", "Boulangerie du Pont", 47.0560, 6.0040)
    offer = _offer(shop, "P1", "Pain complet", "2,90", "5")
    stop = start_following(interval=0.05)
    try:
        started = time.perf_counter()
        while not search("pain").hits and time.perf_counter() - started < 5:
            time.sleep(0.02)  # the first batch finds no index and builds it
        do_update_offer(offer, {"price": "3,10"})
        changed = time.perf_counter()
        while search("pain").hits[0].price_cents != 310 and time.perf_counter() - changed < 5:
            time.sleep(0.02)
        assert search("pain").hits[0].price_cents == 310
        assert time.perf_counter() - changed < 1.0
    finally:
        stop.set()
        time.sleep(0.1)  # let the loop leave its last batch before the test database goes away
