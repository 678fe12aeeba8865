"""No tracking (issue 18 item 3) and API docs served by the node (issue 13 item 10), in Chromium.

Every request a resident's browser makes on the main journey (home, search, shop,
offer, cart, checkout, language switch) goes to the node itself; the only cookies are
the session, the CSRF token and the chosen language; the CSP names no third party.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from comptoir.catalog.models import Shop
from comptoir.catalog.services import do_create_offer, do_create_shop, ensure_taxonomy
from comptoir.search.services import do_rebuild_index

ALLOWED_COOKIES = {"sessionid", "csrftoken", "django_language"}


def test_a_residents_journey_never_leaves_the_node(page: Any, settings: Any, tmp_path: Path) -> None:
    settings.COMPTOIR_SEARCH_DIR = tmp_path / "search"
    ensure_taxonomy()
    shop = do_create_shop(owner=None, ref="boulangerie-du-pont", name="Boulangerie du Pont", kind="bakery",
                          lat=47.056, lon=6.004, status=Shop.Status.ACTIVE)  # fmt: skip
    bread = do_create_offer(shop, {"sku": "PC", "name_fr": "Pain complet", "price": "2,90", "stock": "4"})
    do_rebuild_index()
    origin = urlsplit(page.base_url).netloc
    requests: list[str] = []
    policies: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("response", lambda response: policies.append(response.headers.get("content-security-policy", "")))

    page.goto(page.base_url + "/")
    box = page.get_by_role("searchbox", name="Chercher dans tous les commerces")
    box.fill("pain")
    box.press("Enter")
    page.get_by_role("link", name="Pain complet").first.wait_for()
    page.goto(f"{page.base_url}/commerces/boulangerie-du-pont/")
    page.goto(f"{page.base_url}/produits/{bread.pk}/")
    page.get_by_role("button", name="Ajouter Pain complet au panier").click()
    page.wait_for_load_state()
    page.goto(page.base_url + "/panier/")
    page.goto(page.base_url + "/commande/")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()

    assert len(requests) >= 8
    outside = [url for url in requests if urlsplit(url).netloc != origin and not url.startswith("data:")]
    assert outside == []
    names = {cookie["name"] for cookie in page.context.cookies()}
    assert names <= ALLOWED_COOKIES and {"sessionid", "csrftoken", "django_language"} == names
    documents = [policy for policy in policies if policy]
    assert documents and all("default-src 'self'" in p and "http" not in p for p in documents)


def test_api_docs_render_from_the_node_under_the_csp(page: Any) -> None:
    requests: list[str] = []
    refused: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on(
        "console",
        lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None,
    )
    response = page.goto(page.base_url + "/api/v1/docs")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    page.locator(".swagger-ui .info .title").filter(has_text="Comptoir").wait_for()
    page.locator(".opblock-summary-path", has_text="/api/v1/auth/token").first.wait_for()
    origin = urlsplit(page.base_url).netloc
    assert [url for url in requests if urlsplit(url).netloc != origin and not url.startswith("data:")] == []
    assert refused == []
