"""The consent ledger (LGPD art. 8): the one place that says whether someone consented, and the one writer of
grants and withdrawals.

Every feature that rests on consent asks here: `has_consent` for one person or partner, `consenting_partner_ids`
(a subquery, so a list page keeps its query count) for many. The ledger is append-only (`ConsentRecord`): the
state is the latest record, a withdrawal is a new record.

Two kinds of purposes:

* A person's own (`marketing_emails`): the state is the latest record of that user for the purpose.
* A partner's (`directory_listing`, `account_mapping`): a user of the partner consents on the partner's behalf
  (`partner_id` set). The partner's state is the latest record for the purpose and the partner, whichever of its
  users recorded it, so a withdrawal by any of its users stops the feature at once. Only a person of the partner
  can consent for it: staff and the system (commands, the demo's system actor, API keys) never record a consent in
  a partner's name.

What needs which consent (docs/privacy.md):

* directory listing: `recruiting.selectors.listed` lists a partner only with its opt-in flag AND its consent
  (opting in on the listing page records the consent; a listing opted in before the ledger existed stays out of
  the directory until an admin of the partner confirms it, by saving the listing or granting on the privacy page);
* account mapping: `mapping.selectors.sharing_levels` counts the partner's level as "counts only" without its
  consent (choosing a level that shares matched accounts records it, going back to counts withdraws it);
* marketing e-mails: the product sends none today (every e-mail it sends is a service message: invitations, deal
  and payout notices, lead offers, applications, security notices); the purpose is kept so that a future mailing
  sends only to `consenting_user_ids(MARKETING_EMAILS)`.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from parceria.accounts.models import User
from parceria.common.audit import Actor, audit_record_create
from parceria.common.errors import InvalidInput
from parceria.privacy.consent_texts import current_text, text_version
from parceria.privacy.models import ConsentPurpose, ConsentRecord

#: The purposes a user consents to on behalf of their partner.
PARTNER_PURPOSES = frozenset({ConsentPurpose.DIRECTORY_LISTING, ConsentPurpose.ACCOUNT_MAPPING})

#: Where a consent was recorded (ConsentRecord.source).
SOURCES = ("portal", "directory_profile", "account_mapping")


def check_purpose(purpose: str) -> str:
    """The purpose, or InvalidInput when it is not one of ConsentPurpose."""
    if purpose not in ConsentPurpose.values:
        raise InvalidInput(_("Unknown consent purpose: %(purpose)r.") % {"purpose": purpose},
                           code="unknown_purpose", details={"field": "purpose"})
    return purpose


def is_partner_purpose(purpose: str) -> bool:
    return purpose in PARTNER_PURPOSES


def _records(purpose: str, *, user: Any = None, partner_id: int | None = None) -> QuerySet[ConsentRecord]:
    """The records that make a state: the partner's for a partner purpose, the user's own otherwise."""
    rows = ConsentRecord.objects.filter(purpose=purpose)
    if is_partner_purpose(purpose):
        return rows.filter(partner_id=partner_id)
    return rows.filter(user=user, partner_id__isnull=True)


def latest(*, purpose: str, user: Any = None, partner_id: int | None = None) -> ConsentRecord | None:
    """The record in force (the latest) for a purpose: the partner's (partner purposes) or the user's."""
    check_purpose(purpose)
    if is_partner_purpose(purpose) and partner_id is None:
        return None
    if not is_partner_purpose(purpose) and getattr(user, "pk", None) is None:
        return None
    return _records(purpose, user=user, partner_id=partner_id).order_by("-id").first()


def has_consent(*, user: Any = None, purpose: str, partner_id: int | None = None) -> bool:
    """Whether consent to `purpose` is given now: by `user` for a person's purpose, for the partner `partner_id`
    (by any of its users) for a partner's purpose. The one question every feature asks."""
    found = latest(purpose=purpose, user=user, partner_id=partner_id)
    return bool(found and found.granted)


def consenting_partner_ids(purpose: str) -> QuerySet[ConsentRecord, Any]:
    """The partners whose consent to a partner purpose is in force, as a subquery of partner ids (use it in
    `partner_id__in=`: the page keeps its number of queries)."""
    check_purpose(purpose)
    newest = (ConsentRecord.objects.filter(purpose=purpose, partner_id=OuterRef("partner_id"))
              .order_by("-id").values("id")[:1])
    return (ConsentRecord.objects.filter(purpose=purpose, partner_id__isnull=False, granted=True)
            .filter(id=Subquery(newest)).values("partner_id"))


def consenting_user_ids(purpose: str) -> QuerySet[ConsentRecord, Any]:
    """The users whose own consent to a person's purpose (marketing e-mails) is in force, as a subquery of ids."""
    check_purpose(purpose)
    newest = (ConsentRecord.objects.filter(purpose=purpose, partner_id__isnull=True, user_id=OuterRef("user_id"))
              .order_by("-id").values("id")[:1])
    return (ConsentRecord.objects.filter(purpose=purpose, partner_id__isnull=True, granted=True)
            .filter(id=Subquery(newest)).values("user_id"))


def _check_subject(*, user: Any, purpose: str, partner_id: int | None) -> None:
    if not isinstance(user, User) or user.pk is None:
        raise InvalidInput(_("Only a person can give or withdraw a consent."), code="no_person")
    if is_partner_purpose(purpose):
        if partner_id is None or user.partner_id != partner_id:
            raise InvalidInput(_("Only a user of the partner can consent on its behalf."), code="not_partner_user",
                               details={"field": "purpose"})
    elif partner_id is not None:
        raise InvalidInput(_("This consent is a person's own, not a partner's."), code="personal_purpose",
                           details={"field": "purpose"})


def _snapshot(record: ConsentRecord) -> dict[str, Any]:
    return {"purpose": record.purpose, "partner_id": record.partner_id, "granted": record.granted,
            "text_version": record.text_version, "source": record.source}


def _record(*, user: User, purpose: str, partner_id: int | None, granted: bool, version: str, source: str,
            actor: Actor) -> ConsentRecord:
    record = ConsentRecord.objects.create(
        user=user, partner_id=partner_id, purpose=purpose, granted=granted, text_version=version,
        source=source[:40], recorded_by_label=actor.label[:200])
    audit_record_create(actor=actor, action="consent.granted" if granted else "consent.withdrawn", obj=record,
                        after=_snapshot(record))
    return record


def consent_grant(*, user: Any, purpose: str, source: str, actor: Actor, partner_id: int | None = None,
                  version: str = "") -> ConsentRecord:
    """Record `user`'s consent to `purpose` (for `partner_id` when it is a partner's purpose) through the text
    `version` they were shown (the current text when not given). Granting what is already granted through the
    same text writes nothing and answers the record in force."""
    check_purpose(purpose)
    _check_subject(user=user, purpose=purpose, partner_id=partner_id)
    shown = text_version(purpose, version) if version else current_text(purpose)
    if shown is None:
        raise InvalidInput(_("Unknown version %(version)r of the consent text.") % {"version": version},
                           code="unknown_text_version", details={"field": "version"})
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk, partner_id=user.partner_id).first()  # named: tenancy
        now = latest(purpose=purpose, user=user, partner_id=partner_id)
        if now is not None and now.granted and now.text_version == shown.version:
            return now
        return _record(user=user, purpose=purpose, partner_id=partner_id, granted=True, version=shown.version,
                       source=source, actor=actor)


def consent_withdraw(*, user: Any, purpose: str, source: str, actor: Actor,
                     partner_id: int | None = None) -> ConsentRecord | None:
    """Record the withdrawal of the consent to `purpose` (the partner's, by one of its users, for a partner
    purpose). Nothing is written when no consent is in force; answers the record in force."""
    check_purpose(purpose)
    _check_subject(user=user, purpose=purpose, partner_id=partner_id)
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk, partner_id=user.partner_id).first()  # named: tenancy
        now = latest(purpose=purpose, user=user, partner_id=partner_id)
        if now is None or not now.granted:
            return now
        return _record(user=user, purpose=purpose, partner_id=partner_id, granted=False, version=now.text_version,
                       source=source, actor=actor)


def consent_set(*, user: Any, purpose: str, granted: bool, source: str, actor: Actor,
                partner_id: int | None = None) -> ConsentRecord | None:
    """Grant or withdraw, as a feature's setting says (a listing opted in or not, a sharing level that shares
    matched accounts or not)."""
    if granted:
        return consent_grant(user=user, purpose=purpose, source=source, actor=actor, partner_id=partner_id)
    return consent_withdraw(user=user, purpose=purpose, source=source, actor=actor, partner_id=partner_id)


def may_consent_for(user: Any, partner_id: int | None) -> bool:
    """Whether `user` is a person of partner `partner_id` (who may consent on its behalf)."""
    return isinstance(user, User) and user.pk is not None and partner_id is not None and user.partner_id == partner_id
