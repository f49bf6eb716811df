"""Forms the portal and the console share."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from parceria.accounts.languages import language_for


class AttachmentForm(forms.Form):
    """A file for a dispute. The disputes service checks its size, type and content; its message for a bad
    file is shown beside this field."""

    file = forms.FileField(
        label=_("Attach a file"),
        help_text=_("PDF, PNG, JPEG or CSV, at most 10 MB."),
        widget=forms.FileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.csv"}),
    )


def language_choices() -> list[tuple[str, Any]]:
    """The product's languages, after a blank choice: follow the browser."""
    return [("", _("The browser's language")), *settings.LANGUAGES]


class LanguageForm(forms.Form):
    """The user's language, on their profile; posted to the language menu's address (web/language.py)."""

    language = forms.ChoiceField(
        label=_("Language of your pages and e-mails"), required=False, choices=language_choices,
        help_text=_("The menu at the top of the page changes it too."),
    )


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, writing each e-mail in the language of the user it goes to (theirs when stored,
    else the page's)."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        with translation.override(language_for(context.get("user"))):
            super().send_mail(
                subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name
            )
