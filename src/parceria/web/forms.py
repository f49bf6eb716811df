"""Forms the portal and the console share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminPasswordChangeForm
from django.contrib.auth import forms as auth_forms
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminAuthenticationForm

from parceria.accounts.languages import language_for
from parceria.accounts.throttle import SignInLocked, password_confirm
from parceria.common.errors import ParceriaError


def attempt(form: forms.Form, action: Callable[[], Any], field: str | None = None) -> Any:
    """Run a service; a domain error becomes a message beside `field` or the field it names (or above the form)
    and the answer is None."""
    try:
        return action()
    except ParceriaError as exc:
        add_domain_error(form, exc, field)
        return None


def choices_with_blank(blank: Any, choices: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """A filter's choices after a blank one that means "any" (`blank` is its label)."""
    return [("", blank), *choices]


def add_domain_error(form: forms.Form, exc: ParceriaError, field: str | None = None) -> None:
    details = exc.details if isinstance(exc.details, dict) else {}
    name = details.get("field") if details.get("field") in form.fields else field
    form.add_error(name if name in form.fields else None, exc.message)


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


class _ThrottledSignIn:
    """For a sign-in form: the backend refuses a locked user name or address before checking the password;
    that refusal is the form's error."""

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()  # type: ignore[misc]
        except SignInLocked as locked:
            raise forms.ValidationError(
                _("Too many failed sign-ins. Try again in %(minutes)s minutes."),
                code="locked",
                params={"minutes": locked.minutes},
            ) from None


class SignInForm(_ThrottledSignIn, auth_forms.AuthenticationForm):
    """The sign-in form of `/login/`."""


class AdminSignInForm(_ThrottledSignIn, OTPAdminAuthenticationForm):
    """The sign-in form of the Django admin: password and TOTP code."""


def password_confirmed(user: Any, password: str, request: HttpRequest | None, *, wrong: Any) -> None:
    """Raise a field error unless `password` is the signed-in `user`'s. The check is one of the sign-in
    throttle's (a wrong password counts as a failed sign-in; while locked, nothing is checked)."""
    try:
        confirmed = password_confirm(user, password, request=request)
    except SignInLocked as locked:
        raise forms.ValidationError(
            _("Too many wrong passwords. Try again in %(minutes)s minutes."),
            code="locked",
            params={"minutes": locked.minutes},
        ) from None
    if not confirmed:
        raise forms.ValidationError(wrong, code="password_incorrect")


class ThrottledPasswordChangeForm(AdminPasswordChangeForm):
    """The admin's password change: the old password is checked under the sign-in throttle."""

    def __init__(self, user: Any, *args: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self) -> str:
        old_password: str = self.cleaned_data["old_password"]
        password_confirmed(self.user, old_password, self.request, wrong=self.error_messages["password_incorrect"])
        return old_password
