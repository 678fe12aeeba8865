"""Bank transfer is offered only with the operator's valid IBAN and BIC (issue 13, low item)."""

from __future__ import annotations

import pytest
from django.test import Client

from comptoir.orders.payments import bank_account, payment_methods


@pytest.mark.parametrize(
    ("iban", "bic", "offered"),
    [
        ("", "", False),  # the default: off
        ("FR76 0000 0000 0000 0000 0000 000", "PSSTFRPPXXX", False),  # the old placeholder (bad RIB key)
        ("FR1420041010050500013M02607", "PSSTFRPPXXX", False),  # one digit off
        ("FR1420041010050500013M02606", "NOTABIC", False),
        ("FR1420041010050500013M02606", "", False),
        ("fr14 2004 1010 0505 0001 3m02 606", "PSSTFRPPXXX", True),
    ],
)
def test_bank_transfer_needs_a_valid_account(settings, iban, bic, offered):
    settings.COMPTOIR_BANK_IBAN, settings.COMPTOIR_BANK_BIC = iban, bic
    assert ("bank_transfer" in payment_methods()) is offered
    assert bank_account() == (("FR14 2004 1010 0505 0001 3M02 606", "PSSTFRPPXXX") if offered else None)


def test_checkout_page_never_shows_a_placeholder(town, settings):
    settings.COMPTOIR_BANK_IBAN = settings.COMPTOIR_BANK_BIC = ""
    client = Client()
    client.post("/panier/ajouter/", {"offer_id": town["bread"].pk})
    page = client.get("/commande/").content.decode()
    assert 'value="on_handover"' in page and 'value="bank_transfer"' not in page
    assert "FR76" not in page
