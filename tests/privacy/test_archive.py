"""Issue 18 item 1: a person downloads everything the node holds about them, as JSON and CSV in one ZIP."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any

from django.test import Client

from comptoir.members.models import Person
from tests.conftest import PASSWORD, ApiClient
from tests.privacy.conftest import checkout

FILES = [
    "README.txt", "profile.json", "addresses.json", "addresses.csv", "orders.json", "order_lines.csv",
    "memberships.json", "memberships.csv", "shop_roles.json", "shop_roles.csv", "votes.json", "api_tokens.json",
    "api_tokens.csv", "cart.json", "shifts.json", "shifts.csv",
]  # fmt: skip


def unzip(content: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def test_the_archive_holds_the_profile_orders_addresses_memberships_and_tokens(
    world: dict[str, Any], resident: Person, resident_api: ApiClient, make_person: Any, shop: Any
) -> None:
    someone_else = make_person("bob@example.org", full_name="Bob Durand")
    checkout(someone_else, shop, world["bread"].pk, delivery=False)
    browser = Client()
    browser.force_login(resident)
    response = browser.get("/compte/donnees/archive.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="comptoir-{resident.pk}-data.zip"'
    files = unzip(response.content)
    assert sorted(files) == sorted(FILES)

    profile = json.loads(files["profile.json"])
    assert {k: profile[k] for k in ("email", "full_name", "phone", "language", "saved_address", "saved_city")} == {
        "email": "alice@example.org", "full_name": "Alice Martin", "phone": "0601020304", "language": "en",
        "saved_address": "12 rue des Granges", "saved_city": "Val-sur-Loue",
    }  # fmt: skip
    assert "password" not in profile

    orders = json.loads(files["orders.json"])
    numbers = [world[k].number for k in ("old", "recent", "collected")]
    assert [o["number"] for o in orders] == numbers
    assert [(o["goods_cents"], o["total_cents"]) for o in orders] == [
        (w.goods_cents, w.total_cents) for w in (world["old"], world["recent"], world["collected"])
    ]
    assert orders[0]["goods_cents"] == 480
    assert orders[0]["shop_orders"][0]["lines"] == [{
        "sku": "B1", "name": "Pain complet", "unit_price_cents": 240, "tax_rate": "5.500", "quantity": 2,
        "total_cents": 480, "tax_cents": 25,
    }]  # fmt: skip
    assert [h["action"] for h in orders[0]["history"]][-1] == "delivered"

    lines = list(csv.DictReader(io.StringIO(files["order_lines.csv"])))
    assert [(r["order"], r["sku"], r["quantity"], r["total_cents"], r["status"]) for r in lines] == [
        (n, "B1", "2", "480", "completed") for n in numbers
    ]
    addresses = list(csv.DictReader(io.StringIO(files["addresses.csv"])))
    assert [(a["source"], a["order"], a["address"]) for a in addresses] == [
        ("saved", "", "12 rue des Granges"),
        ("order", numbers[0], "12 rue des Granges"),
        ("order", numbers[1], "12 rue des Granges"),
    ]
    assert json.loads(files["memberships.json"])[0]["college"] == "residents"
    tokens = json.loads(files["api_tokens.json"])
    assert [t["label"] for t in tokens] == ["phone app"]
    assert set(tokens[0]) == {"label", "created", "last_used", "expires"}
    everything = "".join(files.values())
    assert "bob@example.org" not in everything and "Bob Durand" not in everything
    assert "pbkdf2" not in everything and "argon2" not in everything
    assert "does not keep copies of the emails" in files["README.txt"]


def test_the_same_archive_comes_from_the_api_and_only_for_its_owner(
    world: dict[str, Any], resident_api: ApiClient, anon_api: ApiClient
) -> None:
    response = resident_api.call("get", "/me/archive")
    assert response.status_code == 200
    assert sorted(unzip(response.content)) == sorted(FILES)
    assert json.loads(unzip(response.content)["profile.json"])["email"] == "alice@example.org"
    assert anon_api.call("get", "/me/archive").status_code == 401
    assert Client().get("/compte/donnees/archive.zip").status_code == 302  # to the sign-in page


def test_the_data_page_says_how_long_deliveries_are_kept(resident: Person) -> None:
    browser = Client()
    browser.login(username=resident.email, password=PASSWORD)
    page = browser.get("/compte/donnees/", headers={"Accept-Language": "en"}).content.decode()
    assert "deleted 90 days after the order is finished" in page
    assert 'href="/compte/donnees/archive.zip"' in page and 'href="/compte/effacer/"' in page
