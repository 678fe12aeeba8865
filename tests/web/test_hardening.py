"""Web-side hardening (issue 13 items 10 and low; issue 20 item 17)."""

from __future__ import annotations

import re

from django.test import Client

from comptoir.catalog.services import do_create_offer
from tests.conftest import PASSWORD


def test_api_docs_are_served_by_the_node_under_the_csp(db):
    client = Client()
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert re.findall(r"https?://", page) == []  # no CDN, no external URL at all
    assert docs["Content-Security-Policy"].startswith("default-src 'self'; img-src 'self' data:;")
    assert "script-src 'self';" in docs["Content-Security-Policy"]
    assets = re.findall(r'(?:src|href)="(/static/ninja/[^"]+)"', page)
    assert sorted(assets) == [
        "/static/ninja/favicon.png", "/static/ninja/favicon.svg", "/static/ninja/swagger-ui-bundle.js",
        "/static/ninja/swagger-ui-init.js", "/static/ninja/swagger-ui.css",
    ]  # fmt: skip
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert len(body) > 0, asset
    # No inline script for the CSP to refuse: the settings travel as JSON data.
    assert re.findall(r"<script(?![^>]*\b(?:src=|type=\"application/json\"))", page) == []


def test_bulk_edit_never_redirects_off_site(owner, shop):
    offer = do_create_offer(shop, {"sku": "B1", "name_fr": "Pain", "price": "2,40", "stock": "3"})
    client = Client()
    assert client.login(username=owner.email, password=PASSWORD)
    form = {f"stock-{offer.pk}": "4", f"was_stock-{offer.pk}": "3"}
    for evil in ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"]:
        response = client.post("/gestion/boulangerie/prix-stock/", {**form, "next": evil})
        assert (response.status_code, response["Location"]) == (302, "/gestion/boulangerie/"), evil
    kept = client.post("/gestion/boulangerie/prix-stock/", {**form, "next": "/gestion/boulangerie/?page=2"})
    assert kept["Location"] == "/gestion/boulangerie/?page=2"


def test_footer_links_say_why_a_visitor_must_sign_in(db):
    client = Client()
    for link, reason in [
        ("/adhesion/", "L’adhésion se fait avec un compte"),
        ("/ouvrir-un-commerce/", "Pour ouvrir un commerce sur la coopérative, connectez-vous"),
    ]:
        assert f'href="{link}"' in client.get("/").content.decode()
        page = client.get(link, follow=True)
        assert page.redirect_chain == [(f"/connexion/?next={link}", 302)]
        assert reason in page.content.decode()
    assert 'id="sign-in-reason"' not in client.get("/connexion/").content.decode()


def test_a_failed_sign_in_reminds_new_members_to_confirm(make_person):
    make_person("new@example.org", is_active=False)  # signed up, not confirmed yet
    page = (
        Client().post("/connexion/", {"username": "new@example.org", "password": PASSWORD}).content.decode()
    )
    assert "Vous venez de vous inscrire\u00a0? Suivez d’abord le lien du message" in page
    assert "Vous venez de vous inscrire" not in Client().get("/connexion/").content.decode()
