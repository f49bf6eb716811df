"""The form that registers an endpoint."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from parceria.webhooks.models import EventType
from parceria.webhooks.services import SUBSCRIBABLE


class EndpointForm(forms.Form):
    url = forms.CharField(label=_("Address (URL)"), max_length=500,
                          help_text=_("An https:// address that answers with a 2xx status when it receives an event."),
                          widget=forms.URLInput(attrs={"placeholder": "https://", "autocomplete": "off"}))
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    event_types = forms.MultipleChoiceField(
        label=_("Events"), widget=forms.CheckboxSelectMultiple,
        choices=[(t, label) for t, label in EventType.choices if t in SUBSCRIBABLE],
        error_messages={"required": _("Choose at least one event type.")},
    )
