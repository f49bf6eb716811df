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


class ApiKeyAuth(HttpBearer):
    openapi_description = "An API key created with `parceria create-api-key`, sent as `Authorization: Bearer <key>`."

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if not token or len(token) > 200:
            return None
        keys = ApiKey.objects.select_related("partner")  # partners.selectors.scoped_partner then needs no query
        key = keys.filter(key_hash=hash_api_key(token), revoked_at__isnull=True).first()
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
