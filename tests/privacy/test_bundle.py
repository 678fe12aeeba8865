"""Issue 18 item 1: a shop moves to another node with its migration bundle, history kept; a bad bundle is
refused with the reason and changes nothing.

The move is real: node A is the test database; node B is a fresh data folder (and, on PostgreSQL, a fresh
database) where real `comptoir` processes migrate, create the owner, import the bundle and export the shop
again. Every file of B's bundle (catalog, suppliers, images, orders with lines and history, statements) must
equal A's, byte for byte; B's database is then read directly for the order numbers and dates."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import translation

from comptoir.catalog.models import Offer, Shop, Supplier
from comptoir.catalog.services import do_create_offer, ensure_taxonomy
from comptoir.catalog.suppliers import do_create_supplier
from comptoir.core.errors import InvalidInput
from comptoir.members.models import Person
from comptoir.members.services import ensure_colleges
from comptoir.orders.models import Order
from comptoir.privacy.bundle import do_import_bundle, shop_bundle
from tests.conftest import PASSWORD
from tests.privacy.test_backup import comptoir, node_b

IMAGE = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
CONTENT = ("shop.json", "suppliers.json", "offers.json", "catalog.csv", "orders.json", "statements.json",
           "statements.csv")  # fmt: skip


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture
def moving_shop(world: dict[str, Any], shop: Shop) -> Shop:
    do_create_supplier(shop=None, ref="ferme-des-pres", name="Ferme des Prés", postal_code="25290", city="Ornans",
                       country="FR", lat=47.1, lon=6.14)  # fmt: skip
    do_create_offer(shop, {"sku": "T1", "name_fr": "Tomme", "price": "4,80", "stock": "3", "tax_rate": "5,5",
                           "supplier": "ferme-des-pres", "origin": "Ornans", "origin_stated_by": "supplier"})  # fmt: skip
    world["bread"].image.save("pain.png", ContentFile(IMAGE))
    return shop


@pytest.mark.django_db(transaction=True)
def test_a_shop_moves_to_another_node_with_its_whole_history(request: Any, tmp_path: Path) -> None:
    ensure_colleges()  # a transactional test before this one may have flushed what migrations seed
    ensure_taxonomy()
    shop = request.getfixturevalue("moving_shop")
    world = request.getfixturevalue("world")
    bundle_a = shop_bundle(shop)
    files_a = unzip(bundle_a)
    manifest_a = json.loads(files_a["manifest.json"])
    [image] = [name for name in files_a if name.startswith("images/")]
    assert files_a[image] == IMAGE
    assert sorted(files_a) == sorted(("manifest.json", image, *CONTENT))
    assert manifest_a["counts"] == {"offers": 2, "orders": 3, "statements": manifest_a["counts"]["statements"],
                                    "images": 1}  # fmt: skip
    assert manifest_a["counts"]["statements"] >= 3  # the checkout entries on the shop's account
    (tmp_path / "a.zip").write_bytes(bundle_a)

    env, connect_b = node_b(tmp_path)
    assert comptoir(env, "migrate", "-v0").returncode == 0
    made = comptoir({**env, "DJANGO_SUPERUSER_PASSWORD": PASSWORD}, "createsuperuser", "--noinput",
                    "--email", "nouvelle@boulangerie.example")  # fmt: skip
    assert made.returncode == 0, made.stderr
    imported = comptoir(
        env, "shop", "import-bundle", str(tmp_path / "a.zip"), "--owner", "nouvelle@boulangerie.example"
    )
    assert imported.returncode == 0, imported.stderr
    # French by default (the node's language), as every message of the `shop` command
    assert imported.stdout.startswith("Commerce boulangerie importé depuis ")
    assert (
        "\u00a0: 2 offres, 3 commandes, " in imported.stdout
        and " lignes de relevé, 1 images." in imported.stdout
    )
    taken = comptoir(
        env, "shop", "import-bundle", str(tmp_path / "a.zip"), "--owner", "personne@ailleurs.example"
    )
    assert taken.returncode == 1
    assert "aucune personne active n’a l’adresse 'personne@ailleurs.example' sur ce nœud" in taken.stderr
    exported = comptoir(env, "shop", "export-bundle", "boulangerie", str(tmp_path / "b.zip"), "--no-progress")
    assert exported.returncode == 0, exported.stderr

    files_b = unzip((tmp_path / "b.zip").read_bytes())
    for name in ("shop.json", "suppliers.json", "offers.json", "orders.json", "statements.json"):
        assert json.loads(files_b[name]) == json.loads(files_a[name]), name  # field by field, for the diff
    for name in (*CONTENT, image):
        assert files_b[name] == files_a[name], name
    assert json.loads(files_b["manifest.json"])["files"] == manifest_a["files"]

    numbers = [world[k].number for k in ("old", "recent", "collected")]
    with closing(connect_b()) as b:
        cursor = b.cursor()
        cursor.execute("SELECT imported_number, goods_cents, total_cents FROM orders_order ORDER BY created")
        assert [tuple(r) for r in cursor.fetchall()] == [(n, 480, 480) for n in numbers]
        cursor.execute(
            "SELECT s.status FROM orders_shoporder s JOIN orders_order o ON o.id = s.order_id ORDER BY o.created"
        )
        assert [r[0] for r in cursor.fetchall()] == ["completed"] * 3
        cursor.execute("SELECT sku, stock FROM catalog_offer ORDER BY sku")
        assert [tuple(r) for r in cursor.fetchall()] == [
            (o.sku, o.stock) for o in Offer.objects.filter(shop=shop).order_by("sku")
        ]
    image_b = Path(env["COMPTOIR_HOME"]) / "media" / "offers" / image.removeprefix("images/")
    assert image_b.read_bytes() == IMAGE


def rebundle(members: dict[str, bytes], **manifest: Any) -> io.BytesIO:
    """A bundle with these files and a manifest whose checksums match them (unless told otherwise)."""
    body = {"format": "comptoir-shop-bundle", "version": 1, "node": "Elsewhere", "shop": "x",
            "files": {n: hashlib.sha256(d).hexdigest() for n, d in members.items() if n != "manifest.json"},
            **manifest}  # fmt: skip
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(body))
        for name, data in members.items():
            if name != "manifest.json":
                archive.writestr(name, data)
    buffer.seek(0)
    return buffer


def with_json(files: dict[str, bytes], name: str, change: Any) -> dict[str, bytes]:
    value = json.loads(files[name])
    change(value)
    return {**files, name: json.dumps(value).encode()}


def state() -> tuple[Any, ...]:
    return (Shop.objects.count(), Offer.objects.count(), Order.objects.count(), Supplier.objects.count(),
            sorted(default_storage.listdir("offers")[1]) if default_storage.exists("offers") else [])  # fmt: skip


def test_bad_bundles_are_refused_with_the_reason_and_change_nothing(moving_shop: Shop, owner: Person) -> None:
    good = unzip(shop_bundle(moving_shop))
    del good["manifest.json"]
    as_other = with_json(good, "shop.json", lambda s: s.update(ref="boulangerie-2"))
    zeros = b"\0" * 5_000_000
    cases = [
        (io.BytesIO(b"PK\x03\x04 not really"), "not a migration bundle: the file is not a ZIP archive"),
        (rebundle(good, version=2), "refused: bundle format 'comptoir-shop-bundle' version 2; this node reads "
                                    "comptoir-shop-bundle version 1"),
        (rebundle({k: v for k, v in good.items() if k != "orders.json"}), "refused: the bundle lacks orders.json"),
        (rebundle(good, files={**{n: hashlib.sha256(d).hexdigest() for n, d in good.items()}, "offers.json": "0" * 64}),
         "refused: offers.json is not the file the manifest describes (checksum differs)"),
        (rebundle({**good, "images/bomb.png": zeros}), "refused: images/bomb.png would unzip"),
        (rebundle(good), "refused: shop.json: A shop with the reference boulangerie exists already."),
        (rebundle(with_json(as_other, "offers.json", lambda rows: rows[1]["columns"].update(price="abc"))),
         "refused: offers.json row 2 (T1): price:"),
        (rebundle(with_json(as_other, "orders.json", lambda rows: rows[2]["lines"][0].update(total_cents=1))),
         "refused: orders.json row 3 line 1: 2 × 240 is not 1"),
        (rebundle(with_json(as_other, "orders.json", lambda rows: rows[0].update(status="teleported"))),
         "refused: orders.json row 1 status: 'teleported' is not one of"),
    ]  # fmt: skip
    before = state()
    for stream, message in cases:
        with pytest.raises(InvalidInput) as refused:
            do_import_bundle(stream, owner=owner)
        assert refused.value.message.startswith(message), refused.value.message
        assert refused.value.code == "bad_bundle"
        assert state() == before, message  # no shop, offer, order, supplier or image left behind


def test_refusals_read_in_french_by_default_and_in_english(moving_shop: Shop, owner: Person) -> None:
    good = unzip(shop_bundle(moving_shop))
    del good["manifest.json"]
    as_other = with_json(good, "shop.json", lambda s: s.update(ref="boulangerie-2"))
    cases = [
        (lambda: rebundle({k: v for k, v in good.items() if k != "orders.json"}),
         "refusé\u00a0: il manque au paquet orders.json", "refused: the bundle lacks orders.json"),
        (lambda: rebundle(with_json(as_other, "orders.json", lambda rows: rows[2]["lines"][0].update(total_cents=1))),
         "refusé\u00a0: orders.json ligne 3, produit 1\u00a0: 2 × 240 ne font pas 1",
         "refused: orders.json row 3 line 1: 2 × 240 is not 1"),
        (lambda: io.BytesIO(b"PK\x03\x04 not really"),
         "ce n’est pas un paquet de déménagement\u00a0: le fichier n’est pas une archive ZIP (File is not a zip file)",
         "not a migration bundle: the file is not a ZIP archive (File is not a zip file)"),
    ]  # fmt: skip
    before = state()
    for stream, french, english in cases:
        for language, message in (("fr", french), ("en", english)):
            with translation.override(language), pytest.raises(InvalidInput) as refused:
                do_import_bundle(stream(), owner=owner)
            assert refused.value.message == message
    assert state() == before


def test_the_bundle_is_a_download_for_the_shops_staff_only(
    moving_shop: Shop, owner: Person, make_person: Any
) -> None:
    browser = Client()
    browser.force_login(owner)
    page = browser.get("/gestion/boulangerie/").content.decode()
    assert 'href="/gestion/boulangerie/demenagement.zip"' in page
    response = browser.get("/gestion/boulangerie/demenagement.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "offers.json" in unzip(response.content)
    outsider = Client()
    outsider.force_login(make_person("curieux@example.org"))
    assert outsider.get("/gestion/boulangerie/demenagement.zip").status_code == 403
