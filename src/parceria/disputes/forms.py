"""Forms of the dispute and adjustment pages: staff answer disputes and request adjustments in the console; partners
open, follow and withdraw disputes in the portal. They check the shape of the input; the services check the rest and
their messages are shown beside the field they name. Choices that name a partner's own objects are built from that
partner's own rows."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from parceria.commissions.models import LedgerLine
from parceria.common.errors import InvalidInput
from parceria.disputes.adjustments import clean_adjustment_amount
from parceria.disputes.models import AdjustmentStatus, DisputeStatus, DisputeSubject
from parceria.disputes.services import DisputeClaim
from parceria.partners.models import Partner
from parceria.payouts.models import Payout
from parceria.web.forms import choices_with_blank


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


class StaffCommentForm(forms.Form):
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


class AttachmentForm(forms.Form):
    """A file for a dispute. The disputes service checks its size, type and content; its message for a bad
    file is shown beside this field."""

    file = forms.FileField(
        label=_("Attach a file"),
        help_text=_("PDF, PNG, JPEG or CSV, at most 10 MB."),
        widget=forms.FileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.csv"}),
    )


# --- the portal ---

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

    def claim(self) -> DisputeClaim:
        data, subject = self.cleaned_data, self.cleaned_data["subject"]
        if subject == DisputeSubject.LEDGER_LINE:
            return DisputeClaim(description=data["description"], ledger_line_id=int(data["ledger_line"]))
        if subject == DisputeSubject.PAYOUT:
            return DisputeClaim(description=data["description"], payout_id=int(data["payout"]))
        return DisputeClaim(description=data["description"], customer_external_id=data["customer_external_id"],
                            customer_name=data["customer_name"])


class PartnerCommentForm(forms.Form):
    text = forms.CharField(label=_("Your message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Why are you withdrawing it? (optional)"), required=False, max_length=2000)
