from comptoir.catalog.models import Offer
from comptoir.catalog.services import do_create_offer


def test_public_shop_and_offer_reads(anon_api, shop):
    offer = do_create_offer(shop, {"sku": "B1", "name_fr": "Pain complet", "price": "2,40", "stock": "3"})
    shops = anon_api.call("get", "/shops").json()
    assert [s["ref"] for s in shops] == ["boulangerie"]
    offers = anon_api.call("get", "/shops/boulangerie/offers").json()
    assert [(o["id"], o["sku"], o["price_cents"], o["stock"], o["shop_ref"]) for o in offers] == [
        (offer.pk, "B1", 240, 3, "boulangerie")
    ]
    assert anon_api.call("get", "/shops/nope").status_code == 404


def test_staff_crud_through_the_api(owner_api, shop):
    created = owner_api.call(
        "post", "/shops/boulangerie/offers", {"sku": "B9", "name_fr": "Fougasse", "price": "3,20"}
    )
    assert created.status_code == 201, created.content
    offer_id = created.json()["id"]
    changed = owner_api.call("patch", f"/offers/{offer_id}", {"price": "3.50", "stock": "7"})
    assert (changed.json()["price_cents"], changed.json()["stock"], changed.json()["name_fr"]) == (
        350,
        7,
        "Fougasse",
    )
    refused = owner_api.call("patch", f"/offers/{offer_id}", {"price": "gratuit"})
    assert refused.status_code == 400
    assert refused.json()["details"]["errors"] == [
        {"column": "price", "message": "prix invalide (par ex. 2,40)\u00a0: gratuit"}
    ]
    assert Offer.objects.get(pk=offer_id).price_cents == 350
    assert owner_api.call("delete", f"/offers/{offer_id}").status_code == 204
    assert not Offer.objects.filter(pk=offer_id).exists()


def test_staff_of_one_shop_cannot_touch_another(owner_api, anon_api, other_shop):
    theirs = do_create_offer(other_shop, {"sku": "V1", "name_fr": "Vis", "price": "1"})
    assert (
        owner_api.call(
            "post", "/shops/quincaillerie/offers", {"sku": "X", "name_fr": "X", "price": "1"}
        ).status_code
        == 403
    )
    assert owner_api.call("patch", f"/offers/{theirs.pk}", {"price": "0,01"}).status_code == 403
    assert anon_api.call("patch", f"/offers/{theirs.pk}", {"price": "0,01"}).status_code == 401
    assert Offer.objects.get(pk=theirs.pk).price_cents == 100


def test_import_through_the_api(owner_api, shop):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "c.csv", b"sku,name_fr,price\nA,Pain,1.00\nB,,2.00\n", content_type="text/csv"
    )
    response = owner_api.call("post", "/shops/boulangerie/imports", data={"file": upload, "mode": "valid"})
    assert response.status_code == 202  # queued for the worker (which runs it at once in these tests)
    job = owner_api.call("get", f"/shops/boulangerie/imports/{response.json()['id']}").json()
    assert (job["status"], job["rows_created"], job["rows_rejected"], job["errors_total"]) == (
        "partial",
        1,
        1,
        1,
    )
    assert job["errors"] == [{"row": 3, "column": "name_fr", "message": "obligatoire"}]


def test_openapi_document_lists_the_endpoints(anon_api):
    spec = anon_api.call("get", "/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    for path in ["/api/v1/auth/token", "/api/v1/shops", "/api/v1/shops/{ref}/offers", "/api/v1/offers/{offer_id}",
                 "/api/v1/shops/{ref}/imports"]:  # fmt: skip
        assert path in spec["paths"], path
