"""A branch is a shop for orders: its offer goes in the cart at its own price, checkout takes its
stock, its staff (and the chain's) act on its order, another branch's staff do not."""

from __future__ import annotations

from datetime import time

from comptoir.catalog.chains import do_add_branch, do_create_organisation, do_save_chain_product
from comptoir.catalog.models import Offer, Shop
from comptoir.catalog.services import do_add_shop_staff, do_create_shop, do_set_opening_hours, do_update_offer
from comptoir.members.services import do_issue_api_token
from tests.conftest import PASSWORD, ApiClient
from tests.orders.conftest import delivery_body


def test_a_branch_offer_is_ordered_collected_and_handled_by_that_branch(resident_api, make_person):
    boss = make_person("siege@qj.example")
    chain = do_create_organisation(
        ref="qj", name="Quincaillerie Jurassienne", owner=boss, branches_set_prices=True
    )
    staff = {}
    for ref, lat in [("qj-gare", 47.065), ("qj-plateau", 47.074)]:
        shop = do_create_shop(owner=None, ref=ref, name=ref.upper(), lat=lat, lon=6.0, status=Shop.Status.ACTIVE,
                              address="1 rue de la Gare")  # fmt: skip
        do_set_opening_hours(shop, [(d, time(8), time(19)) for d in range(6)])
        do_add_branch(chain, shop)
        person = make_person(f"staff@{ref}.example")
        do_add_shop_staff(shop, person)
        staff[ref] = ApiClient(do_issue_api_token(email=person.email, password=PASSWORD))
    do_save_chain_product(
        chain, {"sku": "MART-500", "name_fr": "Marteau 500 g", "price": "12,90", "tax_rate": "20"}
    )
    for ref, stock in [("qj-gare", "5"), ("qj-plateau", "5")]:
        do_update_offer(Offer.objects.get(shop__ref=ref, sku="MART-500"), {"stock": stock})
    plateau = Offer.objects.get(shop__ref="qj-plateau", sku="MART-500")
    do_update_offer(plateau, {"price": "11,50"})

    added = resident_api.call("post", "/cart/items", {"offer_id": plateau.pk, "quantity": 2})
    assert added.status_code in (200, 201), added.content
    body = delivery_body("", fulfilment={"qj-plateau": "collect"})
    response = resident_api.call("post", "/checkout", body, HTTP_IDEMPOTENCY_KEY="chain-1")
    assert response.status_code == 201, response.json()
    [shop_order] = response.json()["shop_orders"]
    assert (shop_order["shop_ref"], shop_order["fulfilment"], shop_order["goods_cents"]) == (
        "qj-plateau",
        "collect",
        2300,
    )
    stocks = dict(Offer.objects.filter(sku="MART-500").values_list("shop__ref", "stock"))
    assert stocks == {"qj-gare": 5, "qj-plateau": 3}

    other = staff["qj-gare"].call("post", f"/shop-orders/{shop_order['id']}/accept", {})
    assert other.status_code == 403, other.content
    accepted = staff["qj-plateau"].call("post", f"/shop-orders/{shop_order['id']}/accept", {})
    assert (accepted.status_code, accepted.json()["status"]) == (200, "accepted")
    chain_api = ApiClient(do_issue_api_token(email="siege@qj.example", password=PASSWORD))
    prepared = chain_api.call("post", f"/shop-orders/{shop_order['id']}/prepare", {})
    assert (prepared.status_code, prepared.json()["status"]) == (200, "prepared")
