"""Forms of the lead routing pages: staff add a lead (the fields of a deal registration, and an optional external
id) and filter the list; a partner declines an offered lead with a reason. Shape only: leads.services checks the
rest and its messages are shown beside the field they name."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from parceria.deals.forms import DealForm
from parceria.deals.services import DealFields
from parceria.leads.models import LeadStatus
from parceria.leads.services import EXTERNAL_ID_MAX_LENGTH, REASON_MAX_LENGTH
from parceria.web.forms import choices_with_blank


class LeadForm(DealForm):
    external_id = forms.CharField(label=_("External id (optional)"), max_length=EXTERNAL_ID_MAX_LENGTH,
                                  required=False, help_text=_("The lead's id in your CRM; the same id is never "
                                                              "added twice."))

    def fields_given(self) -> DealFields:
        """The deal fields of the lead (the external id is apart: `external_id_given`)."""
        external_id = self.cleaned_data.pop("external_id", "")
        try:
            return super().fields_given()
        finally:
            self.cleaned_data["external_id"] = external_id

    def external_id_given(self) -> str:
        return str(self.cleaned_data.get("external_id") or "")


class LeadFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=choices_with_blank(_("All"), list(LeadStatus.choices)))


class OfferForm(forms.Form):
    partner = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Why do you decline it?"), max_length=REASON_MAX_LENGTH,
                             widget=forms.Textarea(attrs={"rows": 2}))
