"""Forms of the partner portal. They check the input and put each message beside its field; the services
do the work. Choices that name the partner's own objects are built from the partner's own rows."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from parceria.commissions.models import LedgerLine
from parceria.disputes.models import DisputeSubject
from parceria.partners.models import Partner
from parceria.payouts.models import Payout

SUBJECT_LABELS = {
    DisputeSubject.LEDGER_LINE: _("A commission line"),
    DisputeSubject.PAYOUT: _("A payout"),
    DisputeSubject.MISSING_ATTRIBUTION: _("A customer missing from my list"),
}


class DisputeForm(forms.Form):
    subject = forms.ChoiceField(label=_("What is wrong?"), choices=list(SUBJECT_LABELS.items()),
                                widget=forms.RadioSelect)
    ledger_line = forms.IntegerField(label=_("Commission line number"), required=False, min_value=1,
                                     help_text=_("Shown as # on the commissions page."))
    payout = forms.ChoiceField(label=_("Payout"), required=False)
    customer_external_id = forms.CharField(label=_("Customer id on the platform"), required=False, max_length=200)
    customer_name = forms.CharField(label=_("Customer name"), required=False, max_length=300)
    description = forms.CharField(label=_("Describe the problem"), max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args: Any, partner: Partner, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.partner = partner
        payouts = Payout.objects.filter(partner=partner).select_related("batch").order_by("-batch__period")
        choices = [("", _("Choose a payout"))] + [
            (str(p.pk), f"#{p.pk} · {p.batch.period:%Y-%m} · {p.gross} {p.currency}") for p in payouts
        ]
        payout_field = self.fields["payout"]
        assert isinstance(payout_field, forms.ChoiceField)
        payout_field.choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        subject = data.get("subject")
        if subject == DisputeSubject.LEDGER_LINE:
            self._require_line(data.get("ledger_line"))
        elif subject == DisputeSubject.PAYOUT and not data.get("payout"):
            self.add_error("payout", _("Choose the payout you are disputing."))
        elif subject == DisputeSubject.MISSING_ATTRIBUTION and not (
            data.get("customer_external_id") or data.get("customer_name")
        ):
            self.add_error("customer_name", _("Give the customer's name or its id on the platform."))
        return data

    def _require_line(self, line_id: int | None) -> None:
        if line_id is None:
            self.add_error("ledger_line", _("Enter the number of the commission line."))
        elif not LedgerLine.objects.filter(pk=line_id, partner=self.partner).exists():
            self.add_error("ledger_line", _("There is no commission line with this number."))

    def service_data(self) -> dict[str, Any]:
        data, subject = self.cleaned_data, self.cleaned_data["subject"]
        result: dict[str, Any] = {"description": data["description"]}
        if subject == DisputeSubject.LEDGER_LINE:
            result["ledger_line_id"] = data["ledger_line"]
        elif subject == DisputeSubject.PAYOUT:
            result["payout_id"] = int(data["payout"])
        else:
            result["customer_external_id"] = data["customer_external_id"]
            result["customer_name"] = data["customer_name"]
        return result


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Your message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Why are you withdrawing it? (optional)"), required=False, max_length=2000)
