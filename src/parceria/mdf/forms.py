"""The marketing fund forms of the portal and the console."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from parceria.mdf.models import ActivityKind


class RequestForm(forms.Form):
    title = forms.CharField(label=_("Activity"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices)
    planned_on = forms.DateField(label=_("Planned date"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.DecimalField(label=_("Amount"), min_value=0, max_digits=16, decimal_places=2)
    description = forms.CharField(label=_("Description"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    expected_results = forms.CharField(label=_("Expected results"), max_length=4000,
                                       widget=forms.Textarea(attrs={"rows": 3}))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe): cleans to a list."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class ClaimForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount spent"), min_value=0, max_digits=16, decimal_places=2)
    proofs = MultipleFileField(label=_("Invoices and receipts (PDF, PNG or JPEG)"),
                               widget=MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=[("approve", _("Approve")), ("decline", _("Decline"))],
                                 widget=forms.RadioSelect, initial="approve")
    amount = forms.DecimalField(label=_("Amount"), required=False, min_value=0, max_digits=16, decimal_places=2)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)


class DealsForm(forms.Form):
    deals = forms.MultipleChoiceField(label=_("Deal registrations it produced"), required=False,
                                      widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: object, choices: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["deals"].choices = choices  # type: ignore[attr-defined]


class BudgetOverrideForm(forms.Form):
    amount = forms.DecimalField(label=_("New budget"), min_value=0, max_digits=16, decimal_places=2)
    reason = forms.CharField(label=_("Why (kept in the audit trail)"), max_length=300,
                             widget=forms.Textarea(attrs={"rows": 2}))
