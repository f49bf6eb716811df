"""Forms of the event intake pages in the console."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from parceria.customers.csv_import import UPLOAD_MAX_BYTES
from parceria.customers.models import EventSource
from parceria.web.forms import choices_with_blank


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
