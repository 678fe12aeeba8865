"""Forms of the members' pages: they parse and label input; the services decide what is accepted."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from comptoir.governance import labels, selectors


def parameter_choices() -> list[tuple[str, str]]:
    return [("", str(_("None: a text-only proposal")))] + [
        (name, f"{labels.label(name)} ({name})") for name in selectors.parameter_names()
    ]


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Why: the text members will discuss"), widget=forms.Textarea(attrs={"rows": 6})
    )
    parameter = forms.ChoiceField(label=_("Governed parameter to change"), required=False)
    value = forms.CharField(label=_("Proposed value"), max_length=40, required=False)
    applies_from = forms.DateField(
        label=_("Applies from"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("If adopted, the new value is in force from midnight that day."),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parameter"].choices = parameter_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("parameter") and not (data.get("value") or "").strip():
            self.add_error("value", _("Give the proposed value."))
        if (data.get("value") or "").strip() and not data.get("parameter"):
            self.add_error("parameter", _("Choose the parameter this value is for."))
        return data


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Your comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class ReceiptForm(forms.Form):
    receipt = forms.CharField(label=_("Receipt"), max_length=32, min_length=8)
