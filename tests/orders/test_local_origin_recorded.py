"""A sold line keeps its origin (decision 0015): relinking the offer later changes nothing in
the share of sales from local suppliers."""

from __future__ import annotations

from comptoir.catalog.models import Offer
from comptoir.catalog.services import do_update_offer
from comptoir.catalog.suppliers import do_create_supplier
from comptoir.orders.local_share import local_shares
from comptoir.orders.models import OrderLine, ShopOrder
from tests.orders.conftest import delivery_body, first_slot
from tests.orders.test_checkout import FULFIL, fill_cart


def test_checkout_records_each_lines_origin_and_the_share_reads_it(resident_api, town):
    farm = do_create_supplier(shop=None, name="Ferme des Trois-Rivières", kind="farm", lat=47.105, lon=6.145)
    far = do_create_supplier(shop=None, name="Outillage Forézien", kind="manufacturer", lat=45.439, lon=4.387)
    do_update_offer(town["bread"], {"supplier": farm.ref})
    do_update_offer(town["hammer"], {"supplier": far.ref})
    fill_cart(resident_api, town)
    response = resident_api.call("post", "/checkout", delivery_body(first_slot(), fulfilment=FULFIL),
                                 HTTP_IDEMPOTENCY_KEY="local-1")  # fmt: skip
    assert response.status_code == 201, response.json()
    recorded = {line.sku: line.origin_km for line in OrderLine.objects.all()}
    assert (round(recorded["B1"], 1), round(recorded["H1"], 1), recorded["R1"]) == (12.0, 218.6, -1.0)
    ShopOrder.objects.update(status=ShopOrder.Status.COMPLETED)
    before = [(r.shop_ref, r.local_cents, r.unknown_cents, r.total_cents) for r in local_shares()]
    assert before[0] == ("", 480, 1500, 3030)  # bread (2 × 2,40) local, roses unknown, hammer far
    # The bakery relinks its bread to the far supplier afterwards: the sale stays local.
    do_update_offer(Offer.objects.get(sku="B1"), {"supplier": far.ref})
    assert [(r.shop_ref, r.local_cents, r.unknown_cents, r.total_cents) for r in local_shares()] == before


def test_a_vote_widening_local_does_not_reclassify_past_sales(resident_api, town):
    """Sold when "local" was 100 km: the 218.6 km hammer stays far after the radius is voted 300 km,
    and after "local" becomes a territory; a sale made after the vote counts it local."""
    from tests.governance.adopt import adopt

    farm = do_create_supplier(shop=None, name="Ferme des Trois-Rivières", kind="farm", lat=47.105, lon=6.145)
    far = do_create_supplier(shop=None, name="Outillage Forézien", kind="manufacturer", lat=45.439, lon=4.387,
                             postal_code="42000", country="FR")  # fmt: skip
    do_update_offer(town["bread"], {"supplier": farm.ref})
    do_update_offer(town["hammer"], {"supplier": far.ref})
    fill_cart(resident_api, town)
    response = resident_api.call("post", "/checkout", delivery_body(first_slot(), fulfilment=FULFIL),
                                 HTTP_IDEMPOTENCY_KEY="local-vote-1")  # fmt: skip
    assert response.status_code == 201, response.json()
    assert {line.sku: line.origin_local for line in OrderLine.objects.all()} == {
        "B1": True,
        "H1": False,
        "R1": False,
    }
    ShopOrder.objects.update(status=ShopOrder.Status.COMPLETED)
    before = [(r.month, r.shop_ref, r.local_cents, r.unknown_cents, r.total_cents) for r in local_shares()]
    assert before[0][1:] == ("", 480, 1500, 3030)
    adopt({"local_radius_km": "300"})
    assert [
        (r.month, r.shop_ref, r.local_cents, r.unknown_cents, r.total_cents) for r in local_shares()
    ] == before
    adopt({"local_territory": "FR-ARA"}, title="Local is Auvergne-Rhône-Alpes")  # the hammer's Loire
    assert [
        (r.month, r.shop_ref, r.local_cents, r.unknown_cents, r.total_cents) for r in local_shares()
    ] == before
    # A line sold before lines kept their classification reads today's rule: Loire is local now,
    # the farm (no postal code, so no territory) is not.
    OrderLine.objects.update(origin_local=None)
    assert next((r.local_cents, r.unknown_cents, r.total_cents) for r in local_shares()) == (1050, 1500, 3030)
