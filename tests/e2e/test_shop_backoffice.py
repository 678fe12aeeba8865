"""A shopkeeper signs in on a phone, edits an offer and imports a file with a bad row."""

from __future__ import annotations

from pathlib import Path

from comptoir.catalog.models import Offer
from comptoir.catalog.services import do_create_offer
from tests.conftest import PASSWORD
from tests.e2e.conftest import sign_in


def test_shop_signs_in_and_edits_an_offer(page, shop, owner, tmp_path: Path, settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }  # the worker, at once
    offer = do_create_offer(shop, {"sku": "B1", "name_fr": "Pain complet", "price": "2,40", "stock": "3"})
    sign_in(page, owner.email, PASSWORD)
    page.get_by_role("link", name="Gérer Boulangerie du Pont").click()
    page.get_by_role("link", name="Pain complet").click()
    assert page.get_by_label("Prix TTC").input_value() == "2,40"  # as the list shows it, not 2.40
    page.get_by_label("Prix TTC").fill("2,75")
    page.get_by_label("Stock").fill("11")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Offre enregistrée : Pain complet").wait_for()
    offer.refresh_from_db()
    assert (offer.price_cents, offer.stock) == (275, 11)

    bad_file = tmp_path / "catalogue.csv"
    bad_file.write_text("sku,name_fr,price\nB2,Baguette,1.10\nB3,Brioche,cher\n")
    page.get_by_role("link", name="Importer un catalogue").click()
    page.get_by_label("Fichier CSV ou XLSX").set_input_files(str(bad_file))
    page.get_by_role("button", name="Vérifier et importer").click()
    page.get_by_text("Refusé, rien n’a été écrit").wait_for()
    row = page.locator("table.errors tbody tr")
    assert row.count() == 1
    assert row.inner_text().split("\t") == ["3", "price", "prix invalide (par ex. 2,40)\u00a0: cher"]
    assert Offer.objects.filter(shop=shop).count() == 1
    page.screenshot(path=str(tmp_path / "import.png"), full_page=True)

    # Bulk edit: a typo in one cell keeps the other edits and is shown as typed, marked.
    page.get_by_role("link", name="← Gestion").click()
    page.get_by_label("Prix B1").fill("2,80")
    page.get_by_label("Stock B1").fill("beaucoup")
    page.get_by_role("button", name="Enregistrer prix et stocks").click()
    page.get_by_text("1 offre mise à jour.").wait_for()
    assert page.get_by_label("Stock B1").input_value() == "beaucoup"
    assert page.get_by_label("Stock B1").get_attribute("aria-invalid") == "true"
    page.get_by_text("pas un nombre (des chiffres, par ex. 12 ou 2,5)\u00a0: beaucoup").wait_for()
    offer.refresh_from_db()
    assert (offer.price_cents, offer.stock) == (280, 11)
    page.screenshot(path=str(tmp_path / "bulk-edit.png"), full_page=True)
