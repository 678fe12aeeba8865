import io
import os
import re

from django.core.management import call_command
from django.test import Client

from comptoir.catalog.models import Offer
from comptoir.catalog.services import do_create_offer
from comptoir.demo.generator import generate_demo
from tests.conftest import PASSWORD


def signed_in(person):
    client = Client()
    assert client.login(username=person.email, password=PASSWORD)
    return client


def test_demo_town_pages(db):
    summary = generate_demo(seed=7, shops=40, offers=1200)
    assert (summary.shops, summary.offers, summary.residents, summary.couriers) == (40, 1200, 30, 6)
    client = Client()
    home = client.get("/")
    assert home.status_code == 200
    assert "40 commerces de la ville" in home.content.decode()
    directory = client.get("/commerces/?kind=bakery").content.decode()
    assert directory.count('class="card"') == 6  # five named bakeries and one generated one
    shop_page = client.get("/commerces/boulangerie-du-pont/").content.decode()
    assert "Boulangerie du Pont" in shop_page and "Baguette tradition" in shop_page
    for path in ["/", "/commerces/", "/commerces/boulangerie-du-pont/", "/connexion/", "/inscription/"]:
        response = client.get(path)
        assert len(response.content) < 100_000, path
        assert "https://" not in re.sub(r'href="https?://[^"]*"', "", response.content.decode()), path
        assert response["Content-Security-Policy"].startswith("default-src 'self'")


def test_demo_is_deterministic(db):
    generate_demo(seed=3, shops=10, offers=100)
    first = list(
        Offer.objects.order_by("shop__ref", "sku").values_list("shop__ref", "sku", "name_fr", "price_cents")
    )
    Offer.objects.all().delete()
    from comptoir.catalog.models import Shop, Supplier
    from comptoir.members.models import Person

    Shop.objects.all().delete()
    Supplier.objects.all().delete()
    Person.objects.all().delete()
    generate_demo(seed=3, shops=10, offers=100)
    again = list(
        Offer.objects.order_by("shop__ref", "sku").values_list("shop__ref", "sku", "name_fr", "price_cents")
    )
    assert first == again and len(first) == 100


def test_english_switch(db, shop):
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/commerces/"})
    assert response.status_code == 302
    assert "Shop directory" in client.get("/commerces/").content.decode()
    english_browser = Client(headers={"accept-language": "en-US,en;q=0.9"})
    assert (
        "Annuaire des commerces" in english_browser.get("/commerces/").content.decode()
    )  # French unless chosen


def test_shop_backoffice_is_for_its_staff_only(shop, other_shop, owner):
    client = signed_in(owner)
    assert client.get("/gestion/boulangerie/").status_code == 200
    refused = client.get("/gestion/quincaillerie/")
    assert refused.status_code == 403
    assert "Vous ne travaillez pas pour ce commerce." in refused.content.decode()
    assert Client().get("/gestion/boulangerie/").status_code == 302  # to sign in


def test_edit_offer_and_bulk_prices(shop, owner):
    offer = do_create_offer(shop, {"sku": "B1", "name_fr": "Pain complet", "price": "2,40", "stock": "3"})
    client = signed_in(owner)
    form = {"sku": "B1", "name_fr": "Pain complet", "unit": "g", "quantity": "400", "price": "2,60",
            "tax_rate": "5,5", "stock": "9", "weight_g": "400", "volume_ml": "0", "active": "on"}  # fmt: skip
    assert client.post(f"/gestion/boulangerie/offres/{offer.pk}/", form).status_code == 302
    offer.refresh_from_db()
    assert (offer.price_cents, offer.stock, offer.unit) == (260, 9, "g")
    bad = client.post(f"/gestion/boulangerie/offres/{offer.pk}/", {**form, "price": "cher"})
    assert "prix invalide (par ex. 2,40)\u00a0: cher" in bad.content.decode()
    client.post("/gestion/boulangerie/prix-stock/", {f"price-{offer.pk}": "2,99", f"was_price-{offer.pk}": "2,60",
                                                      f"stock-{offer.pk}": "9", f"was_stock-{offer.pk}": "9"})  # fmt: skip
    offer.refresh_from_db()
    assert (offer.price_cents, offer.stock) == (299, 9)


def test_import_page_explains_bad_rows(shop, owner):
    client = signed_in(owner)
    upload = io.BytesIO(b"sku,name_fr,price\nA,Pain,1.00\nB,Brioche,cher\n")
    upload.name = "catalogue.csv"
    response = client.post("/gestion/boulangerie/import/", {"file": upload, "mode": "all"}, follow=True)
    page = response.content.decode()
    assert "Refusé, rien n’a été écrit" in page
    assert "prix invalide (par ex. 2,40)\u00a0: cher" in page
    assert Offer.objects.count() == 0


def test_check_deploy_passes_with_production_settings(monkeypatch):
    import subprocess
    import sys

    env = {"COMPTOIR_HTTPS": "1", "SECRET_KEY": "x" * 30 + "k7£Qz!vR$2mW9pL#4tN&8bY@1cF^6hJ*0dG", "ALLOWED_HOSTS": "comptoir.example",
           "PATH": "/usr/bin:/bin", "COMPTOIR_HOME": "/tmp/comptoir-check-deploy",
           "PYTHONPATH": os.environ.get("PYTHONPATH", "")}  # fmt: skip  # the code under test, not the installed one
    result = subprocess.run([sys.executable, "-m", "comptoir.cli", "check", "--deploy", "--fail-level", "WARNING"],
                            env=env, capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, result.stderr + result.stdout


def test_catalog_command_import_export(shop, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("sku,name_fr,price\nA,Pain,1.00\n")
    out = io.StringIO()
    call_command("catalog", "import", "boulangerie", str(source), "--no-progress", stdout=out)
    assert "1 rows, 1 created, 0 updated, 0 rejected" in out.getvalue()
    target = tmp_path / "out.csv"
    call_command("catalog", "export", "boulangerie", str(target), stdout=io.StringIO())
    assert target.read_text().splitlines()[1].startswith("A;;Pain;")  # the node speaks French
    call_command("catalog", "export", "boulangerie", str(target), "--locale", "en", stdout=io.StringIO())
    assert target.read_text().splitlines()[1].startswith("A,,Pain,")


def test_tile_server_is_the_only_third_party_source_allowed():
    from comptoir.web.middleware import tile_source

    assert tile_source("https://{s}.tile.example.org/{z}/{x}/{y}.png") == "https://*.tile.example.org"
    assert tile_source("https://tiles.coop-a.example/{z}/{x}/{y}.png") == "https://tiles.coop-a.example"
