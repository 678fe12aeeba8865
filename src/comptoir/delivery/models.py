"""Delivery models: thin, fields and constraints only.

Set-up (depot, zones, vehicles, courier shifts, slots), bookings made by orders'
checkout (one per customer order, with one parcel per shop order) or by another
platform's seller through the logistics protocol (an `OutsideJob`: its own pickup
place, no order of ours), planned rounds
and their stops, the couriers' actions (idempotent per action id, keeping the
time they happened), and the published cost of each round. Orders are referred to
by id only: the delivery app reads orders through their port and services, and
orders never import this module.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Depot(models.Model):
    """Where rounds start and end: the cooperative's bike shed."""

    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))

    def __str__(self) -> str:
        return self.name


class Zone(models.Model):
    """An area served from a depot; `ring` is a GeoJSON exterior ring of [lon, lat] pairs."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    depot = models.ForeignKey(Depot, on_delete=models.PROTECT, related_name="zones")
    ring = models.JSONField(_("polygon"))
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name


class Vehicle(models.Model):
    class Kind(models.TextChoices):
        CARGO_BIKE = "cargo_bike", _("Cargo bike")
        VAN = "van", _("Van")

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.CARGO_BIKE)
    depot = models.ForeignKey(Depot, on_delete=models.PROTECT, related_name="vehicles")
    capacity_g = models.PositiveIntegerField(_("capacity (g)"))
    capacity_ml = models.PositiveIntegerField(_("capacity (ml)"))
    cost_per_hour_cents = models.PositiveIntegerField(_("cost per hour (cents)"), default=0)
    cost_per_km_cents = models.PositiveIntegerField(_("cost per km (cents)"), default=0)
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name

    @property
    def profile(self) -> str:
        """The road profile: cargo bikes ride as bicycles, vans drive as cars."""
        return "car" if self.kind == self.Kind.VAN else "bicycle"


class Shift(models.Model):
    """A courier on a vehicle between two instants."""

    courier = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="shifts")
    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="shifts")
    starts = models.DateTimeField(_("starts"))
    ends = models.DateTimeField(_("ends"))

    class Meta:
        ordering = ["starts"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends__gt=models.F("starts")), name="shift_ends_after")
        ]


class Slot(models.Model):
    """A delivery window in a zone, with its capacity in orders and in volume."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        PLANNED = "planned", _("Planned")
        DONE = "done", _("Done")

    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="slots")
    starts = models.DateTimeField(_("starts"))
    ends = models.DateTimeField(_("ends"))
    closes_at = models.DateTimeField(_("bookings close"))
    capacity_orders = models.PositiveIntegerField(_("capacity (orders)"))
    capacity_ml = models.PositiveIntegerField(_("capacity (ml)"))
    booked_orders = models.PositiveIntegerField(default=0)
    booked_ml = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)

    class Meta:
        ordering = ["starts", "zone__name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends__gt=models.F("starts")), name="slot_ends_after"),
            models.CheckConstraint(
                condition=models.Q(booked_orders__lte=models.F("capacity_orders")), name="slot_orders_within"
            ),
            models.CheckConstraint(
                condition=models.Q(booked_ml__lte=models.F("capacity_ml")), name="slot_ml_within"
            ),
        ]


class Booking(models.Model):
    """One delivery in a slot: the drop and its fee as quoted (at checkout, or to a seller app).

    `order_id` is our customer order's; an outside job (`outside_job`) has none.
    """

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        PLANNED = "planned", _("Planned")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    ref = models.CharField(max_length=32, unique=True)
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="bookings")
    order_id = models.BigIntegerField(null=True, blank=True, db_index=True)  # None: an outside job
    lat = models.FloatField()
    lon = models.FloatField()
    address = models.CharField(max_length=300)
    name = models.CharField(max_length=150)
    phone = models.CharField(max_length=32, blank=True)
    instructions = models.CharField(max_length=300, blank=True)
    weight_g = models.PositiveIntegerField()
    volume_ml = models.PositiveIntegerField()
    fee_cents = models.PositiveIntegerField()
    fee_lines = models.JSONField(default=list)  # [{"label", "cents", "source"}], as shown at checkout
    drop_code = models.CharField(max_length=8)  # the resident tells it to the courier
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BOOKED)
    created = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True)  # "your courier is a few stops away"


class OutsideJob(models.Model):
    """A delivery another platform's seller booked with us (ONDC logistics): the rest of its booking.

    The parcel is collected at the seller's own place, which is none of our shops, with the
    code the seller gave (`Parcel.pickup_code`), so its pickup never asks orders anything.
    The client is known by its network id and its own order reference only.
    """

    booking = models.OneToOneField(Booking, on_delete=models.CASCADE, related_name="outside_job")
    client_id = models.CharField(max_length=255)  # the seller app (its subscriber id)
    client_ref = models.CharField(max_length=100)  # the seller app's order id
    pickup_name = models.CharField(max_length=150)
    pickup_address = models.CharField(max_length=300)
    pickup_lat = models.FloatField()
    pickup_lon = models.FloatField()
    pickup_phone = models.CharField(max_length=32)
    pickup_email = models.CharField(max_length=254, blank=True)
    pickup_instructions = models.CharField(max_length=300, blank=True)
    currency = models.CharField(max_length=3)
    billed_at = models.DateTimeField(null=True, blank=True)  # the fee reached the books (on delivery)
    # ONDC's ready_to_ship: until the seller app says the parcel is ready, the courier may not collect it
    ready_to_ship = models.BooleanField(default=True)
    # Return to origin: the drop failed after pickup, the parcel goes back to the seller on a later round.
    return_booking = models.OneToOneField(
        Booking, null=True, blank=True, on_delete=models.SET_NULL, related_name="return_of"
    )  # its pickup is at the depot, its drop at the seller's place
    return_reason = models.CharField(max_length=20, blank=True)  # the courier's incident at the door
    return_started_at = models.DateTimeField(null=True, blank=True)
    # Cash on delivery: the seller's price, taken at the door and owed to the seller app, less our fee
    collect_cents = models.PositiveIntegerField(default=0)
    collected_at = models.DateTimeField(null=True, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    settled_cents = models.PositiveIntegerField(default=0)  # what was paid to the seller app
    settlement_ref = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client_id", "client_ref"], name="delivery_outside_job_per_client"
            )
        ]


class Parcel(models.Model):
    """What one shop (or an outside job's seller) hands over for one booking, against `pickup_code`."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="parcels")
    shop = models.ForeignKey(
        "catalog.Shop", null=True, blank=True, on_delete=models.PROTECT, related_name="delivery_parcels"
    )  # None: an outside job's parcel, collected at its own pickup place
    shop_order_id = models.BigIntegerField(null=True, blank=True)
    weight_g = models.PositiveIntegerField()
    volume_ml = models.PositiveIntegerField()
    ready_at = models.DateTimeField(null=True, blank=True)
    pickup_code = models.CharField(max_length=8)


class PlanRun(models.Model):
    """One planning of a slot, run in the background; its message is shown to the dispatcher."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    slot = models.ForeignKey(Slot, on_delete=models.CASCADE, related_name="plan_runs")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    method = models.CharField(max_length=16, blank=True)  # "road" or "straight_line"
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-created"]


class Round(models.Model):
    """One vehicle's planned sequence of pickups and drops in a slot."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        STARTED = "started", _("Started")
        DONE = "done", _("Done")

    slot = models.ForeignKey(Slot, on_delete=models.CASCADE, related_name="rounds")
    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="rounds")
    courier = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="rounds")
    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="rounds")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PLANNED)
    departs = models.DateTimeField()
    returns = models.DateTimeField()
    distance_m = models.PositiveIntegerField(default=0)
    method = models.CharField(max_length=16, default="straight_line")
    position_lat = models.FloatField(null=True, blank=True)
    position_lon = models.FloatField(null=True, blank=True)
    position_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["departs", "pk"]


class Stop(models.Model):
    """A pickup of one parcel at its shop, or the drop of one booking at the resident."""

    class Kind(models.TextChoices):
        PICKUP = "pickup", _("Pickup")
        DROP = "drop", _("Drop")

    class Status(models.TextChoices):
        PENDING = "pending", _("To do")
        DONE = "done", _("Done")
        FAILED = "failed", _("Incident")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="stops")
    sequence = models.PositiveIntegerField()
    kind = models.CharField(max_length=6, choices=Kind.choices)
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="stops")
    parcel = models.ForeignKey(Parcel, null=True, blank=True, on_delete=models.CASCADE, related_name="stops")
    lat = models.FloatField()
    lon = models.FloatField()
    eta = models.DateTimeField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    done_at = models.DateTimeField(
        null=True, blank=True
    )  # when it happened on the street, not when it synced
    proof = models.CharField(max_length=20, blank=True)  # "code", "signature", or the incident reason
    signature = models.TextField(blank=True)  # a PNG data URL drawn by the resident

    class Meta:
        ordering = ["round", "sequence"]
        constraints = [models.UniqueConstraint(fields=["round", "sequence"], name="one_stop_per_sequence")]


class CourierAction(models.Model):
    """An action sent by a courier's phone, applied once per `action_id` however often it is replayed."""

    action_id = models.UUIDField(unique=True)
    courier = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="actions")
    stop = models.ForeignKey(Stop, null=True, blank=True, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(max_length=12)
    happened_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)
    result = models.CharField(max_length=12)  # "applied" or "refused"
    message = models.CharField(max_length=300, blank=True)


class RoundCost(models.Model):
    """The published, ledger-ready cost of a finished round, in integer cents.

    The governance app reads these to publish the cost per delivery next to the
    fees residents paid; nothing here is ever a float.
    """

    round = models.OneToOneField(Round, on_delete=models.PROTECT, related_name="cost")
    courier_seconds = models.PositiveIntegerField()
    distance_m = models.PositiveIntegerField()
    courier_cents = models.PositiveIntegerField()
    vehicle_cents = models.PositiveIntegerField()
    margin_cents = models.PositiveIntegerField()
    total_cents = models.PositiveIntegerField()
    deliveries = models.PositiveIntegerField()
    cost_per_delivery_cents = models.PositiveIntegerField()
    fees_collected_cents = models.PositiveIntegerField()
    sources = models.JSONField(default=dict)  # parameter name -> where its value came from
    published_at = models.DateTimeField(auto_now_add=True)
