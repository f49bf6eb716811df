"""The pages' forms of account mapping (cleaning only; the rules are in mapping.upload and mapping.services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from parceria.mapping.models import SharingLevel
from parceria.mapping.upload import MAX_BYTES


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Customer list (CSV)"),
        help_text=_("A header naming tax_id and/or domain, and optionally segment (e.g. customer, prospect) and "
                    "country. At most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            upload.close()
            raise forms.ValidationError(_("The file has %(size)s bytes; the limit is %(mb)s MB. Split it.")
                                        % {"size": upload.size, "mb": MAX_BYTES // (1024 * 1024)})
        return upload


class PartnerLevelForm(forms.Form):
    level = forms.ChoiceField(label=_("What you share with us"), choices=SharingLevel.choices)


class CompanyLevelForm(forms.Form):
    level = forms.ChoiceField(label=_("What we share with this partner"),
                              choices=[("", _("The program-wide level")), *SharingLevel.choices], required=False)


class ProgramLevelForm(forms.Form):
    level = forms.ChoiceField(label=_("What we share with every partner (program-wide)"), choices=SharingLevel.choices)
