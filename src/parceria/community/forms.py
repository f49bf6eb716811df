"""Forms of the community pages. They check the shape of the input; the services check the rest."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from parceria.community.models import FollowUpStatus, MeetingKind, Severity, TicketStatus, TicketType
from parceria.partners.models import Category, Partner, Tier
from parceria.web.forms import choices_with_blank

#: What a datetime-local field sends (and the ISO forms a script may send).
LOCAL_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
LOCAL_INPUT = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class AnnouncementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), max_length=20000, widget=forms.Textarea(attrs={"rows": 8}),
                           help_text=_("Plain text. Blank lines separate paragraphs; **bold**, *italic* and "
                                       "[links](https://…) are shown as such."))
    language = forms.ChoiceField(label=_("Language of the text"), required=False,
                                 help_text=_("Readers whose language is another still see it."))
    tiers = forms.MultipleChoiceField(label=_("Tiers"), required=False, choices=Tier.choices,
                                      widget=forms.CheckboxSelectMultiple)
    categories = forms.MultipleChoiceField(label=_("Categories"), required=False, choices=Category.choices,
                                           widget=forms.CheckboxSelectMultiple)
    countries = forms.CharField(label=_("Countries"), required=False, max_length=300,
                                help_text=_("Two-letter codes separated by commas (BR, PT); empty: all."))
    publish_at = forms.DateTimeField(label=_("Publish at"), input_formats=LOCAL_INPUT,
                                     widget=LOCAL_WIDGET)
    expire_at = forms.DateTimeField(label=_("Expire at"), required=False, input_formats=LOCAL_INPUT,
                                    widget=LOCAL_WIDGET)
    pinned = forms.BooleanField(label=_("Pinned"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = cast(forms.ChoiceField, self.fields["language"])
        language.choices = [("", _("Any (shown to everyone)")), *settings.LANGUAGES]

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["countries"] = [c for c in data["countries"].replace(";", ",").split(",") if c.strip()]
        return data


class NpsForm(forms.Form):
    score = forms.TypedChoiceField(label=_("How likely are you to recommend our partner program to a colleague?"),
                                   choices=[(str(i), str(i)) for i in range(11)], coerce=int,
                                   widget=forms.RadioSelect(attrs={"class": "nps-scale"}))
    comment = forms.CharField(label=_("What is the main reason for your score?"), required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 3}))


class FollowUpForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=FollowUpStatus.choices)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class MeetingForm(forms.Form):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.order_by("name"))
    held_on = forms.DateField(label=_("Held on"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices)
    attendees = forms.CharField(label=_("Attendees"), required=False, max_length=2000)
    notes = forms.CharField(label=_("Notes (shared with the partner)"), required=False, max_length=8000,
                            widget=forms.Textarea(attrs={"rows": 3}))
    next_steps = forms.CharField(label=_("Next steps (shared with the partner)"), required=False, max_length=4000,
                                 widget=forms.Textarea(attrs={"rows": 2}))
    private_notes = forms.CharField(label=_("Private notes (staff only)"), required=False, max_length=8000,
                                    widget=forms.Textarea(attrs={"rows": 2}))


class TicketForm(forms.Form):
    type = forms.ChoiceField(label=_("Type"), choices=TicketType.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.MEDIUM)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(label=_("Description"), max_length=20000, widget=forms.Textarea(attrs={"rows": 5}))


class StaffTicketForm(TicketForm):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.order_by("name"))
    field_order = ["partner", "type", "severity", "subject", "description"]


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), max_length=8000, widget=forms.Textarea(attrs={"rows": 3}))


class StaffCommentForm(CommentForm):
    internal = forms.BooleanField(label=_("Internal note (not shown to the partner)"), required=False)


class TicketStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=TicketStatus.choices)


class TicketFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Open, in progress or waiting")), ("all", _("All")),
                                        *TicketStatus.choices])
    severity = forms.ChoiceField(label=_("Severity"), required=False,
                                 choices=choices_with_blank(_("Any severity"), list(Severity.choices)))
    type = forms.ChoiceField(label=_("Type"), required=False,
                             choices=choices_with_blank(_("Any type"), list(TicketType.choices)))
    breached = forms.BooleanField(label=_("SLA breached only"), required=False)
