"""The console's forms. They check the shape of the input; the domain services check the rest and their
messages are shown beside the field they name."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parceria.common.errors import InvalidInput
from parceria.disputes.adjustments import clean_amount
from parceria.disputes.models import AdjustmentStatus, DisputeStatus
from parceria.partners.models import Partner
from parceria.payouts.close import parse_period, period_end
from parceria.payouts.models import PayoutStatus
from parceria.web.forms import choices_with_blank


class CloseMonthForm(forms.Form):
    month = forms.CharField(label=_("Month to close (YYYY-MM)"), max_length=7,
                            widget=forms.TextInput(attrs={"placeholder": "2026-03", "inputmode": "numeric"}))

    def clean_month(self) -> date:
        try:
            month = parse_period(self.cleaned_data["month"].strip())
        except InvalidInput:
            raise forms.ValidationError(_("Write the month as YYYY-MM, for example 2026-03.")) from None
        if period_end(month) >= timezone.localdate():
            raise forms.ValidationError(_("This month has not ended yet: a month can be closed from its last day on."))
        return month


class ExportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Format"), choices=[("cnab", _("CNAB 240 (PIX remittance)")), ("csv", "CSV")])
    again = forms.BooleanField(label=_("Send again the payouts of an earlier remittance the bank never received"),
                               required=False)


class ReturnFileForm(forms.Form):
    file = forms.FileField(label=_("Bank return file (CNAB 240)"))


class MarkPayoutForm(forms.Form):
    status = forms.ChoiceField(label=_("Mark as"), choices=[(PayoutStatus.PAID, _("Paid")),
                                                             (PayoutStatus.FAILED, _("Failed"))])
    reference = forms.CharField(label=_("Bank reference or reason"), max_length=200, required=False)


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


class PayoutFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=choices_with_blank(_("Any status"), PayoutStatus.choices))
    late = forms.BooleanField(label=_("Late only"), required=False)
