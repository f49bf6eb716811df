"""The forms of the notification pages: one's own e-mail choices, a partner's chat webhook, the log's filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from parceria.notifications.models import Channel, Status
from parceria.notifications.rules import NOTIFIABLE
from parceria.web.forms import choices_with_blank
from parceria.webhooks.models import EventType


def event_choices() -> list[tuple[str, Any]]:
    labels = dict(EventType.choices)
    return [(t, labels[t]) for t in NOTIFIABLE]


class PreferencesForm(forms.Form):
    email_on = forms.MultipleChoiceField(label=_("Send me an e-mail when"), required=False,
                                         widget=forms.CheckboxSelectMultiple, choices=event_choices)


class ChatWebhookForm(forms.Form):
    url = forms.CharField(label=_("Incoming webhook address (URL)"), max_length=500,
                          help_text=_("A Slack-compatible incoming webhook: an https:// address that accepts a JSON "
                                      "message {\"text\": …}."),
                          widget=forms.URLInput(attrs={"placeholder": "https://", "autocomplete": "off"}))
    event_types = forms.MultipleChoiceField(label=_("Events posted to the chat"), widget=forms.CheckboxSelectMultiple,
                                            choices=event_choices,
                                            error_messages={"required": _("Choose at least one event type.")})
    language = forms.ChoiceField(label=_("Language of the messages"), required=False,
                                 choices=[("", _("The admins' most common language")), *settings.LANGUAGES])


class LogFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=choices_with_blank(_("Any status"), list(Status.choices)))
    channel = forms.ChoiceField(label=_("Channel"), required=False,
                                choices=choices_with_blank(_("Any channel"), list(Channel.choices)))
    event_type = forms.ChoiceField(label=_("Event"), required=False,
                                   choices=lambda: choices_with_blank(_("Any event"), event_choices()))
    partner = forms.IntegerField(label=_("Partner id"), required=False, min_value=1)
