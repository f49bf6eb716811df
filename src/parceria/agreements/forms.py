"""Forms of the agreements pages: input only; the services validate and decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from parceria.agreements.models import AgreementStatus, AgreementType, TermKind
from parceria.partners.models import Partner


class AgreementFilterForm(forms.Form):
    partner = forms.ModelChoiceField(Partner.objects.order_by("name"), required=False, label=_("Partner"))
    type = forms.ChoiceField(choices=[("", _("Any type")), *AgreementType.choices], required=False, label=_("Type"))
    status = forms.ChoiceField(
        choices=[("", _("Any status")), *AgreementStatus.choices], required=False, label=_("Status")
    )


class AgreementForm(forms.Form):
    partner = forms.ModelChoiceField(Partner.objects.order_by("name"), label=_("Partner"))
    type = forms.ChoiceField(choices=AgreementType.choices, label=_("Type"))
    title = forms.CharField(max_length=200, required=False, label=_("Title"))
    start_date = forms.DateField(label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"}))
    initial_term_months = forms.IntegerField(
        required=False, label=_("Initial term (months)"), help_text=_("Blank: the type's default.")
    )
    end_date = forms.DateField(
        required=False, label=_("Fixed end date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    auto_renewal = forms.BooleanField(required=False, label=_("Renews automatically"))
    renewal_term_months = forms.IntegerField(required=False, label=_("Renewal term (months)"))
    notice_days = forms.IntegerField(required=False, label=_("Notice period (days)"))
    signed_on = forms.DateField(required=False, label=_("Signed on"), widget=forms.DateInput(attrs={"type": "date"}))
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label=_("Notes"))


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=AgreementStatus.choices, label=_("Status"))
    terminated_on = forms.DateField(
        required=False,
        label=_("Termination day"),
        help_text=_("Only when terminating; blank: today. A rate override ends from this day."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class DocumentForm(forms.Form):
    file = forms.FileField(label=_("PDF document (up to 10 MB)"))


class ExclusivityForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[(k, v) for k, v in TermKind.choices if k != TermKind.REFERRAL_RATE_OVERRIDE], label=_("Exclusivity")
    )
    value = forms.CharField(max_length=100, label=_("Territory or vertical"))


class RateOverrideForm(forms.Form):
    rate = forms.CharField(max_length=12, label=_("Referral rate (e.g. 0.27)"))
    effective_from = forms.DateField(label=_("Effective from"), widget=forms.DateInput(attrs={"type": "date"}))
