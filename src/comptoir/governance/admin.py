"""Admin for governance: proposals are readable; parameter versions cannot be edited.

A staff member who tries to change a governed value in the admin gets the refusal on the
form, and the attempt is logged (RefusedChange), like through the API or the services.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from comptoir.core.errors import NotAllowed
from comptoir.governance.models import ParameterVersion, Proposal, RefusedChange
from comptoir.governance.services import do_refuse_change


class ParameterVersionForm(forms.ModelForm):
    request_user: Any = None  # set by the admin: who tried

    class Meta:
        model = ParameterVersion
        fields = ["name", "value"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            do_refuse_change(
                actor=self.request_user, name=data.get("name", "?"), value=data.get("value"), via="admin"
            )
        except NotAllowed as error:
            raise forms.ValidationError(error.message) from error
        return data


@admin.register(ParameterVersion)
class ParameterVersionAdmin(admin.ModelAdmin):
    list_display = ("name", "version", "value", "applies_from", "proposal")
    list_filter = ("name",)
    form = ParameterVersionForm

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        form.request_user = request.user  # type: ignore[attr-defined]
        return form

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ("id", "title", "status", "voting_closes", "applies_from")
    list_filter = ("status",)
    readonly_fields = [f.name for f in Proposal._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RefusedChange)
class RefusedChangeAdmin(admin.ModelAdmin):
    list_display = ("at", "name", "value", "via", "actor")
    readonly_fields = ("at", "name", "value", "via", "actor")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
