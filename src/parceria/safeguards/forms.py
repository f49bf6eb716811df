"""Forms of the Safeguards page: the list's filters and the note that clears a flag (safeguards.services checks
the note again)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from parceria.safeguards.models import FlagKind, FlagStatus
from parceria.safeguards.services import NOTE_MAX_LENGTH
from parceria.web.forms import choices_with_blank


class FlagFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=choices_with_blank(_("All"), list(FlagStatus.choices)))
    kind = forms.ChoiceField(label=_("Kind"), required=False,
                             choices=choices_with_blank(_("All"), list(FlagKind.choices)))
    partner = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class ClearForm(forms.Form):
    note = forms.CharField(label=_("Why it is cleared"), max_length=NOTE_MAX_LENGTH,
                           help_text=_("Kept with the flag and in the audit log."),
                           widget=forms.Textarea(attrs={"rows": 3}))
