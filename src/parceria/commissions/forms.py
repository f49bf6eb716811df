"""The filter of the partner's commission lines in the portal."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from parceria.commissions.models import LedgerKind
from parceria.commissions.selectors import parse_month

#: The ledger kinds as the domain names them (translated there).
KIND_LABELS = dict(LedgerKind.choices)

class LedgerFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *KIND_LABELS.items()])
    month = forms.CharField(label=_("Month"), required=False, widget=forms.TextInput(attrs={"type": "month"}))
    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Invoice, customer, text")}))

    def clean_month(self) -> str:
        text: str = self.cleaned_data.get("month") or ""
        if text and parse_month(text) is None:
            raise forms.ValidationError(_("Use the format YYYY-MM, e.g. 2026-03."))
        return text
