"""Suppliers through the API: the directory, a supplier, adding one, and offers naming theirs."""

from comptoir.catalog.models import Offer, Supplier


def test_a_shop_adds_a_supplier_and_links_an_offer_through_the_api(owner_api, anon_api, shop):
    body = {"name": "Ferme des Trois-Rivières", "kind": "farm", "postal_code": "25290", "city": "Ornans",
            "lat": 47.105, "lon": 6.145, "listed": True}  # fmt: skip
    created = owner_api.call("post", "/shops/boulangerie/suppliers", body)
    assert created.status_code == 201
    assert {k: created.json()[k] for k in ("ref", "km", "local", "added_by") if k in created.json()} == {
        "ref": "ferme-des-trois-rivieres", "km": 12.0, "local": True,
    }  # fmt: skip
    again = owner_api.call(
        "post", "/shops/boulangerie/suppliers", {**body, "name": "ferme des trois rivieres"}
    )
    assert (again.status_code, again.json()["code"], again.json()["details"]) == (
        422, "supplier_exists", {"ref": "ferme-des-trois-rivieres"},
    )  # fmt: skip
    close = owner_api.call("post", "/shops/boulangerie/suppliers", {**body, "name": "Ferme des 3 Rivières"})
    assert (close.status_code, close.json()["code"], close.json()["details"]) == (
        422, "supplier_close_match", {"candidates": ["ferme-des-trois-rivieres"]},
    )  # fmt: skip
    assert Supplier.objects.count() == 1
    offer = owner_api.call("post", "/shops/boulangerie/offers",
                           {"sku": "A1", "name_fr": "Pommes", "price": "3", "supplier": "ferme-des-trois-rivieres"})  # fmt: skip
    assert (offer.status_code, offer.json()["supplier"], offer.json()["origin_stated_by"]) == (
        201, "ferme-des-trois-rivieres", "shop",
    )  # fmt: skip
    unknown = owner_api.call("patch", f"/offers/{offer.json()['id']}", {"supplier": "verger-fantome"})
    assert unknown.status_code == 400
    assert unknown.json()["details"]["errors"] == [
        {"column": "supplier", "message": "référence de fournisseur inconnue\u00a0: verger-fantome"}
    ]
    assert Offer.objects.get(sku="A1").supplier.ref == "ferme-des-trois-rivieres"
    listed = anon_api.call("get", "/suppliers").json()
    assert [(s["ref"], s["km"], s["local"]) for s in listed] == [("ferme-des-trois-rivieres", 12.0, True)]
    assert anon_api.call("get", "/suppliers/ferme-des-trois-rivieres").json()["city"] == "Ornans"
    assert anon_api.call("get", "/suppliers/nope").status_code == 404
    assert anon_api.call("post", "/shops/boulangerie/suppliers", body).status_code == 401
