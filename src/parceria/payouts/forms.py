"""Forms of the close wizard and the payout pages in the console. They check the shape of the input; the payout
services check the rest and their messages are shown beside the field they name."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parceria.common.errors import InvalidInput
from parceria.common.money import CURRENCY_CHOICES
from parceria.common.months import month_end, parse_month
from parceria.payouts.bank_files import EXPORT_KINDS
from parceria.payouts.models import PayoutStatus
from parceria.payouts.services import BatchStage
from parceria.web.forms import choices_with_blank


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


#: What each file kind (payouts.bank_files) is called on the pages; "" is the payouts no method sends.
FILE_KIND_LABELS: dict[str, Any] = {
    "cnab": _("PIX remittance (CNAB 240)"),
    "cnab_ted": _("TED remittance (CNAB 240)"),
    "spei": _("SPEI (CSV)"),
    "cbu": _("CBU/CVU (CSV)"),
    "co_bank": _("Colombian accounts (CSV)"),
    "cl_bank": _("Chilean accounts (CSV)"),
    "intl": _("International transfers (CSV)"),
    "csv": _("Every payout, for finance (CSV)"),
    "": _("No payout method: no file can send them"),
}


class ExportForm(forms.Form):
    """One file of a batch. `currencies`: the currencies to choose among when a transfer file's payouts are in
    more than one (one file per currency); with fewer than two the currency field is left out."""

    kind = forms.ChoiceField(label=_("File"), choices=[(kind, FILE_KIND_LABELS[kind]) for kind in EXPORT_KINDS])
    currency = forms.ChoiceField(label=_("Currency"), required=False)
    again = forms.BooleanField(label=_("Send again the payouts of an earlier remittance the bank never received"),
                               required=False)

    def __init__(self, *args: Any, currencies: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if len(currencies) > 1:
            choices = [(currency, currency) for currency in currencies]
            self.fields["currency"].choices = choices_with_blank(  # type: ignore[attr-defined]
                _("The file's only currency"), choices)
        else:
            del self.fields["currency"]


class ReturnFileForm(forms.Form):
    file = forms.FileField(label=_("Bank return file (CNAB 240)"))


class MarkPayoutForm(forms.Form):
    status = forms.ChoiceField(label=_("Mark as"), choices=[(PayoutStatus.PAID, _("Paid")),
                                                             (PayoutStatus.FAILED, _("Failed"))])
    reference = forms.CharField(label=_("Bank reference or reason"), max_length=200, required=False)


class PayoutFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=choices_with_blank(_("Any status"), PayoutStatus.choices))
    currency = forms.ChoiceField(label=_("Currency"), required=False,
                                 choices=choices_with_blank(_("Any currency"), CURRENCY_CHOICES))
    late = forms.BooleanField(label=_("Late only"), required=False)


class BatchStageFilterForm(forms.Form):
    stage = forms.ChoiceField(label=_("Batches"), required=False, choices=[
        ("", _("All closed months")), (BatchStage.AWAITING_APPROVAL, _("awaiting approval")),
        (BatchStage.APPROVED, _("approved, file not created")), (BatchStage.SENT, _("sent, awaiting the bank")),
        (BatchStage.SETTLED, _("settled"))])
