"""A partner admin invites the people of its organisation to the portal and removes them.

Each invitation is an `Invitation` of the partner. An invited user is a partner member with an unusable
password; the invitation e-mail carries a one-time link to the set-password page (Django's password-reset
token, so it stops working once used). The inviter may choose the new user's language, which is stored with
them; the e-mail goes out in it, or, when none was chosen, in the language the invitation was made in (the
inviter's page language), the best guess for a colleague.

An address that already belongs to someone outside the partner is answered and listed like any other, but
nothing is created for it (see `user_invite`), so inviting tells a partner admin nothing about other
partners' users.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from parceria.accounts.languages import language_for, language_parse
from parceria.accounts.models import Invitation, Role, User
from parceria.accounts.tenancy import across_partners
from parceria.common.audit import Actor, audit_record_create
from parceria.common.errors import InvalidInput, NotFound, PermissionDenied
from parceria.partners.models import Partner


def _require_admin(inviter: User) -> None:
    if inviter.role != Role.PARTNER_ADMIN or inviter.partner_id is None:
        raise PermissionDenied(_("only a partner admin manages the partner's users"), code="not_partner_admin")


def user_invite(
    *, inviter: User, email: str, name: str = "", language: str = "", base_url: str, actor: Actor
) -> Invitation:
    """Invite `email` to `inviter`'s partner: create a partner member and e-mail them a link to choose a
    password, in `language` (stored as theirs; "" leaves it to their browser and writes the e-mail in the
    active one). Inviting an address again sends a new link (and undoes a withdrawal).

    An address that already belongs to someone outside the partner (another partner's user, staff) gets the
    same answer and the same kind of entry on the partner's list, but nothing is created for it: its owner is
    sent a neutral notice instead of a link. Only an address that is already one of the partner's own users
    is refused (`already_member`); the partner admin sees those on their list anyway."""
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
    now = timezone.now()
    with transaction.atomic():
        Partner.objects.select_for_update().filter(pk=partner.pk).first()  # one invitation at a time per partner
        invitation = Invitation.objects.select_related("user").filter(partner=partner, email=address).first()
        if invitation is not None and invitation.user is not None and not invitation.user.has_usable_password():
            return _invite_again(invitation, inviter, (name or "").strip()[:300], base_url, actor, code, now)
        holder = _holder(address, partner)
        if holder is not None and holder.partner_id == partner.pk:
            raise InvalidInput(
                _("this address is already one of your users"), code="already_member", details={"field": "email"}
            )
        invitation = invitation or Invitation(partner=partner, email=address)
        invitation.name = (name or "").strip()[:300] or invitation.name
        invitation.invited_by, invitation.sent_at, invitation.withdrawn_at = inviter, now, None
        user = _member_create(address, invitation.name, partner, code) if holder is None else None
        if user is None:
            invitation.user = None
            invitation.save()
            _notify_holder(holder or _holder(address, partner), invitation, inviter, actor)
            return invitation
        invitation.user = user
        invitation.save()
        audit_record_create(actor=actor, action="user.invited", obj=user,
                            after={"partner_id": partner.pk, "language": code, "invitation_id": invitation.pk})
        link = base_url.rstrip("/") + _set_password_path(user)
        language = language_for(user)
        transaction.on_commit(lambda: _send_invitation(user, partner, inviter, link, language), robust=True)
    return invitation


def admin_invite(*, partner: Partner, email: str, name: str = "", language: str = "", base_url: str,
                 actor: Actor) -> User:
    """Staff invite the first admin of `partner` (an accepted applicant): a partner admin without a password is
    created and e-mailed a link to choose one, in `language`. An address that already has an account anywhere is
    refused (`address_in_use`): staff give another one."""
    code = language_parse(language)
    address = (email or "").strip().lower()
    try:
        validate_email(address)
    except Exception:
        raise InvalidInput(
            _("enter a valid e-mail address"), code="invalid_email", details={"field": "email"}
        ) from None
    with transaction.atomic():
        if _holder(address, partner) is not None:
            raise InvalidInput(_("This address already has a Parceria account: give another one."),
                               code="address_in_use", details={"field": "email"})
        user = _member_create(address, (name or "").strip()[:300], partner, code, role=Role.PARTNER_ADMIN)
        if user is None:
            raise InvalidInput(_("This address already has a Parceria account: give another one."),
                               code="address_in_use", details={"field": "email"})
        invitation = Invitation.objects.create(partner=partner, email=address, name=(name or "").strip()[:300],
                                               user=user, invited_by=None, sent_at=timezone.now())
        audit_record_create(actor=actor, action="user.invited", obj=user,
                            after={"partner_id": partner.pk, "language": code, "invitation_id": invitation.pk,
                                   "role": Role.PARTNER_ADMIN})
        link = base_url.rstrip("/") + _set_password_path(user)
        chosen = language_for(user)
        transaction.on_commit(lambda: _send_invitation(user, partner, None, link, chosen), robust=True)
    return user


def _holder(address: str, partner: Partner) -> User | None:
    """The user whose user name or e-mail `address` is (one of `partner`'s own first), or None."""
    with across_partners():  # a user name is unique across partners: whose it is decides the answer
        found = list(User.objects.filter(Q(username=User.normalize_username(address)) | Q(email__iexact=address)))
    return min(found, key=lambda u: (u.partner_id != partner.pk, u.pk), default=None)


def _member_create(address: str, name: str, partner: Partner, code: str,
                   role: str = Role.PARTNER_MEMBER) -> User | None:
    """A new partner member (or admin) without a password, or None when the address was taken meanwhile."""
    first, _space, last = name.partition(" ")
    try:
        with transaction.atomic():
            return User.objects.create_user(
                username=address,
                email=address,
                password=None,
                role=role,
                partner=partner,
                first_name=first[:150],
                last_name=last[:150],
                language=code,
            )
    except IntegrityError:
        return None


def _invite_again(
    invitation: Invitation, inviter: User, name: str, base_url: str, actor: Actor, code: str, now: datetime
) -> Invitation:
    """An invited member who never chose a password (the link expired or got lost, or the invitation was
    withdrawn) gets a new link, in the language chosen now, else the one stored with them; a name given now
    replaces the one given before."""
    user: User = invitation.user  # type: ignore[assignment]
    partner: Partner = invitation.partner
    changes: dict[str, object] = {"is_active": True}
    if code:
        changes["language"] = user.language = code
    if name:
        first, _space, last = name.partition(" ")
        changes["first_name"], changes["last_name"] = first[:150], last[:150]
        invitation.name = name
    User.objects.filter(pk=user.pk).update(**changes)
    user.is_active = True
    invitation.invited_by, invitation.sent_at, invitation.withdrawn_at = inviter, now, None
    invitation.save(update_fields=["name", "invited_by", "sent_at", "withdrawn_at"])
    audit_record_create(actor=actor, action="user.invited_again", obj=user,
                        after={"partner_id": partner.pk, "language": user.language, "invitation_id": invitation.pk})
    link = base_url.rstrip("/") + _set_password_path(user)
    language = language_for(user)
    transaction.on_commit(lambda: _send_invitation(user, partner, inviter, link, language), robust=True)
    return invitation


def _notify_holder(holder: User | None, invitation: Invitation, inviter: User, actor: Actor) -> None:
    """Tell the owner of an address already in use that someone tried to invite it (nothing changed)."""
    audit_record_create(actor=actor, action="invitation.address_in_use", obj=invitation,
                        after={"partner_id": invitation.partner_id, "holder_id": holder.pk if holder else None})
    if holder is None or not holder.email:
        return
    partner: Partner = invitation.partner
    language = language_for(holder)
    transaction.on_commit(lambda: _send_notice(holder, partner, inviter, language), robust=True)


def invitations_open(partner: Partner) -> QuerySet[Invitation]:
    """The partner's invitations not taken up: pending or withdrawn, whether or not a user was created for
    them (an invitation taken up is its user, listed with the partner's users)."""
    return (
        Invitation.objects.filter(partner=partner)
        .filter(Q(user__isnull=True) | Q(user__password__startswith=UNUSABLE_PASSWORD_PREFIX))
        .order_by(F("withdrawn_at").asc(nulls_first=True), "email", "id")
    )


def members(partner: Partner) -> QuerySet[User]:
    """The partner's users who took up their invitation or never needed one (active ones first)."""
    return (
        User.objects.filter(partner=partner)
        .exclude(invitation__isnull=False, password__startswith=UNUSABLE_PASSWORD_PREFIX)
        .order_by("-is_active", "email", "id")
    )


def invitation_withdraw(*, remover: User, invitation_id: int, actor: Actor) -> Invitation:
    """Withdraw a pending invitation of the remover's partner: the invited member, if one was created, is
    deactivated, so the link no longer leads to the portal. The same for every pending invitation, whatever
    the address."""
    _require_admin(remover)
    invitation = invitations_open(remover.partner).filter(pk=invitation_id).select_related("user").first()  # type: ignore[arg-type]
    if invitation is None:
        raise NotFound(_("invitation %(id)s not found") % {"id": invitation_id})
    if invitation.withdrawn_at is None:
        with transaction.atomic():
            invitation.withdrawn_at = timezone.now()
            invitation.save(update_fields=["withdrawn_at"])
            if invitation.user is not None:
                User.objects.filter(pk=invitation.user.pk).update(is_active=False)
                invitation.user.is_active = False
            audit_record_create(actor=actor, action="invitation.withdrawn", obj=invitation,
                                after={"partner_id": invitation.partner_id})
    return invitation


def _set_password_path(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("site:password_reset_confirm", kwargs={"uidb64": uid, "token": token})


def _send_invitation(user: User, partner: Partner, inviter: User | None, link: str, language: str) -> None:
    with translation.override(language):
        subject, body = invitation_message(user, partner, inviter, link)
    send_mail(subject, body, None, [user.email])


def invitation_message(user: User, partner: Partner, inviter: User | None, link: str) -> tuple[str, str]:
    """The invitation's subject and body, in the active language (`inviter` None: the programme's team)."""
    who = _("The partner programme's team") if inviter is None else inviter.get_full_name() or inviter.username
    facts = {"who": who, "partner": partner.name, "link": link,
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


def _send_notice(holder: User, partner: Partner, inviter: User, language: str) -> None:
    with translation.override(language):
        subject, body = address_in_use_message(holder, partner, inviter)
    send_mail(subject, body, None, [holder.email])


def address_in_use_message(holder: User, partner: Partner, inviter: User) -> tuple[str, str]:
    """The notice to the owner of an address someone tried to invite, in the active language. It says no
    more than the invitation would have: who invited the address, to which partner."""
    facts = {"who": inviter.get_full_name() or inviter.username, "partner": partner.name, "email": holder.email}
    body = "\n".join([
        _("%(who)s tried to invite %(email)s to the Parceria partner portal of %(partner)s.") % facts,
        "",
        _("This address already has a Parceria account, so nothing was created and your account did not change."),
        _("An account belongs to one organisation: to work in the portal of %(partner)s too, ask them to invite "
          "another address of yours.") % facts,
        "",
        _("If you do not know them, you can ignore this message."),
    ])
    return _("Parceria: an invitation to an address that already has an account"), body


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
        Invitation.objects.filter(user=user, withdrawn_at__isnull=True).update(withdrawn_at=timezone.now())
        audit_record_create(
            actor=actor,
            action="user.removed",
            obj=user,
            before={"is_active": user.is_active},
            after={"is_active": False},
        )
    user.is_active = False
    return user
