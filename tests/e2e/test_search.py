"""A resident searches every shop from the header box, with a typo, compares shops and asks why."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from comptoir.catalog.models import Shop
from comptoir.catalog.services import do_create_offer, do_create_shop, ensure_taxonomy
from comptoir.search.services import do_rebuild_index


def test_resident_finds_bread_in_several_shops_despite_a_typo(
    page: Any, settings: Any, tmp_path: Path
) -> None:
    settings.COMPTOIR_SEARCH_DIR = tmp_path / "search"
    ensure_taxonomy()  # live_server tests are transactional: an earlier one may have flushed the categories
    for ref, name, lat, price in [
        ("boulangerie-du-pont", "Boulangerie du Pont", 47.0560, "2,90"),
        ("fournil-de-la-gare", "Fournil de la Gare", 47.0650, "2,40"),
        ("pains-des-vignes", "Pains des Vignes", 47.0380, "2,60"),
    ]:
        shop = do_create_shop(owner=None, ref=ref, name=name, kind="bakery", lat=lat, lon=6.004,
                              status=Shop.Status.ACTIVE)  # fmt: skip
        do_create_offer(shop, {"sku": "PC", "name_fr": "Pain complet", "price": price, "stock": "4",
                               "unit": "g", "quantity": "800", "category": "food/bakery"})  # fmt: skip
    do_rebuild_index()

    page.goto(page.base_url + "/commerces/")
    page.get_by_role("searchbox", name="Chercher dans tous les commerces").fill("pain compelt")
    page.get_by_role("searchbox", name="Chercher dans tous les commerces").press("Enter")
    page.get_by_role("heading", name="3 offres trouvées").wait_for()
    result = page.locator("ol.results > li").first
    assert result.get_by_role("link", name="Pain complet").is_visible()
    compare = result.locator("details.compare summary")
    assert compare.inner_text() == "3 commerces l’ont, à partir de 2,40\u00a0€"
    compare.click()
    shops = result.locator("details.compare li a").all_inner_texts()
    assert shops == ["Fournil de la Gare", "Pains des Vignes", "Boulangerie du Pont"]
    result.get_by_text("Pourquoi ce résultat ?").click()
    why = result.locator("details.why p").first
    assert (
        why.inner_text()
        == "Correspondance avec une faute de frappe corrigée\u00a0: «\u00a0pain\u00a0» (exact), «\u00a0compelt\u00a0» (approché) · 0,0\u00a0km · en stock"
        " · origine inconnue"
    )
    page.screenshot(path=str(tmp_path / "search.png"), full_page=True)


def test_resident_keeps_local_products_and_sees_where_they_come_from(
    page: Any, settings: Any, tmp_path: Path
) -> None:
    from comptoir.catalog.suppliers import do_create_supplier

    settings.COMPTOIR_SEARCH_DIR = tmp_path / "search"
    ensure_taxonomy()
    shop = do_create_shop(owner=None, ref="fromagerie", name="Fromagerie de la Loue", kind="cheese", lat=47.056,
                          lon=6.004, status=Shop.Status.ACTIVE)  # fmt: skip
    dairy = do_create_supplier(shop=None, name="Fruitière de Vuillafans", kind="dairy", postal_code="25840",
                               city="Vuillafans", lat=47.2628, lon=6.004, listed=True)  # 23 km north  # fmt: skip
    far = do_create_supplier(shop=None, name="Laiterie du Sud", kind="dairy", lat=43.459, lon=6.004)
    for sku, supplier in (("C1", dairy), ("C2", far), ("C3", None)):
        do_create_offer(shop, {"sku": sku, "name_fr": "Tomme fermière", "price": "4,20", "stock": "5",
                               "category": "food/dairy", "supplier": supplier.ref if supplier else ""})  # fmt: skip
    do_rebuild_index()

    page.goto(page.base_url + "/recherche/?q=tomme")
    page.get_by_role("heading", name="3 offres trouvées").wait_for()
    page.get_by_label("Local seulement (origine à moins de 100 km du centre du nœud)").check()
    page.locator("#main").get_by_role("button", name="Chercher").click()
    page.get_by_role("heading", name="1 offre trouvée").wait_for()
    result = page.locator("ol.results > li").first
    assert result.locator("p.origin").inner_text() == "Local · Produit à 23\u00a0km — Fruitière de Vuillafans"
    result.get_by_text("Pourquoi ce résultat ?").click()
    assert (
        result.locator("details.why p")
        .first.inner_text()
        .endswith(" · en stock · produit à 23\u00a0km — Fruitière de Vuillafans (local)")
    )
    result.get_by_role("link", name="Tomme fermière").click()
    page.get_by_role("link", name="Fruitière de Vuillafans").click()
    page.get_by_role("heading", name="Fruitière de Vuillafans").wait_for()
    assert page.get_by_role("link", name="Fromagerie de la Loue").is_visible()
