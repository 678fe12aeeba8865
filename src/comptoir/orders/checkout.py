"""Checkout: a cart (or a list of items) becomes one order split into shop orders, stock reserved.

Everything happens in one transaction with the offers' rows locked (lock_objects.py):
if any line would oversell, the refusal names the offer and nothing is written.
With an idempotency key, a retried checkout returns the order the first one made.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from comptoir.catalog import stock
from comptoir.catalog.lock_objects import offers_for_update
from comptoir.catalog.models import Offer
from comptoir.catalog.selectors import offer_is_visible, origins_sold
from comptoir.core.errors import InvalidInput
from comptoir.core.money import Money, percent_of
from comptoir.core.parameters import governed
from comptoir.core.region import node_region
from comptoir.core.regions import RegionError
from comptoir.orders import books, guards, notify, pricing
from comptoir.orders.delivery_port import DeliveryUnavailable, Drop, Parcel, SlotOption, delivery_booking
from comptoir.orders.error_codes import OrderErrorCode
from comptoir.orders.geocoding import locate
from comptoir.orders.models import Cart, FeeLine, Fulfilment, Order, OrderLine, ShopOrder
from comptoir.orders.payments import BuyerAppCollects, payment_method
from comptoir.orders.selectors import coop_fee_label


@dataclass
class CheckoutRequest:
    email: str
    fulfilment: dict[str, str]  # shop ref -> collect | delivery
    payment_method: str
    language: str = "fr"
    items: list[tuple[int, int]] | None = None  # (offer id, quantity); None: the cart's items
    slot_id: str = ""
    recipient_name: str = ""
    phone: str = ""
    address: str = ""
    postal_code: str = ""
    city: str = ""
    instructions: str = ""
    lat: float | None = None
    lon: float | None = None
    idempotency_key: str = ""
    expected_goods_cents: int | None = None  # refuse if prices changed since the resident saw them
    notes: dict[str, Any] = field(default_factory=dict)


def coop_fee_terms() -> tuple[Any, str, str]:
    rate = governed("coop_fee_percent")
    return rate.value, coop_fee_label(rate.value, translation.get_language() or "fr"), rate.source


# The governed parameters' sources, shown to residents next to each fee: translated where shown.
SOURCES = (gettext_noop("adopted at founding (v1)"),)  # the others name their vote


def checkout_preview(goods_cents: int, sales: list[list[pricing.LineIn]] | None = None) -> dict[str, Any]:
    """What checkout shows before "Place the order": the contribution as an amount, its source in the
    page's language, the tax lines where the region adds them (one sale per shop, priced as checkout
    will), and the total before delivery (each slot adds its own fee)."""
    rate, label, source = coop_fee_terms()
    coop = percent_of(Money(goods_cents), rate).cents
    taxes: list[pricing.TaxAmount] = []
    if sales and not node_region().prices_include_tax:
        taxes = pricing.sum_taxes(
            [pricing.price_group(sale, prices_include_tax=False).taxes for sale in sales]
        )
    added = sum(t.amount_cents for t in taxes)
    return {
        "coop_label": label,
        "coop_cents": coop,
        "coop_source": _(source),
        "taxes": [t.as_dict() for t in taxes],
        "before_delivery_cents": goods_cents + added + coop,
    }


def _wanted(cart: Cart | None, request: CheckoutRequest) -> dict[int, int]:
    pairs = (
        request.items
        if request.items is not None
        else list(cart.items.values_list("offer_id", "quantity"))
        if cart
        else []
    )
    wanted: dict[int, int] = {}
    for offer_id, quantity in pairs:
        if quantity < 1:
            raise InvalidInput(
                _("Quantities must be at least 1."), code=OrderErrorCode.INVALID_QUANTITY, field="items"
            )
        wanted[offer_id] = wanted.get(offer_id, 0) + quantity
    if not wanted:
        raise InvalidInput(_("Your cart is empty."), code=OrderErrorCode.EMPTY_CART)
    return wanted


def _check_contact(request: CheckoutRequest) -> None:
    try:
        validate_email(request.email)
    except ValidationError as error:
        raise InvalidInput(
            _("Enter a valid email address."), code=OrderErrorCode.INVALID_EMAIL, field="email"
        ) from error
    if request.language not in dict(settings.LANGUAGES):
        raise InvalidInput(_("Choose a language."), code=OrderErrorCode.INVALID_LANGUAGE, field="language")
    if request.payment_method == BuyerAppCollects.code and not request.notes.get("protocol"):
        raise InvalidInput(_("Choose a payment method."), code=OrderErrorCode.UNKNOWN_PAYMENT_METHOD,
                           field="payment_method")  # fmt: skip
    payment_method(request.payment_method)


def _check_drop(request: CheckoutRequest) -> tuple[Drop, str]:
    # Whole sentences, not a word slotted into one: French needs "le nom", "l'adresse".
    missing = {
        "recipient_name": _("Enter the recipient's name for the delivery."),
        "phone": _("Enter the recipient's phone number for the delivery."),
        "address": _("Enter the delivery address."),
    }
    for name, message in missing.items():
        if not getattr(request, name).strip():
            raise InvalidInput(message, code=OrderErrorCode.DELIVERY_DETAILS_REQUIRED, field=name)
    if not request.slot_id:
        raise InvalidInput(
            _("Choose a delivery slot."), code=OrderErrorCode.DELIVERY_DETAILS_REQUIRED, field="slot_id"
        )
    if request.postal_code.strip():
        try:
            request.postal_code = node_region().normalise_postal_code(request.postal_code)
        except RegionError as error:
            message = _("This postal code is not one of this region's (for example %(example)s).") % {
                "example": node_region().postal_code_example
            }
            raise InvalidInput(
                message, code=OrderErrorCode.INVALID_POSTAL_CODE, field="postal_code"
            ) from error
    place = locate(request.address, request.postal_code, request.lat, request.lon)
    full = f"{request.address}, {request.postal_code} {request.city}".strip(", ")
    drop = Drop(place.lat, place.lon, full, request.recipient_name, request.phone, request.instructions)
    return drop, place.source


def _slot(request: CheckoutRequest, drop: Drop, weight_g: int, volume_ml: int) -> SlotOption:
    options = delivery_booking().slots_for(drop.lat, drop.lon, weight_g, volume_ml, timezone.now())
    chosen = next((slot for slot in options if slot.id == request.slot_id), None)
    if chosen is None:
        raise InvalidInput(
            _("This delivery slot is not available any more; choose another one."),
            code=OrderErrorCode.SLOT_UNAVAILABLE, field="slot_id",
        )  # fmt: skip
    return chosen


def _check_offers(offers: dict[int, Offer], wanted: dict[int, int], request: CheckoutRequest) -> None:
    for offer_id in sorted(wanted):
        offer = offers.get(offer_id)
        if offer is None or not offer_is_visible(offer):
            raise InvalidInput(
                _("A product in your cart is not sold any more (#%(id)d).") % {"id": offer_id},
                code=OrderErrorCode.NOT_SOLD, offer_id=offer_id,
            )  # fmt: skip
        how = request.fulfilment.get(offer.shop.ref)
        allowed = {
            Fulfilment.COLLECT: offer.shop.offers_collect,
            Fulfilment.DELIVERY: offer.shop.offers_delivery,
        }
        if not allowed.get(how):  # type: ignore[call-overload]
            message = _("Choose click-and-collect or delivery for %(shop)s.") % {"shop": offer.shop.name}
            raise InvalidInput(
                message, code=OrderErrorCode.FULFILMENT_REQUIRED, field="fulfilment", shop=offer.shop.ref
            )


def _write_shop_orders(
    order: Order, offers: dict[int, Offer], wanted: dict[int, int], request: CheckoutRequest
):  # fmt: skip
    by_shop: dict[int, list[int]] = {}
    for offer_id in sorted(wanted):
        by_shop.setdefault(offers[offer_id].shop_id, []).append(offer_id)
    expires = guards.hold_until(timezone.now(), confirmed=order.email_confirmed_at is not None)
    shop_orders = ShopOrder.objects.bulk_create([
        ShopOrder(order=order, shop=offers[ids[0]].shop, fulfilment=request.fulfilment[offers[ids[0]].shop.ref], expires_at=expires)
        for ids in by_shop.values()
    ])  # fmt: skip
    lines, groups = [], []
    origins = origins_sold(offers.values())  # kept on each line: next year's share reads this sale's origin
    region = node_region()
    for shop_order, ids in zip(shop_orders, by_shop.values(), strict=True):
        group = [
            line_in(offers[i].price_cents, wanted[i], offers[i].tax_rate, offers[i].tax_code) for i in ids
        ]
        sale = pricing.price_group(group, prices_include_tax=region.prices_include_tax)
        shop_order.goods_cents, shop_order.tax_cents = sale.goods.cents, sale.tax.cents
        shop_order.taxes = [t.as_dict() for t in sale.taxes]
        lines += [
            OrderLine(
                shop_order=shop_order, offer=offers[i], sku=offers[i].sku, name=offers[i].name_fr,
                unit_price_cents=offers[i].price_cents, tax_rate=offers[i].tax_rate, tax_code=offers[i].tax_code,
                quantity=wanted[i], total_cents=p.total.cents, tax_cents=p.tax.cents, reserved=not offers[i].on_demand,
                origin_km=origins[i][0], origin_local=origins[i][1],
            )
            for i, p in zip(ids, sale.lines, strict=True)
        ]  # fmt: skip
        groups.append(group)
    OrderLine.objects.bulk_create(lines)
    ShopOrder.objects.bulk_update(shop_orders, ["goods_cents", "tax_cents", "taxes"])
    return shop_orders, groups


def _book(
    order: Order, slot: SlotOption, drop: Drop, shop_orders: list[ShopOrder], offers, wanted
) -> list[pricing.Fee]:
    parcels = []
    for so in shop_orders:
        if so.fulfilment == Fulfilment.DELIVERY:
            mine = [(offers[i], q) for i, q in wanted.items() if offers[i].shop_id == so.shop_id]
            weight, volume = sum(o.weight_g * q for o, q in mine), sum(o.volume_ml * q for o, q in mine)
            parcels.append(Parcel(so.pk, so.shop_id, weight, volume))
    try:
        booking = delivery_booking().book(slot.id, order.pk, drop, parcels)
    except DeliveryUnavailable as error:
        raise InvalidInput(str(error), code=OrderErrorCode.SLOT_UNAVAILABLE, field="slot_id") from error
    order.delivery_booking_ref, order.slot_id = booking.ref, slot.id
    order.slot_starts, order.slot_ends = slot.starts, slot.ends
    order.delivery_status = Order.DeliveryStatus.BOOKED
    return [
        pricing.Fee("delivery", line.label, line.amount, line.source, line.labels)
        for line in booking.fee_lines
    ]


def _place(
    person: Any, cart: Cart | None, request: CheckoutRequest, wanted: dict[int, int], guard: _Guard
) -> Order:
    offers = offers_for_update(wanted)
    _check_offers(offers, wanted, request)
    stock.take(wanted, locked=offers)  # every short line refused at once; nothing written if any is
    delivery = any(request.fulfilment.get(offers[i].shop.ref) == Fulfilment.DELIVERY for i in wanted)
    drop, source = _check_drop(request) if delivery else (None, "")
    customer = person if person is not None and person.is_authenticated else None
    email_code, code_hash = guards.new_email_code() if guards.is_guest(guard.owner) else ("", "")
    order = Order.objects.create(
        token=secrets.token_urlsafe(24), customer=customer, email=request.email, language=request.language,
        idempotency_key=request.idempotency_key, payment_method=request.payment_method,
        owner_key=guard.owner, request_hash=guard.digest, client_ip=guard.client.ip,
        email_confirmed_at=None if email_code else timezone.now(), email_code_hash=code_hash,
    )  # fmt: skip
    shop_orders, groups = _write_shop_orders(order, offers, wanted, request)
    extra: list[pricing.Fee] = []
    if drop is not None:
        weight = sum(offers[i].weight_g * q for i, q in wanted.items())
        slot = _slot(request, drop, weight, sum(offers[i].volume_ml * q for i, q in wanted.items()))
        extra = _book(order, slot, drop, shop_orders, offers, wanted)
        _set_drop(order, request, drop, source)
    rate, label, rate_source = coop_fee_terms()
    quote = pricing.quote(
        groups, (rate, label, rate_source), extra, prices_include_tax=node_region().prices_include_tax
    )
    if request.expected_goods_cents is not None and request.expected_goods_cents != quote.goods.cents:
        message = _(
            "Prices changed since you saw your cart: the goods now cost %(goods)s. Check and confirm again."
        )
        raise InvalidInput(
            message % {"goods": quote.goods.format(request.language)}, code=OrderErrorCode.PRICES_CHANGED
        )
    FeeLine.objects.bulk_create([
        FeeLine(order=order, kind=f.kind, label=f.label, amount_cents=f.amount.cents, source=f.source,
                rate_percent=rate if f.kind == "coop" else None, labels=f.labels)
        for f in quote.fees
    ])  # fmt: skip
    _set_totals(order, quote)
    with translation.override(order.language):  # the instructions are also sent by email, in that language
        started = payment_method(request.payment_method).start(order)
    order.payment_status, order.payment_instructions = started.status, started.instructions
    order.save()
    books.post(order.pk, "checkout")  # in the checkout's transaction: no order without its entry
    if cart is not None and request.items is None:
        cart.items.filter(offer_id__in=wanted).delete()
    notify.order_placed(order, shop_orders)
    if email_code:
        notify.email_code(order, email_code)
    return order


def _set_drop(order: Order, request: CheckoutRequest, drop: Drop, source: str) -> None:
    order.lat, order.lon = drop.lat, drop.lon
    order.recipient_name, order.phone, order.instructions = (
        request.recipient_name,
        request.phone,
        request.instructions,
    )
    order.address, order.postal_code, order.city = request.address, request.postal_code, request.city
    order.location_source = source


def _set_totals(order: Order, quote: pricing.Quote) -> None:
    order.goods_cents, order.tax_cents, order.fees_cents = (
        quote.goods.cents,
        quote.tax.cents,
        quote.fees_total.cents,
    )
    order.prices_include_tax, order.taxes = quote.prices_include_tax, [t.as_dict() for t in quote.taxes]
    order.total_cents = quote.total.cents


def line_in(price_cents: int, quantity: int, tax_rate: Any, tax_code: str) -> pricing.LineIn:
    """A line to price, with its taxes from the region's tax code (France: none, its VAT rate)."""
    code = node_region().tax_code(tax_code) if tax_code else None
    return pricing.LineIn(price_cents, quantity, tax_rate, code)


@dataclass(frozen=True)
class _Guard:
    owner: str
    digest: str
    client: guards.Client


def do_checkout(
    person: Any, cart: Cart | None, request: CheckoutRequest, *, client: guards.Client | None = None
) -> tuple[Order, bool]:
    """Place the order; returns (order, created). The owner's repeated idempotency key with the same
    request returns the first order; with another request it is refused (guards.py)."""
    guard = _Guard(guards.owner_key(person, cart), guards.request_hash(request), client or guards.Client())
    existing = guards.replayed(guard.owner, request.idempotency_key, guard.digest)
    if existing is not None:
        return existing, False
    guards.check_attempt(guard.client)
    wanted = _wanted(cart, request)
    _check_contact(request)
    if guards.is_guest(guard.owner):
        guards.check_guest_cap(request.email, guard.owner, guard.client)
    try:
        with transaction.atomic():
            order = _place(person, cart, request, wanted, guard)
    except IntegrityError:
        existing = guards.replayed(guard.owner, request.idempotency_key, guard.digest)
        if existing is None:
            raise
        return existing, False
    return order, True
