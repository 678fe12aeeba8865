"""Carts, orders, shop orders, lines and fee lines. Thin: fields and constraints; rules live in services."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from comptoir.catalog.models import Offer, Shop


class Cart(models.Model):
    """One cart across shops, for a signed-in person or a guest (found by its token in the session)."""

    owner = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE)
    token = models.CharField(max_length=43, unique=True)
    updated = models.DateTimeField(auto_now=True)


class CartItem(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="items")
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    price_cents_seen = models.PositiveIntegerField()  # the price shown when it was added
    added = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "offer"], name="one_cart_item_per_offer"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="cart_item_quantity_positive"),
        ]


class Fulfilment(models.TextChoices):
    COLLECT = "collect", _("Click-and-collect")
    DELIVERY = "delivery", _("Delivery")


class Order(models.Model):
    """What a resident checked out: one per checkout, split into one ShopOrder per shop."""

    class DeliveryStatus(models.TextChoices):
        NONE = "", _("No delivery")
        BOOKED = "booked", _("Booked")
        OUT = "out_for_delivery", _("Out for delivery")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Delivery failed")
        CANCELLED = "cancelled", _("Cancelled")

    token = models.CharField(max_length=43, unique=True)  # unguessable: the guest's key to the order
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    email = models.EmailField()
    language = models.CharField(max_length=5, default="fr")
    idempotency_key = models.CharField(max_length=100, blank=True)
    # Whose checkout this was ("person:<id>" or "guest:<cart token>"): idempotency keys are scoped to it,
    # and a reused key must come with the same request (its hash).
    owner_key = models.CharField(max_length=80, blank=True)
    request_hash = models.CharField(max_length=64, blank=True)
    client_ip = models.GenericIPAddressField(
        null=True, blank=True
    )  # guests' checkouts are capped per address
    # A guest's email is confirmed by a code sent to it; until then the stock is held only briefly.
    email_confirmed_at = models.DateTimeField(null=True, blank=True)
    email_code_hash = models.CharField(max_length=64, blank=True)
    email_code_attempts = models.PositiveSmallIntegerField(default=0)
    payment_method = models.CharField(max_length=32)
    payment_status = models.CharField(max_length=16, default="pending")
    payment_instructions = models.TextField(blank=True)
    goods_cents = models.IntegerField(default=0)
    # Taxes: included in goods where shelf prices include them (France), added on top otherwise (Québec).
    tax_cents = models.IntegerField(default=0)
    prices_include_tax = models.BooleanField(default=True)
    taxes = models.JSONField(default=list, blank=True)  # tax lines (pricing.TaxAmount.as_dict), all shops
    fees_cents = models.IntegerField(default=0)
    total_cents = models.IntegerField(default=0)
    # Delivery: the drop, the slot chosen and the booking made with the DeliveryBooking adapter.
    recipient_name = models.CharField(max_length=150, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    address = models.CharField(max_length=200, blank=True)
    postal_code = models.CharField(max_length=10, blank=True)
    city = models.CharField(max_length=100, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    location_source = models.CharField(max_length=16, blank=True)  # pin, address_data, postal_code
    instructions = models.TextField(blank=True)
    slot_id = models.CharField(max_length=64, blank=True)
    slot_starts = models.DateTimeField(null=True, blank=True)
    slot_ends = models.DateTimeField(null=True, blank=True)
    delivery_booking_ref = models.CharField(max_length=100, blank=True)
    delivery_status = models.CharField(max_length=20, choices=DeliveryStatus.choices, blank=True, default="")
    delivery_proof = models.TextField(blank=True)
    delivery_failure = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    # The number an order had on the node it was moved from (a shop's migration bundle): kept as it was.
    imported_number = models.CharField(max_length=20, blank=True, db_default="")

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner_key", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="order_idempotency_per_owner",
            ),
            models.CheckConstraint(
                condition=Q(
                    prices_include_tax=True, total_cents=models.F("goods_cents") + models.F("fees_cents")
                )
                | Q(
                    prices_include_tax=False,
                    total_cents=models.F("goods_cents") + models.F("tax_cents") + models.F("fees_cents"),
                ),
                name="order_total_adds_up",
            ),
        ]

    @property
    def number(self) -> str:
        # An unsaved Order(pk=…) (delivery's order_number) holds a DatabaseDefault there, not a string:
        # the dispatcher's slot page answered 500 (found by tests/test_access_matrix.py).
        imported = self.imported_number if isinstance(self.imported_number, str) else ""
        return imported or f"C{self.pk:06d}"


class ShopOrder(models.Model):
    """The part of an order one shop prepares; its status drives the order's."""

    class Status(models.TextChoices):
        PLACED = "placed", _("Awaiting the shop")
        CHANGES = "changes_proposed", _("Changes to confirm")
        ACCEPTED = "accepted", _("Accepted")
        PREPARED = "prepared", _("Prepared")
        HANDED_OVER = "handed_over", _("Handed over")
        COMPLETED = "completed", _("Completed")
        REJECTED = "rejected", _("Rejected by the shop")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired (no answer from the shop)")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="shop_orders")
    shop = models.ForeignKey(Shop, on_delete=models.PROTECT, related_name="shop_orders")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLACED)
    fulfilment = models.CharField(max_length=10, choices=Fulfilment.choices)
    goods_cents = models.IntegerField(default=0)
    tax_cents = models.IntegerField(default=0)
    taxes = models.JSONField(default=list, blank=True)  # this sale's tax lines (pricing.TaxAmount.as_dict)
    expires_at = models.DateTimeField()  # a placed shop order not accepted by then releases its stock
    handed_to = models.CharField(max_length=10, blank=True)  # courier or resident
    note = models.TextField(blank=True)  # reason for a rejection, cancellation or change
    announced_at = models.DateTimeField(null=True, blank=True)  # shown once on the shop's live queue
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order_id", "shop__name"]
        constraints = [models.UniqueConstraint(fields=["order", "shop"], name="one_shop_order_per_shop")]
        indexes = [models.Index(fields=["shop", "status"], name="shop_order_queue_idx")]


class OrderLine(models.Model):
    """A product in a shop order, with the price and tax rate it was sold at."""

    shop_order = models.ForeignKey(ShopOrder, on_delete=models.CASCADE, related_name="lines")
    offer = models.ForeignKey(Offer, null=True, on_delete=models.SET_NULL, related_name="+")
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    unit_price_cents = models.PositiveIntegerField()
    tax_rate = models.DecimalField(max_digits=6, decimal_places=3)
    tax_code = models.CharField(max_length=16, blank=True)
    quantity = models.PositiveIntegerField()
    total_cents = models.PositiveIntegerField()
    tax_cents = models.PositiveIntegerField()  # its share of the sale's taxes (pricing.py)
    reserved = models.BooleanField(default=True)  # False for on-demand offers: no stock was taken
    # The origin at the sale (decision 0015): km from the node's centre, -1 when it could not be
    # placed, null on lines sold before it was recorded (their offer's current origin is read).
    origin_km = models.FloatField(null=True, blank=True)
    # Whether that origin was local by the rule voted at the sale (radius or territory, decision
    # 0020), so a later vote does not re-classify past months; null on lines sold before it was kept.
    origin_local = models.BooleanField(null=True, blank=True)
    # A change the shop proposes (partial acceptance): a new quantity (0 removes), or a substitute.
    proposed_quantity = models.PositiveIntegerField(null=True, blank=True)
    substitute = models.ForeignKey(Offer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["id"]


class FeeLine(models.Model):
    """A fee on an order, ledger-ready: its amount, its label and where its rate comes from."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="fee_lines")
    kind = models.CharField(max_length=16)  # coop, delivery
    label = models.CharField(max_length=200)
    amount_cents = models.IntegerField()
    rate_percent = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    source = models.CharField(max_length=200)
    # The label in each language of the node, written at checkout ({"fr": ..., "en": ...}): the
    # order's page reads right in the language of whoever opens it. Empty for the coop line,
    # whose label follows from rate_percent.
    labels = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["id"]


class OrderEvent(models.Model):
    """Who did what to an order, when: one row per transition (written by `transitions.apply`) and per
    delivery report. The resident reads their order's events; a shop reads those of its part."""

    class ActorKind(models.TextChoices):
        RESIDENT = "resident", pgettext_lazy("who acted", "the resident")
        SHOP = "shop", pgettext_lazy("who acted", "the shop")
        COURIER = "courier", pgettext_lazy("who acted", "the courier")
        SYSTEM = "system", pgettext_lazy("who acted", "Comptoir")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    shop_order = models.ForeignKey(
        ShopOrder, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )  # empty: an event of the whole order (its delivery)
    action = models.CharField(max_length=32)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor_kind = models.CharField(max_length=10, choices=ActorKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)  # kept if the person is deleted
    note = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]
        indexes = [models.Index(fields=["order", "created"], name="order_event_idx")]

    @property
    def action_label(self) -> str:
        return str(EVENT_LABELS.get(self.action, self.action))


EVENT_LABELS = {
    "accept": _("accepted"),
    "reject": _("refused"),
    "propose-changes": _("changes proposed"),
    "accept-changes": _("changes accepted"),
    "decline-changes": _("changes declined"),
    "cancel": _("cancelled"),
    "prepare": _("prepared"),
    "hand-over-to-courier": _("handed to the courier"),
    "hand-over-to-resident": _("handed to the resident"),
    "deliver": _("delivered"),
    "expire": _("expired without an answer"),
    "miss-round": _("not ready for the round"),
    "out-for-delivery": _("out for delivery"),
    "delivered": _("delivery done"),
    "delivery-failed": _("delivery failed"),
    "email-confirmed": _("email confirmed"),
}
