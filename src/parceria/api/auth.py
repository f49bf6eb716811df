"""API key authentication: `Authorization: Bearer <key>`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from parceria.accounts.models import ApiKey, hash_api_key
from parceria.accounts.tenancy import Principal, enter_partner_scope

_TOUCH_EVERY = timedelta(minutes=5)


def _active_key(key_hash: str) -> ApiKey | None:
    """The unrevoked key of `key_hash`, with its partner loaded (partners.selectors.scoped_partner then needs no
    query). Every API request asks this, so the two statements are fixed SQL: building and compiling them with
    the ORM cost several times what running them does."""
    key = next(iter(ApiKey.objects.raw(_KEY_SQL, [key_hash])), None)
    if key is not None and key.partner_id is not None:
        key.partner = next(iter(_PARTNERS.raw(_PARTNER_SQL, [key.partner_id])))
    return key


_PARTNERS: Any = ApiKey._meta.get_field("partner").related_model._default_manager
_KEY_SQL = f"SELECT * FROM {ApiKey._meta.db_table} WHERE key_hash = %s AND revoked_at IS NULL"
_PARTNER_SQL = f"SELECT * FROM {_PARTNERS.model._meta.db_table} WHERE id = %s"


class ApiKeyAuth(HttpBearer):
    openapi_description = "An API key created with `parceria create-api-key`, sent as `Authorization: Bearer <key>`."

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if not token or len(token) > 200:
            return None
        key = _active_key(hash_api_key(token))
        if key is None:
            return None
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at > _TOUCH_EVERY:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        principal = Principal.for_api_key(key)
        request.principal = principal  # type: ignore[attr-defined]
        enter_partner_scope(principal)
        return principal


def principal_of(request: HttpRequest) -> Principal:
    return request.auth  # type: ignore[attr-defined]
