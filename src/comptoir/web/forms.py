"""Forms parse and label input; the rules they enforce live in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from comptoir.catalog.models import ImportJob, Offer, OpeningHours, OriginSource, Shop, Supplier
from comptoir.core.region import node_region
from comptoir.members.models import College


class SignupForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("Email"))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, min_length=10)
    language = forms.ChoiceField(label=_("Language"), choices=[("fr", "Français"), ("en", "English")])


class OfferForm(forms.Form):
    """Text as a person types it ("2,40"); services.check_offer_fields decides."""

    sku = forms.CharField(label=_("SKU"), max_length=64)
    gtin = forms.CharField(label=_("GTIN (barcode)"), max_length=14, required=False)
    name_fr = forms.CharField(label=_("Name (French)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    description_fr = forms.CharField(
        label=_("Description (French)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    description_en = forms.CharField(
        label=_("Description (English)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    category = forms.ChoiceField(label=_("Category"), required=False)
    unit = forms.ChoiceField(label=_("Unit"), choices=Offer.Unit.choices)
    quantity = forms.CharField(label=_("Quantity"), initial="1")
    price = forms.CharField(label=_("Price, tax included"))
    tax_rate = forms.CharField(label=_("Tax rate (%)"), initial="5.5", required=False)
    tax_code = forms.CharField(label=_("Tax code"), max_length=16, required=False)
    stock = forms.CharField(label=_("Stock"), initial="0")
    on_demand = forms.BooleanField(label=_("Made or ordered on demand"), required=False)
    weight_g = forms.CharField(label=_("Weight (g)"), initial="0")
    volume_ml = forms.CharField(label=_("Volume (ml)"), initial="0")
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    supplier = forms.CharField(
        label=_("Supplier reference"), max_length=64, required=False,
        help_text=_("Who made or grew it: find or add the supplier on your Suppliers page, then give its reference."),
    )  # fmt: skip
    origin = forms.CharField(
        label=_("Place of production, if not the supplier's"), max_length=150, required=False
    )
    origin_lat = forms.CharField(label=_("Its latitude"), max_length=20, required=False)
    origin_lon = forms.CharField(label=_("Its longitude"), max_length=20, required=False)
    origin_postal_code = forms.CharField(
        label=_("Its postal code"), max_length=10, required=False,
        help_text=_("Says which province, département or région it is in, when local means a territory."),
    )  # fmt: skip
    origin_country = forms.CharField(
        label=_("Its country (two letters, blank: this node's)"), max_length=2, required=False
    )
    origin_stated_by = forms.ChoiceField(
        label=_("Origin stated by"), choices=[("", "—"), *OriginSource.choices], required=False
    )
    origin_label = forms.CharField(label=_("Label stating the origin"), max_length=100, required=False)

    def __init__(self, *args: object, categories: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["category"].choices = [("", "—"), *categories]  # type: ignore[attr-defined]
        region = node_region()
        if not region.prices_include_tax:  # Québec's shelf prices are before taxes
            self.fields["price"].label = _("Price, before taxes")
            self.fields["tax_rate"].initial = ""
        self.fields["tax_code"].help_text = ", ".join(c.code for c in region.tax_codes)


class SupplierForm(forms.Form):
    """A supplier as a shop adds it; `catalog.suppliers` matches it against the known ones."""

    name = forms.CharField(label=_("Name"), max_length=150)
    postal_code = forms.CharField(label=_("Postal code"), max_length=10, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Supplier.Kind.choices)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    region = forms.CharField(
        label=_("Region (enough for a far-away supplier)"), max_length=100, required=False
    )
    lat = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90, required=False)
    lon = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180, required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    listed = forms.BooleanField(label=_("The supplier agrees to appear in the directory"), required=False)
    distinct_from_close = forms.BooleanField(
        label=_("None of the suppliers proposed: this is a different one"), required=False
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))
    mode = forms.ChoiceField(label=_("If some rows are wrong"), choices=ImportJob.Mode.choices, widget=forms.RadioSelect,
                             initial=ImportJob.Mode.ALL_OR_NOTHING)  # fmt: skip


class ShopProfileForm(forms.Form):
    name = forms.CharField(label=_("Shop name"), max_length=150)
    kind = forms.ChoiceField(label=_("Kind"), choices=Shop.Kind.choices)
    description_fr = forms.CharField(
        label=_("Description (French)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    description_en = forms.CharField(
        label=_("Description (English)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    address = forms.CharField(label=_("Address"), max_length=200)
    postal_code = forms.CharField(label=_("Postal code"), max_length=10)
    city = forms.CharField(label=_("City"), max_length=100)
    neighbourhood = forms.CharField(label=_("Neighbourhood"), max_length=100, required=False)
    lat = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90)
    lon = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    pickup_instructions_fr = forms.CharField(
        label=_("Pickup instructions (French)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    pickup_instructions_en = forms.CharField(
        label=_("Pickup instructions (English)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    offers_collect = forms.BooleanField(label=_("Click-and-collect"), required=False)
    offers_delivery = forms.BooleanField(label=_("Delivery by the cooperative"), required=False)


class OpeningHoursForm(forms.Form):
    """One line per weekday: "9:00-12:30, 14:00-19:00", empty when closed."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for value, label in OpeningHours.Weekday.choices:
            self.fields[f"day{value}"] = forms.CharField(label=label, required=False, max_length=100)

    def by_weekday(self) -> dict[int, str]:
        return {
            value: self.cleaned_data.get(f"day{value}", "") for value, _label in OpeningHours.Weekday.choices
        }


class MembershipForm(forms.Form):
    college = forms.ChoiceField(
        label=_("College"), choices=[(c.value, c.label) for c in College.Code if c != "staff"]
    )
    motivation = forms.CharField(
        label=_("A word about you (optional)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
