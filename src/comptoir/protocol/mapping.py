"""Our catalog and pricing seen from the protocol: shops, offers, baskets and buyers as wire dataclasses.

A basket is priced exactly as checkout prices it (orders' pricing, the governed
coop fee, the delivery adapter's first open slot), so the quote a buyer app sees
on select is the total the confirm will place.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from comptoir.catalog.models import Offer, Shop
from comptoir.catalog.selectors import sellable_offers
from comptoir.core.errors import ComptoirError
from comptoir.core.money import Money
from comptoir.core.region import node_region
from comptoir.orders import pricing
from comptoir.orders.checkout import coop_fee_terms, line_in
from comptoir.orders.delivery_port import DeliveryUnavailable, delivery_booking
from comptoir.orders.payments import bank_account
from comptoir.protocol.wire import retail
from comptoir.protocol.wire.messages import QuoteLine, amount


def offers_on_sale() -> QuerySet[Offer]:
    return sellable_offers().select_related("shop", "category")


def currency() -> str:
    return Money.zero().currency


def image(path: str) -> str:
    return f"{settings.COMPTOIR_PROTOCOL_URL.rsplit('/', 1)[0]}/static/{path}"


def shop_info(shop: Shop) -> retail.ShopInfo:
    return retail.ShopInfo(
        id=shop.ref,
        name=shop.name,
        description=shop.description_fr or shop.name,
        place=retail.Place(
            gps=f"{shop.lat:.6f},{shop.lon:.6f}",
            area_code=shop.postal_code or "00000",
            city=shop.city or settings.COMPTOIR_NODE_NAME,
            street=shop.address,
            locality=shop.neighbourhood,
        ),
        phone=shop.phone or "0000000000",
        email=shop.email or settings.DEFAULT_FROM_EMAIL,
        symbol=image(f"shops/{shop.ref}.png"),
    )


def offer_info(offer: Offer, *, available: int | None = None) -> retail.OfferInfo:
    stock = offer.stock if available is None else available
    return retail.OfferInfo(
        id=str(offer.pk),
        name=offer.name_fr,
        code=f"1:{offer.gtin}" if offer.gtin else f"5:{offer.sku}",
        unit_price=Decimal(offer.price_cents) / 100,
        available=99 if offer.on_demand else stock,
        category=offer.category.name_en if offer.category_id and offer.category else "Grocery",
        image=image(f"offers/{offer.pk}.png"),
        measure_unit="unit",
        measure_value=str(offer.quantity.normalize()),
        description=offer.description_fr,
    )


def terms() -> retail.SellerTerms:
    """Where buyer apps settle: the cooperative's own account, which orders also use for transfers."""
    account = bank_account()
    if account is None:
        raise ComptoirError(
            "the cooperative's bank account is not configured (COMPTOIR_BANK_IBAN, COMPTOIR_BANK_BIC): "
            "buyer apps would have nowhere to settle"
        )
    return retail.SellerTerms(
        beneficiary_name=settings.COMPTOIR_NODE_NAME,
        account=account[0].replace(" ", ""),
        bank_code=account[1],
        bank_name=settings.COMPTOIR_BANK_NAME or account[1],
        branch_name=settings.COMPTOIR_BANK_BRANCH or settings.COMPTOIR_NODE_NAME,
        tax_number=settings.COMPTOIR_TAX_NUMBER or "NOT-SET",
    )


def _rate(rate: Decimal) -> str:
    return format(rate.normalize(), "f").replace(".", ",")


def tax_lines(fulfillment_id: str, taxes: list[pricing.TaxAmount]) -> list[QuoteLine]:
    """One ONDC "tax" line per tax of the sale ("TPS/GST 5 %", "TVQ/QST 9,975 %", "TVA/VAT 5,5 %").

    A tax added on top of the price (Québec) is a line worth its amount, so the breakup adds up to
    the total the resident pays; a tax included in the price (France) is worth 0.00 — it is already
    inside the item lines — and its amount is in the line's tags, with its base and its rate.
    """
    return [
        QuoteLine(
            fulfillment_id,
            f"{tax.label_fr}/{tax.label_en} {_rate(tax.rate)} %",
            "tax",
            Decimal(0 if tax.included else tax.amount_cents) / 100,
            tags=(
                ("code", tax.code),
                ("rate", format(tax.rate.normalize(), "f")),
                ("base", amount(Decimal(tax.base_cents) / 100)),
                ("amount", amount(Decimal(tax.amount_cents) / 100)),
                ("included", "yes" if tax.included else "no"),
            ),
        )
        for tax in taxes
    ]


def price_basket(order: Any, *, lat: float | None, lon: float | None) -> tuple[retail.Basket, dict[str, Any]]:
    """The selection priced as checkout would price it: goods, coop fee, delivery fee of the first slot."""
    if order is None or order.provider is None or not order.items:
        raise ComptoirError("the order has no provider or no items")
    shop = Shop.objects.filter(ref=order.provider.id, status=Shop.Status.ACTIVE).first()
    if shop is None:
        raise ComptoirError(f"unknown provider {order.provider.id}")
    wanted: dict[int, int] = {}
    for item in order.items:
        count = item.quantity.count if item.quantity else None
        if not str(item.id).isdigit() or not str(count).isdigit() or int(str(count)) < 1:
            raise ComptoirError(f"item {item.id}: a known item id and a count of at least 1 are needed")
        wanted[int(str(item.id))] = int(str(count))
    offers = {o.pk: o for o in offers_on_sale().filter(pk__in=wanted, shop=shop)}
    unknown = sorted(set(wanted) - set(offers))
    if unknown:
        raise ComptoirError(f"items not sold by {shop.ref}: {', '.join(map(str, unknown))}")
    lines = [(offer_info(offers[i]), wanted[i]) for i in sorted(wanted)]
    groups = [
        [
            line_in(offers[i].price_cents, wanted[i], offers[i].tax_rate, offers[i].tax_code)
            for i in sorted(wanted)
        ]
    ]
    slot_id, delivery = "", Money.zero()
    if lat is not None and lon is not None:
        weight = sum(offers[i].weight_g * q for i, q in wanted.items())
        volume = sum(offers[i].volume_ml * q for i, q in wanted.items())
        try:
            slots = delivery_booking().slots_for(lat, lon, weight, volume, timezone.now())
        except DeliveryUnavailable:
            slots = []
        slot = next((s for s in slots if s.remaining > 0), None)
        if slot is not None:
            slot_id, delivery = slot.id, slot.fee
    quote = pricing.quote(groups, coop_fee_terms(), [], prices_include_tax=node_region().prices_include_tax)
    coop = quote.fees[0]
    fulfillment_id = f"F-{shop.ref}"
    basket = retail.Basket(
        shop=shop_info(shop),
        lines=lines,
        delivery_fee=Decimal(delivery.cents) / 100,
        currency=currency(),
        fulfillment_id=fulfillment_id,
        extra=[
            *tax_lines(fulfillment_id, quote.taxes),
            QuoteLine(fulfillment_id, str(coop.label), "misc", Decimal(coop.amount.cents) / 100),
        ],
    )
    facts: dict[str, Any] = {"shop": shop.ref, "items": [[i, wanted[i]] for i in sorted(wanted)]}
    facts.update(slot_id=slot_id, goods_cents=quote.goods.cents)
    return basket, facts


def gps(fulfillments: Any) -> tuple[float | None, float | None]:
    for fulfillment in fulfillments or []:
        location = fulfillment.end.location if fulfillment.end else None
        if location and location.gps:
            lat, lon = (float(part) for part in location.gps.split(","))
            return lat, lon
    return None, None


def buyer_of(order: Any) -> retail.Buyer:
    billing = order.billing
    end = next((f.end for f in order.fulfillments or [] if f.end and f.end.location), None)
    address = end.location.address if end and end.location and end.location.address else billing.address
    contact = end.contact if end and end.contact else None
    return retail.Buyer(
        name=billing.name or "",
        phone=(contact.phone if contact and contact.phone else billing.phone) or "",
        email=(contact.email if contact and contact.email else billing.email) or "",
        place=retail.Place(
            gps=end.location.gps if end and end.location and end.location.gps else "",
            area_code=address.area_code or "" if address else "",
            city=address.city or "" if address else "",
            building=address.building or "" if address else "",
            street=address.street or "" if address else "",
            locality=address.locality or "" if address else "",
            state=address.state or "" if address else "",
            country=address.country or "" if address else "",
            name=address.name or "" if address else "",
        ),
    )
