"""Small, realistic inputs for the wire builders (a bakery with two offers, one buyer)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from comptoir.protocol.wire import retail

T0 = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)
SHOP = retail.ShopInfo(
    id="shop-12",
    name="Boulangerie Carré",
    description="Pain au levain",
    place=retail.Place(
        gps="45.764043,4.835659", area_code="69001", city="Lyon", street="3 rue Neuve", state="ARA"
    ),
    phone="0472000000",
    email="pain@example.org",
    symbol="https://node-b.example/static/shop-12.png",
)
BREAD = retail.OfferInfo(
    id="offer-7",
    name="Pain de campagne",
    code="5:PC1",
    unit_price=Decimal("3.20"),
    available=5,
    category="Bakery, Cakes & Dairy",
    image="https://node-b.example/static/offer-7.png",
)
JAM = retail.OfferInfo(
    id="offer-8",
    name="Confiture abricot",
    code="1:3017620422003",
    unit_price=Decimal("4.15"),
    available=0,
    category="Gourmet & World Foods",
    image="https://node-b.example/static/offer-8.png",
)
BUYER = retail.Buyer(
    name="Ada Martin",
    phone="0600000000",
    email="ada@example.org",
    place=retail.Place(
        gps="45.760000,4.830000",
        area_code="69002",
        city="Lyon",
        building="12",
        street="quai Saint-Antoine",
        name="Ada Martin",
    ),
)
TERMS = retail.SellerTerms(
    beneficiary_name="Coop Comptoir Lyon",
    account="FR7630006000011234567890189",
    bank_code="AGRIFRPP",
    bank_name="Crédit Agricole",
    branch_name="Lyon",
    tax_number="FR12345678901",
)


def basket(count: int = 2) -> retail.Basket:
    return retail.Basket(
        shop=SHOP,
        lines=[(BREAD, count)],
        delivery_fee=Decimal("4.50"),
        currency="EUR",
        fulfillment_id="f-shop-12",
    )
