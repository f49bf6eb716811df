"""Forms of the partner pages: the console's partner list filter, and the portal's payout details (the
PIX key, and any payout method), and user invitations. They check the input; the services do the work."""

from __future__ import annotations

import unicodedata
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from parceria.common.banks import banks
from parceria.common.countries import ISO_3166_ALPHA2
from parceria.common.formatting import country_name
from parceria.common.payout_methods import ACCOUNT_TYPES, CO_HOLDER_ID_KINDS, METHOD_FIELDS, METHODS, OPTIONAL_FIELDS
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


#: Each detail of a payout method as its form asks for it: the label and, where it helps, a hint (per method where
#: the same detail means something else).
DETAIL_LABELS: dict[str, Any] = {
    "key_type": _("PIX key type"),
    "key": _("PIX key"),
    "bank_code": _("Bank"),
    "branch": _("Branch"),
    "branch_digit": _("Branch check digit"),
    "account": _("Account number"),
    "account_digit": _("Account check digit"),
    "account_type": _("Account type"),
    "holder_tax_id": _("Account holder's CPF or CNPJ"),
    "clabe": _("CLABE"),
    "cbu": _("CBU or CVU"),
    "account_number": _("Account number"),
    "holder_id_kind": _("Account holder's id type"),
    "holder_id": _("Account holder's id number"),
    "holder_rut": _("Account holder's RUT"),
    "beneficiary_name": _("Beneficiary's name"),
    "beneficiary_address": _("Beneficiary's address"),
    "bank_name": _("Bank's name"),
    "bank_country": _("Bank's country"),
    "bic": _("SWIFT/BIC code"),
    "iban": _("IBAN"),
}
DETAIL_HELP: dict[tuple[str, str], Any] = {
    ("br_ted", "holder_tax_id"): _("Your organisation's, unless the account is outside your country."),
    ("co_bank", "holder_id"): _("Your organisation's, unless the account is outside your country."),
    ("cl_bank", "holder_rut"): _("Your organisation's, unless the account is outside your country."),
    ("mx_spei", "clabe"): _("18 digits; the bank is read from its first three."),
    ("ar_cbu", "cbu"): _("22 digits."),
    ("intl", "iban"): _("Where the bank's country uses IBAN."),
    ("intl", "account_number"): _("Only where the bank's country does not use IBAN."),
    ("intl", "bic"): _("8 or 11 characters."),
}
#: The country whose bank directory (common.banks) the bank select of a method lists.
BANK_COUNTRY = {"br_ted": "BR", "co_bank": "CO", "cl_bank": "CL"}


def _sorting(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


def country_choices() -> list[tuple[str, str]]:
    """Every ISO 3166 country, named and sorted in the active language."""
    named = [(code, country_name(code)) for code in ISO_3166_ALPHA2]
    return sorted(named, key=lambda pair: (_sorting(pair[1]), pair[0]))


def method_detail_field(method: str, name: str) -> forms.Field:
    """The form field of one detail of `method` (METHOD_FIELDS), required unless common.payout_methods says not."""
    options: dict[str, Any] = {"label": DETAIL_LABELS[name], "required": name not in OPTIONAL_FIELDS}
    if (method, name) in DETAIL_HELP:
        options["help_text"] = DETAIL_HELP[(method, name)]
    blank = ("", "—")
    if name == "key_type":
        return forms.ChoiceField(choices=[blank, *PIX_LABELS.items()], **options)
    if name == "bank_code" and method in BANK_COUNTRY:
        choices = [(b.code, f"{b.name} ({b.code})") for b in banks(BANK_COUNTRY[method])]
        return forms.ChoiceField(choices=[blank, *choices], **options)
    if name == "account_type":
        return forms.ChoiceField(choices=[blank, *ACCOUNT_TYPES[method].items()], **options)
    if name == "holder_id_kind":
        return forms.ChoiceField(choices=[blank, *CO_HOLDER_ID_KINDS.items()], **options)
    if name == "bank_country":
        return forms.ChoiceField(choices=[blank, *country_choices()], **options)
    if name == "beneficiary_address":
        return forms.CharField(max_length=200, widget=forms.Textarea(attrs={"rows": 2}), **options)
    return forms.CharField(max_length=200, **options)


class PayoutMethodForm(forms.Form):
    """The details of one payout method (`method`), why an account outside the partner's country, and the user's
    password again. It checks what a form can (required, choices, the password under the sign-in throttle); the
    details themselves are checked by partners.payout_details.payout_method_change, whose errors the view shows
    beside their field."""

    method = forms.ChoiceField(choices=[(code, spec.label) for code, spec in METHODS.items()],
                               widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when the account is outside your country."),
    )
    password = forms.CharField(label=_("Your password"), widget=forms.PasswordInput,
                               help_text=_("Confirm it is you: changing where money goes needs your password."))

    def __init__(self, *args: Any, method: str, user: Any, request: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("method", method)
        super().__init__(*args, **kwargs)
        self.user = user
        self.request = request
        self.detail_names: tuple[str, ...] = METHOD_FIELDS.get(method, ())
        for name in self.detail_names:
            self.fields[name] = method_detail_field(method, name)
        self.order_fields(["method", *self.detail_names, "reason", "password"])

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        password_confirmed(self.user, password, self.request, wrong=_("That password is not correct."))
        return password

    def details(self) -> dict[str, str]:
        """The method's details as typed (after is_valid), for payout_method_change."""
        return {name: self.cleaned_data.get(name) or "" for name in self.detail_names}

    def detail_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.detail_names]


class MethodChoiceForm(forms.Form):
    """The portal's chooser of the payout method whose form to show (sent by GET: ?method=mx_spei)."""

    method = forms.ChoiceField(label=_("How you are paid"))

    def __init__(self, *args: Any, methods: list[str], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "choose_%s")
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = [(code, METHODS[code].label) for code in methods]  # type: ignore[attr-defined]
