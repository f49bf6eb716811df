"""Writes for users and API keys."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import models, transaction
from django.utils import timezone

from parceria.accounts.models import PARTNER_ROLES, ApiKey, ApiKeyScope, Role, User, hash_api_key, partner_model
from parceria.common.audit import Actor, audit_record_create
from parceria.common.errors import InvalidInput, NotFound


@dataclass(frozen=True)
class IssuedApiKey:
    api_key: ApiKey
    raw_key: str


def api_key_create(*, name: str, scope: str, partner_id: int | None = None, actor: Actor) -> IssuedApiKey:
    if scope not in ApiKeyScope.values:
        raise InvalidInput(f"unknown scope {scope!r}; use one of {', '.join(ApiKeyScope.values)}", code="invalid_scope")
    if not name.strip():
        raise InvalidInput("an API key needs a name", code="invalid_name")
    if scope == ApiKeyScope.PARTNER:
        if partner_id is None:
            raise InvalidInput("a partner key needs --partner", code="partner_required")
        if not partner_model()._default_manager.filter(pk=partner_id).exists():
            raise NotFound(f"partner {partner_id} does not exist")
    elif partner_id is not None:
        raise InvalidInput("only partner-scoped keys are bound to a partner", code="partner_not_allowed")
    raw = f"prc_{scope[:4]}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        key = ApiKey.objects.create(
            name=name.strip(),
            scope=scope,
            partner_id=partner_id,
            prefix=raw[:12],
            key_hash=hash_api_key(raw),
            created_by=actor.user,
        )
        audit_record_create(actor=actor, action="api_key.created", obj=key, after={"scope": scope, "name": key.name})
    return IssuedApiKey(api_key=key, raw_key=raw)


def api_key_revoke(*, api_key: ApiKey, actor: Actor) -> ApiKey:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
        audit_record_create(actor=actor, action="api_key.revoked", obj=api_key)
    return api_key


def user_create(
    *, username: str, password: str | None, role: str, email: str = "", partner: models.Model | None = None,
    actor: Actor,
) -> User:
    """Create a user. `password=None` creates one without a usable password (it signs in after setting one
    through a password reset)."""
    if role not in Role.values:
        raise InvalidInput(f"unknown role {role!r}; use one of {', '.join(Role.values)}", code="invalid_role")
    if (role in PARTNER_ROLES) != (partner is not None):
        raise InvalidInput("partner users need a partner; staff users must not have one", code="invalid_partner")
    username = User.normalize_username(username)
    if User.objects.filter(username=username).exists():
        raise InvalidInput(f"user {username!r} already exists", code="duplicate_user")
    with transaction.atomic():
        user = User.objects.create_user(
            username=username,
            password=password,
            email=email,
            role=role,
            partner=partner,
            is_staff=role not in PARTNER_ROLES,
            is_superuser=role == Role.ADMIN,
        )
        audit_record_create(actor=actor, action="user.created", obj=user, after={"role": role})
    return user
