"""Typed Beckn/ONDC 1.2.0 message parts (retail and logistics share them).

Every model keeps fields it does not know (``extra="allow"``) and remembers
which fields were present, so a message parsed from a peer re-serialises to
the same JSON: a node relays and logs what it received, not a reduced copy.
Scalars stay as the wire sends them (ONDC writes numbers as strings in most
places and as integers in a few): a field typed ``int | str`` keeps either.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Wire(BaseModel):
    model_config = ConfigDict(extra="allow", validate_by_name=True, validate_by_alias=True)

    def dump(self) -> dict[str, Any]:
        """The JSON object as sent on the wire: aliases, only the fields that were given."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True, exclude_none=True)


Scalar = int | str
Flag = bool | str


class Tag(Wire):
    code: str | None = None
    value: str | None = None


class TagGroup(Wire):
    code: str | None = None
    entries: list[Tag] | None = Field(None, alias="list")


class Descriptor(Wire):
    name: str | None = None
    code: str | None = None
    symbol: str | None = None
    short_desc: str | None = None
    long_desc: str | None = None
    images: list[Any] | None = None


class Price(Wire):
    currency: str | None = None
    value: str | None = None
    maximum_value: str | None = None


class Count(Wire):
    count: Scalar | None = None


class ItemQuantity(Wire):
    count: Scalar | None = None
    available: Count | None = None
    maximum: Count | None = None
    minimum: Count | None = None
    unitized: dict[str, Any] | None = None


class Address(Wire):
    name: str | None = None
    building: str | None = None
    street: str | None = None
    locality: str | None = None
    city: str | None = None
    state: str | None = None
    country: str | None = None
    area_code: str | None = None
    door: str | None = None


class Contact(Wire):
    phone: str | None = None
    email: str | None = None


class Location(Wire):
    id: str | None = None
    gps: str | None = None
    address: Address | None = None
    descriptor: Descriptor | None = None
    time: dict[str, Any] | None = None


class TimeRange(Wire):
    start: str | None = None
    end: str | None = None


class Time(Wire):
    label: str | None = None
    timestamp: str | None = None
    range: TimeRange | None = None
    duration: str | None = None


class Stop(Wire):
    """A fulfillment's start (pickup) or end (drop)."""

    location: Location | None = None
    contact: Contact | None = None
    person: dict[str, Any] | None = None
    time: Time | None = None
    instructions: Descriptor | None = None


class State(Wire):
    descriptor: Descriptor | None = None
    updated_at: str | None = None


class Fulfillment(Wire):
    id: str | None = None
    type: str | None = None
    provider_name: str | None = Field(None, alias="@ondc/org/provider_name")
    category: str | None = Field(None, alias="@ondc/org/category")
    tat: str | None = Field(None, alias="@ondc/org/TAT")
    tracking: Flag | None = None
    state: State | None = None
    start: Stop | None = None
    end: Stop | None = None
    contact: Contact | None = None
    agent: dict[str, Any] | None = None
    vehicle: dict[str, Any] | None = None
    tags: list[TagGroup] | None = None


class Item(Wire):
    id: str | None = None
    parent_item_id: str | None = None
    descriptor: Descriptor | None = None
    quantity: ItemQuantity | None = None
    price: Price | None = None
    category_id: str | None = None
    location_id: str | None = None
    fulfillment_id: str | None = None
    time: Time | None = None
    returnable: Flag | None = Field(None, alias="@ondc/org/returnable")
    cancellable: Flag | None = Field(None, alias="@ondc/org/cancellable")
    return_window: str | None = Field(None, alias="@ondc/org/return_window")
    seller_pickup_return: Flag | None = Field(None, alias="@ondc/org/seller_pickup_return")
    time_to_ship: str | None = Field(None, alias="@ondc/org/time_to_ship")
    available_on_cod: Flag | None = Field(None, alias="@ondc/org/available_on_cod")
    consumer_care: str | None = Field(None, alias="@ondc/org/contact_details_consumer_care")
    tags: list[TagGroup] | None = None


class Offer(Wire):
    id: str | None = None
    descriptor: Descriptor | None = None
    location_ids: list[str] | None = None
    item_ids: list[str] | None = None
    time: Time | None = None
    tags: list[TagGroup] | None = None


class Category(Wire):
    id: str | None = None
    parent_category_id: str | None = None
    descriptor: Descriptor | None = None
    tags: list[TagGroup] | None = None


class Provider(Wire):
    id: str | None = None
    descriptor: Descriptor | None = None
    time: Time | None = None
    ttl: str | None = None
    locations: list[Location] | None = None
    categories: list[Category] | None = None
    fulfillments: list[Fulfillment] | None = None
    items: list[Item] | None = None
    offers: list[Offer] | None = None
    tags: list[TagGroup] | None = None


class Catalog(Wire):
    descriptor: Descriptor | None = Field(None, alias="bpp/descriptor")
    fulfillments: list[Fulfillment] | None = Field(None, alias="bpp/fulfillments")
    providers: list[Provider] | None = Field(None, alias="bpp/providers")


class BreakupLine(Wire):
    item_id: str | None = Field(None, alias="@ondc/org/item_id")
    item_quantity: Count | None = Field(None, alias="@ondc/org/item_quantity")
    title: str | None = None
    title_type: str | None = Field(None, alias="@ondc/org/title_type")
    price: Price | None = None
    item: Item | None = None


class Quote(Wire):
    price: Price | None = None
    breakup: list[BreakupLine] | None = None
    ttl: str | None = None


class Settlement(Wire):
    """One line of ``@ondc/org/settlement_details``: who gets paid, how."""

    settlement_counterparty: str | None = None
    settlement_phase: str | None = None
    settlement_type: str | None = None
    beneficiary_name: str | None = None
    settlement_bank_account_no: str | None = None
    settlement_ifsc_code: str | None = None
    bank_name: str | None = None
    branch_name: str | None = None
    upi_address: str | None = None
    settlement_status: str | None = None
    settlement_reference: str | None = None
    settlement_timestamp: str | None = None


class Payment(Wire):
    uri: str | None = None
    tl_method: str | None = None
    params: dict[str, Any] | None = None
    type: str | None = None
    status: str | None = None
    collected_by: str | None = None
    finder_fee_type: str | None = Field(None, alias="@ondc/org/buyer_app_finder_fee_type")
    finder_fee_amount: str | None = Field(None, alias="@ondc/org/buyer_app_finder_fee_amount")
    settlement_basis: str | None = Field(None, alias="@ondc/org/settlement_basis")
    settlement_window: str | None = Field(None, alias="@ondc/org/settlement_window")
    withholding_amount: str | None = Field(None, alias="@ondc/org/withholding_amount")
    settlement_details: list[Settlement] | None = Field(None, alias="@ondc/org/settlement_details")


class Billing(Wire):
    name: str | None = None
    address: Address | None = None
    phone: str | None = None
    email: str | None = None
    tax_number: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


class Cancellation(Wire):
    cancelled_by: str | None = None
    reason: Descriptor | None = None


class OrderProvider(Wire):
    id: str | None = None
    locations: list[Location] | None = None
    descriptor: Descriptor | None = None


class Order(Wire):
    id: str | None = None
    state: str | None = None
    provider: OrderProvider | None = None
    items: list[Item] | None = None
    offers: list[Offer] | None = None
    billing: Billing | None = None
    fulfillments: list[Fulfillment] | None = None
    quote: Quote | None = None
    payment: Payment | None = None
    cancellation: Cancellation | None = None
    documents: list[dict[str, Any]] | None = None
    tags: list[TagGroup] | None = None
    created_at: str | None = None
    updated_at: str | None = None


class IntentItem(Wire):
    descriptor: Descriptor | None = None


class Intent(Wire):
    item: IntentItem | None = None
    category: dict[str, Any] | None = None
    provider: dict[str, Any] | None = None
    fulfillment: Fulfillment | None = None
    payment: Payment | None = None
    tags: list[TagGroup] | None = None


class Tracking(Wire):
    id: str | None = None
    url: str | None = None
    status: str | None = None
    location: dict[str, Any] | None = None
    tags: list[TagGroup] | None = None


class Context(Wire):
    domain: str
    action: str
    country: str | None = None
    city: str | None = None
    core_version: str | None = None
    bap_id: str | None = None
    bap_uri: str | None = None
    bpp_id: str | None = None
    bpp_uri: str | None = None
    transaction_id: str
    message_id: str
    timestamp: str
    ttl: str | None = None
    key: str | None = None


class Error(Wire):
    type: str | None = None
    code: str | None = None
    path: str | None = None
    message: str | None = None


class Message(Wire):
    """The ``message`` object of any action: which parts appear depends on the action."""

    intent: Intent | None = None
    catalog: Catalog | None = None
    order: Order | None = None
    order_id: str | None = None
    tracking: Tracking | None = None
    cancellation_reason_id: str | None = None
    update_target: str | None = None
    ref_id: str | None = None


class Envelope(Wire):
    context: Context
    message: Message | None = None
    error: Error | None = None
