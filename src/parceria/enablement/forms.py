"""Console forms for enablement."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class DemoForm(forms.Form):
    note = forms.CharField(label=_("What was shown (optional)"), required=False, max_length=500,
                           widget=forms.Textarea(attrs={"rows": 2}))


class OnboardingForm(forms.Form):
    started_on = forms.DateField(label=_("Onboarding start"), widget=forms.DateInput(attrs={"type": "date"}))


class CheckInForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=forms.DateInput(attrs={"type": "date"}))
    notes = forms.CharField(label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
