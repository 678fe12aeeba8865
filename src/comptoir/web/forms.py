"""Forms parse and label input; the rules they enforce live in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from comptoir.catalog.models import ImportJob, Offer


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
    tax_rate = forms.CharField(label=_("Tax rate (%)"), initial="5.5")
    stock = forms.CharField(label=_("Stock"), initial="0")
    on_demand = forms.BooleanField(label=_("Made or ordered on demand"), required=False)
    weight_g = forms.CharField(label=_("Weight (g)"), initial="0")
    volume_ml = forms.CharField(label=_("Volume (ml)"), initial="0")
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: object, categories: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["category"].choices = [("", "—"), *categories]  # type: ignore[attr-defined]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))
    mode = forms.ChoiceField(label=_("If some rows are wrong"), choices=ImportJob.Mode.choices, widget=forms.RadioSelect,
                             initial=ImportJob.Mode.ALL_OR_NOTHING)  # fmt: skip
