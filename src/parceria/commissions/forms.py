"""The filter of the partner's commission lines in the portal; the event intake's filter and CSV upload
in the console."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from parceria.commissions.intake_csv import UPLOAD_MAX_BYTES
from parceria.commissions.models import LedgerKind
from parceria.commissions.selectors import parse_month
from parceria.common.money import CURRENCY_CHOICES
from parceria.customers.models import EventSource
from parceria.web.forms import choices_with_blank

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


class IntakeFilterForm(forms.Form):
    source = forms.ChoiceField(label=_("Source"), required=False,
                               choices=choices_with_blank(_("Any source"), EventSource.choices))
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


class ConsoleLedgerFilterForm(forms.Form):
    """The program's ledger lines in the console: by kind, currency and accounting month."""

    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *KIND_LABELS.items()])
    currency = forms.ChoiceField(label=_("Currency"), required=False,
                                 choices=choices_with_blank(_("Any currency"), CURRENCY_CHOICES))
    month = forms.CharField(label=_("Month"), required=False, widget=forms.TextInput(attrs={"type": "month"}))

    def clean_month(self) -> str:
        text: str = self.cleaned_data.get("month") or ""
        if text and parse_month(text) is None:
            raise forms.ValidationError(_("Use the format YYYY-MM, e.g. 2026-03."))
        return text


class BalanceFilterForm(forms.Form):
    """Partners' balances in the console: by currency, owed (positive) or owed back (negative)."""

    currency = forms.ChoiceField(label=_("Currency"), required=False,
                                 choices=choices_with_blank(_("Any currency"), CURRENCY_CHOICES))
    sign = forms.ChoiceField(label=_("Balances"), required=False, choices=[
        ("", _("Owed to the partner (positive)")), ("negative", _("Owed back by the partner (negative)")),
        ("all", _("All but zero"))])
