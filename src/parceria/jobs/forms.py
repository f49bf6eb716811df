"""The Jobs page's filter."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from parceria.jobs.selectors import STATES
from parceria.web.forms import choices_with_blank


class JobFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False,
                              choices=choices_with_blank(_("All"), [(k, label) for k, (label, _s) in STATES.items()]))
