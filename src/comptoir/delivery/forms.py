"""Dispatcher set-up forms: they parse and validate input; services save it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from comptoir.delivery.models import Depot, Shift, Slot, Vehicle
from comptoir.members.models import Person

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class DepotForm(forms.ModelForm):
    class Meta:
        model = Depot
        fields = ["name", "address", "lat", "lon"]


class ZoneForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    depot = forms.ModelChoiceField(label=_("Depot"), queryset=Depot.objects.all())
    geojson = forms.CharField(
        label=_("Polygon (GeoJSON, or click corners on the map)"), widget=forms.Textarea(attrs={"rows": 3})
    )


class VehicleForm(forms.ModelForm):
    class Meta:
        model = Vehicle
        fields = [
            "name",
            "kind",
            "depot",
            "capacity_g",
            "capacity_ml",
            "cost_per_hour_cents",
            "cost_per_km_cents",
        ]


class ShiftForm(forms.ModelForm):
    courier = forms.ModelChoiceField(
        label=_("Courier"),
        queryset=Person.objects.filter(memberships__college__code="workers", memberships__ended=None),
    )

    class Meta:
        model = Shift
        fields = ["courier", "vehicle", "starts", "ends"]
        widgets = {"starts": DATETIME, "ends": DATETIME}


class SlotForm(forms.ModelForm):
    class Meta:
        model = Slot
        fields = ["zone", "starts", "ends", "closes_at", "capacity_orders", "capacity_ml"]
        widgets = {"starts": DATETIME, "ends": DATETIME, "closes_at": DATETIME}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("ends", "closes_at", "capacity_orders", "capacity_ml"):  # empty: the governed default
            self.fields[name].required = False
