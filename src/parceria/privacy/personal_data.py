"""Where the apps below privacy (accounts, common, jobs, Django's own tables) and privacy itself keep personal data,
and the actor labels of every app (registry.py). The apps above declare theirs in their own `personal_data.py`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.contrib.sessions.models import Session
from django.utils import timezone

from parceria.privacy.registry import PersonalData, actor_label_fields, declare, mentions, not_personal


def _sessions(subject: Any) -> Iterable[Session]:
    """A user's sessions: the user is only inside the encoded session data."""
    if not subject.user:
        return []
    users = {str(pk) for pk in subject.user}
    return [
        s
        for s in Session.objects.filter(expire_date__gt=timezone.now()).order_by("pk")
        if str(s.get_decoded().get("_auth_user_id")) in users
    ]


def register() -> None:
    declare(
        PersonalData(
            model="accounts.User",
            category="partner_user",
            find={"email": "email", "user": "id", "username": "username"},
            reveals={"email": "email", "username": "username", "user": "id"},
            fields=("username", "first_name", "last_name", "email"),
            also={"is_active": False, "password": "!"},
        ),
        PersonalData(
            model="accounts.Invitation",
            category="partner_user",
            find={"email": "email", "user": "user_id"},
            fields=("email", "name"),
        ),
        PersonalData(
            model="accounts.LoginAttempt",
            category="sign_in_attempt",
            find={"username": "username", "email": "username"},
            fields=("username", "address"),
            erase="delete",
        ),
        PersonalData(model="otp_totp.TOTPDevice", category="partner_user", find={"user": "user_id"}, erase="delete"),
        PersonalData(model="sessions.Session", category="partner_user", finder=_sessions, erase="delete"),
        PersonalData(
            model="common.AuditRecord",
            category="activity_log",
            find={"user": "actor_user_id"},
            mentions=("actor_label", "object_id", "before", "after", "reason"),
        ),
        mentions("django_tasks_database.DBTaskResult", "args_kwargs", "return_value", "traceback"),
        mentions("jobs.ScheduledRun", "output"),
        PersonalData(model="privacy.ConsentRecord", category="consent", find={"user": "user_id"}),
        PersonalData(
            model="privacy.DataSubjectRequest",
            category="privacy_request",
            find={"email": "subject_email", "tax_id": "subject_tax_id", "user": "subject_user_id"},
            fields=("subject_email", "subject_tax_id", "details"),
            mentions=("answer",),
        ),
        mentions("privacy.SharingRecord", "recipient", "description"),
        PersonalData(
            model="privacy.LegalHold",
            category="privacy_request",
            find={"email": "subject_email"},
            mentions=("subject_email", "reason"),
        ),
    )
    not_personal("privacy.SealedIdentity", "encrypted identifiers under the fiscal hold; deleted when the hold ends")
    not_personal("accounts.ApiKey", "a key's name and hash; keys belong to partners and systems, not people")
    not_personal("common.FxRate", "exchange rates")
    not_personal("jobs.WorkerHeartbeat", "worker processes")
    not_personal("jobs.Lease", "locks held by commands")
    not_personal("api.IdempotencyKey", "a request's answer kept for the idempotency window (docs/api.md)")
    for name in ("auth.Group", "auth.Permission", "contenttypes.ContentType"):
        not_personal(name, "Django's own bookkeeping")
    declare(
        PersonalData(
            model="admin.LogEntry",
            category="activity_log",
            find={"user": "user_id"},
            mentions=("object_repr", "change_message"),
        )
    )
    for model in apps.get_models():
        labels = actor_label_fields(model)
        if labels:
            declare(mentions(model._meta.label, *labels))
