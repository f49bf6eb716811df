"""E-mail to a partner's admins: the one way the product writes to the people who run a partner's account.

Each active partner admin with an e-mail address gets the message in their own language (one message per
language); an admin with no stored language gets `language` (the language of the request or job that caused it).
`compose()` is called once per language, with that language active, and returns (subject, body)."""

from __future__ import annotations

from collections.abc import Callable

from django.core.mail import send_mail
from django.utils import translation

from parceria.partners.models import Partner


def recipient_language(stored: str, fallback: str) -> str:
    """The language a person is written to in: their own stored language, else `fallback` (the language of the
    request or job that caused the message, or the site's). The one rule of every e-mail the product sends."""
    return stored or fallback


def mail_partner_admins(partner: Partner, compose: Callable[[], tuple[str, str]], *, language: str) -> int:
    """Send `compose()`'s (subject, body) to the partner's active admin users with an address, one message per
    language (a user's own, else `language`), composed in that language. Answers how many addresses it was sent to.
    Call it after the commit (transaction.on_commit) so a rolled-back change sends nothing."""
    from parceria.accounts.models import Role, User

    by_language: dict[str, list[str]] = {}
    admins = (
        User.objects.filter(partner=partner, role=Role.PARTNER_ADMIN, is_active=True)
        .exclude(email="")
        .order_by("email")
        .values_list("email", "language")
    )
    for email, stored in admins:
        by_language.setdefault(recipient_language(stored, language), []).append(email)
    for code, recipients in sorted(by_language.items()):
        with translation.override(code):
            subject, body = compose()
        send_mail(subject, body, None, recipients)
    return sum(len(r) for r in by_language.values())
