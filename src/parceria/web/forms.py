"""Forms the portal and the console share."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class AttachmentForm(forms.Form):
    """A file for a dispute. The disputes service checks its size, type and content; its message for a bad
    file is shown beside this field."""

    file = forms.FileField(
        label=_("Attach a file"),
        help_text=_("PDF, PNG, JPEG or CSV, at most 10 MB."),
        widget=forms.FileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.csv"}),
    )
