"""The portal's form for a new referral link (cleaning only; the rules are in services.clean_landing_url)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class LinkForm(forms.Form):
    landing_url = forms.CharField(
        label=_("Landing page"), max_length=500, required=False,
        help_text=_("The page your link opens, starting with https://. Leave it blank for the default page."),
        widget=forms.TextInput(attrs={"inputmode": "url", "autocomplete": "url", "placeholder": "https://"}),
    )
