"""Shops, chains and offers. Thin: fields and constraints; rules live in services.py and chains.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    """A chain: one shared catalog (`ChainProduct`) sold by several shops, its branches.

    A branch is an ordinary `Shop` (address, hours, staff, orders, pickup) whose offers are
    copies of the chain's products with the branch's own stock, and its own price where the
    chain lets branches set prices (decision 0016).
    """

    ref = models.SlugField(_("reference"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=150)
    branches_set_prices = models.BooleanField(_("branches may set their own prices"), default=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganisationStaff(models.Model):
    """Who acts for a whole chain: its shared catalog and every branch."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        STAFF = "staff", _("Staff")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="staff")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chain_roles")
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.STAFF)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "person"], name="one_role_per_organisation")
        ]


class Shop(models.Model):
    class Kind(models.TextChoices):
        BAKERY = "bakery", _("Bakery")
        GROCER = "grocer", _("Grocer")
        BUTCHER = "butcher", _("Butcher")
        CHEESE = "cheese", _("Cheese shop")
        GREENGROCER = "greengrocer", _("Greengrocer")
        HARDWARE = "hardware", _("Hardware store")
        BOOKSHOP = "bookshop", _("Bookshop")
        PHARMACY = "pharmacy", _("Pharmacy")
        FLORIST = "florist", _("Florist")
        WINE = "wine", _("Wine merchant")
        ORGANIC = "organic", _("Organic shop")
        STATIONERY = "stationery", _("Stationery")
        TOYS = "toys", _("Toy shop")
        GARDEN = "garden", _("Garden centre")
        CONVENIENCE = "convenience", _("Convenience store")  # Québec's dépanneur
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")

    ref = models.SlugField(_("reference"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    neighbourhood = models.CharField(_("neighbourhood"), max_length=100, blank=True)
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    pickup_instructions_fr = models.TextField(_("pickup instructions (French)"), blank=True)
    pickup_instructions_en = models.TextField(_("pickup instructions (English)"), blank=True)
    offers_collect = models.BooleanField(_("click-and-collect"), default=True)
    offers_delivery = models.BooleanField(_("delivery by the cooperative"), default=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.APPLIED)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="branches",
        verbose_name=_("chain"),
    )  # fmt: skip
    created = models.DateTimeField(auto_now_add=True)
    # How many active offers the shop sells, for the directory: kept by the catalog's writes
    # (`offer_counts.do_recount_offers`, decision 0027), never counted on a page view.
    active_offers = models.PositiveIntegerField(_("active offers"), default=0, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(lat__gte=-90, lat__lte=90), name="shop_lat_range"),
            models.CheckConstraint(condition=Q(lon__gte=-180, lon__lte=180), name="shop_lon_range"),
        ]

    def __str__(self) -> str:
        return self.name


class OpeningHours(models.Model):
    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=Q(closes__gt=models.F("opens")), name="hours_close_after_open")
        ]


class ShopStaff(models.Model):
    """Who may act for a shop: its owner and its staff."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        STAFF = "staff", _("Staff")

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="staff")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shop_roles")
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.STAFF)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shop", "person"], name="one_role_per_shop")]


class Category(models.Model):
    """A node of the small open taxonomy shipped with the project (taxonomy.py)."""

    path = models.CharField(max_length=200, unique=True)  # e.g. "food/bakery/bread"
    name_fr = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["path"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.path


class Supplier(models.Model):
    """Who makes or grows what shops sell: a farm, a workshop, a brewery, a manufacturer.

    One row is shared by every shop that sells its products; a shop links an offer to it
    rather than typing a name, so "which shops carry it" and "how much of a shop's sales
    come from nearby" can be counted. A far-away supplier may give only its region: it
    then has no coordinates and its products' origin cannot be placed (never "local").
    Matching rules (reference, or exact normalised name + postal code) live in
    `catalog/suppliers.py`; `name_key` is the normalised name they compare.
    """

    class Kind(models.TextChoices):
        FARM = "farm", _("Farm")
        DAIRY = "dairy", _("Cheese dairy")
        BREWERY = "brewery", _("Brewery")
        WINERY = "winery", _("Winery")
        BAKERY = "bakery", _("Bakery")
        WORKSHOP = "workshop", _("Workshop")
        MANUFACTURER = "manufacturer", _("Manufacturer")
        WHOLESALER = "wholesaler", _("Wholesaler")
        OTHER = "other", _("Other")

    ref = models.SlugField(_("reference"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=150)
    name_key = models.CharField(max_length=150, editable=False)  # folded name, for matching
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)  # all we know of a far one
    country = models.CharField(_("country"), max_length=2, blank=True)  # ISO 3166 code
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    listed = models.BooleanField(_("listed in the suppliers directory"), default=False)
    added_by = models.ForeignKey(
        Shop, null=True, blank=True, on_delete=models.SET_NULL, related_name="suppliers_added"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(lat__isnull=True, lon__isnull=True)
                | Q(lat__gte=-90, lat__lte=90, lon__gte=-180, lon__lte=180),
                name="supplier_coordinates_both_or_none",
            ),
            models.UniqueConstraint(
                fields=["name_key", "postal_code"],
                condition=~Q(postal_code=""),
                name="supplier_one_per_name_and_postal_code",
            ),
        ]
        indexes = [models.Index(fields=["name_key"], name="supplier_name_key_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_placed(self) -> bool:
        return self.lat is not None and self.lon is not None


class OriginSource(models.TextChoices):
    """Who stated where an offer comes from: shown next to the origin."""

    SHOP = "shop", _("the shop")
    SUPPLIER = "supplier", _("the supplier")
    LABEL = "label", _("a label")


class ChainProduct(models.Model):
    """A product of a chain's shared catalog. Each branch sells it as an `Offer` linked here,
    holding a copy of these fields (written by `chains.py` only) plus its own stock and price."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="products")
    sku = models.CharField(_("SKU"), max_length=64)
    gtin = models.CharField(_("GTIN"), max_length=14, blank=True)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="chain_products"
    )
    unit = models.CharField(_("unit"), max_length=8, default="piece")
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=3, default=1)
    price_cents = models.PositiveIntegerField(_("price (cents, tax included)"))
    tax_rate = models.DecimalField(_("tax rate (%)"), max_digits=6, decimal_places=3, default=5.5)
    tax_code = models.CharField(_("tax code"), max_length=16, blank=True, db_default="")  # core/regions.py
    on_demand = models.BooleanField(_("made or ordered on demand"), default=False)
    weight_g = models.PositiveIntegerField(_("weight (g)"), default=0)
    volume_ml = models.PositiveIntegerField(_("volume (ml)"), default=0)
    active = models.BooleanField(_("active"), default=True)
    # Provenance is the product's, so every branch says the same (see `Offer`).
    supplier = models.ForeignKey(
        Supplier, null=True, blank=True, on_delete=models.SET_NULL, related_name="chain_products"
    )
    origin_place = models.CharField(_("place of production"), max_length=150, blank=True)
    origin_lat = models.FloatField(_("latitude of production"), null=True, blank=True)
    origin_lon = models.FloatField(_("longitude of production"), null=True, blank=True)
    origin_postal_code = models.CharField(
        _("postal code of production"), max_length=10, blank=True, db_default=""
    )
    origin_country = models.CharField(_("country of production"), max_length=2, blank=True, db_default="")
    origin_stated_by = models.CharField(
        _("origin stated by"), max_length=8, choices=OriginSource.choices, blank=True
    )
    origin_label = models.CharField(_("label stating the origin"), max_length=100, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation_id", "sku"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "sku"], name="chain_sku_unique_per_organisation"),
        ]

    def __str__(self) -> str:
        return f"{self.name_fr} ({self.organisation_id}/{self.sku})"


class Offer(models.Model):
    """A product sold by one shop, with its price and stock, and where it comes from.

    A branch's offer copies its chain's product (`chain_product`); only its stock, and its
    price when `branch_price` (the chain allowing it), are the branch's own.
    """

    class Unit(models.TextChoices):
        PIECE = "piece", _("piece")
        GRAM = "g", "g"
        KILOGRAM = "kg", "kg"
        MILLILITRE = "ml", "ml"
        LITRE = "l", "l"
        METRE = "m", "m"

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="offers")
    sku = models.CharField(_("SKU"), max_length=64)
    gtin = models.CharField(_("GTIN"), max_length=14, blank=True)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="offers"
    )
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices, default=Unit.PIECE)
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=3, default=1)
    # The shelf price as the region shows it: tax included (France) or before taxes (Québec).
    price_cents = models.PositiveIntegerField(_("price (cents, as shown on the shelf)"))
    # The combined rate (14.975 for GST + QST); the taxes themselves come from `tax_code` when set.
    tax_rate = models.DecimalField(_("tax rate (%)"), max_digits=6, decimal_places=3, default=5.5)
    tax_code = models.CharField(_("tax code"), max_length=16, blank=True)  # the region's (core/regions.py)
    stock = models.PositiveIntegerField(_("stock"), default=0)
    on_demand = models.BooleanField(_("made or ordered on demand"), default=False)
    weight_g = models.PositiveIntegerField(_("weight (g)"), default=0)
    volume_ml = models.PositiveIntegerField(_("volume (ml)"), default=0)
    image = models.ImageField(_("image"), upload_to="offers/", blank=True)
    # Provenance: who made it, and where when that is not the supplier's own place.
    supplier = models.ForeignKey(
        Supplier, null=True, blank=True, on_delete=models.PROTECT, related_name="offers"
    )
    origin_place = models.CharField(_("place of production"), max_length=150, blank=True, db_default="")
    origin_lat = models.FloatField(_("latitude of production"), null=True, blank=True)
    origin_lon = models.FloatField(_("longitude of production"), null=True, blank=True)
    # Where the territories of a declared place come from ("local" as a voted territory, decision 0020);
    # a blank country is the node's.
    origin_postal_code = models.CharField(
        _("postal code of production"), max_length=10, blank=True, db_default=""
    )
    origin_country = models.CharField(_("country of production"), max_length=2, blank=True, db_default="")
    origin_stated_by = models.CharField(
        _("origin stated by"), max_length=8, choices=OriginSource.choices, blank=True, db_default=""
    )
    origin_label = models.CharField(
        _("label stating the origin"), max_length=100, blank=True, db_default=""
    )  # raw SQL upserts (network import) leave these out: the database fills them
    active = models.BooleanField(_("active"), default=True)
    chain_product = models.ForeignKey(
        ChainProduct, null=True, blank=True, on_delete=models.CASCADE, related_name="branch_offers"
    )
    # db_default: bulk inserts in raw SQL (network_import) need not name it.
    branch_price = models.BooleanField(_("price set by the branch"), default=False, db_default=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["shop_id", "sku"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "sku"], name="offer_sku_unique_per_shop"),
            models.CheckConstraint(
                condition=Q(tax_rate__gte=0, tax_rate__lte=100), name="offer_tax_rate_range"
            ),
            models.CheckConstraint(
                condition=Q(origin_lat__isnull=True, origin_lon__isnull=True)
                | Q(origin_lat__gte=-90, origin_lat__lte=90, origin_lon__gte=-180, origin_lon__lte=180),
                name="offer_origin_both_or_none",
            ),
        ]
        indexes = [models.Index(fields=["gtin"], name="offer_gtin_idx")]

    def __str__(self) -> str:
        return f"{self.name_fr} ({self.shop_id}/{self.sku})"


class OfferChange(models.Model):
    """Outbox of catalog changes for the search index (consumed by search tasks).

    A row says "what a resident can find about this offer (or every offer of
    this shop) changed"; the indexer deletes the rows it has applied.
    """

    offer_id = models.BigIntegerField(null=True, db_index=True)
    shop_id = models.BigIntegerField(null=True)
    created = models.DateTimeField(auto_now_add=True, db_index=True)


class ImportJob(models.Model):
    """One catalog file a shop sent, its progress in the worker, and what became of each row."""

    class Mode(models.TextChoices):
        ALL_OR_NOTHING = "all", _("Only if every row is valid")
        VALID_ROWS = "valid", _("Import the valid rows, list the others")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for its turn")
        RUNNING = "running", _("Being checked")
        APPLIED = "applied", _("Applied")
        REJECTED = "rejected", _("Rejected, nothing written")
        PARTIAL = "partial", _("Applied, some rows rejected")
        FAILED = "failed", _("Could not be read, nothing written")

    # A shop's catalog, a branch's stock file (the shop is a branch), or a chain's shared catalog.
    shop = models.ForeignKey(Shop, null=True, blank=True, on_delete=models.CASCADE, related_name="imports")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="imports"
    )
    person = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    filename = models.CharField(max_length=200)
    mode = models.CharField(max_length=8, choices=Mode.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    upload = models.CharField(max_length=300, blank=True)  # the file waiting for the worker, then ""
    rows_expected = models.PositiveIntegerField(null=True)  # an estimate, for the progress bar
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    rows_created = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    errors = models.JSONField(
        default=list
    )  # the first errors: [{"row": 7, "column": "price", "message": "..."}]
    errors_total = models.PositiveIntegerField(default=0)  # all errors, listed or not
    message = models.CharField(max_length=500, blank=True)  # why a failed file could not be read
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-created"]

    @property
    def is_finished(self) -> bool:
        return self.status not in {self.Status.QUEUED, self.Status.RUNNING}

    @property
    def percent_done(self) -> int:
        if self.is_finished:
            return 100
        if not self.rows_expected:
            return 0
        return min(99, self.rows_done * 100 // self.rows_expected)
