"""Forms of the partner pages: the console's partner list filter, and the portal's payout details (the
PIX key) and user invitations. They check the input; the services do the work."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from parceria.common.pix import PixKeyError, PixKeyType, validate_pix_key
from parceria.partners.models import PIX_KEY_TYPE_LABELS, Category, PartnerStatus, Tier
from parceria.web.forms import choices_with_blank, language_choices, password_confirmed

PIX_LABELS = {PixKeyType(kind): label for kind, label in PIX_KEY_TYPE_LABELS.items()}


class PartnerFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=choices_with_blank(_("Any status"), PartnerStatus.choices))
    tier = forms.ChoiceField(label=_("Tier"), required=False, choices=choices_with_blank(_("Any tier"), Tier.choices))
    category = forms.ChoiceField(label=_("Category"), required=False,
                                 choices=choices_with_blank(_("Any category"), Category.choices))
    country = forms.CharField(label=_("Country"), required=False, max_length=2,
                              widget=forms.TextInput(attrs={"size": 3, "placeholder": "BR"}))


class PayoutDetailsForm(forms.Form):
    key_type = forms.ChoiceField(label=_("PIX key type"), choices=list(PIX_LABELS.items()))
    key = forms.CharField(label=_("PIX key"), max_length=120)
    password = forms.CharField(label=_("Your password"), widget=forms.PasswordInput,
                               help_text=_("Confirm it is you: changing where money goes needs your password."))

    def __init__(self, *args: Any, user: Any, request: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.request = request

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        password_confirmed(self.user, password, self.request, wrong=_("That password is not correct."))
        return password

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("key_type") and data.get("key"):
            try:
                data["key"] = validate_pix_key(data["key_type"], data["key"])
            except PixKeyError:
                self.add_error("key", _("This is not a valid PIX key of the chosen type."))
        return data


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    name = forms.CharField(label=_("Name"), required=False, max_length=300)
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=language_choices,
        help_text=_("Of their pages and of this invitation; without one, the invitation is in this page's language."),
    )
