"""Forms of the deal registration pages: a partner registers a deal in the portal; staff filter the list and decide
registrations in review in the console. They check the shape of the input; deals.services checks the rest and its
messages are shown beside the field they name."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from parceria.common.countries import ISO_3166_ALPHA2
from parceria.common.errors import InvalidInput
from parceria.common.formatting import country_name
from parceria.common.money import CURRENCIES
from parceria.common.months import parse_month
from parceria.customers.models import Customer
from parceria.deals.models import DealStatus, OpportunityStage
from parceria.deals.reporting import MonthRange, month_range
from parceria.deals.services import NOTES_MAX_LENGTH, REASON_MAX_LENGTH, DealFields
from parceria.web.forms import choices_with_blank


def _countries() -> list[tuple[str, str]]:
    """The countries by their names in the reader's language."""
    return sorted(((code, country_name(code)) for code in ISO_3166_ALPHA2), key=lambda item: item[1])


class DealForm(forms.Form):
    company_name = forms.CharField(label=_("Company name"), max_length=300)
    country = forms.ChoiceField(label=_("Country"), initial="BR", choices=_countries)
    tax_id = forms.CharField(label=_("Tax id (CNPJ in Brazil)"), max_length=40, required=False,
                             widget=forms.TextInput(attrs={"placeholder": "12.345.678/0001-95"}))
    domain = forms.CharField(label=_("Web domain"), max_length=253, required=False,
                             help_text=_("The company's own site, e.g. empresa.com.br (not gmail.com)."),
                             widget=forms.TextInput(attrs={"placeholder": "empresa.com.br"}))
    contact_name = forms.CharField(label=_("Contact name"), max_length=200)
    contact_email = forms.CharField(label=_("Contact e-mail"), max_length=254,
                                    widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    estimated_value = forms.CharField(label=_("Estimated value"), max_length=30,
                                      widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "12500.00"}))
    currency = forms.ChoiceField(label=_("Currency"), choices=[(c, c) for c in CURRENCIES], initial="BRL")
    vertical = forms.CharField(label=_("Vertical"), max_length=60, required=False)
    region = forms.CharField(label=_("Region"), max_length=60, required=False)
    notes = forms.CharField(label=_("Notes"), max_length=NOTES_MAX_LENGTH, required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))

    def fields_given(self) -> DealFields:
        data = dict(self.cleaned_data)
        data["estimated_value"] = data["estimated_value"].replace(",", ".") if data["estimated_value"].count(
            ",") == 1 and "." not in data["estimated_value"] else data["estimated_value"]
        return DealFields(**data)


class DealFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=choices_with_blank(_("All"), list(DealStatus.choices)))


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    reason = forms.CharField(label=_("Reason (shown to the partner)"), max_length=REASON_MAX_LENGTH,
                             widget=forms.Textarea(attrs={"rows": 2}))


class ConvertForm(forms.Form):
    customer = forms.ModelChoiceField(
        label=_("Existing customer id (optional)"), queryset=Customer.objects.all(), required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        help_text=_("Leave it blank to create the customer from the registration's company."))


class CsvUploadForm(forms.Form):
    """A CSV file, refused above `max_bytes` before it is read."""

    file = forms.FileField(label=_("CSV file"))

    def __init__(self, *args: Any, max_bytes: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise forms.ValidationError(
                _("The file has %(size)s bytes; the limit is %(limit)s bytes. Split it.")
                % {"size": f"{upload.size:,}", "limit": f"{self.max_bytes:,}"}, code="too_large")
        return upload


class OpportunityFilterForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), required=False,
                              choices=choices_with_blank(_("All"), list(OpportunityStage.choices)))
    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Company, CRM id, owner")}))
class ExtensionForm(forms.Form):
    reason = forms.CharField(label=_("Why the deal needs more time"), max_length=REASON_MAX_LENGTH,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Our team reads it. You may ask once per registration."))


class ExtensionDecideForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=[("approve", _("Approve the extension")),
                                                                ("refuse", _("Refuse the extension"))])
    reason = forms.CharField(label=_("Reason (shown to the partner)"), max_length=REASON_MAX_LENGTH, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
MONTH_INPUT = forms.TextInput(attrs={"type": "month"})


class ConflictReportForm(forms.Form):
    """The months of the channel-conflict report (YYYY-MM; blank: the last 12 months)."""

    from_month = forms.CharField(label=_("First month"), required=False, widget=MONTH_INPUT)
    to_month = forms.CharField(label=_("Last month"), required=False, widget=MONTH_INPUT)

    def _month(self, name: str) -> date | None:
        text = (self.cleaned_data.get(name) or "").strip()
        if not text:
            return None
        try:
            return parse_month(text, field=name)
        except InvalidInput:
            raise forms.ValidationError(_("Use the format YYYY-MM, e.g. 2026-03.")) from None

    def clean_from_month(self) -> date | None:
        return self._month("from_month")

    def clean_to_month(self) -> date | None:
        return self._month("to_month")

    def period(self) -> MonthRange | None:
        """The range asked for, or None with the form's errors set (a reversed or too long range included)."""
        if not self.is_valid():
            return None
        try:
            return month_range(self.cleaned_data["from_month"], self.cleaned_data["to_month"])
        except InvalidInput as exc:
            self.add_error("from_month", str(exc))
            return None
