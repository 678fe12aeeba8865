from decimal import Decimal

from comptoir.catalog.validation import check_offer_fields

CATEGORIES = {"food/bakery": 7}


def errors_of(raw):
    return {(e.column, e.message) for e in check_offer_fields(raw, CATEGORIES)[1]}


def test_valid_row_is_typed():
    fields, errors = check_offer_fields(
        {"sku": "B1", "name_fr": "Pain complet", "price": "2,40", "category": "food/bakery", "unit": "g",
         "quantity": "400", "stock": "12", "tax_rate": "5,5", "gtin": "3017620422003", "on_demand": "oui"},
        CATEGORIES,
    )  # fmt: skip
    assert errors == []
    assert fields["price_cents"] == 240
    assert fields["category_id"] == 7
    assert fields["quantity"] == Decimal("400.000")
    assert fields["tax_rate"] == Decimal("5.5")
    assert fields["stock"] == 12
    assert fields["on_demand"] is True
    assert fields["active"] is True


def test_each_bad_value_is_named():
    assert errors_of({"sku": "", "name_fr": "", "price": ""}) == {
        ("sku", "obligatoire"), ("name_fr", "obligatoire"), ("price", "obligatoire"),
    }  # fmt: skip
    bad = errors_of({"sku": "A", "name_fr": "B", "price": "deux euros", "gtin": "3017620422004", "stock": "-2",
                     "category": "food/nope", "unit": "bag", "tax_rate": "150", "active": "peut-être"})  # fmt: skip
    assert {column for column, _ in bad} == {
        "price",
        "gtin",
        "stock",
        "category",
        "unit",
        "tax_rate",
        "active",
    }
    assert ("gtin", "GTIN invalide (chiffre de contrôle ou longueur)\u00a0: 3017620422004") in bad
