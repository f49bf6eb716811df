"""A partner admin invites the people of its organisation to the portal and removes them (issue 4 item 2).

An invited user is a partner member with an unusable password; the invitation e-mail carries a one-time
link to the set-password page (Django's password-reset token, so it stops working once used). The inviter may
choose the new user's language, which is stored with them; the e-mail goes out in it, or, when none was chosen,
in the language the invitation was made in (the inviter's page language), the best guess for a colleague.
"""

from __future__ import annotations

from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from parceria.accounts.languages import language_for, language_parse
from parceria.accounts.models import Role, User
from parceria.common.audit import Actor, audit_record_create
from parceria.common.errors import InvalidInput, NotFound, PermissionDenied
from parceria.partners.models import Partner


def _require_admin(inviter: User) -> None:
    if inviter.role != Role.PARTNER_ADMIN or inviter.partner_id is None:
        raise PermissionDenied(_("only a partner admin manages the partner's users"), code="not_partner_admin")


def user_invite(
    *, inviter: User, email: str, name: str = "", language: str = "", base_url: str, actor: Actor
) -> User:
    """Create a partner member for `inviter`'s partner and e-mail them a link to choose a password, in
    `language` (stored as theirs; "" leaves it to their browser and writes the e-mail in the active one)."""
    _require_admin(inviter)
    code = language_parse(language)
    address = (email or "").strip().lower()
    try:
        validate_email(address)
    except Exception:
        raise InvalidInput(
            _("enter a valid e-mail address"), code="invalid_email", details={"field": "email"}
        ) from None
    partner: Partner = inviter.partner  # type: ignore[assignment]
    pending = User.objects.filter(
        email__iexact=address, partner=partner, last_login__isnull=True, is_active=True
    ).first()
    if pending is not None and not pending.has_usable_password():
        return _invite_again(pending, partner, inviter, base_url, actor, code)
    if User.objects.filter(username__iexact=address).exists() or User.objects.filter(email__iexact=address).exists():
        raise InvalidInput(
            _("a user with this e-mail already exists"), code="duplicate_user", details={"field": "email"}
        )
    first, _space, last = (name or "").strip().partition(" ")
    with transaction.atomic():
        user = User.objects.create_user(
            username=address,
            email=address,
            password=None,
            role=Role.PARTNER_MEMBER,
            partner=partner,
            first_name=first[:150],
            last_name=last[:150],
            language=code,
        )
        audit_record_create(actor=actor, action="user.invited", obj=user,
                            after={"partner_id": partner.pk, "language": code})
        link = base_url.rstrip("/") + _set_password_path(user)
        language = language_for(user)
        transaction.on_commit(lambda: _send_invitation(user, partner, inviter, link, language), robust=True)
    return user


def _invite_again(user: User, partner: Partner, inviter: User, base_url: str, actor: Actor, code: str) -> User:
    """An invited member who never chose a password (the link expired or got lost) gets a new link, in the
    language chosen now, else the one stored with them."""
    with transaction.atomic():
        if code and code != user.language:
            User.objects.filter(pk=user.pk).update(language=code)
            user.language = code
        audit_record_create(actor=actor, action="user.invited_again", obj=user,
                            after={"partner_id": partner.pk, "language": user.language})
        link = base_url.rstrip("/") + _set_password_path(user)
        language = language_for(user)
        transaction.on_commit(lambda: _send_invitation(user, partner, inviter, link, language), robust=True)
    return user


def _set_password_path(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("web:password_reset_confirm", kwargs={"uidb64": uid, "token": token})


def _send_invitation(user: User, partner: Partner, inviter: User, link: str, language: str) -> None:
    with translation.override(language):
        subject, body = invitation_message(user, partner, inviter, link)
    send_mail(subject, body, None, [user.email])


def invitation_message(user: User, partner: Partner, inviter: User, link: str) -> tuple[str, str]:
    """The invitation's subject and body, in the active language."""
    facts = {"who": inviter.get_full_name() or inviter.username, "partner": partner.name, "link": link,
             "email": user.email}
    body = "\n".join([
        _("%(who)s invited you to the Parceria partner portal of %(partner)s.") % facts,
        "",
        _("Choose your password here (the link works once):"),
        link,
        "",
        _("Then sign in with your e-mail address, %(email)s.") % facts,
    ])
    return _("Parceria: invitation to the portal of %(partner)s") % facts, body


def user_remove(*, remover: User, user_id: int, actor: Actor) -> User:
    """Deactivate a user of the remover's partner (never the remover themself)."""
    _require_admin(remover)
    user = User.objects.filter(pk=user_id, partner=remover.partner).first()
    if user is None:
        raise NotFound(_("user %(id)s not found") % {"id": user_id})
    if user.pk == remover.pk:
        raise InvalidInput(_("you cannot remove yourself"), code="cannot_remove_self")
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=False)
        audit_record_create(
            actor=actor,
            action="user.removed",
            obj=user,
            before={"is_active": user.is_active},
            after={"is_active": False},
        )
    user.is_active = False
    return user
