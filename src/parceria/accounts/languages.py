"""Each user's language (SPEC §14.1, issue 4 item 4): the one stored choice that their pages and e-mails follow.

A user who never chose one (blank) follows the browser: the language menu's cookie, then `Accept-Language`.
E-mails to such a user go out in the language of the request that sends them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from parceria.accounts.models import User
from parceria.common.audit import Actor, audit_record_create
from parceria.common.errors import InvalidInput


def language_codes() -> list[str]:
    """The codes of the product's languages, as in settings.LANGUAGES (`en`, `pt-br`, `es`)."""
    return [code for code, _name in settings.LANGUAGES]


def language_parse(code: str) -> str:
    """A language code the product speaks, or "" (follow the browser). Raises InvalidInput for any other."""
    text = (code or "").strip().lower()
    if text and text not in language_codes():
        raise InvalidInput(
            _("%(code)s is not a language of Parceria; choose one of %(codes)s.")
            % {"code": code, "codes": ", ".join(language_codes())},
            code="invalid_language",
            details={"field": "language"},
        )
    return text


def user_language_set(*, user: User, language: str, actor: Actor) -> User:
    """Store the user's language ("" to follow the browser). A code not in settings.LANGUAGES changes nothing."""
    code = language_parse(language)
    if code != user.language:
        before = {"language": user.language}
        with transaction.atomic():
            User.objects.filter(pk=user.pk).update(language=code)
            user.language = code
            audit_record_create(actor=actor, action="user.language_changed", obj=user, before=before,
                                after={"language": code})
    return user


def language_for(user: User | None) -> str:
    """The language to write to `user` in: theirs when stored, else the active one (the request's), else the
    product's default."""
    stored = getattr(user, "language", "") if user is not None else ""
    return stored or translation.get_language() or settings.LANGUAGE_CODE
