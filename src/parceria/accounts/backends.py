"""The sign-in backend: Django's model backend, with the user name in its canonical form and every password
check under the sign-in throttle, loading a partner user's partner with the user.

Every portal page needs the signed-in user's partner (tenancy and the top bar); fetching both in one query
saves a query on every request."""

from __future__ import annotations

from functools import cache
from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.http import HttpRequest

from parceria.accounts.models import User
from parceria.accounts.throttle import client_address, password_attempt
from parceria.common import fixedsql


class AccountBackend(ModelBackend):
    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        """The user whose name (in any form with the same canonical form) and password these are, or None.
        The attempt is counted before the password is checked; raises SignInLocked when the user name or the
        client's address is locked."""
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        name = User.normalize_username(username)
        check = super().authenticate
        return password_attempt(name, client_address(request),
                                lambda: check(request, username=name, password=password))

    async def aauthenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        return await sync_to_async(self.authenticate)(request, username, password, **kwargs)

    def get_user(self, user_id: Any) -> User | None:
        """The session's user with its partner (as `select_related("partner")` loads them), by fixed SQL: every
        signed-in request asks it, and building the ORM query cost several times running it."""
        user = _user_with_partner(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


def _user_with_partner(user_id: Any) -> User | None:
    try:
        pk = int(user_id)
    except (TypeError, ValueError):
        return None
    sql, fields, split = _user_sql()
    rows = fixedsql.fetch(sql, [pk], fields)
    if not rows:
        return None
    user = fixedsql.instance(User, fields[:split], rows[0][:split])
    # None: a user of no partner (staff)
    user._state.fields_cache["partner"] = fixedsql.instance(_PARTNER, fields[split:], rows[0][split:])
    return user


_PARTNER: Any = User._meta.get_field("partner").related_model


@cache
def _user_sql() -> tuple[str, list[Any], int]:
    """SELECT every column of the user and of its partner (LEFT JOIN): the SQL, the fields of its columns, and
    where the partner's start."""
    user_columns, user_fields = fixedsql.columns(User, "u")
    partner_columns, partner_fields = fixedsql.columns(_PARTNER, "p")
    partner_column = connection.ops.quote_name(str(User._meta.get_field("partner").column))
    sql = (f"SELECT {', '.join(user_columns + partner_columns)} FROM {fixedsql.table(User)} u "
           f"LEFT JOIN {fixedsql.table(_PARTNER)} p ON p.id = u.{partner_column} WHERE u.id = %s")
    return sql, [*user_fields, *partner_fields], len(user_fields)
