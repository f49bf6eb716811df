"""The console's forms. They check the shape of the input; the domain services check the rest and their
messages are shown beside the field they name."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from parceria.common.errors import InvalidInput
from parceria.common.months import month_end, parse_month
from parceria.customers.csv_import import UPLOAD_MAX_BYTES
from parceria.customers.models import EventSource
from parceria.disputes.adjustments import clean_adjustment_amount
from parceria.disputes.models import AdjustmentStatus, DisputeStatus
from parceria.partners.models import Category, Partner, PartnerStatus, Tier
from parceria.partners.tier_selectors import NO_TIER
from parceria.payouts.models import PayoutStatus


class CloseMonthForm(forms.Form):
    month = forms.CharField(label=_("Month to close (YYYY-MM)"), max_length=7,
                            widget=forms.TextInput(attrs={"placeholder": "2026-03", "inputmode": "numeric"}))

    def clean_month(self) -> date:
        try:
            month = parse_month(self.cleaned_data["month"].strip())
        except InvalidInput:
            raise forms.ValidationError(_("Write the month as YYYY-MM, for example 2026-03.")) from None
        if month_end(month) >= timezone.localdate():
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
        clean_adjustment_amount(value, field=field)
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


def _choices(blank: Any, choices: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", blank), *choices]


class PartnerFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=_choices(_("Any status"), PartnerStatus.choices))
    tier = forms.ChoiceField(label=_("Tier"), required=False, choices=_choices(_("Any tier"), Tier.choices))
    category = forms.ChoiceField(label=_("Category"), required=False,
                                 choices=_choices(_("Any category"), Category.choices))
    country = forms.CharField(label=_("Country"), required=False, max_length=2,
                              widget=forms.TextInput(attrs={"size": 3, "placeholder": "BR"}))


class DisputeFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=_choices(_("Open and in review"), [*DisputeStatus.choices, ("all", _("All"))]))
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)


class AdjustmentFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=_choices(_("Waiting for a second approver"), [
                                   *((s, label) for s, label in AdjustmentStatus.choices if s != "pending_approval"),
                                   ("all", _("All"))]))


class PayoutFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=_choices(_("Any status"), PayoutStatus.choices))
    late = forms.BooleanField(label=_("Late only"), required=False)


class IntakeFilterForm(forms.Form):
    source = forms.ChoiceField(label=_("Source"), required=False,
                               choices=_choices(_("Any source"), EventSource.choices))
    rejected = forms.BooleanField(label=_("With rejections only"), required=False)


class EventsCsvForm(forms.Form):
    file = forms.FileField(label=_("CSV file of events"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                _("The file has %(size)s bytes; the console takes files of at most %(mb)s MB. Split it, or import "
                  "it with the parceria import-events command.") % {"size": upload.size,
                                                                     "mb": UPLOAD_MAX_BYTES // (1024 * 1024)})
        return upload


TIER_LABELS = [("certified", pgettext_lazy("tier", "Certified")), ("preferred", pgettext_lazy("tier", "Preferred")),
               ("strategic", pgettext_lazy("tier", "Strategic")),
               (NO_TIER, _("No tier"))]


class TierFilterForm(forms.Form):
    q = forms.CharField(label=_("Partner"), required=False, max_length=200)
    tier = forms.ChoiceField(label=_("Tier now"), required=False, choices=_choices(_("Any tier"), TIER_LABELS))
    qualified = forms.ChoiceField(label=_("Qualified for"), required=False,
                                  choices=_choices(_("Any tier"), TIER_LABELS))
    change = forms.ChoiceField(label=pgettext_lazy("tier change", "Change"), required=False,
                               choices=_choices(_("Any"), [
                                   ("promoted", _("Promoted")), ("demoted", _("Demoted")),
                                   ("unchanged", _("Unchanged")), ("grace", _("In demotion grace"))]))
    integration = forms.ChoiceField(label=_("Integration partner"), required=False,
                                    choices=_choices(_("Any"), [
                                        ("qualified", _("Qualifies")), ("missing", _("Requirements missing")),
                                        ("none", _("Not assessed as one"))]))
