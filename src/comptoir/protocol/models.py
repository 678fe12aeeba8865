"""Protocol tables: known participants, accepted messages, callbacks waiting to be sent.

A message refused at the door (bad signature, expired, unknown sender, invalid)
never reaches these tables: only a log line records it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Subscriber(models.Model):
    """A network participant and its keys: registered here (we are the registry) or learnt by lookup."""

    class Role(models.TextChoices):
        BAP = "BAP", "buyer app"
        BPP = "BPP", "seller app"
        BG = "BG", "gateway"
        REG = "REG", "registry"

    class Source(models.TextChoices):
        REGISTERED = "registered", "subscribed to this registry"
        LOOKUP = "lookup", "cached from a registry lookup"
        CONFIGURED = "configured", "configured by the operator"

    subscriber_id = models.CharField(max_length=255)
    unique_key_id = models.CharField(max_length=255)
    role = models.CharField(max_length=3, choices=Role.choices)
    url = models.URLField(max_length=500)
    domain = models.CharField(max_length=40, blank=True)
    city = models.CharField(max_length=20, blank=True)
    signing_public_key = models.CharField(max_length=64)
    encr_public_key = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, default="SUBSCRIBED")
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField()
    source = models.CharField(max_length=12, choices=Source.choices)
    cached_until = models.DateTimeField(null=True, blank=True)  # lookups only
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber_id", "unique_key_id", "role", "domain"],
                name="protocol_subscriber_key_role_domain",
            )
        ]

    def __str__(self) -> str:
        return f"{self.subscriber_id}|{self.unique_key_id} ({self.role})"


class InboxMessage(models.Model):
    """A message that passed every check; its unique key is what refuses replays."""

    sender_id = models.CharField(max_length=255)
    action = models.CharField(max_length=20)
    message_id = models.CharField(max_length=100)
    transaction_id = models.CharField(max_length=100, db_index=True)
    domain = models.CharField(max_length=40)
    body = models.JSONField()
    # kept only for messages this node relays as gateway: a signature covers these exact bytes
    raw = models.TextField(blank=True)
    authorization = models.TextField(blank=True)
    gateway_id = models.CharField(max_length=255, blank=True)  # the gateway that relayed it to us, if any
    # on_search only: a large catalog comes as several callbacks to one search (same message id);
    # a replay repeats the same bytes, so the body's digest tells a new part from a replay
    part = models.CharField(max_length=88, blank=True)
    received = models.DateTimeField(auto_now_add=True)
    processed = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["sender_id", "action", "message_id", "part"], name="protocol_inbox_no_replay_part"
            )
        ]


class OutboxMessage(models.Model):
    """A message we must send (a callback, a push): sent by the worker, retried with backoff."""

    class State(models.TextChoices):
        PENDING = "pending"
        SENT = "sent"
        FAILED = "failed"  # retries exhausted or ttl passed: given up, kept for the operator

    url = models.URLField(max_length=500)
    action = models.CharField(max_length=20)
    message_id = models.CharField(max_length=100)
    transaction_id = models.CharField(max_length=100, db_index=True)
    body = models.JSONField()
    # a relay (gateway): send these exact bytes with the sender's signature, and countersign
    raw = models.TextField(blank=True)
    authorization = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt = models.DateTimeField()
    expires = models.DateTimeField()
    last_error = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    sent = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "next_attempt"], name="protocol_outbox_due")]


class Transaction(models.Model):
    """One Beckn transaction (search → … → delivery) as seen by one role of this node.

    As seller, it remembers who the buyer app is, what was quoted and which of our
    orders the confirm created, so status pushes can follow that order. As buyer,
    it remembers which peer sells and what we sent.
    """

    class Role(models.TextChoices):
        SELLER = "seller"
        BUYER = "buyer"
        LOGISTICS = "logistics"

    role = models.CharField(max_length=10, choices=Role.choices)
    transaction_id = models.CharField(max_length=100)
    domain = models.CharField(max_length=40)
    city = models.CharField(max_length=20)
    bap_id = models.CharField(max_length=255)
    bap_uri = models.URLField(max_length=500)
    bpp_id = models.CharField(max_length=255, blank=True)
    bpp_uri = models.URLField(max_length=500, blank=True)
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    order_ref = models.CharField(max_length=100, blank=True)  # the order id on the wire
    state = models.JSONField(default=dict)  # selection, buyer, quote: what later steps must repeat
    pushed_state = models.CharField(max_length=40, blank=True)  # last fulfillment state sent by on_status
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["role", "transaction_id"], name="protocol_transaction_per_role")
        ]
        indexes = [models.Index(fields=["role", "pushed_state"], name="protocol_tx_push_idx")]


class RemoteOrder(models.Model):
    """A resident's order from a shop of another node (we are the buyer app).

    Until checkout it is that shop's group in the resident's cart (never mixed with
    our own shops' lines, which are orders' ``CartItem``); checkout sends select,
    init and confirm to the seller's node, and its callbacks then move it
    (``remote_status.py`` holds the table of states).
    """

    class State(models.TextChoices):
        CART = "cart"
        PLACING = "placing"  # select → init → confirm in flight
        PLACED = "placed"
        COMPLETED = "completed"
        CANCELLED = "cancelled"

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seller_id = models.CharField(max_length=255)  # the seller app's subscriber id: the node of origin
    seller_url = models.URLField(max_length=500)
    domain = models.CharField(max_length=40)
    provider_id = models.CharField(max_length=100)
    provider_name = models.CharField(max_length=200)
    location_id = models.CharField(max_length=100, blank=True)
    currency = models.CharField(max_length=3)
    # [{"item_id", "name", "price_cents", "quantity"}]: the price seen in the catalog, then the confirmed one
    lines = models.JSONField(default=list)
    state = models.CharField(max_length=10, choices=State.choices, default=State.CART)
    transaction_id = models.CharField(max_length=100, blank=True, db_index=True)
    order_ref = models.CharField(max_length=100, blank=True)  # the order id on the wire
    order_state = models.CharField(max_length=20, blank=True)  # the seller's ONDC order state
    fulfillment_state = models.CharField(max_length=30, blank=True)
    quote = models.JSONField(default=dict)  # the confirmed quote, as the seller wrote it
    total_cents = models.IntegerField(null=True, blank=True)
    drop = models.JSONField(default=dict)  # where and to whom it is delivered
    cancel_reason = models.CharField(max_length=3, blank=True)
    # how the resident pays (decision 0025): bank_transfer to our coop (ONDC collected_by BAP), or
    # on_handover to the seller's courier (collected_by BPP); the reference is the order id we sent
    payment_method = models.CharField(max_length=16, blank=True)
    payment_reference = models.CharField(max_length=100, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "seller_id", "provider_id"],
                condition=models.Q(state="cart"),
                name="protocol_remote_one_cart_group",
            )
        ]
        indexes = [models.Index(fields=["person", "state"], name="protocol_remote_person_state")]

    def __str__(self) -> str:
        return f"{self.provider_name} @ {self.seller_id} ({self.state})"

    @property
    def goods_cents(self) -> int:
        return sum(int(line["price_cents"]) * int(line["quantity"]) for line in self.lines)
