"""Forms of the partner portal. They check the input and put each message beside its field; the services
do the work. Choices that name the partner's own objects are built from the partner's own rows."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from parceria.commissions.models import LedgerKind, LedgerLine
from parceria.disputes.models import DisputeSubject
from parceria.disputes.services import DisputeClaim
from parceria.partners.models import Partner
from parceria.payouts.models import Payout
from parceria.payouts.pix import PixKeyError, PixKeyType, validate_pix_key
from parceria.portal.selectors import parse_month
from parceria.web.forms import language_choices, password_confirmed

#: The ledger kinds as the domain names them (translated there).
KIND_LABELS = dict(LedgerKind.choices)
SUBJECT_LABELS = {
    DisputeSubject.LEDGER_LINE: _("A commission line"),
    DisputeSubject.PAYOUT: _("A payout"),
    DisputeSubject.MISSING_ATTRIBUTION: _("A customer missing from my list"),
}
PIX_LABELS = {
    PixKeyType.CPF: _("CPF"),
    PixKeyType.CNPJ: _("CNPJ"),
    PixKeyType.EMAIL: _("E-mail"),
    PixKeyType.PHONE: _("Phone"),
    PixKeyType.EVP: _("Random key"),
}


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


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Your message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Why are you withdrawing it? (optional)"), required=False, max_length=2000)


class PayoutDetailsForm(forms.Form):
    key_type = forms.ChoiceField(label=_("PIX key type"), choices=list(PIX_LABELS.items()))
    key = forms.CharField(label=_("PIX key"), max_length=120)
    password = forms.CharField(label=_("Your password"), widget=forms.PasswordInput,
                               help_text=_("Confirm it is you: changing where money goes needs your password."))

    def __init__(self, *args: Any, user: Any, request: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.request = request

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        password_confirmed(self.user, password, self.request, wrong=_("That password is not correct."))
        return password

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("key_type") and data.get("key"):
            try:
                data["key"] = validate_pix_key(data["key_type"], data["key"])
            except PixKeyError:
                self.add_error("key", _("This is not a valid PIX key of the chosen type."))
        return data


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    name = forms.CharField(label=_("Name"), required=False, max_length=300)
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=language_choices,
        help_text=_("Of their pages and of this invitation; without one, the invitation is in this page's language."),
    )
