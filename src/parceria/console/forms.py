"""The console's forms. They check the shape of the input; the domain services check the rest and their
messages are shown beside the field they name."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from parceria.common.errors import InvalidInput
from parceria.disputes.adjustments import clean_amount
from parceria.disputes.models import AdjustmentStatus, DisputeStatus
from parceria.partners.models import Partner
from parceria.web.forms import choices_with_blank


class AdjustmentForm(forms.Form):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.order_by("name"))
    amount = forms.CharField(label=_("Amount (negative to deduct)"), max_length=30,
                             widget=forms.TextInput(attrs={"placeholder": "150.00", "inputmode": "decimal"}))
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_amount(self) -> str:
        return _amount(self.cleaned_data["amount"], "amount")


def _amount(value: str, field: str) -> str:
    """The adjustment services' own amount rule, checked before the confirmation step."""
    try:
        clean_amount(value, field)
    except InvalidInput as exc:
        raise forms.ValidationError(exc.message) from None
    return value


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    internal = forms.BooleanField(label=_("Internal note (the partner does not see it)"), required=False)


class ResolveForm(forms.Form):
    adjustment_amount = forms.CharField(label=_("Adjustment amount"), max_length=30,
                                        widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    resolution = forms.CharField(label=_("Resolution (shown to the partner)"), max_length=5000,
                                 widget=forms.Textarea(attrs={"rows": 3}))

    def clean_adjustment_amount(self) -> str:
        return _amount(self.cleaned_data["adjustment_amount"], "adjustment_amount")


class DisputeFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=choices_with_blank(_("Open and in review"),
                                                          [*DisputeStatus.choices, ("all", _("All"))]))
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)


class AdjustmentFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=choices_with_blank(_("Waiting for a second approver"), [
                                   *((s, label) for s, label in AdjustmentStatus.choices if s != "pending_approval"),
                                   ("all", _("All"))]))


