"""The privacy pages' forms: cleaning only; the rules stay in services.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from parceria.privacy.models import RequestKind


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Right exercised"), choices=RequestKind.choices)
    email = forms.CharField(label=_("E-mail address"), required=False, max_length=254)
    tax_id = forms.CharField(label=_("CPF"), required=False, max_length=20)
    username = forms.CharField(
        label=_("User name"), required=False, max_length=150, help_text=_("When the person has an account.")
    )
    received_on = forms.DateField(
        label=_("Received on"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The day the request arrived; the 15 days of LGPD art. 19 count from it. Blank: today."),
    )
    details = forms.CharField(
        label=_("What the person asked"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer given to the person"), widget=forms.Textarea(attrs={"rows": 4}),
                             max_length=5000)
    refused = forms.BooleanField(label=_("The request is refused (say why in the answer)"), required=False)


class HoldForm(forms.Form):
    partner_id = forms.IntegerField(label=_("Partner number"), required=False, min_value=1)
    subject_email = forms.CharField(label=_("Or a person's e-mail address"), required=False, max_length=254)
    reason = forms.CharField(label=_("Reason"), max_length=300)
    until = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                            help_text=_("Blank: until released."))


_DATE = {"type": "date"}


class DayRangeForm(forms.Form):
    """A filter's days, from `since` to `until`, both optional and both included; `until` before `since` is an error
    beside it. The audit trail's and the sharing log's filters (their `field_order` places the two fields)."""

    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs=_DATE, format="%Y-%m-%d"))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs=_DATE, format="%Y-%m-%d"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", gettext("The last day comes before the first."))
        return cleaned
