"""API key authentication: `Authorization: Bearer <key>`."""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from typing import Any

from django.db import connection
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from parceria.accounts.models import ApiKey, hash_api_key
from parceria.accounts.tenancy import Principal, enter_partner_scope
from parceria.common import fixedsql

_TOUCH_EVERY = timedelta(minutes=5)


def _active_key(key_hash: str) -> ApiKey | None:
    """The unrevoked key of `key_hash`, with its partner loaded (partners.selectors.scoped_partner then needs no
    query). Every API request asks this, so it is one fixed SQL statement (a LEFT JOIN): building and compiling
    the ORM's queries cost several times what running them does."""
    sql, fields, split = _key_sql()
    rows = fixedsql.fetch(sql, [key_hash], fields)
    if not rows:
        return None
    key: ApiKey = fixedsql.instance(ApiKey, fields[:split], rows[0][:split])
    # None: a key of no partner (admin, finance, analytics)
    key._state.fields_cache["partner"] = fixedsql.instance(_PARTNER, fields[split:], rows[0][split:])
    return key


_PARTNER: Any = ApiKey._meta.get_field("partner").related_model


@cache
def _key_sql() -> tuple[str, list[Any], int]:
    """SELECT every column of the key and of its partner: the SQL, the fields of its columns, and where the
    partner's start."""
    key_columns, key_fields = fixedsql.columns(ApiKey, "k")
    partner_columns, partner_fields = fixedsql.columns(_PARTNER, "p")
    partner_column = connection.ops.quote_name(str(ApiKey._meta.get_field("partner").column))
    sql = (f"SELECT {', '.join(key_columns + partner_columns)} FROM {fixedsql.table(ApiKey)} k "
           f"LEFT JOIN {fixedsql.table(_PARTNER)} p ON p.id = k.{partner_column} "
           "WHERE k.key_hash = %s AND k.revoked_at IS NULL")
    return sql, [*key_fields, *partner_fields], len(key_fields)


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
