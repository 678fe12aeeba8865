"""Retail 1.2.0 message bodies built from plain descriptions of shops, offers and orders.

The Django side describes its shops and orders with the dataclasses below; this
module turns them into ONDC's shapes, so the wire format has one home and can be
tested without a database. Amounts are Decimals in the node's currency.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from comptoir.protocol.wire.messages import QuoteLine, amount, build_quote
from comptoir.protocol.wire.models import (
    Address,
    Billing,
    Catalog,
    Contact,
    Count,
    Descriptor,
    Fulfillment,
    Item,
    ItemQuantity,
    Location,
    Order,
    OrderProvider,
    Payment,
    Price,
    Provider,
    Settlement,
    State,
    Stop,
    Tag,
    TagGroup,
    Time,
    TimeRange,
)

# ONDC retail fulfillment state codes, in the order a delivery goes through them
FULFILLMENT_STATES = [
    "Pending",
    "Packed",
    "Agent-assigned",
    "Order-picked-up",
    "Out-for-delivery",
    "Order-delivered",
]
ORDER_STATES = ["Created", "Accepted", "In-progress", "Completed", "Cancelled"]


@dataclass(frozen=True)
class Place:
    gps: str  # "lat,lon"
    area_code: str
    city: str
    street: str = ""
    locality: str = ""
    building: str = ""
    state: str = ""
    country: str = ""
    name: str = ""

    def address(self) -> Address:
        parts = {
            "name": self.name,
            "building": self.building,
            "street": self.street,
            "locality": self.locality,
            "city": self.city,
            "state": self.state,
            "country": self.country,
            "area_code": self.area_code,
        }
        return Address(**{key: value for key, value in parts.items() if value})


@dataclass(frozen=True)
class ShopInfo:
    id: str
    name: str
    description: str
    place: Place
    phone: str
    email: str
    symbol: str  # an image URL (ONDC requires one)


@dataclass(frozen=True)
class OfferInfo:
    id: str
    name: str
    code: str  # "1:<GTIN>" for a barcode, "5:<ref>" for a shop's own reference
    unit_price: Decimal
    available: int
    category: str
    image: str
    measure_unit: str = "unit"
    measure_value: str = "1"
    maximum: int = 99
    description: str = ""
    time_to_ship: str = "PT2H"
    cancellable: bool = True


@dataclass(frozen=True)
class Buyer:
    name: str
    phone: str
    email: str
    place: Place


@dataclass(frozen=True)
class SellerTerms:
    """The BPP's settlement terms (ONDC requires them on init and after)."""

    beneficiary_name: str
    account: str
    bank_code: str  # IFSC in India; BIC elsewhere
    bank_name: str
    branch_name: str
    tax_number: str
    settlement_basis: str = "delivery"
    settlement_window: str = "P1D"
    withholding_amount: str = "0.00"


@dataclass
class Basket:
    """What a buyer selected from one shop, and what the shop can sell of it."""

    shop: ShopInfo
    lines: list[tuple[OfferInfo, int]]
    delivery_fee: Decimal
    currency: str
    fulfillment_id: str
    extra: list[QuoteLine] = field(default_factory=list)

    @property
    def location_id(self) -> str:
        return f"{self.shop.id}-loc"

    def quote_lines(self) -> list[QuoteLine]:
        lines = [
            QuoteLine(
                item_id=offer.id,
                title=offer.name,
                title_type="item",
                unit_price=offer.unit_price,
                count=count,
                available=offer.available,
                maximum=offer.maximum,
            )
            for offer, count in self.lines
        ]
        lines.append(QuoteLine(self.fulfillment_id, "Delivery charges", "delivery", self.delivery_fee))
        return lines + self.extra

    def shortfalls(self) -> list[OfferInfo]:
        return [offer for offer, count in self.lines if count > offer.available]


def _tags(code: str, **values: str) -> TagGroup:
    return TagGroup(code=code, entries=[Tag(code=key, value=value) for key, value in values.items()])


def provider(shop: ShopInfo, offers: list[OfferInfo], *, moment: str, currency: str) -> Provider:
    location_id = f"{shop.id}-loc"
    return Provider(
        id=shop.id,
        time=Time(label="enable", timestamp=moment),
        descriptor=Descriptor(
            name=shop.name,
            symbol=shop.symbol,
            short_desc=shop.description,
            long_desc=shop.description,
            images=[shop.symbol],
        ),
        ttl="P1D",
        locations=[
            Location(
                id=location_id,
                gps=shop.place.gps,
                address=shop.place.address(),
                time={
                    "label": "enable",
                    "timestamp": moment,
                    "days": "1,2,3,4,5,6,7",
                    "range": {"start": "0800", "end": "2000"},
                },
            )
        ],
        fulfillments=[
            Fulfillment(id="1", type="Delivery", contact=Contact(phone=shop.phone, email=shop.email))
        ],
        items=[
            item(offer, location_id=location_id, moment=moment, currency=currency, shop=shop)
            for offer in offers
        ],
        tags=[
            _tags(
                "serviceability",
                location=location_id,
                category=category,
                type="12",
                val="IND",
                unit="country",
            )
            for category in sorted({offer.category for offer in offers})
        ]
        + [
            _tags(
                "timing",
                type="All",
                location=location_id,
                day_from="1",
                day_to="7",
                time_from="0800",
                time_to="2000",
            ),
        ],
    )


def item(offer: OfferInfo, *, location_id: str, moment: str, currency: str, shop: ShopInfo) -> Item:
    return Item(
        id=offer.id,
        time=Time(label="enable", timestamp=moment),
        descriptor=Descriptor(
            name=offer.name,
            code=offer.code,
            symbol=offer.image,
            short_desc=offer.description or offer.name,
            long_desc=offer.description or offer.name,
            images=[offer.image],
        ),
        quantity=ItemQuantity(
            unitized={"measure": {"unit": offer.measure_unit, "value": offer.measure_value}},
            available=Count(count=str(min(offer.available, offer.maximum))),
            maximum=Count(count=str(offer.maximum)),
        ),
        price=Price(
            currency=currency, value=amount(offer.unit_price), maximum_value=amount(offer.unit_price)
        ),
        category_id=offer.category,
        location_id=location_id,
        fulfillment_id="1",
        returnable=False,
        cancellable=offer.cancellable,
        return_window="PT0S",
        seller_pickup_return=False,
        time_to_ship=offer.time_to_ship,
        available_on_cod=True,
        consumer_care=f"{shop.name},{shop.email},{shop.phone}",
        tags=[_tags("origin", country="IND")],
        **{
            "@ondc/org/statutory_reqs_packaged_commodities": {
                "manufacturer_or_packer_name": shop.name,
                "manufacturer_or_packer_address": shop.place.street or shop.place.city,
                "common_or_generic_name_of_commodity": offer.category,
                "month_year_of_manufacture_packing_import": "01/2026",
            }
        },
    )


def catalog(
    node_name: str, shops: list[tuple[ShopInfo, list[OfferInfo]]], *, moment: str, currency: str, symbol: str
) -> Catalog:
    return Catalog(
        descriptor=Descriptor(
            name=node_name, symbol=symbol, short_desc=node_name, long_desc=node_name, images=[symbol]
        ),
        fulfillments=[Fulfillment(id="1", type="Delivery")],
        providers=[provider(shop, offers, moment=moment, currency=currency) for shop, offers in shops],
    )


def _provider_ref(basket: Basket) -> OrderProvider:
    return OrderProvider(id=basket.shop.id, locations=[Location(id=basket.location_id)])


def _items(basket: Basket, *, with_location: bool = False) -> list[Item]:
    items = []
    for offer, count in basket.lines:
        entry = Item(id=offer.id, fulfillment_id=basket.fulfillment_id, quantity=ItemQuantity(count=count))
        if with_location:
            entry.location_id = basket.location_id
        items.append(entry)
    return items


def on_select_order(basket: Basket, *, tat: str = "PT6H") -> Order:
    shortfalls = {offer.id for offer in basket.shortfalls()}
    state = "Non-serviceable" if shortfalls and len(shortfalls) == len(basket.lines) else "Serviceable"
    return Order(
        provider=_provider_ref(basket),
        items=[Item(id=offer.id, fulfillment_id=basket.fulfillment_id) for offer, _ in basket.lines],
        fulfillments=[
            Fulfillment(
                id=basket.fulfillment_id,
                type="Delivery",
                provider_name=basket.shop.name,
                tracking=False,
                category="Standard Delivery",
                tat=tat,
                state=State(descriptor=Descriptor(code=state)),
            )
        ],
        quote=build_quote(basket.quote_lines(), currency=basket.currency, with_stock=True),
    )


def billing(buyer: Buyer, *, moment: str) -> Billing:
    return Billing(
        name=buyer.name,
        address=buyer.place.address(),
        phone=buyer.phone,
        email=buyer.email,
        created_at=moment,
        updated_at=moment,
    )


def drop(buyer: Buyer, basket: Basket) -> Fulfillment:
    return Fulfillment(
        id=basket.fulfillment_id,
        type="Delivery",
        end=Stop(
            location=Location(gps=buyer.place.gps, address=buyer.place.address()),
            contact=Contact(phone=buyer.phone, email=buyer.email),
        ),
    )


# Who collects and when, as the seller node accepts it (decision 0025):
# our cooperative collects by bank transfer and settles with the seller's node, or the seller's courier
# takes the payment at the door.
PAYMENT_TERMS = {("ON-ORDER", "BAP"), ("ON-FULFILLMENT", "BPP")}


def payment(
    basket: Basket, terms: SellerTerms, *, finder_fee: str, status: str | None = None,
    kind: str = "ON-ORDER", collected_by: str = "BAP",
) -> Payment:  # fmt: skip
    if (kind, collected_by) not in PAYMENT_TERMS:
        raise ValueError(f"payment terms not offered: {kind} collected by {collected_by}")
    total = build_quote(basket.quote_lines(), currency=basket.currency).price
    settlement = Settlement(
        settlement_counterparty="seller-app",
        settlement_phase="sale-amount",
        settlement_type="neft",
        beneficiary_name=terms.beneficiary_name,
        settlement_bank_account_no=terms.account,
        settlement_ifsc_code=terms.bank_code,
        bank_name=terms.bank_name,
        branch_name=terms.branch_name,
    )
    pay = Payment(
        type=kind,
        collected_by=collected_by,
        finder_fee_type="percent",
        finder_fee_amount=finder_fee,
        settlement_basis=terms.settlement_basis,
        settlement_window=terms.settlement_window,
        withholding_amount=terms.withholding_amount,
        settlement_details=[settlement],
    )
    if status:
        pay.status = status
        pay.params = {"amount": total.value if total else "0.00", "currency": basket.currency}
    return pay


def init_order(basket: Basket, buyer: Buyer, *, moment: str) -> Order:
    return Order(
        provider=_provider_ref(basket),
        items=_items(basket, with_location=True),
        billing=billing(buyer, moment=moment),
        fulfillments=[drop(buyer, basket)],
    )


def on_init_order(
    basket: Basket, buyer: Buyer, terms: SellerTerms, *, billed_at: str, finder_fee: str,
    payment_terms: tuple[str, str] = ("ON-ORDER", "BAP"),
) -> Order:  # fmt: skip
    fulfillment = drop(buyer, basket)
    fulfillment.tracking = False
    return Order(
        provider=_provider_ref(basket),
        items=_items(basket),
        billing=billing(buyer, moment=billed_at),
        fulfillments=[fulfillment],
        quote=build_quote(basket.quote_lines(), currency=basket.currency),
        payment=payment(
            basket, terms, finder_fee=finder_fee, kind=payment_terms[0], collected_by=payment_terms[1]
        ),
        tags=[_tags("bpp_terms", tax_number=terms.tax_number, np_type="MSN")],
    )


def confirmed_order(
    basket: Basket,
    buyer: Buyer,
    terms: SellerTerms,
    *,
    order_id: str,
    state: str,
    billed_at: str,
    created_at: str,
    updated_at: str,
    finder_fee: str,
    fulfillment_state: str | None = None,
    pickup: tuple[str, str] | None = None,
    delivery_window: tuple[str, str] | None = None,
    moments: dict[str, str] | None = None,
    payment_terms: tuple[str, str] = ("ON-ORDER", "BAP"),
) -> Order:
    """The order as confirm, on_confirm and on_status carry it; later states add timings."""
    fulfillment = drop(buyer, basket)
    fulfillment.tat = "PT6H"
    fulfillment.tracking = False
    fulfillment.provider_name = basket.shop.name
    assert fulfillment.end is not None
    fulfillment.end.person = {"name": buyer.name}
    if fulfillment_state:
        fulfillment.state = State(descriptor=Descriptor(code=fulfillment_state))
        fulfillment.start = Stop(
            location=Location(
                id=basket.location_id,
                gps=basket.shop.place.gps,
                address=basket.shop.place.address(),
                descriptor=Descriptor(name=basket.shop.name),
            ),
            contact=Contact(phone=basket.shop.phone, email=basket.shop.email),
        )
        if pickup:
            fulfillment.start.time = Time(range=TimeRange(start=pickup[0], end=pickup[1]))
        if delivery_window:
            fulfillment.end.time = Time(range=TimeRange(start=delivery_window[0], end=delivery_window[1]))
        for side, stamp in (moments or {}).items():
            stop = fulfillment.start if side == "start" else fulfillment.end
            if stop.time is None:
                stop.time = Time()
            stop.time.timestamp = stamp
    return Order(
        id=order_id,
        state=state,
        provider=_provider_ref(basket),
        items=_items(basket),
        billing=billing(buyer, moment=billed_at),
        fulfillments=[fulfillment],
        quote=build_quote(basket.quote_lines(), currency=basket.currency),
        payment=payment(
            basket,
            terms,
            finder_fee=finder_fee,
            status="NOT-PAID",
            kind=payment_terms[0],
            collected_by=payment_terms[1],
        ),
        tags=[_tags("bpp_terms", tax_number=terms.tax_number, np_type="MSN")],
        created_at=created_at,
        updated_at=updated_at,
    )
